#!/usr/bin/python3
"""Where the bytes of a capture go: per home host, on-disk bytes, records and wire bytes in
each direction.  Decapsulates VXLAN and 802.1Q/802.1ad.

    /usr/bin/python3 tests/synth/pcapstat.py pcaps/X.pcap [--home CIDR,...]"""
import argparse
import collections
import ipaddress
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pcapio  # noqa: E402

HOME = "10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,100.64.0.0/10,fc00::/7"


def decode(frame):
    """Return (src, dst, proto, sport, dport, ip_total_len) of the innermost IP packet, or None."""
    off = 12
    while True:
        if len(frame) < off + 2:
            return None
        et = struct.unpack("!H", frame[off:off + 2])[0]
        if et in (0x8100, 0x88A8):
            off += 4
            continue
        off += 2
        break
    if et == 0x0800:
        ihl = (frame[off] & 15) * 4
        tot, proto = struct.unpack("!H", frame[off + 2:off + 4])[0], frame[off + 9]
        src, dst = ipaddress.ip_address(frame[off + 12:off + 16]), ipaddress.ip_address(frame[off + 16:off + 20])
        l4 = off + ihl
    elif et == 0x86DD:
        tot = 40 + struct.unpack("!H", frame[off + 4:off + 6])[0]
        proto = frame[off + 6]
        src, dst = ipaddress.ip_address(frame[off + 8:off + 24]), ipaddress.ip_address(frame[off + 24:off + 40])
        l4 = off + 40
    else:
        return None
    sport = dport = 0
    if proto in (6, 17) and len(frame) >= l4 + 4:
        sport, dport = struct.unpack("!HH", frame[l4:l4 + 4])
        if proto == 17 and dport == 4789 and len(frame) >= l4 + 16 + 14:
            return decode(frame[l4 + 16:])
    return str(src), str(dst), proto, sport, dport, tot


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("pcap")
    ap.add_argument("--home", default=HOME)
    a = ap.parse_args()
    home = [ipaddress.ip_network(n) for n in a.home.split(",")]
    is_home = lambda ip: any(ipaddress.ip_address(ip) in n for n in home)
    disk = collections.Counter()
    recs = collections.Counter()
    tx = collections.Counter()
    rx = collections.Counter()
    peers = collections.defaultdict(set)
    total = 0
    for t, data, orig in pcapio.read_pcap(a.pcap):
        total += 16 + len(data)
        d = decode(data)
        if not d:
            continue
        src, dst, proto, sp, dp, tot = d
        key = src if is_home(src) else dst
        disk[key] += 16 + len(data)
        recs[key] += 1
        if is_home(src):
            tx[src] += tot
            peers[src].add(dst)
        if is_home(dst):
            rx[dst] += tot
            peers[dst].add(src)
    print("%-40s %9s %8s %12s %12s %6s" % ("home host", "disk", "records", "tx bytes", "rx bytes", "peers"))
    for h, _ in disk.most_common():
        print("%-40s %9d %8d %12d %12d %6d" % (h, disk[h], recs[h], tx[h], rx[h], len(peers[h])))
    print("total on disk %d" % total)


if __name__ == "__main__":
    main()
