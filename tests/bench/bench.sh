#!/bin/sh
# make bench: packets/s and peak RSS of dcdnwatch (full pipeline, memory store, events to /dev/null),
# ndpiReader -q and a bare libpcap read loop on one benchmark capture, from one run, with the ratios; the
# Redis store and --threads 2 against the memory store on one thread; the bytes a tracked host costs and
# the packets/s of a flood of hosts.  RUNS rounds (default 5): the machine is shared and noisy, so compare
# ratios.
set -eu
: "${top_srcdir:?}" "${top_builddir:?}"
RUNS=${RUNS:-5}
PACKETS=${PACKETS:-1000000}
CORPUS=${DCDN_CORPUS:-$top_srcdir/../shared/corpus}
OUT=${BENCH_DIR:-$top_builddir/bench}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
PCAP="$OUT/bench-$PACKETS.pcap"
if [ ! -f "$PCAP" ]; then
	/usr/bin/python3 "$top_srcdir/tests/bench/mkbench.py" "$PCAP" "$PACKETS" "$CORPUS"/ndpi-4.2/pcap/*.pcap
fi
HOSTS=${HOSTS:-100000}
HF="$OUT/hostflood-$HOSTS.pcap"
[ -f "$HF" ] || /usr/bin/python3 "$top_srcdir/tests/bench/hostflood.py" "$HF" "$HOSTS"
D="$top_builddir/src/dcdnwatch"
LOOP="$top_builddir/tests/bench/pcap_loop"

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r)"
echo "capture: $PCAP ($PACKETS packets, $(du -m "$PCAP" | cut -f1) MB), median of $RUNS rounds"
# The Redis store: a private redis-server on a free loopback port, unless one is given.
RURL=${DCDN_REDIS_URL:-}
RPID=""
if [ -z "$RURL" ] && command -v redis-server >/dev/null; then
	RPORT=$(/usr/bin/python3 -c "
import socket
s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1]); s.close()")
	redis-server --port "$RPORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
		--pidfile "$OUT/redis.pid" --dir "$OUT" --logfile "$OUT/redis.log" >/dev/null && sleep 0.5 &&
		RURL="redis://127.0.0.1:$RPORT" && RPID=$(cat "$OUT/redis.pid")
fi

# Each round runs every reader once, in turn, so a noisy spell hits them all alike.  A figure is the
# median over the rounds; a ratio is that of the medians, with the range and median of the rounds' own.  Redis gets a new prefix per
# round: each run starts from an empty state, as the memory store does.
NAMES="pcap_loop ndpiReader dcdnwatch dcdnwatch_t2"
[ -n "$RURL" ] && NAMES="$NAMES dcdnwatch_redis"
for n in $NAMES hostflood hostflood_base; do : > "$OUT/$n.times"; done
run1() {
	name=$1; shift
	/usr/bin/time -f "%e %M %U %S" -o "$OUT/$name.one" "$@" >/dev/null 2>&1 || true
	tail -n 1 "$OUT/$name.one" >> "$OUT/$name.times"
}
i=0
while [ $i -lt "$RUNS" ]; do
	run1 pcap_loop "$LOOP" "$PCAP"
	run1 ndpiReader ndpiReader -q -i "$PCAP"
	run1 dcdnwatch "$D" -q -r "$PCAP" -o /dev/null
	run1 dcdnwatch_t2 "$D" -q -r "$PCAP" -o /dev/null --threads 2
	if [ -n "$RURL" ]; then
		run1 dcdnwatch_redis "$D" -q -r "$PCAP" -o /dev/null -R "$RURL" --set redis.prefix="bench$$-$i:"
	fi
	# The host flood, and the same with the host table held at its smallest: the baseline of its RSS.
	run1 hostflood "$D" -q -r "$HF" -o "$OUT/hostflood.json"
	run1 hostflood_base "$D" -q -r "$HF" -o /dev/null --set host.max=16
	i=$((i + 1))
done
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# rounds A B COL: A's column COL over B's (time: 1, peak RSS: 2), round by round: "min median max".  A
# round's line is "seconds KB user system".
rounds() {
	paste -d ' ' "$OUT/$1.times" "$OUT/$2.times" | awk -v c="$3" '$(c + 4) > 0 {print $c / $(c + 4)}' | sort -n |
	    awk '{a[NR]=$1} END {print a[1], a[int((NR+1)/2)], a[NR]}'
}
for n in $NAMES; do
	echo "$n $(awk '{print $1}' "$OUT/$n.times" | median) $(awk '{print $2}' "$OUT/$n.times" | median)"
done | awk -v n="$PACKETS" -v runs="$RUNS" -v speed="$(rounds ndpiReader dcdnwatch 1)" \
    -v t2="$(rounds dcdnwatch dcdnwatch_t2 1)" -v pr="$([ -n "$RURL" ] && rounds dcdnwatch_redis dcdnwatch 1)" '
	{ name[NR] = $1; t[NR] = $2; rss[NR] = $3; idx[$1] = NR }
	# The ratio of the medians, then what the rounds gave one by one: the machine is noisy.
	function show(label, num, den, r, target) {
		split(r, q, " ")
		printf "%s %.2fx (target %s; round by round %.2fx to %.2fx, median %.2fx)\n", label,
		    t[idx[num]] / t[idx[den]], target, q[1], q[3], q[2]
	}
	END {
		printf "%-16s %10s %14s %12s\n", "reader", "seconds", "packets/s", "peak RSS MB"
		for (i = 1; i <= NR; i++)
			printf "%-16s %10.2f %14.0f %12.1f\n", name[i], t[i], (t[i] > 0 ? n / t[i] : 0), rss[i] / 1024
		show("dcdnwatch / ndpiReader packets/s:", "ndpiReader", "dcdnwatch", speed, ">= 2.0")
		printf "dcdnwatch / bare loop packets/s:  %.2fx\n", t[idx["pcap_loop"]] / t[idx["dcdnwatch"]]
		printf "dcdnwatch / ndpiReader peak RSS:  %.2f (target <= 0.25)\n", rss[idx["dcdnwatch"]] / rss[idx["ndpiReader"]]
		show("--threads 2 / one thread speed:  ", "dcdnwatch", "dcdnwatch_t2", t2, ">= 1.7")
		if (pr != "")
			show("redis / memory store time:      ", "dcdnwatch_redis", "dcdnwatch", pr, "<= 1.05")
	}'
# Where a sharded run's CPU goes (user + system, median of the rounds), against one thread's; and the
# speed-up that CPU would allow with both cores busy from start to end, a ceiling for the measured one.
cpu1=$(awk '{print $3 + $4}' "$OUT/dcdnwatch.times" | median)
cpu2=$(awk '{print $3 + $4}' "$OUT/dcdnwatch_t2.times" | median)
awk -v one="$cpu1" -v two="$cpu2" 'BEGIN { if (one > 0 && two > 0)
	printf "--threads 2 CPU: %.2f s against one thread\047s %.2f s (%+.0f%%); with both cores always busy" \
	    " it would allow %.2fx\n", two, one, (two / one - 1) * 100, one / (two / 2) }'
"$D" -v -q -r "$PCAP" -o /dev/null --threads 2 2>&1 >/dev/null | awk '
	function cpu() { match($0, /[0-9.]+ s of CPU/); return substr($0, RSTART, RLENGTH - 9) + 0 }
	/main thread .* of CPU/ { m = cpu() }
	/worker [0-9]+: .* of CPU/ { w = w (w == "" ? "" : " + ") cpu() }
	END { printf "--threads 2, one run, by thread: main thread (reading, worker 0, replay) %.2f s, workers %s s\n",
	    m, w }'
# Memory per tracked flow (a million concurrent flows, nDPI done with each), and a five-million-flow flood
# against a cap of one million: peak RSS must stay where the cap puts it.
F1="$OUT/flood-1000000.pcap"
F5="$OUT/flood-5000000.pcap"
[ -f "$F1" ] || /usr/bin/python3 "$top_srcdir/tests/bench/flood.py" "$F1" 1000000
[ -f "$F5" ] || /usr/bin/python3 "$top_srcdir/tests/bench/flood.py" "$F5" 5000000
rss() { /usr/bin/time -f "%M" "$@" 2>&1 >/dev/null | tail -n 1; }
base=$(rss "$D" -q -r "$F1" -o /dev/null --set flow.max=1)
m1=$(rss "$D" -q -r "$F1" -o /dev/null --set flow.max=2000000 --set flow.timeout.udp=86400)
c1=$(rss "$D" -q -r "$F1" -o /dev/null --set flow.max=1000000 --set flow.timeout.udp=86400)
c5=$(rss "$D" -q -r "$F5" -o /dev/null --set flow.max=1000000 --set flow.timeout.udp=86400)
t5=$(rss "$D" -q -r "$F5" -o /dev/null --set flow.max=1000000 --set flow.timeout.udp=86400 --threads 2)
awk -v b="$base" -v m="$m1" -v c1="$c1" -v c5="$c5" -v t5="$t5" 'BEGIN {
	printf "memory: %.0f bytes per tracked flow (1,000,000 concurrent flows, %.1f MB peak, %.1f MB without flows)\n",
		(m - b) * 1024 / 1000000, m / 1024, b / 1024
	printf "flood: peak RSS %.1f MB for 1M flows and %.1f MB for 5M flows at flow.max=1000000 (%.2fx)\n",
		c1 / 1024, c5 / 1024, c5 / c1
	printf "flood with --threads 2: peak RSS %.1f MB for 5M flows (%.2fx one thread\047s)\n", t5 / 1024, t5 / c5 }'
# What a tracked host costs: 100,000 home hosts that each send one DNS query to an outside resolver and get
# its answer.  Peak RSS over that of the same run with host.max at its minimum (the flows, nDPI and the
# rest cost the same in both), per host tracked at the end (the stats event); and the flood's packets/s
# against the benchmark capture's, round by round.
tracked=$(tail -n 1 "$OUT/hostflood.json" | sed -n 's/.*"hosts":{"tracked":\([0-9]*\).*/\1/p')
hfpk=$(tail -n 1 "$OUT/hostflood.json" | sed -n 's/.*"stats":{"packets":\([0-9]*\).*/\1/p')
# col NAME EXPR: the median over the rounds of an awk expression of NAME's round lines.
col() { awk "{print $2}" "$OUT/$1.times" | median; }
hfrounds=$(paste -d ' ' "$OUT/hostflood.times" "$OUT/dcdnwatch.times" |
	awk -v hp="${hfpk:-0}" -v n="$PACKETS" '$1 > 0 && $5 > 0 {print (hp / $1) / (n / $5)}' | sort -n |
	awk '{a[NR]=$1} END {print a[1], a[int((NR+1)/2)], a[NR]}')
