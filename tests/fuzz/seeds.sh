#!/bin/sh
# The fuzz targets' seed corpora (and any saved crash reproducers) through the plain replayer.
. "$(dirname "$0")/../lib.sh"
"$top_builddir/tests/fuzz/replay_decode" "$top_srcdir/tests/fuzz/corpus/decode" || fail "decode seeds"
"$top_builddir/tests/fuzz/replay_sigdb" "$top_srcdir/tests/fuzz/corpus/sigdb" || fail "signature seeds"
"$top_builddir/tests/fuzz/replay_signature" "$top_srcdir/tests/fuzz/corpus/signature" || fail "signature detector seeds"
finish
