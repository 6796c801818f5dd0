#!/bin/sh
# Redis killed and restarted mid-run: capture and detection go on, nothing crashes, no alert is lost from
# the event output, and the stats count the store's errors and its reconnection.  The scenario is replayed
# at 100 times its recorded speed (--pace) so the outage falls in the middle of it.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib.sh"
cap="$top_srcdir/pcaps/meson-node.pcap"
[ -f "$cap" ] || { echo "FAIL: $cap missing"; exit 1; }
opts=$(scenario_opts "$cap")
redis_start || exit 1
# shellcheck disable=SC2086
"$DCDNWATCH" -q -r "$cap" $opts > "$TMP/mem.json" || fail "memory run failed"
# shellcheck disable=SC2086
"$DCDNWATCH" -q -r "$cap" $opts --pace 100 -R "$RURL" > "$TMP/fault.json" 2> "$TMP/fault.err" &
pid=$!
sleep 8
redis_stop
sleep 6
redis_start "$RPORT" || fail "could not restart redis-server"
wait $pid
rc=$?
[ $rc -eq 0 ] || fail "dcdnwatch exited $rc through the outage: $(tail -n 5 "$TMP/fault.err")"
alerts_of "$TMP/mem.json" > "$TMP/mem.a"
alerts_of "$TMP/fault.json" > "$TMP/fault.a"
if cmp -s "$TMP/mem.a" "$TMP/fault.a"; then
	pass "no alert lost or changed: $(wc -l < "$TMP/mem.a") alerts as with the memory store"
else
	fail "alerts differ from the run without an outage"
	diff "$TMP/mem.a" "$TMP/fault.a" | cut -c1-200 | head
fi
"$PY" -c "
import json, sys
st = [json.loads(l) for l in open('$TMP/fault.json')]
st = [e for e in st if e['event_type'] == 'stats'][-1]['stats']['store']
print('store stats:', st)
sys.exit(0 if st['errors'] > 0 and st['reconnects'] > 0 and st['connected'] else 1)
" && pass "store errors and the reconnection are counted" || fail "store stats do not show the outage"
[ -n "$(redis-cli -p "$RPORT" get dcdnwatch:epoch)" ] && pass "state handed over after the restart" ||
	fail "nothing written after Redis came back"
finish
