#!/bin/sh
# Live capture with --threads 2 (the interface read on a thread of its own, idle ticks passed along in
# order): the meson-node scenario gives the same verdicts live as offline (see live.sh), and SIGTERM ends
# it with its final stats.
exec sh "$(dirname "$0")/live.sh" "${top_srcdir:-$(dirname "$0")/../..}/pcaps/meson-node.pcap" --threads 2
