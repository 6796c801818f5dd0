#!/usr/bin/env python3
"""Build the decoder's seed corpus from captures: each seed is one link-type byte and one frame.
Usage: mkseeds.py OUTDIR PCAP...  (pcap only; the first 40 distinct frames of each)"""
import hashlib, os, struct, sys

LINKS = {1: 0, 113: 1, 276: 2, 101: 3, 12: 3, 0: 4, 108: 5, 9: 6, 104: 7}

def frames(path):
    with open(path, "rb") as f:
        hdr = f.read(24)
        if len(hdr) < 24:
            return
        magic = hdr[:4]
        if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
            e = "<"
        elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
            e = ">"
        else:
            return
        link = struct.unpack(e + "I", hdr[20:24])[0]
        if link not in LINKS:
            return
        while True:
            rh = f.read(16)
            if len(rh) < 16:
                return
            _, _, incl, _ = struct.unpack(e + "IIII", rh)
            data = f.read(incl)
            if len(data) < incl:
                return
            yield bytes([LINKS[link]]) + data

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
for p in sys.argv[2:]:
    seen = 0
    for fr in frames(p):
        h = hashlib.sha1(fr).hexdigest()[:16]
        with open(os.path.join(out, h), "wb") as f:
            f.write(fr)
        seen += 1
        if seen >= 40:
            break
