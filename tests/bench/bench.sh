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
R3=$(measure dcdnwatch "$D" -q -r "$PCAP" -o /dev/null)
EXTRA=""
if [ -n "${DCDN_REDIS_URL:-}" ] && "$D" --help | grep -q -- --redis; then
	R4=$(measure dcdnwatch_redis "$D" -q -r "$PCAP" -o /dev/null --redis "$DCDN_REDIS_URL" \
		--set redis.prefix="bench$$:")
	EXTRA="$R4"
fi
printf '%s\n%s\n%s\n%s\n' "$R1" "$R2" "$R3" "$EXTRA" | awk -v n="$PACKETS" '
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
		}
		if ("dcdnwatch_redis" in idx) {
			x = idx["dcdnwatch_redis"]
			printf "redis / memory store time:       %.3fx (target <= 1.05)\n", t[x] / t[d]
		}
	}'
if [ -x "$top_builddir/tests/bench/sigbench" ]; then
	"$top_builddir/tests/bench/sigbench" "$top_srcdir/signatures"
fi
