#!/bin/sh
# Daemon mode with -u: the command returns once the daemon runs (and says so by its status: 0 when it runs,
# 1 when it failed after detaching), a SIGHUP during start-up does not kill it, the capturing process is
# nobody, and the pid file in a directory only root may write is removed when the daemon ends.
. "$(dirname "$0")/../lib.sh"
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root (to become nobody)"; exit 77; }
id nobody >/dev/null 2>&1 || { echo "SKIP: no user nobody"; exit 77; }
tiny="$top_srcdir/tests/pcap/data/tiny.pcap"

wait_for() {	# seconds, shell condition
	t=$(($1 * 10)); shift
	while [ "$t" -gt 0 ]; do eval "$1" && return 0; sleep 0.1; t=$((t - 1)); done
	return 1
}
in_open() { grep -q 'fifo_open\|pipe_read\|pipe_wait' "/proc/$1/wchan" 2>/dev/null; }

mkdir -m 755 "$TMP/run"		# root's, as /run is
mkfifo "$TMP/in.pcap"
"$DCDNWATCH" -D -u nobody --pidfile "$TMP/run/dcdnwatch.pid" -r "$TMP/in.pcap" -o "$TMP/events.json" \
	2>"$TMP/err" &
cmd=$!
# The command waits in opening the FIFO, in its set-up: a SIGHUP (a log rotation) must not kill it.
wait_for 30 "in_open $cmd"
kill -HUP "$cmd"
exec 3>"$TMP/in.pcap"
head -c 24 "$tiny" >&3		# the file's header: the set-up goes on, detaches, becomes nobody
wait "$cmd"
rc=$?
[ "$rc" -eq 0 ] && pass "dcdnwatch -D returned 0 once the daemon ran, after a SIGHUP during start-up" ||
	{ fail "dcdnwatch -D: exit $rc (129: killed by SIGHUP): $(cat "$TMP/err")"; exec 3>&-; finish; }
pid=$(cat "$TMP/run/dcdnwatch.pid" 2>/dev/null)
if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
	user=$(ps -o user= -p "$pid" | tr -d ' ')
	[ "$user" = nobody ] && pass "the pid file was there when -D returned; $pid runs as nobody" ||
		fail "the daemon $pid runs as '$user'"
else
	fail "no running daemon in the pid file when -D returned ('$pid')"
fi
tail -c +25 "$tiny" >&3
exec 3>&-			# end of input: the daemon finishes
wait_for 60 "[ ! -e '$TMP/run/dcdnwatch.pid' ]" && pass "the pid file in root's directory is gone after the daemon ended" ||
	fail "the pid file is left behind: $(ls -l "$TMP/run")"
wait_for 30 "! kill -0 $pid 2>/dev/null" || fail "the daemon $pid still runs"
grep -q '"event_type":"stats"' "$TMP/events.json" && pass "the daemon wrote its final stats" ||
	fail "no final stats in the events"

# A daemon that fails after detaching (its metrics directory is not writable once it is nobody): the
# command says so by its status.
mkdir -m 755 "$TMP/rootonly"
"$DCDNWATCH" -D -u nobody -r "$tiny" -o "$TMP/events2.json" --metrics-file "$TMP/rootonly/m.prom" 2>"$TMP/err2"
rc=$?
[ "$rc" -eq 1 ] && pass "a daemon that fails after detaching: dcdnwatch -D exits 1" ||
	fail "a daemon that failed after detaching: dcdnwatch -D exit $rc, want 1"
finish
