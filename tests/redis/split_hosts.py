#!/usr/bin/env python3
"""Split a capture between two sensors by home host, as two mirror sessions would see it: packets whose
(inner, after VXLAN) home-net address ends in an even octet go to OUT1, odd to OUT2; packets between two
home hosts, or with none, go to both (traffic between two mirrored instances is mirrored twice).
Usage: split_hosts.py IN OUT1 OUT2"""
import struct, sys

def inner_ipv4(frame):
    """The innermost IPv4 source and destination of an Ethernet frame (VXLAN on UDP 4789 followed)."""
    for _ in range(3):
        off = 12
        while frame[off:off + 2] in (b"\x81\x00", b"\x88\xa8"):
            off += 4
        if frame[off:off + 2] != b"\x08\x00" or len(frame) < off + 22:
            return None
        ip = off + 2
        ihl = (frame[ip] & 15) * 4
        src, dst, proto = frame[ip + 12:ip + 16], frame[ip + 16:ip + 20], frame[ip + 9]
        udp = ip + ihl
        if proto == 17 and len(frame) >= udp + 16 and struct.unpack(">H", frame[udp + 2:udp + 4])[0] == 4789:
            frame = frame[udp + 16:]
            continue
        return src, dst
    return None

def home(a):
    return a[0] == 10 or (a[0] == 172 and 16 <= a[1] < 32) or (a[0] == 192 and a[1] == 168)

src, o1, o2 = sys.argv[1:4]
with open(src, "rb") as f, open(o1, "wb") as a, open(o2, "wb") as b:
    hdr = f.read(24)
    e = "<" if hdr[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    a.write(hdr)
    b.write(hdr)
    while True:
        rh = f.read(16)
        if len(rh) < 16:
            break
        incl = struct.unpack(e + "IIII", rh)[2]
        data = f.read(incl)
        ips = inner_ipv4(data)
        h = [x for x in (ips or ()) if home(x)]
        if len(h) != 1:
            a.write(rh + data)
            b.write(rh + data)
        else:
            (a if h[0][3] % 2 == 0 else b).write(rh + data)
