#!/bin/sh
# --threads N spreads flows over N workers (each its own flow table and nDPI module, the main thread
# reading and being worker 0) and replays what they saw in packet order.  Every event (flows, alerts,
# stats) must be byte for byte the one --threads 1 writes: on every scenario capture with 2 and 4 workers,
# on the whole nDPI corpus as one timeline (far more than the read-ahead ring holds) with 2, and with a
# truncated file in the list.  With 3 and 4 workers on the corpus, the one known difference is allowed:
# a STUN sub-label nDPI takes from a cache of another flow's endpoint, which is per module (per worker);
# everything else, alerts first, must match.  A stop signal ends a paced threaded replay and a sharded
# run at once, with the final stats written; SIGUSR1 writes stats while workers run.
. "$(dirname "$0")/../lib.sh"

# ended_within_5s PID: true once PID has exited (then wait for its status); kills it after 5 s.
ended_within_5s() {
	t=0
	while kill -0 "$1" 2>/dev/null && [ $t -lt 50 ]; do
		sleep 0.1
		t=$((t + 1))
	done
	kill -0 "$1" 2>/dev/null || return 0
	kill -KILL "$1"
	return 1
}

# catches PID SIGNUM: true once PID has a handler for signal SIGNUM (/proc/PID/status, SigCgt), within 10 s.
# A signal sent before dcdnwatch has set its handlers (it opens its input first) would kill it instead.
catches() {
	t=0
	while [ $t -lt 100 ]; do
		"$PY" -c '
import sys
for l in open("/proc/%s/status" % sys.argv[1]):
    if l.startswith("SigCgt:"):
        sys.exit(0 if int(l.split()[1], 16) >> (int(sys.argv[2]) - 1) & 1 else 1)
sys.exit(1)' "$1" "$2" 2> /dev/null && return 0
		sleep 0.1
		t=$((t + 1))
	done
	return 1
}

# same NAME N ARGS...: run with one thread and with N workers, compare the outputs byte for byte.
same() {
	name=$1
	n=$2
	shift 2
	rm -f "$TMP/one.json" "$TMP/two.json"
	"$DCDNWATCH" -q "$@" --flows -o "$TMP/one.json" 2> "$TMP/one.err"
	rc1=$?
	"$DCDNWATCH" -q "$@" --flows -o "$TMP/two.json" --threads "$n" 2> "$TMP/two.err"
	rc2=$?
	if [ "$rc1" -ne 0 ] || [ "$rc2" -ne 0 ]; then
		fail "$name: exit status $rc1 with one thread, $rc2 with --threads $n"
		tail -n 20 "$TMP/one.err" "$TMP/two.err"
		return
	fi
	if ! cmp -s "$TMP/one.json" "$TMP/two.json"; then
		fail "$name: events differ between --threads 1 and --threads $n"
		diff "$TMP/one.json" "$TMP/two.json" | head -n 6
		return
	fi
	if ! cmp -s "$TMP/one.err" "$TMP/two.err"; then
		fail "$name: messages differ between --threads 1 and --threads $n"
		diff "$TMP/one.err" "$TMP/two.err" | head -n 6
		return
	fi
	pass "$name: $(wc -l < "$TMP/one.json") events identical with --threads $n"
}

