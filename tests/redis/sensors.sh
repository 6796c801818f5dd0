#!/bin/sh
# Two sensors sharing one Redis, each seeing half of the fleet scenario's hosts (split by inner address),
# produce the fleet alert with the full host count: membership is counted in Redis, not per process.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib.sh"
cap="$top_srcdir/pcaps/meson-fleet-vxlan.pcap"
[ -f "$cap" ] || { echo "FAIL: $cap missing"; exit 1; }
opts=$(scenario_opts "$cap")
min=$(sed -n 's/^fleet .*min_hosts=\([0-9]*\).*/\1/p' "${cap%.pcap}.expect")
redis_start || exit 1
"$PY" "$top_srcdir/tests/redis/split_hosts.py" "$cap" "$TMP/s1.pcap" "$TMP/s2.pcap"
# shellcheck disable=SC2086
"$DCDNWATCH" -q -r "$cap" $opts > "$TMP/one.json" || fail "single sensor run failed"
# shellcheck disable=SC2086
"$DCDNWATCH" -q -r "$TMP/s1.pcap" $opts -R "$RURL" > "$TMP/s1.json" &
p1=$!
# shellcheck disable=SC2086
"$DCDNWATCH" -q -r "$TMP/s2.pcap" $opts -R "$RURL" > "$TMP/s2.json" || fail "sensor 2 failed"
wait $p1 || fail "sensor 1 failed"
fleet_max() {
	"$PY" -c "
import json, sys
m = 0
for l in open(sys.argv[1]):
    e = json.loads(l)
    if e['event_type'] == 'alert' and e['detector'] == 'fleet' and e['family'] == 'meson':
        m = max(m, e['hosts_count'])
print(m)" "$1"
}
one=$(fleet_max "$TMP/one.json")
s1=$(fleet_max "$TMP/s1.json")
s2=$(fleet_max "$TMP/s2.json")
both=$((s1 > s2 ? s1 : s2))
echo "fleet hosts_count: one sensor $one; sensor 1 $s1, sensor 2 $s2"
[ "$one" -ge "${min:-5}" ] || fail "one sensor alone reports $one hosts"
[ "$both" -eq "$one" ] && pass "two sensors on one Redis report the full fleet of $both hosts" ||
	fail "two sensors report at most $both hosts, one sensor $one"
finish
