#!/bin/sh
# The scenario harness itself, against a stand-in binary with known outputs: it must fail what is wrong.
. "$(dirname "$0")/../lib.sh"
"$PY" "$top_srcdir/tests/scenarios/selftest.py"