for cap in "$top_srcdir"/pcaps/*.pcap; do
	for n in 2 4; do
		# shellcheck disable=SC2046
		same "$(basename "$cap")" "$n" -r "$cap" $(sed -n 's/^options //p' "${cap%.pcap}.expect" 2>/dev/null)
	done
done

need_corpus
set --
for f in "$CORPUS"/ndpi-4.2/pcap/*.pcap "$CORPUS"/ndpi-4.2/pcap/*.pcapng; do
	[ -f "$f" ] && set -- "$@" -r "$f"
done
same "nDPI corpus as one timeline ($(($# / 2)) files)" 2 "$@"

# Labels aside (app_proto, the ndpi object, and ndpi_packets in stats), events must be the same; the
# labels that differ must be STUN's, and few.
unlabel() {
	sed -e 's/"app_proto":"[^"]*",//' -e 's/"ndpi":{[^}]*},*//' -e 's/"ndpi_packets":[0-9]*,//' "$1"
}
rm -f "$TMP/one.json"
"$DCDNWATCH" -q "$@" --flows -o "$TMP/one.json" 2> /dev/null
for n in 3 4; do
	rm -f "$TMP/many.json"
	"$DCDNWATCH" -q "$@" --flows --threads "$n" -o "$TMP/many.json" 2> /dev/null
	grep -v '"event_type":"flow"' "$TMP/one.json" | grep -v '"event_type":"stats"' > "$TMP/a1"
	grep -v '"event_type":"flow"' "$TMP/many.json" | grep -v '"event_type":"stats"' > "$TMP/an"
	if [ ! -s "$TMP/a1" ] || ! cmp -s "$TMP/a1" "$TMP/an"; then
		fail "corpus, --threads $n: alerts differ (or none)"
		diff "$TMP/a1" "$TMP/an" | head -n 4
		continue
	fi
	unlabel "$TMP/one.json" > "$TMP/u1"
	unlabel "$TMP/many.json" > "$TMP/un"
	if ! cmp -s "$TMP/u1" "$TMP/un"; then
		fail "corpus, --threads $n: flow events differ beyond their labels"
		diff "$TMP/u1" "$TMP/un" | head -n 4
		continue
	fi
	diff "$TMP/one.json" "$TMP/many.json" | grep '^>' | grep '"event_type":"flow"' > "$TMP/relabelled"
	changed=$(wc -l < "$TMP/relabelled")
	if [ "$changed" -gt 10 ] || grep -v '"app_proto":"STUN' "$TMP/relabelled" | grep -q .; then
		fail "corpus, --threads $n: $changed flow labels differ, not all STUN's"
		head -n 3 "$TMP/relabelled" | cut -c1-300
		continue
	fi
	pass "corpus, --threads $n: alerts and flows identical; $changed STUN sub-labels from another worker's cache"
done

# The flow cap: each worker holds the part of flow.max that its share of address pairs is.  A flood of
# unique flows above the cap evicts as many on two workers as on one, and peaks at the cap.  (With the cap
# split evenly, the worker with the smaller share stays under its half: 9596 evicted, peak 10404.)
"$PY" "$top_srcdir/tests/bench/flood.py" "$TMP/flood.pcap" 20000
for n in 1 2; do
	"$DCDNWATCH" -q -r "$TMP/flood.pcap" --set flow.max=12000 --set flow.timeout.udp=86400 --threads $n -o - |
		tail -n 1 | sed -n 's/.*"evicted":\([0-9]*\).*"peak":\([0-9]*\).*/\1 \2/p' > "$TMP/cap$n"
done
[ "$(cat "$TMP/cap1")" = "8000 12000" ] && cmp -s "$TMP/cap1" "$TMP/cap2" &&
	pass "flow cap: 8000 of 20000 flows evicted, peak 12000, on one worker and on two" ||
	fail "flow cap: evicted and peak $(cat "$TMP/cap1") on one worker, $(cat "$TMP/cap2") on two"