awk -v t="$(col hostflood '$1')" -v m="$(col hostflood '$2')" -v hc="$(col hostflood '$3 + $4')" \
    -v b="$(col hostflood_base '$2')" -v bt="$(col dcdnwatch '$1')" -v bc="$(col dcdnwatch '$3 + $4')" \
    -v hosts="${tracked:-0}" -v hp="${hfpk:-0}" -v n="$PACKETS" -v r="$hfrounds" 'BEGIN {
	split(r, q, " ")
	printf "host flood: %d hosts tracked, peak RSS %.1f MB against %.1f MB with host.max=16: %.0f bytes per host" \
	    " (target <= 1024)\n", hosts, m / 1024, b / 1024, (hosts > 0 ? (m - b) * 1024 / hosts : 0)
	if (t > 0 && bt > 0)
		printf "host flood: %.0f packets/s, %.2fx the benchmark capture\047s %.0f packets/s (target >= 0.33;" \
		    " round by round %.2fx to %.2fx, median %.2fx)\n", hp / t, (hp / t) / (n / bt), n / bt, q[1],
		    q[3], q[2]
	if (hc > 0 && bc > 0)
		printf "host flood per CPU second: %.0f packets, %.2fx the benchmark capture\047s %.0f\n", hp / hc,
		    (hp / hc) / (n / bc), n / bc }'
[ -n "$RPID" ] && kill "$RPID" 2>/dev/null
if [ -x "$top_builddir/tests/bench/sigbench" ]; then
	"$top_builddir/tests/bench/sigbench" "$top_srcdir/signatures"
fi
