#!/bin/sh
# Live capture as a VPC Traffic Mirroring target: the fleet scenario, all VXLAN, through a veth pair,
# gives the same verdicts live as offline (see live.sh).
exec sh "$(dirname "$0")/live.sh" "${top_srcdir:-$(dirname "$0")/../..}/pcaps/meson-fleet-vxlan.pcap"
