#!/bin/sh
# The daemon: -D -u nobody --pidfile on a veth in a private namespace.  Checks that the capturing process
# runs as nobody, that SIGHUP with a changed signature file makes a new family take effect without a
# restart, that SIGUSR1 writes a stats event, and that SIGTERM writes final stats.
. "$(dirname "$0")/../lib.sh"
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 77; }
command -v tcpreplay >/dev/null && command -v ip >/dev/null || { echo "FAIL: tcpreplay and ip needed"; exit 1; }
id nobody >/dev/null 2>&1 || { echo "SKIP: no user nobody"; exit 77; }
if [ -z "${DCDN_LIVE_LOCKED:-}" ] && command -v flock >/dev/null; then
	rm -rf "$TMP"; DCDN_LIVE_LOCKED=1 exec flock /tmp/dcdnwatch-live.lock sh "$0" "$@"
fi
NS=dcdnd$$
chmod 755 "$TMP"
cleanup() {
	[ -n "${PID:-}" ] && kill -TERM "$PID" 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT INT TERM
ip netns add "$NS" 2>"$TMP/netns.err" || { echo "SKIP: this machine does not allow network namespaces: $(cat "$TMP/netns.err")"; exit 77; }
ip -n "$NS" link add veth0 type veth peer name veth1
ip -n "$NS" link set veth0 up
ip -n "$NS" link set veth1 up
mkdir -m 755 "$TMP/sig"
# Version 1 of a signature file: nothing about github.com, the host in the capture we send.
printf 'family grass\nhost proxy.wynd.network role=relay conf=high src="v1"\n' > "$TMP/sig/test.sig"
chmod 644 "$TMP/sig/test.sig"
: > "$TMP/events.json"
ip netns exec "$NS" "$DCDNWATCH" -D -u nobody --pidfile "$TMP/dcdnwatch.pid" -i veth0 -S "$TMP/sig" \
	-o "$TMP/events.json" --set capture.timeout_ms=50 --set host.learning=0 \
	--set flow.timeout.tcp_closed=1 --set flow.timeout.tcp_established=1 || fail "start failed"
i=0
while [ ! -s "$TMP/dcdnwatch.pid" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
PID=$(cat "$TMP/dcdnwatch.pid" 2>/dev/null)
[ -n "$PID" ] && kill -0 "$PID" 2>/dev/null || { fail "no daemon running (pid file '$PID')"; finish; }
user=$(ps -o user= -p "$PID" | tr -d ' ')
[ "$user" = nobody ] && pass "daemon $PID runs as nobody while capturing" || fail "daemon runs as '$user'"
ppid=$(ps -o ppid= -p "$PID" | tr -d ' ')
[ "$ppid" = 1 ] || [ "$(ps -o comm= -p "$ppid")" != sh ] && pass "detached (parent $ppid)" || fail "not detached"

send() { ip netns exec "$NS" tcpreplay -q -i veth1 -x 20 "$top_srcdir/tests/pcap/data/tiny.pcap" >/dev/null 2>&1; }
alerts_grass() { grep '"event_type":"alert"' "$TMP/events.json" | grep -c '"family":"grass"'; }
send
sleep 1
[ "$(alerts_grass)" -eq 0 ] && pass "no grass verdict with signatures v1" || fail "grass verdict before the reload"

# Version 2 names github.com; SIGHUP reloads it while capturing.
printf 'family grass\nhost proxy.wynd.network role=relay conf=high src="v1"\nhost github.com role=control conf=high src="v2"\n' \
	> "$TMP/sig/test.sig"
kill -HUP "$PID"
sleep 2	# the first replay's flow has expired too: the second is a new flow, judged with v2
send
sleep 1
kill -USR1 "$PID"
sleep 1
[ "$(alerts_grass)" -ge 1 ] && pass "after SIGHUP the new indicator names the host: $(grep -o '"summary":"[^"]*"' "$TMP/events.json" | head -n 1)" ||
	fail "no grass verdict after the reload"
[ "$(grep -c '"event_type":"stats"' "$TMP/events.json")" -ge 1 ] && pass "SIGUSR1 wrote a stats event" ||
	fail "no stats event on SIGUSR1"

# A broken file on SIGHUP keeps the loaded one.
printf 'family grass\nnonsense here\n' > "$TMP/sig/test.sig"
kill -HUP "$PID"
sleep 1
kill -0 "$PID" 2>/dev/null && pass "a bad signature file on SIGHUP keeps the daemon running" || fail "daemon died on a bad reload"

nstats=$(grep -c '"event_type":"stats"' "$TMP/events.json")
kill -TERM "$PID"
i=0
while kill -0 "$PID" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
kill -0 "$PID" 2>/dev/null && fail "still running after SIGTERM"
PID=""
[ "$(grep -c '"event_type":"stats"' "$TMP/events.json")" -gt "$nstats" ] && pass "SIGTERM wrote final stats" ||
	fail "no final stats after SIGTERM"
finish
