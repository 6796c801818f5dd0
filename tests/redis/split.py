#!/usr/bin/env python3
"""Split a pcap into two at the first packet at or after a fraction of its timeline.
Usage: split.py IN FRACTION OUT1 OUT2"""
import struct, sys

src, frac, o1, o2 = sys.argv[1], float(sys.argv[2]), sys.argv[3], sys.argv[4]
with open(src, "rb") as f:
    hdr = f.read(24)
    e = "<" if hdr[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    recs = []
    while True:
        rh = f.read(16)
        if len(rh) < 16:
            break
        sec, frac_, incl, orig = struct.unpack(e + "IIII", rh)
        recs.append((sec + frac_ / 1e6, rh + f.read(incl)))
t0, t1 = recs[0][0], recs[-1][0]
cut = t0 + (t1 - t0) * frac
with open(o1, "wb") as a, open(o2, "wb") as b:
    a.write(hdr)
    b.write(hdr)
    for t, r in recs:
        (a if t < cut else b).write(r)
