#!/bin/sh
# --metrics-file: Prometheus text format that Prometheus's own parser (python3-prometheus-client) reads, with
# HELP and TYPE, equal to the run's final stats event; the same with --threads 2 and with --redis; rewritten
# every stats.interval during a replay (not only at its end), atomically.
. "$(dirname "$0")/../lib.sh"
"$PY" -c 'import prometheus_client' 2>/dev/null ||
	{ echo "SKIP: python3-prometheus-client is not installed (quickstart installs it)"; exit 77; }
cap="$top_srcdir/pcaps/meson-node.pcap"

check() {	# name, metrics file, events file [, backend]
	name=$1; shift
	if "$PY" "$top_srcdir/tests/ops/metrics.py" "$@" > "$TMP/check" 2>&1; then
		pass "$name: $(tail -n 1 "$TMP/check")"
	else
		fail "$name:
$(cat "$TMP/check")"
	fi
}

"$DCDNWATCH" -q -r "$cap" --metrics-file "$TMP/one.prom" > "$TMP/one.json" 2>"$TMP/err" || fail "replay: $(cat "$TMP/err")"
check "replay" "$TMP/one.prom" "$TMP/one.json" memory
[ -e "$TMP/one.prom.tmp" ] && fail "the temporary file was left behind"

"$DCDNWATCH" -q --threads 2 -r "$cap" --metrics-file "$TMP/two.prom" > "$TMP/two.json" 2>"$TMP/err" ||
	fail "--threads 2: $(cat "$TMP/err")"
check "--threads 2" "$TMP/two.prom" "$TMP/two.json" memory

if [ -n "${DCDN_REDIS_URL:-}" ]; then
	prefix="dcdnwatch-metrics-$$:"
	"$DCDNWATCH" -q -R "$DCDN_REDIS_URL" --set redis.prefix="$prefix" -r "$cap" --metrics-file "$TMP/r.prom" \
		> "$TMP/r.json" 2>"$TMP/err" || fail "--redis: $(cat "$TMP/err")"
	check "--redis" "$TMP/r.prom" "$TMP/r.json" redis
	grep -q '^dcdnwatch_store_connected 1$' "$TMP/r.prom" && pass "--redis: dcdnwatch_store_connected 1" ||
		fail "--redis: $(grep store_connected "$TMP/r.prom")"
	if command -v redis-cli >/dev/null; then
		redis-cli -u "$DCDN_REDIS_URL" --scan --pattern "$prefix*" | while read -r k; do
			redis-cli -u "$DCDN_REDIS_URL" del "$k" >/dev/null; done
	fi
else
	echo "note: DCDN_REDIS_URL not set: the --redis case is not run"
fi

# During a replay: paced so that it lasts, with stats.interval 1, the file appears while the replay runs.
"$DCDNWATCH" -q --pace 200 --set stats.interval=1 -r "$cap" --metrics-file "$TMP/live.prom" > "$TMP/live.json" \
	2>"$TMP/err" &
pid=$!
t=600
while [ ! -s "$TMP/live.prom" ] && [ "$t" -gt 0 ] && kill -0 "$pid" 2>/dev/null; do sleep 0.1; t=$((t - 1)); done
if [ -s "$TMP/live.prom" ] && kill -0 "$pid" 2>/dev/null; then
	p1=$(sed -n 's/^dcdnwatch_packets_total //p' "$TMP/live.prom")
	pass "written during the replay, before its end ($p1 packets so far)"
else
	fail "no metrics file while the replay ran"
fi
kill -TERM "$pid" 2>/dev/null
wait "$pid"
rc=$?
[ "$rc" -eq 0 ] || fail "paced replay stopped with SIGTERM: exit $rc: $(cat "$TMP/err")"
check "after SIGTERM" "$TMP/live.prom" "$TMP/live.json" memory
finish
