#!/bin/sh
# No signal kills the process by its default action at any moment from start to exit.  A capture file that
# is a FIFO holds the start-up open (the process waits for a writer, then for the file's header) while
# SIGHUP and SIGUSR1 arrive: the run must go on, serve them once it starts (a stats event for the SIGUSR1),
# and exit 0.  Then the same during a run: SIGHUP and SIGUSR1 between packets neither kill it nor cut the
# input short.
. "$(dirname "$0")/../lib.sh"
tiny="$top_srcdir/tests/pcap/data/tiny.pcap"

wait_for() {	# seconds, shell condition
	t=$(($1 * 10)); shift
	while [ "$t" -gt 0 ]; do eval "$1" && return 0; sleep 0.1; t=$((t - 1)); done
	return 1
}
# The process waits in a read of its FIFO (where the kernel shows it; elsewhere the wait just times out).
reading() { grep -q 'pipe_read\|pipe_wait' "/proc/$1/wchan" 2>/dev/null; }
# Signals sent to it have been delivered (none pending), or it is gone.
delivered() { [ ! -e "/proc/$1/status" ] || ! grep -Eq '^(SigPnd|ShdPnd):.*[1-9a-f]' "/proc/$1/status"; }

# 1. During start-up: the signals arrive while the input is being opened.
mkfifo "$TMP/in.pcap"
"$DCDNWATCH" -q --flows -r "$TMP/in.pcap" -o "$TMP/ev1.json" 2>"$TMP/err1" &
pid=$!
# Opening the FIFO for writing returns once dcdnwatch has opened it for reading: it is in its set-up.
exec 3>"$TMP/in.pcap"
wait_for 30 "reading $pid"
kill -HUP "$pid" 2>/dev/null
kill -USR1 "$pid" 2>/dev/null
# The signals are delivered before the writer sends anything: the process is still waiting for the header.
wait_for 30 "delivered $pid"
cat "$tiny" >&3
exec 3>&-
wait "$pid"
rc=$?
if [ "$rc" -ne 0 ]; then
	fail "signals during start-up: exit $rc (129 is SIGHUP's default action, 138 SIGUSR1's): $(cat "$TMP/err1")"
else
	stats=$(grep -c '"event_type":"stats"' "$TMP/ev1.json")
	flows=$(grep -c '"event_type":"flow"' "$TMP/ev1.json")
	[ "$stats" -ge 2 ] && [ "$flows" -ge 1 ] && pass "SIGHUP and SIGUSR1 during start-up: exit 0, $flows flow(s), $stats stats events (one for the SIGUSR1)" ||
		fail "signals during start-up: $stats stats, $flows flows: $(cat "$TMP/err1")"
fi

# 2. During the run: the writer sends half, the signals come while dcdnwatch waits for more.
rm -f "$TMP/in.pcap"; mkfifo "$TMP/in.pcap"
"$DCDNWATCH" -q --flows -r "$TMP/in.pcap" -o "$TMP/ev2.json" 2>"$TMP/err2" &
pid=$!
exec 3>"$TMP/in.pcap"
size=$(wc -c < "$tiny")
head -c $((size / 2)) "$tiny" >&3
# Wait until the process has read what was written and waits for more, then signal it.
wait_for 30 "reading $pid"
kill -USR1 "$pid"; kill -HUP "$pid"; kill -USR1 "$pid"
wait_for 30 "delivered $pid"
tail -c +$((size / 2 + 1)) "$tiny" >&3
exec 3>&-
wait "$pid"
rc=$?
if [ "$rc" -ne 0 ]; then fail "signals during the run: exit $rc: $(cat "$TMP/err2")"
elif grep -q "truncated\|damaged" "$TMP/err2"; then fail "signals during the run cut the input short: $(cat "$TMP/err2")"
else
	"$DCDNWATCH" -q --flows -r "$tiny" > "$TMP/ref.json"
	a=$(grep -c '"event_type":"flow"' "$TMP/ev2.json"); b=$(grep -c '"event_type":"flow"' "$TMP/ref.json")
	[ "$a" -eq "$b" ] && pass "SIGUSR1 and SIGHUP during the run: exit 0, all $a flow(s) of the input" ||
		fail "signals during the run: $a flows, $b without signals"
fi

# 3. SIGTERM during start-up: a clean, prompt end (final stats), exit 0.
rm -f "$TMP/in.pcap"; mkfifo "$TMP/in.pcap"
"$DCDNWATCH" -q -r "$TMP/in.pcap" -o "$TMP/ev3.json" 2>"$TMP/err3" &
pid=$!
exec 3>"$TMP/in.pcap"
kill -TERM "$pid"
head -c 24 "$tiny" >&3
wait_for 30 "! kill -0 $pid 2>/dev/null" || fail "SIGTERM during start-up: still running with the input open"
exec 3>&-
wait "$pid"
rc=$?
[ "$rc" -eq 0 ] && grep -q '"event_type":"stats"' "$TMP/ev3.json" && pass "SIGTERM during start-up: clean end, exit 0" ||
	fail "SIGTERM during start-up: exit $rc: $(cat "$TMP/err3")"
finish
