#!/usr/bin/env python3
"""Pad every record of a pcap to its original length (zeros after the captured bytes), so a replay onto a
link carries the packets' true sizes.  The scenario captures keep a short snap length to stay small.
Usage: pad.py IN OUT | pad.py --marker OUT (a one-packet capture: an Ethernet broadcast, not IP)"""
import struct, sys

if sys.argv[1] == "--marker":
    with open(sys.argv[2], "wb") as o:
        o.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        frame = b"\xff" * 6 + b"\x02\x00\x00\x00\x00\x09" + b"\x88\xb5" + b"end" + b"\0" * 43
        o.write(struct.pack("<IIII", 0, 0, len(frame), len(frame)) + frame)
    sys.exit(0)

with open(sys.argv[1], "rb") as f, open(sys.argv[2], "wb") as o:
    hdr = f.read(24)
    e = "<" if hdr[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    o.write(hdr[:16] + struct.pack(e + "I", 262144) + hdr[20:24])
    while True:
        rh = f.read(16)
        if len(rh) < 16:
            break
        sec, frac, incl, orig = struct.unpack(e + "IIII", rh)
        data = f.read(incl)
        n = max(orig, len(data))
        o.write(struct.pack(e + "IIII", sec, frac, n, n) + data + b"\0" * (n - len(data)))
