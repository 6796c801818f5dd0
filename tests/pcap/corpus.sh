#!/bin/sh
# Robustness: every capture of the shared corpus (nDPI's, including its fuzzed captures, and the VXLAN set)
# replays to completion with exit 0 and no sanitizer report.  Meaningful above all in the
# --enable-sanitizers build, where ASan/UBSan/LSan reports go to stderr and fail the check.
. "$(dirname "$0")/../lib.sh"
need_corpus
n=0
for f in "$CORPUS"/ndpi-4.2/pcap/* "$CORPUS"/vxlan/*.pcap; do
	n=$((n + 1))
	"$DCDNWATCH" -q --flows -r "$f" > /dev/null 2> "$TMP/err"
	rc=$?
	if [ $rc -ne 0 ] && ! grep -q "unsupported link type" "$TMP/err"; then
		fail "$(basename "$f"): exit $rc"; head -n 20 "$TMP/err"
	elif grep -q "AddressSanitizer\|LeakSanitizer\|runtime error:" "$TMP/err"; then
		fail "$(basename "$f"): sanitizer report"; head -n 30 "$TMP/err"
	fi
done
echo "corpus: $n captures replayed, $failures with problems"
finish
