#!/usr/bin/python3
"""Independent read-back of the generated captures (scapy dissects, this file does not trust
the generator's own encoders).

    /usr/bin/python3 tests/synth/lint.py [--sample N] pcaps/*.pcap

Checks, per capture:
  - record headers: caplen <= orig_len, timestamps never go backwards, orig_len equals the
    frame length implied by the IP total length (plus Ethernet padding to 60 bytes);
  - whole packets: scapy recomputes the IPv4, TCP and UDP checksums and finds them equal
    (every packet, or every N-th with --sample N);
  - TCP: every connection that starts inside the capture opens with SYN, SYN/ACK, ACK; each
    direction's sequence numbers continue exactly (seq + payload length + SYN/FIN) and no ACK
    acknowledges bytes the other side has not sent;
  - TLS: scapy's TLS layer parses every whole ClientHello, whose SNI is listed in X.truth.tsv;
  - DNS: scapy parses every whole DNS message.
Prints a summary per capture; exit status 1 if anything is wrong."""
import collections
import logging
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pcapio  # noqa: E402

from scapy.all import load_layer  # noqa: E402
from scapy.layers.dns import DNS  # noqa: E402
from scapy.layers.inet import IP, TCP, UDP  # noqa: E402
from scapy.layers.inet6 import IPv6  # noqa: E402

load_layer("tls")
# with the TLS layer loaded, scapy also dissects random ciphertext on port 443 and warns about it
logging.getLogger("scapy").setLevel(logging.ERROR)
from scapy.layers.tls.extensions import TLS_Ext_ServerName  # noqa: E402
from scapy.layers.tls.handshake import TLSClientHello  # noqa: E402
from scapy.layers.tls.record import TLS  # noqa: E402


SAMPLE = 1  # check the checksums of every SAMPLE-th whole packet (--sample N)


def l3_offset(data):
    """Skip Ethernet, VLAN/QinQ tags and a VXLAN encapsulation; return (offset, ethertype)."""
    off, et = 12, None
    while True:
        et = struct.unpack("!H", data[off:off + 2])[0]
        if et in (0x8100, 0x88A8):
            off += 4
            continue
        off += 2
        break
    if et == 0x0800 and data[off + 9] == 17:
        ihl = (data[off] & 15) * 4
        if struct.unpack("!H", data[off + ihl + 2:off + ihl + 4])[0] == 4789:
            inner = off + ihl + 16
            o2, et2 = l3_offset(data[inner:])
            return inner + o2, et2
    return off, et


