#!/bin/sh
# Bad input: each case gives one clear message naming the problem and exit status 2; a truncated capture is
# processed as far as it goes with a warning naming the file.  Under --enable-sanitizers, ASan's leak check
# makes a leak fail the run too.
. "$(dirname "$0")/../lib.sh"

expect_exit2() {	# name, pattern the message must contain, command...
	name=$1; pat=$2; shift 2
	"$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	if [ "$rc" -ne 2 ]; then fail "$name: exit $rc, want 2"; cat "$TMP/err"; return; fi
	if ! grep -q -- "$pat" "$TMP/err"; then fail "$name: message lacks '$pat'"; cat "$TMP/err"; return; fi
	if grep -q "AddressSanitizer\|runtime error\|LeakSanitizer" "$TMP/err"; then fail "$name: sanitizer report"; cat "$TMP/err"; return; fi
	if [ -s "$TMP/out" ]; then fail "$name: wrote to stdout"; return; fi
	pass "$name: $(head -n1 "$TMP/err")"
}

expect_exit2 "missing file" "$TMP/nope.pcap: cannot read capture" "$DCDNWATCH" -r "$TMP/nope.pcap"
printf 'this is not a capture\n' > "$TMP/text.pcap"
expect_exit2 "not a capture" "text.pcap: cannot read capture: unknown file format" "$DCDNWATCH" -r "$TMP/text.pcap"
# A pcap of link type 105 (IEEE 802.11), which is not supported: global header + one 4-byte record.
printf '\324\303\262\241\002\000\004\000\000\000\000\000\000\000\000\000\377\377\000\000\151\000\000\000' > "$TMP/wifi.pcap"
printf '\000\000\000\000\000\000\000\000\004\000\000\000\004\000\000\000abcd' >> "$TMP/wifi.pcap"
expect_exit2 "unsupported link type" "wifi.pcap: unsupported link type 105" "$DCDNWATCH" -r "$TMP/wifi.pcap"
expect_exit2 "bad option" "unrecognized option" "$DCDNWATCH" --bogus -r "$TMP/wifi.pcap"
expect_exit2 "bad --set key" "unknown key 'no.such'" "$DCDNWATCH" --set no.such=1 -r "$TMP/wifi.pcap"
expect_exit2 "bad --set value" "flow.max: 'lots' is not a number" "$DCDNWATCH" --set flow.max=lots -r "$TMP/wifi.pcap"
expect_exit2 "bad home net" "'10.0.0.0/99' is not an IPv4 or IPv6 address or prefix" "$DCDNWATCH" --home-net 10.0.0.0/99 -r "$TMP/wifi.pcap"
expect_exit2 "bad BPF" "bad BPF filter" "$DCDNWATCH" -r "$top_srcdir/tests/pcap/data/tiny.pcap" not a filter
expect_exit2 "no input" "nothing to read" "$DCDNWATCH"
printf 'family meson\nhost cdn.meson.network role=control conf=high src=x\nbogus thing role=node\n' > "$TMP/bad.sig"
expect_exit2 "bad signature line (-t)" "bad.sig:3: " "$DCDNWATCH" -t -S "$TMP/bad.sig"
expect_exit2 "bad signature line (run)" "bad.sig:3: " "$DCDNWATCH" -S "$TMP/bad.sig" -r "$top_srcdir/tests/pcap/data/tiny.pcap"
printf 'flow.max = 10\nnode_profile.min_peers = lots\n' > "$TMP/bad.conf"
expect_exit2 "bad configuration line" "bad.conf:2: node_profile.min_peers: 'lots' is not a number" "$DCDNWATCH" -t -c "$TMP/bad.conf"
"$DCDNWATCH" -t > "$TMP/out" 2>&1 && grep -q "indicators of 17 families" "$TMP/out" && pass "-t on the shipped signatures: $(cat "$TMP/out")" || fail "-t: $(cat "$TMP/out")"

# A capture cut in the middle of a record: processed as far as it goes, warned about by name, exit 0.
src="$top_srcdir/tests/pcap/data/tiny.pcap"
size=$(wc -c < "$src")
head -c $((size - 7)) "$src" > "$TMP/cut.pcap"
"$DCDNWATCH" -r "$TMP/cut.pcap" --flows >"$TMP/out" 2>"$TMP/err"
rc=$?
if [ "$rc" -ne 0 ]; then fail "truncated: exit $rc, want 0"; cat "$TMP/err"
elif ! grep -q "cut.pcap: capture is truncated" "$TMP/err"; then fail "truncated: no warning naming the file"; cat "$TMP/err"
elif ! grep -q '"event_type":"flow"' "$TMP/out"; then fail "truncated: no flows from the part that was read"
elif grep -q "AddressSanitizer\|runtime error" "$TMP/err"; then fail "truncated: sanitizer report"
else pass "truncated capture: $(grep truncated "$TMP/err")"
fi

# stdin works as a source.
"$DCDNWATCH" -q -r - --flows < "$src" > "$TMP/out" 2>"$TMP/err" && grep -q '"event_type":"flow"' "$TMP/out" \
	&& pass "stdin" || fail "stdin: $(cat "$TMP/err")"
finish
