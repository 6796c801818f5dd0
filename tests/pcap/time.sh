#!/bin/sh
# Packet time against bad timestamps (tests/pcap/data/timejump.pcap, see tests/pcap/mkdata.py): one packet
# stamped 10 years ahead does not drag time along, a two-day gap in the capture is followed, one packet
# stamped a year back is handled at packet time; the stats event counts each, and sharded runs agree.
. "$(dirname "$0")/../lib.sh"
D="$top_srcdir/tests/pcap/data"

for n in 1 2 4; do
	"$DCDNWATCH" -q --flows --threads "$n" -r "$D/timejump.pcap" -o "$TMP/t$n.json" 2> "$TMP/t$n.err" ||
		fail "timejump --threads $n: exit $?: $(cat "$TMP/t$n.err")"
done
json_q "
import json
ev = [json.loads(l) for l in open('$TMP/t1.json')]
fl = {}
for e in ev:
    if e['event_type'] == 'flow':
        fl.setdefault(e['src_ip'], []).append(e)
    for t in (e['timestamp'], e.get('flow', {}).get('start', ''), e.get('flow', {}).get('end', '')):
        assert t == '' or t.startswith('2024-02-26') or t.startswith('2024-02-28'), ('a time off the capture', t, e)
st = [e for e in ev if e['event_type'] == 'stats'][-1]['stats']
assert st['time'] == {'jumps_forward': 2, 'jumps_followed': 1, 'jumps_backward': 1}, st['time']
# After the packet stamped 10 years ahead, time goes on with the packets that follow.
for i in range(5):
    f = fl['10.30.2.%d' % (i + 1)][0]['flow']
    assert f['start'] == '2024-02-26T20:33:%02d.000000Z' % (21 + i), f
    assert (f['pkts_toserver'], f['pkts_toclient']) == (1, 1), f
# That packet itself is handled at packet time.
assert fl['10.30.9.9'][0]['flow']['start'] == '2024-02-26T20:33:14.010000Z', fl['10.30.9.9']
# Two days later: the first packet confirms nothing yet; from the second on time follows the capture.
for i in range(1, 5):
    assert fl['10.30.3.%d' % (i + 1)][0]['flow']['start'] == '2024-02-28T20:33:%02d.000000Z' % (10 + i)
for i in range(3):
    assert fl['10.30.4.%d' % (i + 1)][0]['flow']['start'] == '2024-02-28T20:33:%02d.000000Z' % (20 + i)
# The packet stamped a year back is handled at packet time.
assert fl['10.30.8.8'][0]['flow']['start'] == '2024-02-28T20:33:14.010000Z', fl['10.30.8.8']
" && pass "timejump: a lone jump of 10 years ignored, a gap of 2 days followed, a step back of a year held" ||
	fail "timejump: events"
for n in 2 4; do
	cmp -s "$TMP/t1.json" "$TMP/t$n.json" && pass "timejump: the same events with --threads $n" ||
		fail "timejump: events differ with --threads $n: $(diff "$TMP/t1.json" "$TMP/t$n.json" | head -n 4)"
done

# The summary says so too.
"$DCDNWATCH" -r "$D/timejump.pcap" -o /dev/null 2> "$TMP/sum.err"
grep -q "packet time: 2 jumps forward past capture.max_time_jump (1 followed), 1 backward" "$TMP/sum.err" &&
	pass "the summary counts the jumps" || fail "summary: $(cat "$TMP/sum.err")"

# A bound of three days takes the gap in its stride; 0 follows every packet, the 10 years too.
"$DCDNWATCH" -q -r "$D/timejump.pcap" --set capture.max_time_jump=259200 -o - | tail -n 1 > "$TMP/3d.json"
grep -q '"time":{"jumps_forward":1,"jumps_followed":0,"jumps_backward":1}' "$TMP/3d.json" &&
	pass "capture.max_time_jump=259200: only the 10 years are a jump" ||
	fail "capture.max_time_jump=259200: $(grep -o '"time":{[^}]*}' "$TMP/3d.json")"
"$DCDNWATCH" -q --flows -r "$D/timejump.pcap" --set capture.max_time_jump=0 -o "$TMP/off.json"
grep '"src_ip":"10.30.2.1"' "$TMP/off.json" | grep -q '"start":"2034-' &&
	grep -q '"time":{"jumps_forward":0,"jumps_followed":0,"jumps_backward":0}' "$TMP/off.json" &&
	pass "capture.max_time_jump=0: every jump is followed, none counted" ||
	fail "capture.max_time_jump=0: $(grep '"src_ip":"10.30.2.1"' "$TMP/off.json" | cut -c1-200)"
finish
