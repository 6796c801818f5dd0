#!/bin/sh
# Live capture with --metrics-file: the file is rewritten every stats.interval of the wall clock even while
# the link is idle, parses with Prometheus's parser, and holds the run's final figures after SIGTERM.  The
# capture runs on one end of a veth pair in a private network namespace.
. "$(dirname "$0")/../lib.sh"
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root for network namespaces"; exit 77; }
command -v ip >/dev/null || { echo "SKIP: ip (iproute2) not installed"; exit 77; }
"$PY" -c 'import prometheus_client' 2>/dev/null || { echo "SKIP: python3-prometheus-client is not installed"; exit 77; }
NS=dcdnm$$
cleanup() {
	[ -n "${PID:-}" ] && kill -TERM "$PID" 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT INT TERM
ip netns add "$NS" 2>"$TMP/netns.err" || { echo "SKIP: no network namespaces here: $(cat "$TMP/netns.err")"; exit 77; }
ip -n "$NS" link add veth0 type veth peer name veth1
ip -n "$NS" link set veth0 up
ip -n "$NS" link set veth1 up
ip netns exec "$NS" true 2>"$TMP/exec.err" || { echo "SKIP: ip netns exec cannot run here: $(cat "$TMP/exec.err")"; exit 77; }

wait_for() {	# seconds, shell condition
	t=$(($1 * 10)); shift
	while [ "$t" -gt 0 ]; do eval "$1" && return 0; sleep 0.1; t=$((t - 1)); done
	return 1
}
ip netns exec "$NS" "$DCDNWATCH" -q -i veth0 --set stats.interval=1 --set capture.timeout_ms=50 \
	--metrics-file "$TMP/m.prom" -o "$TMP/events.json" 2>"$TMP/err" &
PID=$!
# Two rewrites on an idle link: the file appears, then is replaced by a newer one.
wait_for 60 "[ -s '$TMP/m.prom' ]" && first=$(stat -c %i "$TMP/m.prom") || fail "no metrics file within 60 s: $(cat "$TMP/err")"
wait_for 60 "[ -s '$TMP/m.prom' ] && [ \"\$(stat -c %i '$TMP/m.prom')\" != '${first:-}' ]" &&
	pass "live, idle link: the metrics file is rewritten every stats.interval (a new file each time)" ||
	fail "the metrics file was not rewritten"
kill -TERM "$PID"
wait "$PID"
rc=$?
PID=""
[ "$rc" -eq 0 ] || fail "SIGTERM: exit $rc: $(cat "$TMP/err")"
if "$PY" "$top_srcdir/tests/ops/metrics.py" "$TMP/m.prom" "$TMP/events.json" memory > "$TMP/check" 2>&1; then
	pass "after SIGTERM: $(tail -n 1 "$TMP/check")"
else
	fail "after SIGTERM:
$(cat "$TMP/check")"
fi
finish
