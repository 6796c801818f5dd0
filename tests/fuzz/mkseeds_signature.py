#!/usr/bin/env python3
"""Build the signature detector's seed corpus (the input format is in fuzz_signature.c).

Usage: mkseeds_signature.py OUTDIR [PCAP...]

From each capture, ndpiReader's (libndpi-bin) verbose flow lines give what nDPI learned: the SNI or host
name, the certificate's names, the JA3 hash and the ALPN; DNS names are also written in wire form.  Hand-made
seeds follow: vendor names from signatures/, certificate names that end in or are a bare wildcard, names
at the DNS length limit, labels holding a dot or a NUL, and invalid and valid UTF-8.
"""
import hashlib, os, re, subprocess, sys

FIELD = {k: re.compile(r"\[%s: ([^\]]*)\]" % re.escape(k)) for k in ("Hostname/SNI", "ServerNames", "JA3C", "ALPN")}
PROTO = re.compile(r"\[proto: [0-9.]+/([A-Za-z0-9_]+)")
SEL = {"TLS": 0, "QUIC": 1, "DNS": 2, "HTTP": 3}


def wire(name):
    """A name in DNS wire form, without the final zero; labels longer than 63 bytes are cut (a seed only)."""
    out = b""
    for label in name.split(b"."):
        if label:
            out += bytes([min(len(label), 63)]) + label[:63]
    return out


def seed(sel, name=b"", certs=b"", ja3=b"", qname=b"", alpn=b""):
    return bytes([sel]) + b"\n".join((name, certs, ja3, qname, alpn))


def from_ndpi(pcap):
    try:
        out = subprocess.run(["ndpiReader", "-i", pcap, "-v", "2"], capture_output=True, timeout=120).stdout
    except (OSError, subprocess.TimeoutExpired):
        return
    for line in out.split(b"\n"):
        text = line.decode("latin-1")
        m = PROTO.search(text)
        if not m or "<->" not in text:
            continue
        proto = m.group(1).split(".")[0]
        got = {k: (r.search(text).group(1).encode("latin-1") if r.search(text) else b"") for k, r in FIELD.items()}
        if not any(got.values()):
            continue
        sel = SEL.get(proto, 4)
        name = got["Hostname/SNI"]
        yield seed(sel, name, got["ServerNames"], got["JA3C"], wire(name) if sel == 2 else b"", got["ALPN"])
        # The same strings with the home host as the server, and the name looked up through DNS.
        yield seed(sel | 8 | 16, name, got["ServerNames"], got["JA3C"], wire(name), got["ALPN"])


def handmade():
    long_label = b"a" * 63
    long_name = b".".join([long_label] * 3) + b".meson.network"		# 205 characters
    yield seed(8 | 16, b"", b"node.example,*.")				# a bare wildcard, last
    yield seed(8 | 16, b"", b"*.,x")
    yield seed(8 | 16, b"", b"*")
    yield seed(8 | 16, b"", b"*abc.mesontracking.com")			# '*' without a dot is no wildcard
    yield seed(8 | 16, b"", b"*.mesontracking.com")
    yield seed(8 | 16, b"", b"unrelated.example, *.mesontracking.com")
    yield seed(8 | 16, b"spec00-bejkbackbfikcai.mesontracking.com", b"mesontracking.com")
    yield seed(0, b"cdn.meson.network", b"", b"0123456789abcdef0123456789abcdef")
    yield seed(2, b"meson.network", b"", b"", wire(b"meson.network"))
    yield seed(0, b"", b"", b"", wire(long_name))				# longer than the old 96-byte slot
    yield seed(0, b"", b"", b"", b"\x0dmeson.network")			# one label holding a dot
    yield seed(0, b"", b"", b"", b"\x05ab\x00cd\x0dmeson\x00network")	# NUL inside labels
    yield seed(0, b"", b"", b"", b"\xc0\x0c")				# the question points at itself
    yield seed(0, "bücher.example".encode(), "*.bücher.example".encode())	# valid UTF-8
    yield seed(8 | 16, b"\xff\xfe.meson.network", b"\xc3(,\xe2\x82,\xf0\x9f\x98")	# invalid UTF-8
    yield seed(3, b"ctrl\x01\x1f\x7f.gaganode.com", b"")
    yield seed(1, long_label * 5, b",".join([b"*." + long_label] * 8))


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    seeds = {}
    for pcap in sys.argv[2:]:
        for s in from_ndpi(pcap):
            seeds.setdefault(hashlib.sha1(s).hexdigest()[:16], s)
    for s in handmade():
        seeds.setdefault(hashlib.sha1(s).hexdigest()[:16], s)
    for h, s in seeds.items():
        with open(os.path.join(out, h), "wb") as f:
            f.write(s)
    print("%d seeds in %s" % (len(seeds), out))


main()
