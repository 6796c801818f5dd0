#!/bin/sh
# Regenerate every capture into a temporary directory and compare it, byte for byte (sha256),
# with what is in pcaps/.  Exit 0 when identical, 1 when anything differs or is missing.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
pcaps=${1:-"$here/../../pcaps"}
PYTHON=${PYTHON:-/usr/bin/python3}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dcdnwatch-synth.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
"$PYTHON" "$here/synth.py" --out "$tmp" >/dev/null
pass=0
fail=0
for f in "$tmp"/*; do
    name=$(basename "$f")
    if [ ! -f "$pcaps/$name" ]; then
        echo "FAIL $name: missing from $pcaps"
        fail=$((fail + 1))
        continue
    fi
    new=$(sha256sum "$f" | cut -d' ' -f1)
    old=$(sha256sum "$pcaps/$name" | cut -d' ' -f1)
    if [ "$new" = "$old" ]; then
        pass=$((pass + 1))
    else
        echo "FAIL $name: regenerated sha256 $new, committed $old"
        fail=$((fail + 1))
    fi
done
for f in "$pcaps"/*.pcap "$pcaps"/*.expect "$pcaps"/*.truth.tsv; do
    [ -e "$f" ] || continue
    if [ ! -e "$tmp/$(basename "$f")" ]; then
        echo "FAIL $(basename "$f"): in $pcaps but not produced by the synthesizer"
        fail=$((fail + 1))
    fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
