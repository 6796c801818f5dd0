#!/bin/sh
# Live capture gives the verdicts offline replay gives on the same traffic.
#
# A network namespace with a veth pair is created (test traffic never leaves it); dcdnwatch captures on one
# end while tcpreplay sends a capture into the other, faster than real time and padded to the original
# packet lengths (tests/live/pad.py), and tcpdump records what crossed the link.  The live alerts (host, family, detector) must
# equal those of an offline replay of that recording with the same options.  Time runs 120 times faster
# than in the capture, so the options scale the windows down by as much.
#
# Usage: live.sh [CAPTURE [extra dcdnwatch options]]   (default: the meson-node scenario)
. "$(dirname "$0")/../lib.sh"
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root for network namespaces"; exit 77; }
command -v tcpreplay >/dev/null && command -v tcpdump >/dev/null && command -v ip >/dev/null ||
	{ echo "FAIL: tcpreplay, tcpdump and ip (iproute2) are needed"; exit 1; }
CAP=${1:-$top_srcdir/pcaps/meson-node.pcap}
[ $# -gt 0 ] && shift
[ -f "$CAP" ] || { echo "FAIL: $CAP missing"; exit 1; }
EXP="${CAP%.pcap}.expect"
OPTS=""
[ -f "$EXP" ] && OPTS=$(sed -n 's/^options //p' "$EXP" | tr '\n' ' ')
SPEED=${SPEED:-120}
# Windows scaled to the replay speed: 1 s buckets, 15 s of learning (the capture's 30 min at 120x).
SCALED="--set host.bucket=1 --set host.learning=15 --set fleet.window=60 --set new_hosts.window=60
	--set relay.min_tunnel=2 --set flow.timeout.tcp_established=10 --set flow.timeout.udp=5
	--set flow.timeout.tcp_new=2 --set flow.active_timeout=30 --set capture.timeout_ms=50"
# One live test at a time: concurrent replays on a 2-core machine would compete for the CPU.
if [ -z "${DCDN_LIVE_LOCKED:-}" ] && command -v flock >/dev/null; then
	rm -rf "$TMP"; DCDN_LIVE_LOCKED=1 exec flock /tmp/dcdnwatch-live.lock sh "$0" "$CAP" "$@"
fi
NS=dcdnw$$
cleanup() {
	[ -n "${DPID:-}" ] && kill "$DPID" 2>/dev/null
	[ -n "${TPID:-}" ] && kill "$TPID" 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT INT TERM
ip netns add "$NS" 2>"$TMP/netns.err" || { echo "SKIP: this machine does not allow network namespaces: $(cat "$TMP/netns.err")"; exit 77; }
ip -n "$NS" link add veth0 type veth peer name veth1
# The scenarios carry segmentation-offload sized packets (up to 64 KB), as a capture on a host shows them.
# No IPv6 of the namespace's own (router solicitations, MLD): only the replayed traffic crosses the link.
ip netns exec "$NS" sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 \
	>/dev/null 2>&1
ip -n "$NS" link set veth0 mtu 65535 up
ip -n "$NS" link set veth1 mtu 65535 up
ip -n "$NS" link set lo up

# shellcheck disable=SC2086
ip netns exec "$NS" "$DCDNWATCH" -q -i veth0 $OPTS $SCALED "$@" -o "$TMP/live.json" 2>"$TMP/live.err" &
DPID=$!
# The recorder gets a 64 MB buffer, as dcdnwatch has by default (with tcpdump's 2 MB a loaded machine
# drops packets from the recording, not from the sensor), and immediate mode: otherwise the last packets
# wait in a kernel block for up to a second and are lost when tcpdump is stopped.  It runs at a higher
# priority: it is the reference, and a loaded machine must not make it fall behind.
ip netns exec "$NS" nice -n -10 tcpdump -q -n -B 65536 --immediate-mode -i veth0 -s 0 -w "$TMP/rec.pcap" \
	2>"$TMP/tcpdump.err" &
TPID=$!
sleep 2
"$PY" "$top_srcdir/tests/live/pad.py" "$CAP" "$TMP/padded.pcap"
ip netns exec "$NS" tcpreplay -q -i veth1 -x "$SPEED" "$TMP/padded.pcap" >"$TMP/replay.out" 2>&1 ||
	fail "tcpreplay: $(cat "$TMP/replay.out")"
sleep 2
# A last packet marks the end of the traffic for both the sensor and the recording, so both timelines end
# at the same moment; the sensor is stopped right after it.
"$PY" "$top_srcdir/tests/live/pad.py" --marker "$TMP/marker.pcap"
ip netns exec "$NS" tcpreplay -q -i veth1 "$TMP/marker.pcap" >/dev/null 2>&1
# Stop both once the sensor has the marker, ethertype 0x88b5 (it counts it as not IP in the stats SIGUSR1
# asks for), or after 5 s; the recorder, in immediate mode, has it by then and writes it out as it stops.
marker_seen() {
	"$PY" -c "
import json, sys
n = 0
for l in open(sys.argv[1]):
    if '\"stats\"' in l:
        n = json.loads(l)['stats']['decoder']['not_ip']
sys.exit(0 if n >= 1 else 1)" "$TMP/live.json" 2>/dev/null
}
t=0
while [ $t -lt 100 ]; do
	kill -USR1 "$DPID"
	sleep 0.05
	marker_seen && break
	t=$((t + 1))
done
[ $t -lt 100 ] || echo "(the sensor did not see the marker within 5 s)"
sleep 0.2
kill -TERM "$TPID"; wait "$TPID" 2>/dev/null; TPID=""
kill -TERM "$DPID"; wait "$DPID"; rc=$?; DPID=""
[ $rc -eq 0 ] || fail "live dcdnwatch exited $rc: $(cat "$TMP/live.err")"
grep -q '"event_type":"stats"' "$TMP/live.json" || fail "no final stats event after SIGTERM"

# shellcheck disable=SC2086
"$DCDNWATCH" -q -r "$TMP/rec.pcap" $OPTS $SCALED "$@" -o "$TMP/offline.json" 2>"$TMP/off.err" ||
	fail "offline replay of the recording failed: $(cat "$TMP/off.err")"
verdicts() {
	"$PY" -c "
import json, sys
s = set()
for l in open(sys.argv[1]):
    e = json.loads(l)
    if e['event_type'] == 'alert':
        s.add((e['host'], e['family'] or '-', e['detector']))
for t in sorted(s):
    print(' '.join(t))
" "$1"
}
verdicts "$TMP/live.json" > "$TMP/live.v"
verdicts "$TMP/offline.json" > "$TMP/off.v"
drops=$("$PY" -c "
import json
st = [json.loads(l) for l in open('$TMP/live.json')]
st = [e for e in st if e['event_type'] == 'stats'][-1]['stats']
print(st['packets'], st['capture']['kernel_drops'], st['capture']['interface_drops'])
")
recorded=$("$PY" -c "
import json
st = [json.loads(l) for l in open('$TMP/offline.json')]
print([e for e in st if e['event_type'] == 'stats'][-1]['stats']['packets'])
")
# Both should have seen the same packets, the end marker included; a recorder that fell behind on a loaded
# machine is worth saying, and is the first suspect when the verdicts differ.
counts="the sensor saw ${drops%% *} packets, the recording holds $recorded; the recorder: $(grep -h 'dropped' \
	"$TMP/tcpdump.err" | tr '\n' ' ')"
[ "$recorded" = "${drops%% *}" ] || echo "($counts)"
echo "live: $(wc -l < "$TMP/live.v") verdicts; packets, kernel drops, interface drops: $drops"
if ! cmp -s "$TMP/live.v" "$TMP/off.v"; then
	fail "live and offline verdicts differ ($counts)"
	diff "$TMP/off.v" "$TMP/live.v" | head -20
elif [ ! -s "$TMP/live.v" ]; then
	fail "no verdicts at all: nothing was compared"
else
	pass "live = offline on $(basename "$CAP"): $(tr '\n' ';' < "$TMP/live.v" | cut -c1-300)"
fi
finish
