#!/bin/sh
# The documentation tells the truth: every configuration key is in dcdnwatch.conf(5), every long option of
# --help is in dcdnwatch(8), and the man pages render without warnings.
. "$(dirname "$0")/../lib.sh"
for k in $("$DCDNWATCH" --set help | awk '{print $1}'); do
	grep -q "Cm $k " "$top_srcdir/man/dcdnwatch.conf.5" || fail "key $k missing from dcdnwatch.conf.5"
done
for o in $("$DCDNWATCH" --help | grep -o -- '--[a-z-]*' | sort -u); do
	grep -q -- "Fl \\\\-${o#--}" "$top_srcdir/man/dcdnwatch.8" || fail "option $o missing from dcdnwatch.8"
done
if command -v mandoc >/dev/null; then
	out=$(mandoc -T lint -W warning "$top_srcdir"/man/*.[58] 2>&1)
	[ -z "$out" ] || fail "mandoc: $out"
fi
[ "$failures" -eq 0 ] && pass "keys, options and man pages agree"
finish
