#!/bin/sh
# Parity with the reference reader (ndpiReader, same nDPI 4.2) on the whole nDPI corpus: at least 99% of its
# flows found and 98% of the matched flows with the same label and host name.  Prints both figures.
. "$(dirname "$0")/../lib.sh"
need_corpus
command -v ndpiReader >/dev/null || { echo "FAIL: ndpiReader not installed (package libndpi-bin)"; exit 1; }
DCDNWATCH="$DCDNWATCH" "$PY" "$top_srcdir/tests/pcap/parity.py" --min-found 99 --min-label 98 \
	"$CORPUS"/ndpi-4.2/pcap/*
