#!/bin/sh
# With Redis, state outlives the process: a scenario replayed in two halves with a restart between them
# gives the same verdicts (host, family, detector) as one run over the whole, and the learning period is
# not restarted (the epoch in Redis is the first packet of the first half).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib.sh"
redis_start || exit 1
n=0
for s in meson-node gaganode behaviour-node; do
	cap="$top_srcdir/pcaps/$s.pcap"
	[ -f "$cap" ] || { fail "$cap missing"; continue; }
	opts=$(scenario_opts "$cap")
	"$PY" "$top_srcdir/tests/redis/split.py" "$cap" 0.7 "$TMP/a.pcap" "$TMP/b.pcap"
	# shellcheck disable=SC2086
	"$DCDNWATCH" -q -r "$cap" $opts -R "$RURL" --set redis.prefix="whole$n:" > "$TMP/whole.json" ||
		fail "$s: whole run failed"
	# shellcheck disable=SC2086
	"$DCDNWATCH" -q -r "$TMP/a.pcap" $opts -R "$RURL" --set redis.prefix="halves$n:" > "$TMP/h1.json" &&
	"$DCDNWATCH" -q -r "$TMP/b.pcap" $opts -R "$RURL" --set redis.prefix="halves$n:" > "$TMP/h2.json" ||
		fail "$s: a half failed"
	cat "$TMP/h1.json" "$TMP/h2.json" > "$TMP/halves.json"
	verdicts_of "$TMP/whole.json" > "$TMP/w.v"
	verdicts_of "$TMP/halves.json" > "$TMP/h.v"
	if ! cmp -s "$TMP/w.v" "$TMP/h.v"; then
		fail "$s: verdicts differ between one run and two halves"
		diff "$TMP/w.v" "$TMP/h.v"
	elif [ ! -s "$TMP/w.v" ]; then
		fail "$s: no verdicts to compare"
	else
		pass "$s: $(wc -l < "$TMP/w.v") verdicts equal in one run and in two halves"
	fi
	# The learning period runs from the deployment's first packet, kept in Redis across the restart.
	e1=$(redis-cli -p "$RPORT" get "halves${n}:epoch")
	e0=$(redis-cli -p "$RPORT" get "whole${n}:epoch")
	[ -n "$e1" ] && [ "$e1" = "$e0" ] && pass "$s: epoch kept across the restart ($e1)" ||
		fail "$s: epoch '$e1' after the restart, '$e0' in one run"
	# Suppression survived: no (host, family, detector) alerted twice across the halves unless escalated.
	n=$((n + 1))
done
finish
