#!/bin/sh
# make bench: packets/s and peak RSS of dcdnwatch (full pipeline, memory store, events to /dev/null),
# ndpiReader -q and a bare libpcap read loop on one benchmark capture, from one run, with the ratios.
# Each figure is the median of RUNS runs (the machine is shared and noisy: compare ratios).
set -eu
: "${top_srcdir:?}" "${top_builddir:?}"
RUNS=${RUNS:-3}
PACKETS=${PACKETS:-1000000}
CORPUS=${DCDN_CORPUS:-$top_srcdir/../shared/corpus}
OUT=${BENCH_DIR:-$top_builddir/bench}
mkdir -p "$OUT"
PCAP="$OUT/bench-$PACKETS.pcap"
if [ ! -f "$PCAP" ]; then
	/usr/bin/python3 "$top_srcdir/tests/bench/mkbench.py" "$PCAP" "$PACKETS" "$CORPUS"/ndpi-4.2/pcap/*.pcap
fi
D="$top_builddir/src/dcdnwatch"
LOOP="$top_builddir/tests/bench/pcap_loop"

# measure NAME CMD...: prints "NAME seconds rss_kb" (medians)
measure() {
	name=$1; shift
	: > "$OUT/$name.times"
	i=0
	while [ $i -lt "$RUNS" ]; do
		/usr/bin/time -f "%e %M" -o "$OUT/$name.one" "$@" >/dev/null 2>&1 || true
		tail -n 1 "$OUT/$name.one" >> "$OUT/$name.times"
		i=$((i + 1))
	done
	t=$(awk '{print $1}' "$OUT/$name.times" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
	m=$(awk '{print $2}' "$OUT/$name.times" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
	echo "$name $t $m"
}

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r)"
echo "capture: $PCAP ($PACKETS packets, $(du -m "$PCAP" | cut -f1) MB), median of $RUNS runs"
R1=$(measure pcap_loop "$LOOP" "$PCAP")
R2=$(measure ndpiReader ndpiReader -q -i "$PCAP")
EXTRA=""
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
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
if [ -n "$RURL" ]; then
	# Runs with the memory store, with Redis and with --threads 2 alternate, so a noisy spell hits all
	# alike; each ratio is the median of the rounds' ratios.  A new prefix per run: each starts from an empty state, as the memory store does.
	: > "$OUT/pairs"
	i=0
	while [ $i -lt "$RUNS" ]; do
		/usr/bin/time -f "%e %M" -o "$OUT/mem.one" "$D" -q -r "$PCAP" -o /dev/null >/dev/null 2>&1 || true
		/usr/bin/time -f "%e %M" -o "$OUT/redis.one" "$D" -q -r "$PCAP" -o /dev/null -R "$RURL" \
			--set redis.prefix="bench$$-$i:" >/dev/null 2>&1 || true
		/usr/bin/time -f "%e %M" -o "$OUT/t2.one" "$D" -q -r "$PCAP" -o /dev/null --threads 2 >/dev/null 2>&1 ||
			true
		echo "$(tail -n 1 "$OUT/mem.one") $(tail -n 1 "$OUT/redis.one") $(tail -n 1 "$OUT/t2.one")" >> "$OUT/pairs"
		i=$((i + 1))
	done
	R3="dcdnwatch $(awk '{print $1}' "$OUT/pairs" | median) $(awk '{print $2}' "$OUT/pairs" | median)"
	EXTRA="dcdnwatch_redis $(awk '{print $3}' "$OUT/pairs" | median) $(awk '{print $4}' "$OUT/pairs" | median)"
	PAIR_RATIO=$(awk '$1 > 0 {print $3 / $1}' "$OUT/pairs" | median)
	R4="dcdnwatch_t2 $(awk '{print $5}' "$OUT/pairs" | median) $(awk '{print $6}' "$OUT/pairs" | median)"
	T2_RATIO=$(awk '$5 > 0 {print $1 / $5}' "$OUT/pairs" | median)
else
	R3=$(measure dcdnwatch "$D" -q -r "$PCAP" -o /dev/null)
	R4=$(measure dcdnwatch_t2 "$D" -q -r "$PCAP" -o /dev/null --threads 2)
	PAIR_RATIO=""
	T2_RATIO=$(echo "$R3 $R4" | awk '$5 > 0 {print $2 / $5}')
fi
printf '%s\n%s\n%s\n%s\n%s\n' "$R1" "$R2" "$R3" "$R4" "$EXTRA" |
    awk -v n="$PACKETS" -v pr="$PAIR_RATIO" -v t2="$T2_RATIO" -v runs="$RUNS" '
	NF == 3 { name[NR] = $1; t[NR] = $2; rss[NR] = $3; idx[$1] = NR }
	END {
		printf "%-16s %10s %14s %12s\n", "reader", "seconds", "packets/s", "peak RSS MB"
		for (i = 1; i <= NR; i++) if (name[i] != "")
			printf "%-16s %10.2f %14.0f %12.1f\n", name[i], t[i], (t[i] > 0 ? n / t[i] : 0), rss[i] / 1024
		d = idx["dcdnwatch"]; r = idx["ndpiReader"]; l = idx["pcap_loop"]
		if (t[d] > 0) {
			printf "dcdnwatch / ndpiReader packets/s: %.2fx (target >= 2.0)\n", t[r] / t[d]
			printf "dcdnwatch / bare loop packets/s:  %.2fx\n", t[l] / t[d]
			printf "dcdnwatch / ndpiReader peak RSS:  %.2f (target <= 0.25)\n", rss[d] / rss[r]
			printf "--threads 2 / one thread speed:   %.2fx (target >= 1.7; 2 workers, a reader, the replay)\n", t2
		}
		if ("dcdnwatch_redis" in idx) {
			x = idx["dcdnwatch_redis"]
			printf "redis / memory store time:       %.3fx (target <= 1.05; median ratio of %d alternating runs)\n", pr, runs
		}
	}'
# Where a sharded run's CPU goes, thread by thread, against one thread's (user + system).
/usr/bin/time -f "%U %S" -o "$OUT/t1.cpu" "$D" -q -r "$PCAP" -o /dev/null >/dev/null 2>&1 || true
"$D" -v -q -r "$PCAP" -o /dev/null --threads 2 2>&1 >/dev/null |
    awk -v one="$(awk '{print $1 + $2}' "$OUT/t1.cpu")" '
	/reader: .* of CPU/ { r = $3 }
	/worker [0-9]+: .* of CPU/ { w = w (w == "" ? "" : " + ") $4; wt += $4 }
	/replay .* of CPU/ { p = $5 }
	END { printf "--threads 2 CPU: reader %.2f s, workers %s s, replay %.2f s: %.2f s in all; one thread %.2f s\n",
	    r, w, p, r + wt + p, one }'
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
awk -v b="$base" -v m="$m1" -v c1="$c1" -v c5="$c5" 'BEGIN {
	printf "memory: %.0f bytes per tracked flow (1,000,000 concurrent flows, %.1f MB peak, %.1f MB without flows)\n",
		(m - b) * 1024 / 1000000, m / 1024, b / 1024
	printf "flood: peak RSS %.1f MB for 1M flows and %.1f MB for 5M flows at flow.max=1000000 (%.2fx)\n",
		c1 / 1024, c5 / 1024, c5 / c1 }'
[ -n "$RPID" ] && kill "$RPID" 2>/dev/null
if [ -x "$top_builddir/tests/bench/sigbench" ]; then
	"$top_builddir/tests/bench/sigbench" "$top_srcdir/signatures"
fi
