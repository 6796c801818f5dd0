#!/bin/sh
# Configuration that tells the truth: -t refuses what a run refuses (with file:line when the value came from
# a file), a configuration file cannot hide bytes or keys, --dump-config prints what the run uses and reads
# back to the same, and -t does not leak (the sanitizer build's LeakSanitizer makes a leak fail here).
. "$(dirname "$0")/../lib.sh"
tiny="$top_srcdir/tests/pcap/data/tiny.pcap"

clean_err() {	# no sanitizer report in $TMP/err
	! grep -q "AddressSanitizer\|LeakSanitizer\|runtime error" "$TMP/err"
}
refused() {	# name, pattern the message must contain, command...
	name=$1; pat=$2; shift 2
	"$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	if [ "$rc" -ne 2 ]; then fail "$name: exit $rc, want 2 ($(head -n 2 "$TMP/out" "$TMP/err" | tr '\n' ' '))"; return; fi
	grep -q -- "$pat" "$TMP/err" || { fail "$name: message lacks '$pat': $(cat "$TMP/err")"; return; }
	clean_err || { fail "$name: sanitizer report"; cat "$TMP/err"; return; }
	[ -s "$TMP/out" ] && { fail "$name: printed on stdout: $(head -n 1 "$TMP/out")"; return; }
	pass "$name: $(head -n 1 "$TMP/err")"
}

# -t and a run take the same path: what a run refuses, -t refuses, with the same message.
for kv in zone_policy.unused=vni:abc outbound_policy.allow=garbage home_net=10.0.0.0/99; do
	key=${kv%%=*}
	refused "-t --set $kv" "$key" "$DCDNWATCH" -t --set "$kv"
	refused "run --set $kv" "$key" "$DCDNWATCH" --set "$kv" -r "$tiny"
done
refused "-t -c DIR" "is a directory" "$DCDNWATCH" -t -c "$TMP"
refused "run -c DIR" "is a directory" "$DCDNWATCH" -c "$TMP" -r "$tiny"
refused "-t with a filter that does not compile" "bad BPF filter" "$DCDNWATCH" -t not a filter
refused "-t with a bad Redis URL" "redis" "$DCDNWATCH" -t -R "http://nowhere"

# Values from a file are refused with the file and the line.
printf '# policies\nflow.max = 10\nzone_policy.unused = "vni:abc"\n' > "$TMP/zone.conf"
refused "zone policy from a file (-t)" "zone.conf:3: zone_policy.unused: 'vni:abc'" "$DCDNWATCH" -t -c "$TMP/zone.conf"
refused "zone policy from a file (run)" "zone.conf:3: zone_policy.unused: 'vni:abc'" "$DCDNWATCH" -c "$TMP/zone.conf" -r "$tiny"
printf 'home_net = 10.0.0.0/8, 300.1.2.3/8\n' > "$TMP/home.conf"
refused "home_net from a file" "home.conf:1: home_net: '300.1.2.3/8'" "$DCDNWATCH" -t -c "$TMP/home.conf"
printf 'outbound_policy.allow = "10.0.8.0/24=nodot"\n' > "$TMP/allow.conf"
refused "outbound policy from a file" "allow.conf:1: outbound_policy.allow:" "$DCDNWATCH" -t -c "$TMP/allow.conf"

# A NUL byte inside a value, or a line of NULs, is refused rather than cutting the value short.
printf 'flow.max = 10\00099\n' > "$TMP/nul.conf"
refused "NUL inside a value" "nul.conf:1: NUL byte" "$DCDNWATCH" -t -c "$TMP/nul.conf"
printf 'flow.max = 10\n\000\000\000\000\n' > "$TMP/nuls.conf"
refused "a line of NULs" "nuls.conf:2: NUL byte" "$DCDNWATCH" -t -c "$TMP/nuls.conf"