def check(path):
    errors = []
    stats = collections.Counter()
    truth_names = set()
    tpath = os.path.splitext(path)[0] + ".truth.tsv"
    if os.path.exists(tpath):
        for line in open(tpath):
            if line.strip() and not line.startswith("#"):
                truth_names.add(line.rstrip("\n").split("\t")[6])
    state = {}       # (src, sport, dst, dport) -> next expected seq
    sent = {}        # same key -> highest seq sent (exclusive)
    opened = {}      # connection key -> True if seen from SYN
    last_t = 0

    def err(msg):
        if len(errors) < 30:
            errors.append(msg)
        stats["errors"] += 1

    for n, (t, data, orig) in enumerate(pcapio.read_pcap(path), 1):
        stats["records"] += 1
        if t < last_t:
            err("record %d: time goes backwards" % n)
        last_t = t
        if len(data) > orig:
            err("record %d: caplen > orig_len" % n)
        whole = len(data) == orig
        stats["whole" if whole else "cut"] += 1
        off, et = l3_offset(data)
        if et == 0x0800:
            ihl = (data[off] & 15) * 4
            tot = struct.unpack("!H", data[off + 2:off + 4])[0]
            proto = data[off + 9]
            src, dst = ".".join(map(str, data[off + 12:off + 16])), ".".join(map(str, data[off + 16:off + 20]))
            l4 = off + ihl
            l4len = tot - ihl
        elif et == 0x86DD:
            tot = 40 + struct.unpack("!H", data[off + 4:off + 6])[0]
            proto = data[off + 6]
            src, dst = data[off + 8:off + 24].hex(), data[off + 24:off + 40].hex()
            l4 = off + 40
            l4len = tot - 40
        else:
            err("record %d: not IP (ethertype %s)" % (n, et))
            continue
        expect_len = off + tot
        if orig != expect_len and not (expect_len < 60 and orig == 60):
            err("record %d: orig_len %d but headers say %d" % (n, orig, expect_len))
        if whole and (SAMPLE == 1 or stats["whole"] % SAMPLE == 1):
            pkt = (IP if et == 0x0800 else IPv6)(data[off:off + tot])
            if et == 0x0800:
                c = pkt.chksum
                del pkt.chksum
                if IP(bytes(pkt)).chksum != c:
                    err("record %d: bad IPv4 checksum" % n)
            layer = TCP if proto == 6 else UDP if proto == 17 else None
            if layer and layer in pkt and not (layer is UDP and pkt[UDP].chksum == 0):
                c = pkt[layer].chksum
                del pkt[layer].chksum
                if (IP if et == 0x0800 else IPv6)(bytes(pkt))[layer].chksum != c:
                    err("record %d: bad %s checksum" % (n, layer.__name__))
                stats["checksums"] += 1
        if proto == 6:
            sport, dport, seq, ack, offf, flags = struct.unpack("!HHIIBB", data[l4:l4 + 14])
            hl = (offf >> 4) * 4
            plen = l4len - hl
            key = (src, sport, dst, dport)
            rkey = (dst, dport, src, sport)
            conn = tuple(sorted([key, rkey]))
            if flags & 0x02 and not flags & 0x10:
                opened[conn] = True
                stats["tcp_connections"] += 1
            if key in state:
                if seq != state[key]:
                    err("record %d: %s:%d->%s:%d seq %d, expected %d" % (n, src, sport, dst, dport, seq, state[key]))
            elif conn not in opened and not flags & 0x02:
                stats["midstream_flows"] += 1
            nxt = (seq + plen + (1 if flags & 0x03 else 0)) & 0xFFFFFFFF
            if not flags & 0x04:
                state[key] = nxt
                sent[key] = nxt
            if flags & 0x10 and rkey in sent and opened.get(conn):
                ahead = (ack - sent[rkey]) & 0xFFFFFFFF
                if 0 < ahead < (1 << 31):
                    err("record %d: ACK %d beyond what %s:%d sent" % (n, ack, dst, dport))
            payload = data[l4 + hl:]
            if whole and plen > 5 and payload[:3] == b"\x16\x03\x01" and payload[5] == 1:
                rec = TLS(payload)
                ch = rec.getlayer(TLSClientHello)
                if ch is None:
                    err("record %d: ClientHello that scapy cannot parse" % n)
                else:
                    stats["client_hellos"] += 1
                    sni = ""
                    for e in ch.ext or []:
                        if isinstance(e, TLS_Ext_ServerName):
                            sni = e.servernames[0].servername.decode()
                    if truth_names and sni not in truth_names:
                        err("record %d: SNI %r not in the truth file" % (n, sni))
        elif proto == 17 and whole:
            sport, dport = struct.unpack("!HH", data[l4:l4 + 4])
            if 53 in (sport, dport):
                try:
                    m = DNS(data[l4 + 8:off + tot])
                    if m.qd is None:
                        raise ValueError("no question")
                    stats["dns_messages"] += 1
                except Exception as ex:  # noqa: BLE001
                    err("record %d: DNS message scapy cannot parse (%s)" % (n, ex))
    return stats, errors


def main():
    global SAMPLE
    paths = sys.argv[1:]
    if paths[:1] == ["--sample"]:
        SAMPLE = int(paths[1])
        paths = paths[2:]
    if not paths:
        print(__doc__)
        return 2
    bad = 0
    for p in paths:
        stats, errors = check(p)
        status = "FAIL" if errors else "PASS"
        bad += bool(errors)
        print("%s %s: %d records (%d whole, %d cut), %d TCP connections, %d mid-stream flows, %d checksums, "
              "%d ClientHellos, %d DNS messages" % (status, os.path.basename(p), stats["records"], stats["whole"],
                                                    stats["cut"], stats["tcp_connections"], stats["midstream_flows"],
                                                    stats["checksums"], stats["client_hellos"], stats["dns_messages"]))
        for e in errors:
            print("  " + e)
        if stats["errors"] > len(errors):
            print("  ... %d problems in all" % stats["errors"])
    print("%d passed, %d failed" % (len(paths) - bad, bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
