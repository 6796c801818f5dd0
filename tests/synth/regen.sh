#!/bin/sh
# Regenerate the scenario captures, their expectations and truth files in pcaps/.
# Usage: tests/synth/regen.sh [OUTDIR] [synth.py options...]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-"$here/../../pcaps"}
[ $# -gt 0 ] && shift
PYTHON=${PYTHON:-/usr/bin/python3}
exec "$PYTHON" "$here/synth.py" --out "$out" "$@"
