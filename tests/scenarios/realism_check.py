#!/usr/bin/python3
"""Check that an independent DPI engine (nDPI's ndpiReader) sees the synthetic captures the
way the synthesizer meant them: every flow listed in pcaps/X.truth.tsv must appear in
ndpiReader's CSV output with the expected protocol label (exactly, or with a ".<app>"
suffix, e.g. TLS.Google) and the expected name (TLS SNI, DNS query name, HTTP Host).
ndpiReader runs with -d (no guessing by port), so a label means its dissector recognised the
payload.  A truth label of "Unknown" means the opposite: a custom binary protocol that DPI
must not mistake for anything (ndpiReader -d does not list such flows in its CSV).

    realism_check.py [--ndpi ndpiReader] [--keep DIR] pcaps/X.pcap ...

ndpiReader 4.2 neither decodes the 802.1ad (0x88a8) service tag nor decapsulates VXLAN, so
it is fed a temporary copy in which 802.1ad TPIDs read 0x8100 and VXLAN-encapsulated frames
(outer IPv4/UDP to port 4789) are replaced by their inner Ethernet frame.  The captures
themselves are not changed.
Exit status 0 when every flow matched, 1 otherwise."""
import argparse
import csv
import os
import shutil
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "synth"))
import pcapio  # noqa: E402


def vxlan_inner(data):
    """The inner Ethernet frame of an Ethernet/IPv4/UDP:4789/VXLAN frame, else None."""
    if len(data) < 14 + 20 + 8 + 8 + 14 or data[12:14] != b"\x08\x00" or data[23] != 17:
        return None
    ihl = (data[14] & 15) * 4
    udp = 14 + ihl
    if struct.unpack("!H", data[udp + 2:udp + 4])[0] != 4789 or not data[udp + 8] & 0x08:
        return None
    return data[udp + 16:]


def rewrite_for_ndpi(src, dst):
    """Copy a pcap for ndpiReader (see the module comment).  Returns how many frames changed."""
    changed = 0
    with pcapio.PcapWriter(dst) as out:
        for t, data, orig in pcapio.read_pcap(src):
            inner = vxlan_inner(data)
            if inner is not None:
                orig -= len(data) - len(inner)
                data = inner
                changed += 1
            if len(data) >= 14 and data[12:14] == b"\x88\xa8":
                data = data[:12] + b"\x81\x00" + data[14:]
                changed += 1
            out.write(t, data, orig)
    return changed


def run_ndpi(ndpi, pcap, workdir):
    feed = pcap
    tmp = os.path.join(workdir, os.path.basename(pcap))
    if rewrite_for_ndpi(pcap, tmp):
        feed = tmp
    out = os.path.join(workdir, os.path.basename(pcap) + ".csv")
    r = subprocess.run([ndpi, "-d", "-q", "-i", feed, "-C", out], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       text=True)
    if r.returncode != 0 or not os.path.exists(out):
        raise RuntimeError("ndpiReader failed on %s: %s" % (pcap, r.stderr.strip()[-400:]))
    rows = {}
    with open(out, newline="") as f:
        header = f.readline().lstrip("#").strip().split(",")
        for rec in csv.reader(f):
            row = dict(zip(header, rec))
            proto = {"6": "tcp", "17": "udp"}.get(row.get("protocol"), row.get("protocol"))
            key = (proto, row["src_ip"], int(row["src_port"]), row["dst_ip"], int(row["dst_port"]))
            rows[key] = row
    return rows


def label_ok(got, want):
    return got == want or got.startswith(want + ".")


UNKNOWN = "Unknown"  # truth label for flows DPI must not recognise (ndpiReader -d leaves them out)


def check(pcap, rows, verbose):
    truth = os.path.splitext(pcap)[0] + ".truth.tsv"
    passed = failed = 0
    problems = []
    if not os.path.exists(truth):
        return 0, 1, ["  %s missing" % os.path.basename(truth)]
    with open(truth) as f:
        for line in f:
            if not line.strip() or line.startswith("#"):
                continue
            l4, a, ap, b, bp, label, name = line.rstrip("\n").split("\t")
            ap, bp = int(ap), int(bp)
            row = rows.get((l4, a, ap, b, bp)) or rows.get((l4, b, bp, a, ap))
            flow = "%s %s:%d -> %s:%d" % (l4, a, ap, b, bp)
            if label == UNKNOWN:
                got_label = row.get("ndpi_proto", "") if row else UNKNOWN
                why = None if got_label == UNKNOWN else "label %s, expected no DPI match" % got_label
            elif row is None:
                why = "flow not reported by ndpiReader"
            else:
                got_label, got_name = row.get("ndpi_proto", ""), row.get("server_name_sni", "")
                why = None
                if not label_ok(got_label, label):
                    why = "label %s, expected %s" % (got_label, label)
                elif name and got_name != name:
                    why = "name %r, expected %r" % (got_name, name)
            if why:
                failed += 1
                problems.append("  %s (%s %s): %s" % (flow, label, name or "-", why))
            else:
                passed += 1
                if verbose:
                    print("  ok %s %s %s" % (flow, label, name))
    return passed, failed, problems


def main():
    ap = argparse.ArgumentParser(description="compare synthetic captures with ndpiReader's view of them")
    ap.add_argument("pcaps", nargs="+")
    ap.add_argument("--ndpi", default=os.environ.get("NDPIREADER", "ndpiReader"))
    ap.add_argument("--keep", help="keep ndpiReader CSV files in this directory")
    ap.add_argument("-v", "--verbose", action="store_true")
    a = ap.parse_args()
    if not shutil.which(a.ndpi):
        print("realism: %s not found (Debian package libndpi-bin)" % a.ndpi, file=sys.stderr)
        return 2
    work = a.keep or tempfile.mkdtemp(prefix="realism.")
    os.makedirs(work, exist_ok=True)
    total_p = total_f = 0
    try:
        for pcap in a.pcaps:
            rows = run_ndpi(a.ndpi, pcap, work)
            p, f, problems = check(pcap, rows, a.verbose)
            total_p += p
            total_f += f
            print("%s %s: %d flows match, %d differ" % ("PASS" if not f else "FAIL", os.path.basename(pcap), p, f))
            for line in problems[:40]:
                print(line)
            if len(problems) > 40:
                print("  ... and %d more" % (len(problems) - 40))
    finally:
        if not a.keep:
            shutil.rmtree(work, ignore_errors=True)
    print("%d passed, %d failed" % (total_p, total_f))
    return 1 if total_f else 0


if __name__ == "__main__":
    sys.exit(main())
