#!/bin/sh
# make pcaps regenerates every capture in pcaps/ byte for byte (sha256), and scapy reads them back clean.
. "$(dirname "$0")/../lib.sh"
"$PY" -c "import scapy" 2>/dev/null || { echo "FAIL: python3-scapy is needed"; exit 1; }
PYTHON="$PY" sh "$top_srcdir/tests/synth/check_reproducible.sh" "$top_srcdir/pcaps"
