#!/usr/bin/env python3
"""A capture of N unique UDP flows between outside addresses (no home host is involved, so only the flow
table grows): each flow is a DNS query and its answer, which nDPI classifies and is done with, so the flows
stay in the table without nDPI state.  This is the flood that must leave dcdnwatch's memory flat at its
flow cap, and with a cap above N it measures the bytes a tracked flow costs.
Usage: flood.py OUT N"""
import struct, sys

out, n = sys.argv[1], int(sys.argv[2])
eth = b"\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02\x08\x00"
rec = struct.Struct("<IIII")
# A query for www.example.com, type A, and its answer (one A record).
q = bytes.fromhex("01000001000000000000") + b"\x03www\x07example\x03com\x00" + bytes.fromhex("00010001")
a = bytes.fromhex("81800001000100000000") + b"\x03www\x07example\x03com\x00" + bytes.fromhex("00010001") + \
    bytes.fromhex("c00c000100010000012c0004c0000201")

def frame(src, dst, sport, dport, txid, dns):
    payload = struct.pack(">H", txid) + dns
    ulen = 8 + len(payload)
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + ulen, 0, 0, 64, 17, 0, src, dst)
    return eth + ip + struct.pack(">HHHH", sport, dport, ulen, 0) + payload

with open(out, "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    t0, buf = 1700000000, []
    for i in range(n):
        src = struct.pack(">I", 0xc6120000 | (i & 0x1ffff))      # 198.18.0.0/15
        dst = struct.pack(">I", 0xcb007100 | ((i >> 17) & 0xff))  # 203.0.113.x
        sport = 1024 + ((i >> 25) & 0x7fff)
        us = i * 10                                               # 100,000 flows a second
        for k, fr in enumerate((frame(src, dst, sport, 53, i & 0xffff, q), frame(dst, src, 53, sport, i & 0xffff, a))):
            t = us + k
            buf.append(rec.pack(t0 + t // 1000000, t % 1000000, len(fr), len(fr)) + fr)
        if len(buf) >= 200000:
            f.write(b"".join(buf))
            buf = []
    f.write(b"".join(buf))
