#!/bin/sh
# Inputs as people give them: files in any order make one timeline merged by packet time; time going back
# inside a file is named; the same file twice is warned about; `-r a.pcap b.pcap` (files taken for a filter) gets
# a hint; gzip-compressed captures are read as they are; a run that saw no home-net address, or a filter
# that passed nothing of VLAN-tagged traffic, says so; -v says what the run uses.
. "$(dirname "$0")/../lib.sh"
P=$top_srcdir/pcaps
tiny="$top_srcdir/tests/pcap/data/tiny.pcap"
alerts() {	# the alerts of a run, without the keys that name the sensor
	"$PY" -c '
import json, sys
for line in sys.stdin:
    e = json.loads(line)
    if e.get("event_type") == "alert":
        e.pop("sensor", None)
        print(json.dumps(e, sort_keys=True))'
}

# 1. The second file is older: merged by packet time, the result is that of the files in time order, and
#    the benign capture's hosts get no dCDN verdict.
"$DCDNWATCH" -q -r "$P/benign.pcap" -r "$P/meson-node.pcap" 2>"$TMP/err1" | alerts > "$TMP/late-first"
"$DCDNWATCH" -q -r "$P/meson-node.pcap" -r "$P/benign.pcap" 2>"$TMP/err2" | alerts > "$TMP/in-order"
if cmp -s "$TMP/late-first" "$TMP/in-order" && [ -s "$TMP/in-order" ]; then
	pass "files given newest first: the same $(wc -l < "$TMP/in-order") alerts as in time order"
else
	fail "files out of order differ from files in order: $(diff "$TMP/late-first" "$TMP/in-order" | head -n 6)"
fi
"$PY" - "$TMP/late-first" <<'PYEOF' > "$TMP/wrong" || fail "a dCDN verdict about an ordinary host: $(cat "$TMP/wrong")"
import json, sys
# The web server of the Meson capture and every host of the benign one must stay clean.
clean = ("172.31.5.20", "10.1.")
bad = [l for l in open(sys.argv[1]) if json.loads(l)["family"] and json.loads(l).get("host", "").startswith(clean)]
print("".join(bad)[:500])
sys.exit(1 if bad else 0)
PYEOF
[ -s "$TMP/wrong" ] || pass "no dCDN verdict about the ordinary hosts of either capture"

# 2. Time going back within one file, beyond capture.time_tolerance_ms, is named (file and record).
"$PY" - "$TMP/back.pcap" "$tiny" <<'PYEOF'
import struct, sys
d = open(sys.argv[2], "rb").read()
out = [d[:24]]
off, recs = 24, []
while off + 16 <= len(d):
    s, us, cl, wl = struct.unpack("<IIII", d[off:off + 16])
    recs.append([s, us, d[off + 16:off + 16 + cl], wl])
    off += 16 + cl
recs[5][0] -= 30            # record 6 is stamped 30 s early
recs[8][1] = max(0, recs[8][1] - 200000) if recs[8][1] >= 200000 else recs[8][1]
for s, us, data, wl in recs:
    out.append(struct.pack("<IIII", s, us, len(data), wl) + data)
open(sys.argv[1], "wb").write(b"".join(out))
PYEOF
"$DCDNWATCH" -q -r "$TMP/back.pcap" > /dev/null 2>"$TMP/err" || fail "time going back: exit $?"
grep -q "back.pcap: packet time goes back 3[0-9].[0-9]* s at record 6" "$TMP/err" && pass "time going back: $(head -n 1 "$TMP/err")" ||
	fail "time going back not named: $(cat "$TMP/err")"
"$DCDNWATCH" -q --set capture.time_tolerance_ms=60000 -r "$TMP/back.pcap" > /dev/null 2>"$TMP/err"
grep -q "goes back" "$TMP/err" && fail "warned within the tolerance: $(cat "$TMP/err")" || pass "no warning within capture.time_tolerance_ms"

# 3. The same file twice, by whatever name, is warned about.
"$DCDNWATCH" -q -r "$tiny" -r "$top_srcdir/tests/pcap/../pcap/data/tiny.pcap" > /dev/null 2>"$TMP/err"
rc=$?
[ "$rc" -eq 0 ] && grep -q "given 2 times.*count 2 times" "$TMP/err" && pass "the same file twice: $(cat "$TMP/err")" || fail "the same file twice: exit $rc: $(cat "$TMP/err")"

# 4. -r pcaps/*.pcap: the other files are trailing words, a filter that does not compile; the message says so.
"$DCDNWATCH" -q -r "$P/benign.pcap" "$P/gaganode.pcap" "$P/proxyware.pcap" > /dev/null 2>"$TMP/err"
rc=$?
[ "$rc" -eq 2 ] && grep -q "gaganode.pcap' is a file" "$TMP/err" && grep -q "give each file its own -r" "$TMP/err" &&
	pass "files after one -r: $(tr '\n' ' ' < "$TMP/err")" || fail "files after one -r: exit $rc: $(cat "$TMP/err")"

