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


def udp_pair(w, t, client, sport, server="192.0.2.50", dport=9999, stamp_answer=None):
    """A request at t and its answer 10 ms later (or at stamp_answer)."""
    q = frame(client, server, net.udp_datagram(client, server, sport, dport, b"q" * 40), proto=17)
    a = frame(server, client, net.udp_datagram(server, client, dport, sport, b"a" * 80), proto=17)
    w.write(t, q, len(q))
    w.write(stamp_answer if stamp_answer is not None else t + 10000, a, len(a))


def timejump(path):
    """UDP exchanges, one a second, with bad and good jumps in their times:
    A    10.30.1.1-5     T0 + 0..4 s
         10.30.9.9       one packet stamped T0 + 10 years (a corrupt time)
    B    10.30.2.1-5     T0 + 11..15 s
    C    10.30.3.1-5     T0 + 2 days + 0..4 s (a gap in the capture: time must follow)
         10.30.8.8       one packet stamped a year before T0
    D    10.30.4.1-3     T0 + 2 days + 10..12 s"""
    day = 86400 * 1000000
    with PcapWriter(path) as w:
        for i in range(5):
            udp_pair(w, T0 + i * 1000000, "10.30.1.%d" % (i + 1), 5000 + i)
        q = frame("10.30.9.9", "192.0.2.50", net.udp_datagram("10.30.9.9", "192.0.2.50", 6000, 9999, b"x" * 40),
                  proto=17)
        w.write(T0 + 10 * 365 * day, q, len(q))
        for i in range(5):
            udp_pair(w, T0 + (11 + i) * 1000000, "10.30.2.%d" % (i + 1), 5000 + i)
        for i in range(5):
            udp_pair(w, T0 + 2 * day + i * 1000000, "10.30.3.%d" % (i + 1), 5000 + i)
        q = frame("10.30.8.8", "192.0.2.50", net.udp_datagram("10.30.8.8", "192.0.2.50", 6001, 9999, b"y" * 40),
                  proto=17)
        w.write(T0 - 365 * day, q, len(q))
        for i in range(3):
            udp_pair(w, T0 + 2 * day + (10 + i) * 1000000, "10.30.4.%d" % (i + 1), 5000 + i)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    tunnel_oneway(os.path.join(out, "tunnel-oneway.pcap"))
    timejump(os.path.join(out, "timejump.pcap"))


main()
