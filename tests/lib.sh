# lib.sh - shared helpers for the shell tests (sourced).
# Tests exit 0 (pass), 1 (fail) or 77 (skip, only when an input outside the project is absent).
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${DCDNWATCH:=$top_builddir/src/dcdnwatch}"
CORPUS=${DCDN_CORPUS:-$top_srcdir/../shared/corpus}
PY=/usr/bin/python3
TMP=$(mktemp -d "${TMPDIR:-/tmp}/dcdnwatch-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
failures=0

fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { echo "ok: $*"; }
need_corpus() {
	if [ ! -d "$CORPUS/ndpi-4.2/pcap" ]; then
		echo "SKIP: corpus not found at $CORPUS (set DCDN_CORPUS)"
		exit 77
	fi
}
finish() {
	if [ "$failures" -gt 0 ]; then
		echo "$failures failure(s)"
		exit 1
	fi
	exit 0
}
# jq-free JSON field checks go through python.
json_q() { "$PY" -c "$1"; }
