#!/usr/bin/env python3
"""A capture of N distinct home hosts (10.0.0.0/8, the default home net) that each send one DNS query to an
outside resolver and get its answer, 1,000 hosts a second of packet time: the host table grows by one host
per query, every host did one small thing and is then idle.  make bench measures the bytes a tracked host
costs with it (peak RSS against a run whose host table is held at its minimum) and its packets/s.
Usage: hostflood.py OUT N"""
import struct, sys

out, n = sys.argv[1], int(sys.argv[2])
eth = b"\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02\x08\x00"
rec = struct.Struct("<IIII")
# A query for www.example.com, type A, and its answer (one A record).
q = bytes.fromhex("01000001000000000000") + b"\x03www\x07example\x03com\x00" + bytes.fromhex("00010001")
a = bytes.fromhex("81800001000100000000") + b"\x03www\x07example\x03com\x00" + bytes.fromhex("00010001") + \
    bytes.fromhex("c00c000100010000012c0004c0000201")
resolver = bytes([203, 0, 113, 53])

def frame(src, dst, sport, dport, txid, dns):
    payload = struct.pack(">H", txid) + dns
    ulen = 8 + len(payload)
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + ulen, 0, 0, 64, 17, 0, src, dst)
    return eth + ip + struct.pack(">HHHH", sport, dport, ulen, 0) + payload

with open(out, "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    t0, buf = 1700000000, []
    for i in range(n):
        host = struct.pack(">I", 0x0a000000 | ((i // 250) << 8) | (1 + i % 250))   # 10.x.y.1-250
        sport = 20000 + i % 40000
        us = i * 1000                                                            # 1,000 hosts a second
        for k, fr in enumerate((frame(host, resolver, sport, 53, i & 0xffff, q),
                                frame(resolver, host, 53, sport, i & 0xffff, a))):
            t = us + k * 300
            buf.append(rec.pack(t0 + t // 1000000, t % 1000000, len(fr), len(fr)) + fr)
        if len(buf) >= 200000:
            f.write(b"".join(buf))
            buf = []
    f.write(b"".join(buf))
