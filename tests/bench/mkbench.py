#!/usr/bin/env python3
"""Build the benchmark capture: the corpus's Ethernet pcaps replayed COPIES times into one file, with the
IPv4/IPv6 addresses rewritten per copy so every copy's flows are new, and timestamps moved so the copies
follow each other as one timeline.  Stops at about TARGET packets.
Usage: mkbench.py OUT TARGET PCAP..."""
import struct, sys

def records(path):
    with open(path, "rb") as f:
        hdr = f.read(24)
        if len(hdr) < 24:
            return None, []
        magic = hdr[:4]
        if magic == b"\xd4\xc3\xb2\xa1":
            e, ns = "<", False
        elif magic == b"\xa1\xb2\xc3\xd4":
            e, ns = ">", False
        elif magic == b"\x4d\x3c\xb2\xa1":
            e, ns = "<", True
        elif magic == b"\xa1\xb2\x3c\x4d":
            e, ns = ">", True
        else:
            return None, []
        if struct.unpack(e + "I", hdr[20:24])[0] != 1:
            return None, []
        out = []
        while True:
            rh = f.read(16)
            if len(rh) < 16:
                break
            sec, frac, incl, orig = struct.unpack(e + "IIII", rh)
            data = f.read(incl)
            if len(data) < incl:
                break
            us = frac // 1000 if ns else frac
            # Fuzzed captures carry impossible lengths: keep the bench a plausible mix that replays.
            if orig > 65535 or orig < incl:
                continue
            out.append((sec * 1000000 + us, orig, data))
        return True, out

def rewrite(data, k):
    """Shift addresses by copy number k: IPv4 second octet, IPv6 third byte (plain Ethernet + 802.1Q)."""
    b = bytearray(data)
    off = 12
    while off + 2 <= len(b) and b[off:off + 2] in (b"\x81\x00", b"\x88\xa8"):
        off += 4
    if off + 2 > len(b):
        return bytes(b)
    et = b[off:off + 2]
    ip = off + 2
    if et == b"\x08\x00" and ip + 20 <= len(b):
        for a in (ip + 12, ip + 16):
            b[a + 1] = (b[a + 1] + k) & 0xff
            b[a + 2] = (b[a + 2] + 7 * k) & 0xff
    elif et == b"\x86\xdd" and ip + 40 <= len(b):
        for a in (ip + 8, ip + 24):
            b[a + 2] = (b[a + 2] + k) & 0xff
            b[a + 3] = (b[a + 3] + 7 * k) & 0xff
    return bytes(b)

def main():
    out, target = sys.argv[1], int(sys.argv[2])
    # Captures back to back, each keeping its own timing with gaps capped at 60 s.
    pkts, cursor = [], 0
    for p in sys.argv[3:]:
        if "fuzz" in p.rsplit("/", 1)[-1]:
            continue
        ok, recs = records(p)
        if not ok or not recs:
            continue
        prev = recs[0][0]
        for ts, orig, data in recs:
            gap = max(0, min(ts - prev, 60000000))
            cursor += gap
            prev = ts
            pkts.append((cursor, orig, data))
        cursor += 1000000
    base = 0
    span = cursor + 1000000
    n = 0
    with open(out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 262144, 1))
        k = 0
        while n < target:
            for ts, orig, data in pkts:
                t = ts - base + k * span + 1600000000 * 1000000
                f.write(struct.pack("<IIII", t // 1000000, t % 1000000, len(data), orig))
                f.write(rewrite(data, k) if k else data)
                n += 1
                if n >= target:
                    break
            k += 1
    print(f"mkbench: {n} packets, {k} copies of {len(pkts)} -> {out}")

if __name__ == "__main__":
    main()
