#!/usr/bin/env python3
"""Write the hand-made captures of tests/pcap/data (see its README), byte for byte the same every time.

Usage: mkdata.py OUTDIR
"""
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "synth"))
import net  # noqa: E402
from pcapio import PcapWriter  # noqa: E402

MAC_A, MAC_B = "02:00:00:00:00:01", "02:00:00:00:00:02"
T0 = 1708979590 * 1000000		# 2024-02-26T20:33:10Z


def frame(src, dst, l4, proto=net.IPPROTO_TCP, ident=1):
    et, ip = net.ip_packet(src, dst, proto, l4, ident=ident)
    return net.ether(MAC_B, MAC_A, et, ip)


def gre(outer_src, outer_dst, inner):
    """IPv4 in GRE (RFC 2784, no options) between two tunnel endpoints."""
    return frame(outer_src, outer_dst, struct.pack("!HH", 0, net.ETH_IPV4) + inner, proto=47)


def ipip(outer_src, outer_dst, inner):
    return frame(outer_src, outer_dst, inner, proto=4)


def tcp_exchange(client, server, sport, dport):
    """(from_client, segment) pairs: handshake, a request, an answer, the close."""
    c, s = 1000, 5000
    out = [(True, net.tcp_segment(client, server, sport, dport, c, 0, net.TCP_SYN, 64240)),
           (False, net.tcp_segment(server, client, dport, sport, s, c + 1, net.TCP_SYN | net.TCP_ACK, 65160)),
           (True, net.tcp_segment(client, server, sport, dport, c + 1, s + 1, net.TCP_ACK, 502))]
    req, resp = b"q" * 300, b"r" * 1200
    out.append((True, net.tcp_segment(client, server, sport, dport, c + 1, s + 1, net.TCP_PSH | net.TCP_ACK, 502,
                                      payload=req)))
    out.append((False, net.tcp_segment(server, client, dport, sport, s + 1, c + 301, net.TCP_PSH | net.TCP_ACK, 509,
                                       payload=resp)))
    out.append((True, net.tcp_segment(client, server, sport, dport, c + 301, s + 1201, net.TCP_FIN | net.TCP_ACK,
                                      502)))
    out.append((False, net.tcp_segment(server, client, dport, sport, s + 1201, c + 302, net.TCP_FIN | net.TCP_ACK,
                                       509)))
    out.append((True, net.tcp_segment(client, server, sport, dport, c + 302, s + 1202, net.TCP_ACK, 502)))
    return out


def tunnel_oneway(path):
    """Flows whose client-to-server packets come through a tunnel (GRE or IP-in-IP) and whose answers come
    plain: the tunnel type is not part of a flow's identity, so each is one flow."""
    t = T0
    with PcapWriter(path) as w:
        for i in range(8):
            client, server = "10.20.0.%d" % (10 + i), "198.51.100.%d" % (30 + 7 * i)
            wrap = gre if i % 2 == 0 else ipip
            for from_client, seg in tcp_exchange(client, server, 41000 + i, 443):
                ip = net.ip_packet(client, server, 6, seg)[1] if from_client else None
                data = wrap("192.0.2.1", "192.0.2.2", ip) if from_client else frame(server, client, seg)
                w.write(t, data, len(data))
                t += 20000


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    tunnel_oneway(os.path.join(out, "tunnel-oneway.pcap"))


main()
