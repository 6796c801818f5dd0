#!/bin/sh
# Tunnels: the inner flow is the flow, the VNI and VLAN are in its key, the outer tunnel is nobody's traffic.
. "$(dirname "$0")/../lib.sh"
D="$top_srcdir/tests/pcap/data"

# suricata-verify vxlan-decoder-02: exactly one inner ICMP flow, 4 packets each way, VNI 100.
"$DCDNWATCH" -q --flows -r "$D/sv-vxlan-decoder-02.pcap" > "$TMP/sv.json" || fail "vxlan-decoder-02: exit $?"
json_q "
import json, sys
ev = [json.loads(l) for l in open('$TMP/sv.json')]
fl = [e for e in ev if e['event_type'] == 'flow']
assert len(fl) == 1, 'want 1 flow, got %d' % len(fl)
f = fl[0]
assert f['proto'] == 'ICMP', f['proto']
assert f['flow']['pkts_toserver'] == 4 and f['flow']['pkts_toclient'] == 4, f['flow']
assert f['tunnel'] == {'type': 'vxlan', 'vni': 100}, f.get('tunnel')
assert f['src_ip'] == '192.168.203.3' and f['dest_ip'] == '192.168.203.5', (f['src_ip'], f['dest_ip'])
" && pass "vxlan-decoder-02: one inner ICMP flow, 4+4 packets, VNI 100" || fail "vxlan-decoder-02"

# nDPI vxlan.pcap: the inner TLS and DNS flows to Facebook with their labels (as newer nDPI reports them).
"$DCDNWATCH" -q --flows -r "$D/ndpi-vxlan.pcap" > "$TMP/nv.json" || fail "ndpi vxlan: exit $?"
json_q "
import json
ev = [json.loads(l) for l in open('$TMP/nv.json')]
fl = {(e['src_port'], e['dest_port']): e for e in ev if e['event_type'] == 'flow'}
assert len(fl) == 4, 'want 4 flows, got %d' % len(fl)
want = {(45228, 443): ('TLS.Facebook', 35, 56, 'www.facebook.com'),
        (45226, 443): ('TLS.Facebook', 15, 13, 'facebook.com'),
        (32860, 53): ('DNS.Facebook', 2, 2, 'www.facebook.com')}
for k, (lbl, a, b, name) in want.items():
    f = fl[k]
    assert f['app_proto'] == lbl, (k, f['app_proto'])
    assert (f['flow']['pkts_toserver'], f['flow']['pkts_toclient']) == (a, b), (k, f['flow'])
    got = f.get('tls', {}).get('sni') or f.get('dns', {}).get('rrname')
    assert got == name, (k, got)
    assert f['tunnel']['vni'] == 1111 and f['vlan'] == [5], (f.get('tunnel'), f.get('vlan'))
" && pass "ndpi vxlan.pcap: inner TLS.Facebook and DNS.Facebook flows" || fail "ndpi vxlan.pcap"

# With VXLAN decoding off, the same capture is outer UDP to 4789 only.
"$DCDNWATCH" -q --flows --set capture.vxlan_port=0 -r "$D/sv-vxlan-decoder-02.pcap" > "$TMP/off.json"
json_q "
import json
fl = [json.loads(l) for l in open('$TMP/off.json')]
fl = [e for e in fl if e['event_type'] == 'flow']
assert fl and all(e['dest_port'] == 4789 for e in fl), fl
" && pass "capture.vxlan_port=0 leaves the outer UDP flows" || fail "vxlan off"

# Eight TCP flows whose requests come through GRE or IP-in-IP and whose answers come plain: the tunnel type
# is not part of a flow's identity, so each is one flow, and --threads puts all of its packets on one worker.
for n in 1 2 4; do
	"$DCDNWATCH" -q --flows --threads "$n" -r "$D/tunnel-oneway.pcap" > "$TMP/oneway$n.json" ||
		fail "tunnel-oneway --threads $n: exit $?"
done
flows=$(grep -c '"event_type":"flow"' "$TMP/oneway1.json")
[ "$flows" -eq 8 ] && grep -q '"pkts_toserver":5,"pkts_toclient":3' "$TMP/oneway1.json" &&
	! grep '"event_type":"flow"' "$TMP/oneway1.json" | grep -qv '"pkts_toserver":5,"pkts_toclient":3' &&
	pass "tunnel-oneway: 8 flows, 5 packets through the tunnel and 3 plain each" ||
	fail "tunnel-oneway: $flows flows, want 8 of 5 + 3 packets"
for n in 2 4; do
	cmp -s "$TMP/oneway1.json" "$TMP/oneway$n.json" && pass "tunnel-oneway: the same events with --threads $n" ||
		fail "tunnel-oneway: --threads $n gives $(grep -c '"event_type":"flow"' "$TMP/oneway$n.json") flows, events differ"
done

# nDPI 4.2 tunnel captures: IP-in-IP and 6in4/4in6 inner flows are found.
if [ -d "$CORPUS/ndpi-4.2/pcap" ]; then
	for t in 4in4tunnel 4in6tunnel 6in4tunnel 6in6tunnel; do
		"$DCDNWATCH" -q --flows -r "$CORPUS/ndpi-4.2/pcap/$t.pcap" > "$TMP/$t.json"
		json_q "
import json
fl = [json.loads(l) for l in open('$TMP/$t.json')]
fl = [e for e in fl if e['event_type'] == 'flow']
assert fl and any(e['proto'] in ('TCP', 'UDP', 'ICMP', 'IPv6-ICMP') for e in fl), [e['proto'] for e in fl]
" && pass "$t: inner flows" || fail "$t"
	done
fi
finish
