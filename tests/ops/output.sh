#!/bin/sh
# Outputs: a reader that goes away (| head -1) stops the run at once with exit 1, as tcpdump stops; a full
# disk (/dev/full) loses events and so exits 1 with a message; SIGHUP opens the -o file again after it was
# moved away (log rotation), so later events go to the new file and none is lost.
. "$(dirname "$0")/../lib.sh"
tiny="$top_srcdir/tests/pcap/data/tiny.pcap"
all=""
for p in "$top_srcdir"/pcaps/*.pcap; do all="$all -r $p"; done

wait_for() {	# seconds, shell condition
	t=$(($1 * 10)); shift
	while [ "$t" -gt 0 ]; do eval "$1" && return 0; sleep 0.1; t=$((t - 1)); done
	return 1
}
reading() { grep -q 'pipe_read\|pipe_wait' "/proc/$1/wchan" 2>/dev/null; }
packets() { sed -n 's/^dcdnwatch: \([0-9]*\) packets.*/\1/p' "$1"; }

# 1. | head -1: EPIPE stops the run long before the end of the input, and the status says events were lost.
# shellcheck disable=SC2086
"$DCDNWATCH" --flows $all > "$TMP/full.json" 2>"$TMP/full.err" || fail "the whole input: $(cat "$TMP/full.err")"
total=$(packets "$TMP/full.err")
mkfifo "$TMP/pipe"
# shellcheck disable=SC2086
"$DCDNWATCH" --flows $all -o - > "$TMP/pipe" 2>"$TMP/head.err" &
pid=$!
head -n 1 < "$TMP/pipe" > "$TMP/first"
wait "$pid"
rc=$?
read_=$(packets "$TMP/head.err")
if [ "$rc" -ne 1 ]; then fail "| head -1: exit $rc, want 1: $(cat "$TMP/head.err")"
elif ! grep -q "Broken pipe" "$TMP/head.err"; then fail "| head -1: no message about the pipe: $(cat "$TMP/head.err")"
elif [ -z "$read_" ] || [ "$read_" -ge "$total" ]; then fail "| head -1: read $read_ of $total packets: it did not stop"
elif ! grep -q '"event_type":"flow"' "$TMP/first"; then fail "| head -1: the first line is not an event"
else pass "| head -1: stopped after $read_ of $total packets, exit 1: $(grep -i 'pipe' "$TMP/head.err")"; fi

# 2. A full disk: the events are lost, and the exit status and a message say so.
if [ -w /dev/full ]; then
	"$DCDNWATCH" --flows -r "$tiny" -o /dev/full > "$TMP/out" 2>"$TMP/err"
	rc=$?
	[ "$rc" -eq 1 ] && grep -q "could not be written" "$TMP/err" && pass "-o /dev/full: exit 1: $(grep 'could not' "$TMP/err")" ||
		fail "-o /dev/full: exit $rc: $(cat "$TMP/err")"
else
	echo "note: /dev/full missing, its case not run"
fi

# 3. SIGHUP after the file was moved away: the next events go to a new file at the path.
mkfifo "$TMP/in.pcap"
"$DCDNWATCH" -q --flows -r "$TMP/in.pcap" -o "$TMP/ev.json" 2>"$TMP/err3" &
pid=$!
exec 3>"$TMP/in.pcap"
cat "$tiny" >&3		# a pcap header, then records
wait_for 30 "reading $pid"
kill -USR1 "$pid"	# a stats event, and the events so far written out
# SIGUSR1 is served between packets: one more record (the file's first, again) lets it be.
"$PY" -c '
import struct, sys
d = open(sys.argv[1], "rb").read()
n = struct.unpack("<I", d[24 + 8:24 + 12])[0]
sys.stdout.buffer.write(d[24:24 + 16 + n])' "$tiny" > "$TMP/rec"
cat "$TMP/rec" >&3
wait_for 30 "grep -q '\"event_type\":\"stats\"' '$TMP/ev.json'" || fail "no stats event after SIGUSR1"
mv "$TMP/ev.json" "$TMP/ev.json.1"
kill -HUP "$pid"
cat "$TMP/rec" >&3
wait_for 30 "[ -e '$TMP/ev.json' ]" || fail "SIGHUP did not open the output file again"
exec 3>&-
wait "$pid"
rc=$?
old_stats=$(grep -c '"event_type":"stats"' "$TMP/ev.json.1")
new_stats=$(grep -c '"event_type":"stats"' "$TMP/ev.json" 2>/dev/null)
if [ "$rc" -eq 0 ] && [ "$old_stats" -eq 1 ] && [ "${new_stats:-0}" -ge 1 ]; then
	pass "SIGHUP reopened -o: the moved file kept $old_stats stats event, the new one has the rest ($(wc -l < "$TMP/ev.json") events)"
else
	fail "SIGHUP reopen: exit $rc, $old_stats stats event(s) in the moved file, ${new_stats:-no file} in the new: $(cat "$TMP/err3")"
fi
finish