# A truncated file in the middle of the list: the warning names it, and reading goes on with the next.
first=$(ls "$CORPUS"/ndpi-4.2/pcap/*.pcap | head -n 1)
size=$(wc -c < "$first")
head -c $((size * 2 / 3)) "$first" > "$TMP/cut.pcap"
same "a truncated file between two whole ones" 2 -r "$first" -r "$TMP/cut.pcap" -r "$first"
grep -q "cut.pcap: capture is truncated" "$TMP/two.err" && pass "the truncated file is named" ||
	fail "no warning names the truncated file: $(cat "$TMP/two.err")"

# Standard input is read on one thread (a pipe's packets come at its writer's pace, and a batch would
# hold its alerts back until it filled), with the same events.
cap="$top_srcdir/pcaps/gaganode.pcap"
"$DCDNWATCH" -q -r - --flows -o "$TMP/in1.json" < "$cap"
"$DCDNWATCH" -q -r - --flows --threads 2 -o "$TMP/in2.json" < "$cap"
cmp -s "$TMP/in1.json" "$TMP/in2.json" && pass "-r - with --threads 2: same events" ||
	fail "-r - with --threads 2: events differ"

# A paced replay stopped by SIGTERM: ends at once, exit 0, with its stats event.
cap="$top_srcdir/pcaps/meson-node.pcap"
"$DCDNWATCH" -q -r "$cap" --pace 1 --threads 2 -o "$TMP/paced.json" &
pid=$!
catches "$pid" 15
kill -TERM "$pid"
if ! ended_within_5s "$pid"; then
	fail "a paced threaded replay did not stop within 5 s of SIGTERM"
else
	wait "$pid"
	rc=$?
	[ "$rc" -eq 0 ] && tail -n 1 "$TMP/paced.json" | grep -q '"event_type":"stats"' &&
		pass "SIGTERM stops a paced threaded replay promptly, with final stats" ||
		fail "after SIGTERM: exit $rc, last event $(tail -n 1 "$TMP/paced.json" | cut -c1-80)"
fi

# A sharded run stopped by SIGTERM, after a SIGUSR1: stats while the workers run, then the final stats and
# exit 0, at once, well before the end of its input.  A scenario capture 1000 times over is seconds of work.
one=$("$DCDNWATCH" -q -r "$top_srcdir/pcaps/meson-node.pcap" -o - | tail -n 1 | sed 's/.*"packets":\([0-9]*\).*/\1/')
set --
for i in $(seq 1000); do
	set -- "$@" -r "$top_srcdir/pcaps/meson-node.pcap"
done
"$DCDNWATCH" -q "$@" --threads 2 -o "$TMP/stopped.json" 2> "$TMP/stopped.err" &
pid=$!
catches "$pid" 10
kill -USR1 "$pid"
# The stats SIGUSR1 asks for are flushed at once: wait for them (10 s at most), then stop the run.
t=0
while ! grep -q '"event_type":"stats"' "$TMP/stopped.json" 2> /dev/null && [ $t -lt 100 ]; do
	sleep 0.1
	t=$((t + 1))
done
kill -TERM "$pid"
if ! ended_within_5s "$pid"; then
	fail "a sharded run did not stop within 5 s of SIGTERM"
else
	wait "$pid"
	rc=$?
	stats=$(grep -c '"event_type":"stats"' "$TMP/stopped.json")
	read=$(tail -n 1 "$TMP/stopped.json" | sed -n 's/.*"event_type":"stats".*"packets":\([0-9]*\).*/\1/p')
	[ "$rc" -eq 0 ] && [ "$stats" -ge 2 ] && [ -n "$read" ] && [ "$read" -lt $((one * 1000)) ] &&
		pass "a sharded run writes stats on SIGUSR1 and stops on SIGTERM (exit 0, final stats, $read of $((one * 1000)) packets)" ||
		fail "sharded run: exit $rc, $stats stats events, final stats of ${read:-no} packets, $(head -c 300 "$TMP/stopped.err")"
fi

# A pipe given as a file is read on one thread, as standard input is: fed without end, it still stops
# on SIGTERM.
mkfifo "$TMP/endless.pcap"
"$PY" -c '
import sys
data = open(sys.argv[1], "rb").read()
out = open(sys.argv[2], "wb")
out.write(data[:24])
try:
    while True:
        out.write(data[24:])
except (BrokenPipeError, OSError):
    pass
' "$top_srcdir/pcaps/meson-node.pcap" "$TMP/endless.pcap" 2> /dev/null &
feeder=$!
"$DCDNWATCH" -v -q -r "$TMP/endless.pcap" --threads 2 -o "$TMP/piped.json" 2> "$TMP/piped.err" &
pid=$!
catches "$pid" 15
kill -TERM "$pid"
if ! ended_within_5s "$pid"; then
	fail "a piped run did not stop within 5 s of SIGTERM"
else
	wait "$pid"
	rc=$?
	[ "$rc" -eq 0 ] && grep -q "is read on one thread" "$TMP/piped.err" &&
		tail -n 1 "$TMP/piped.json" | grep -q '"event_type":"stats"' &&
		pass "a pipe given as a file is read on one thread and stops on SIGTERM" ||
		fail "piped run: exit $rc, $(head -c 300 "$TMP/piped.err")"
fi
kill "$feeder" 2> /dev/null
wait "$feeder" 2> /dev/null

for bad in 0 9 two; do
	"$DCDNWATCH" -q -r "$cap" --threads "$bad" -o /dev/null 2> "$TMP/err"
	rc=$?
	[ "$rc" -eq 2 ] && grep -q -- "--threads" "$TMP/err" && pass "--threads $bad is refused (exit 2)" ||
		fail "--threads $bad: exit $rc, $(cat "$TMP/err")"
done
finish
