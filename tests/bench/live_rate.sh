#!/bin/sh
# The highest tcpreplay rate at which a capture crosses a veth pair (in a private network namespace) into
# dcdnwatch -i with no drops reported by dcdnwatch's stats (kernel or interface).  A measurement for the
# record, not a test.  Usage: live_rate.sh CAPTURE PPS...   (run as root, from a build tree)
set -u
: "${DCDNWATCH:=$(pwd)/src/dcdnwatch}"
CAP=$1; shift
NS=dcdnr$$
TMP=$(mktemp -d)
trap 'ip netns del "$NS" 2>/dev/null; rm -rf "$TMP"' EXIT INT TERM
ip netns add "$NS"
ip -n "$NS" link add veth0 type veth peer name veth1
ip -n "$NS" link set veth0 mtu 65535 up
ip -n "$NS" link set veth1 mtu 65535 up
for pps in "$@"; do
	ip netns exec "$NS" "$DCDNWATCH" -q -i veth0 -o "$TMP/ev.json" --set capture.buffer_mb=256 &
	pid=$!
	sleep 1
	if [ "$pps" = top ]; then rate="--topspeed"; else rate="--pps=$pps"; fi
	out=$(ip netns exec "$NS" tcpreplay $rate -i veth1 "$CAP" 2>&1 | grep -E "Rated:|Actual:" | tr -s ' ' | tr '\n' ' ')
	sleep 2
	kill -TERM $pid; wait $pid
	/usr/bin/python3 -c "
import json, sys
st = [json.loads(l) for l in open('$TMP/ev.json') if '\"stats\"' in l][-1]['stats']
print('pps %s: dcdnwatch saw %d packets, kernel drops %d, interface drops %d | tcpreplay: %s' % (
    '$pps', st['packets'], st['capture']['kernel_drops'], st['capture']['interface_drops'], '''$out'''))"
	rm -f "$TMP/ev.json"
done
