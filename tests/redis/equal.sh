#!/bin/sh
# The same input gives the same events with either store: every scenario's alert events are identical,
# line for line, with the embedded memory store and with Redis, and with Redis behind two sharded
# workers (--threads 2).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib.sh"
redis_start || exit 1
n=0
for cap in "$top_srcdir"/pcaps/*.pcap; do
	s=$(basename "$cap" .pcap)
	opts=$(scenario_opts "$cap")
	# shellcheck disable=SC2086
	"$DCDNWATCH" -q -r "$cap" $opts > "$TMP/mem.json" || fail "$s: memory run failed"
	# shellcheck disable=SC2086
	"$DCDNWATCH" -q -r "$cap" $opts -R "$RURL" --set redis.prefix="eq$n:" > "$TMP/redis.json" ||
		fail "$s: redis run failed"
	# shellcheck disable=SC2086
	"$DCDNWATCH" -q -r "$cap" $opts -R "$RURL" --set redis.prefix="eqt$n:" --threads 2 > "$TMP/sharded.json" ||
		fail "$s: sharded redis run failed"
	alerts_of "$TMP/mem.json" > "$TMP/mem.a"
	alerts_of "$TMP/redis.json" > "$TMP/redis.a"
	alerts_of "$TMP/sharded.json" > "$TMP/sharded.a"
	if ! cmp -s "$TMP/mem.a" "$TMP/redis.a"; then
		fail "$s: alerts differ between the memory store and Redis"
		diff "$TMP/mem.a" "$TMP/redis.a" | cut -c1-200 | head -10
	elif ! cmp -s "$TMP/mem.a" "$TMP/sharded.a"; then
		fail "$s: alerts differ between the memory store and Redis with --threads 2"
		diff "$TMP/mem.a" "$TMP/sharded.a" | cut -c1-200 | head -10
	else
		pass "$s: $(wc -l < "$TMP/mem.a") identical alerts (memory, Redis, Redis with --threads 2)"
	fi
	n=$((n + 1))
done
[ $n -gt 0 ] || fail "no scenario captures in pcaps/"
finish