# 5. gzip-compressed captures are read as they are, with the same result; a cut one is processed as far as
#    it goes, named in a warning.
gzip -c "$P/meson-node.pcap" > "$TMP/meson.pcap.gz"
"$DCDNWATCH" -q -r "$P/meson-node.pcap" | alerts > "$TMP/plain"
"$DCDNWATCH" -q -r "$TMP/meson.pcap.gz" 2>"$TMP/err" | alerts > "$TMP/gz"
cmp -s "$TMP/plain" "$TMP/gz" && [ -s "$TMP/gz" ] && pass ".pcap.gz: the same $(wc -l < "$TMP/gz") alerts as the plain file" ||
	fail ".pcap.gz: $(wc -l < "$TMP/gz") alerts, plain $(wc -l < "$TMP/plain"): $(cat "$TMP/err")"
gzip -c "$P/meson-node.pcap" | "$DCDNWATCH" -q -r - 2>"$TMP/err" | alerts > "$TMP/gzin"
cmp -s "$TMP/plain" "$TMP/gzin" && pass "gzip on standard input" || fail "gzip on standard input: $(cat "$TMP/err")"
size=$(wc -c < "$TMP/meson.pcap.gz")
head -c $((size / 2)) "$TMP/meson.pcap.gz" > "$TMP/cut.pcap.gz"
"$DCDNWATCH" -q --flows -r "$TMP/cut.pcap.gz" > "$TMP/out" 2>"$TMP/err"
rc=$?
[ "$rc" -eq 0 ] && grep -q "cut.pcap.gz: capture is truncated" "$TMP/err" && grep -q '"event_type":"flow"' "$TMP/out" &&
	pass "a cut .pcap.gz: $(cat "$TMP/err")" || fail "a cut .pcap.gz: exit $rc: $(cat "$TMP/err")"
printf '\037\213garbage' > "$TMP/bad.pcap.gz"
"$DCDNWATCH" -q -r "$TMP/bad.pcap.gz" > /dev/null 2>"$TMP/err"
rc=$?
[ "$rc" -eq 2 ] && grep -q "bad.pcap.gz: cannot read capture" "$TMP/err" && pass "a damaged .gz: $(cat "$TMP/err")" ||
	fail "a damaged .gz: exit $rc: $(cat "$TMP/err")"

# 6. No home-net address anywhere: said, with the networks that carried the flows.
"$DCDNWATCH" -r "$P/benign.pcap" --home-net 192.0.2.0/24 > /dev/null 2>"$TMP/err"
grep -q "no address of home_net (192.0.2.0/24) was in any of the [0-9]* flows" "$TMP/err" && grep -q "10\.1\.[0-9]*\.0/24" "$TMP/err" &&
	pass "no home-net host: $(grep 'home_net' "$TMP/err")" || fail "no home-net host not said: $(cat "$TMP/err")"
"$DCDNWATCH" -r "$P/benign.pcap" > /dev/null 2>"$TMP/err"
grep -q "no address of home_net" "$TMP/err" && fail "said with home-net hosts present"

# 7. A filter without 'vlan' on tagged traffic passes nothing: said, with the hint.
"$DCDNWATCH" -r "$P/gaganode.pcap" tcp > /dev/null 2>"$TMP/err"
grep -q "the filter 'tcp' passed none of the" "$TMP/err" && grep -q "try 'vlan and tcp'" "$TMP/err" &&
	pass "VLAN-tagged traffic and a filter without vlan: $(grep -A1 'passed none' "$TMP/err" | tr '\n' ' ')" ||
	fail "no VLAN hint: $(cat "$TMP/err")"
"$DCDNWATCH" -q -r "$P/gaganode.pcap" vlan and tcp 2>"$TMP/err" | grep -q '"event_type":"alert"' &&
	pass "with 'vlan and tcp' the alerts come" || fail "'vlan and tcp': no alert: $(cat "$TMP/err")"

# 8. -v says what the run uses; a Redis password is masked.
"$DCDNWATCH" -v -r "$tiny" -R "redis://user:s3cret@127.0.0.1:1/0" --home-net 10.9.0.0/16 > /dev/null 2>"$TMP/err"
for want in "configuration: " "signatures: .* indicators of [0-9]* families" "home networks: 10.9.0.0/16" \
	"store: Redis at redis://user:\*\*\*@127.0.0.1:1/0" "learning period" "threads: 1 worker" "input: 1 file"; do
	grep -q "$want" "$TMP/err" || fail "-v lacks '$want'"
done
grep -q "s3cret" "$TMP/err" && fail "-v shows the Redis password"
[ "$failures" -eq 0 ] && pass "-v: $(grep -c '' "$TMP/err") lines, password masked"
finish
