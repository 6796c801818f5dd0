# lib.sh - a private redis-server for one test (sourced after tests/lib.sh).  Loopback only.
command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1 ||
	{ echo "SKIP: redis-server and redis-cli are needed (Debian package redis-server)"; exit 77; }
RPORT=""
redis_start() {	# [port]: start (or restart on the same port) a server without persistence
	[ -n "${1:-}" ] && RPORT=$1
	if [ -z "$RPORT" ]; then
		RPORT=$("$PY" -c "
import socket
s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1]); s.close()")
	fi
	redis-server --port "$RPORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
		--pidfile "$TMP/redis-$RPORT.pid" --dir "$TMP" --logfile "$TMP/redis-$RPORT.log" >/dev/null
	i=0
	until redis-cli -p "$RPORT" ping >/dev/null 2>&1; do
		i=$((i + 1)); [ $i -gt 100 ] && { echo "FAIL: redis-server did not start"; return 1; }
		sleep 0.05
	done
	RURL="redis://127.0.0.1:$RPORT"
}
redis_stop() {
	[ -f "$TMP/redis-$RPORT.pid" ] && kill "$(cat "$TMP/redis-$RPORT.pid")" 2>/dev/null
	i=0
	while redis-cli -p "$RPORT" ping >/dev/null 2>&1; do
		i=$((i + 1)); [ $i -gt 100 ] && break
		sleep 0.05
	done
	rm -f "$TMP/redis-$RPORT.pid"
}
trap 'redis_stop; rm -rf "$TMP"' EXIT INT TERM
# The alert lines of an event file, contract keys only, one per line (for equality).
alerts_of() {
	grep '"event_type":"alert"' "$1" || true
}
# The (host, family, detector) verdicts of an event file, sorted and unique.
verdicts_of() {
	"$PY" -c "
import json, sys
s = set()
for l in open(sys.argv[1]):
    e = json.loads(l)
    if e['event_type'] == 'alert':
        s.add('%s %s %s' % (e['host'], e['family'] or '-', e['detector']))
print('\n'.join(sorted(s)))" "$1"
}
# Options of a scenario's expectation file.
scenario_opts() {
	sed -n 's/^options //p' "${1%.pcap}.expect" 2>/dev/null | tr '\n' ' '
}
