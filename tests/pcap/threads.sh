#!/bin/sh
# --threads 2 reads capture files on a thread of its own; the pipeline must see the same packets in the
# same order, so every event (flows, alerts, stats) is byte for byte the one --threads 1 writes: on every
# scenario capture, on the whole nDPI corpus as one timeline (far more than the read-ahead ring holds),
# and with a truncated file in the list.  A stop signal ends a paced threaded replay at once, with the
# final stats written.
. "$(dirname "$0")/../lib.sh"

# same NAME ARGS...: run both ways, compare the outputs byte for byte.
same() {
	name=$1
	shift
	rm -f "$TMP/one.json" "$TMP/two.json"
	"$DCDNWATCH" -q "$@" --flows -o "$TMP/one.json" 2> "$TMP/one.err"
	rc1=$?
	"$DCDNWATCH" -q "$@" --flows -o "$TMP/two.json" --threads 2 2> "$TMP/two.err"
	rc2=$?
	if [ "$rc1" -ne 0 ] || [ "$rc2" -ne 0 ]; then
		fail "$name: exit status $rc1 with one thread, $rc2 with two"
		return
	fi
	if ! cmp -s "$TMP/one.json" "$TMP/two.json"; then
		fail "$name: events differ between --threads 1 and --threads 2"
		diff "$TMP/one.json" "$TMP/two.json" | head -n 6
		return
	fi
	if ! cmp -s "$TMP/one.err" "$TMP/two.err"; then
		fail "$name: messages differ between --threads 1 and --threads 2"
		diff "$TMP/one.err" "$TMP/two.err" | head -n 6
		return
	fi
	pass "$name: $(wc -l < "$TMP/one.json") events identical with --threads 2"
}

for cap in "$top_srcdir"/pcaps/*.pcap; do
	# shellcheck disable=SC2046
	same "$(basename "$cap")" -r "$cap" $(sed -n 's/^options //p' "${cap%.pcap}.expect" 2>/dev/null)
done

need_corpus
set --
for f in "$CORPUS"/ndpi-4.2/pcap/*.pcap "$CORPUS"/ndpi-4.2/pcap/*.pcapng; do
	[ -f "$f" ] && set -- "$@" -r "$f"
done
same "nDPI corpus as one timeline ($(($# / 2)) files)" "$@"

# A truncated file in the middle of the list: the warning names it, and reading goes on with the next.
first=$(ls "$CORPUS"/ndpi-4.2/pcap/*.pcap | head -n 1)
size=$(wc -c < "$first")
head -c $((size * 2 / 3)) "$first" > "$TMP/cut.pcap"
same "a truncated file between two whole ones" -r "$first" -r "$TMP/cut.pcap" -r "$first"
grep -q "cut.pcap: capture is truncated" "$TMP/two.err" && pass "the truncated file is named" ||
	fail "no warning names the truncated file: $(cat "$TMP/two.err")"

# Standard input is read on the pipeline's thread (a reader blocks signals, and a quiet pipe would hold
# up a stop), with the same events.
cap="$top_srcdir/pcaps/gaganode.pcap"
"$DCDNWATCH" -q -r - --flows -o "$TMP/in1.json" < "$cap"
"$DCDNWATCH" -q -r - --flows --threads 2 -o "$TMP/in2.json" < "$cap"
cmp -s "$TMP/in1.json" "$TMP/in2.json" && pass "-r - with --threads 2: same events" ||
	fail "-r - with --threads 2: events differ"

# A paced replay stopped by SIGTERM: ends at once, exit 0, with its stats event.
cap="$top_srcdir/pcaps/meson-node.pcap"
"$DCDNWATCH" -q -r "$cap" --pace 1 --threads 2 -o "$TMP/paced.json" &
pid=$!
sleep 1
kill -TERM "$pid"
t=0
while kill -0 "$pid" 2>/dev/null && [ $t -lt 50 ]; do
	sleep 0.1
	t=$((t + 1))
done
if kill -0 "$pid" 2>/dev/null; then
	kill -KILL "$pid"
	fail "a paced threaded replay did not stop within 5 s of SIGTERM"
else
	wait "$pid"
	rc=$?
	[ "$rc" -eq 0 ] && tail -n 1 "$TMP/paced.json" | grep -q '"event_type":"stats"' &&
		pass "SIGTERM stops a paced threaded replay promptly, with final stats" ||
		fail "after SIGTERM: exit $rc, last event $(tail -n 1 "$TMP/paced.json" | cut -c1-80)"
fi

for bad in 0 9 two; do
	"$DCDNWATCH" -q -r "$cap" --threads "$bad" -o /dev/null 2> "$TMP/err"
	rc=$?
	[ "$rc" -eq 2 ] && grep -q -- "--threads" "$TMP/err" && pass "--threads $bad is refused (exit 2)" ||
		fail "--threads $bad: exit $rc, $(cat "$TMP/err")"
done
finish