# A key given twice: the later line wins, and a warning says so with both lines.
printf 'flow.max = 5\nhost.max = 100\nflow.max = 7\n' > "$TMP/twice.conf"
"$DCDNWATCH" --dump-config -c "$TMP/twice.conf" >"$TMP/out" 2>"$TMP/err"
if grep -q '^flow.max = 7$' "$TMP/out" && grep -q 'twice.conf:3: flow.max is set again (first on line 1); this line wins' "$TMP/err"; then
	pass "a key given twice: $(cat "$TMP/err")"
else
	fail "a key given twice: $(grep flow.max "$TMP/out") / $(cat "$TMP/err")"
fi

# -t with --set and --home-net frees what it parsed (LeakSanitizer in the sanitizer build).
"$DCDNWATCH" -t --set flow.max=5 --home-net 10.9.0.0/16 --set stats.interval=0 >"$TMP/out" 2>"$TMP/err"
rc=$?
if [ "$rc" -eq 0 ] && clean_err; then pass "-t with --set and --home-net: exit 0, no leak"
else fail "-t with --set and --home-net: exit $rc: $(cat "$TMP/err")"; fi

# -t -S DIR does not hang on a FIFO named like a signature file.
mkdir "$TMP/sigs"
cp "$top_srcdir/signatures/meson.sig" "$TMP/sigs/"
mkfifo "$TMP/sigs/trap.sig"
timeout 30 "$DCDNWATCH" -t -S "$TMP/sigs" >"$TMP/out" 2>"$TMP/err"
rc=$?
if [ "$rc" -eq 2 ] && grep -q "trap.sig: not a regular file" "$TMP/err"; then pass "-t -S with a FIFO *.sig: $(cat "$TMP/err")"
else fail "-t -S with a FIFO *.sig: exit $rc (124 is a hang): $(cat "$TMP/err")"; fi

# --dump-config: every key of --set help, in the file's syntax, read back to the same output.
"$DCDNWATCH" --dump-config -c /dev/null > "$TMP/dump" 2>"$TMP/err" || fail "--dump-config: $(cat "$TMP/err")"
nkeys=$("$DCDNWATCH" --set help | wc -l)
ndump=$(grep -c '^[a-z_.0-9]* = ' "$TMP/dump")
[ "$nkeys" -eq "$ndump" ] && pass "--dump-config prints all $nkeys keys" || fail "--dump-config: $ndump keys, --set help has $nkeys"
"$DCDNWATCH" --dump-config -c "$TMP/dump" > "$TMP/dump2" 2>"$TMP/err"
cmp -s "$TMP/dump" "$TMP/dump2" && pass "--dump-config reads back to itself" || fail "--dump-config round trip: $(diff "$TMP/dump" "$TMP/dump2" | head -n 5)"
"$DCDNWATCH" --dump-config -c /dev/null --set flow.max=77 --home-net 10.5.0.0/16 > "$TMP/dump3"
grep -q '^flow.max = 77$' "$TMP/dump3" && grep -q '^home_net = "10.5.0.0/16"$' "$TMP/dump3" &&
	pass "--dump-config shows --set and --home-net" || fail "--dump-config ignores --set: $(grep -e flow.max -e home_net "$TMP/dump3")"

# The defaults documented in both man pages and in the example file are the program's.
"$PY" "$top_srcdir/tests/ops/defaults.py" "$TMP/dump" "$top_srcdir/man/dcdnwatch.8" "$top_srcdir/man/dcdnwatch.conf.5" \
	"$top_srcdir/etc/dcdnwatch.conf" > "$TMP/out" 2>&1 && pass "documented defaults: $(tail -n 1 "$TMP/out")" ||
	fail "documented defaults differ from --dump-config:
$(cat "$TMP/out")"
# The example file itself is accepted as it ships.
"$DCDNWATCH" -t -c "$top_srcdir/etc/dcdnwatch.conf" > "$TMP/out" 2>&1 && pass "the example configuration passes -t" ||
	fail "the example configuration: $(cat "$TMP/out")"
finish
