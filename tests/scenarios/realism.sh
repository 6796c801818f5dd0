#!/bin/sh
# Realism check: does nDPI's ndpiReader (Debian package libndpi-bin) see the synthetic
# captures the way the synthesizer meant them?  For every pcaps/X.pcap it compares
# ndpiReader's CSV (-C) with pcaps/X.truth.tsv: each listed flow must carry the expected
# protocol label (TLS, TLS.<app>, DNS, HTTP, ...) and the expected SNI / query / Host.
# The VXLAN capture is checked on its inner frames (ndpiReader 4.2 does not decapsulate).
# Usage: tests/scenarios/realism.sh [pcaps/X.pcap ...]     Ends with "N passed, N failed".
set -eu
here=$(cd "$(dirname "$0")" && pwd)
PYTHON=${PYTHON:-/usr/bin/python3}
if [ $# -eq 0 ]; then
    set -- "$here"/../../pcaps/*.pcap
fi
exec "$PYTHON" "$here/realism_check.py" "$@"
