#!/usr/bin/env python3
"""Per-flow parity of dcdnwatch with ndpiReader, the reference reader built on the same nDPI.

For every capture given, run `ndpiReader -C` and `dcdnwatch --flows`, match flows by their unordered
5-tuple, and report:
  found   - share of ndpiReader's flows that dcdnwatch also reports
  labels  - share of matched flows with the same nDPI label and, where ndpiReader has one, the same name
Known differences of ndpiReader that are excluded, each for a stated reason:
  * flows to UDP 4789/6081: ndpiReader 4.2 does not decapsulate VXLAN/GENEVE; we report the inner flows
    and do not count the outer tunnel as anybody's traffic.
  * IP-in-IP / GRE outer flows (protocols 4, 41, 47): same reason, we report the inner flows.
Usage: parity.py [--min-found P] [--min-label P] [--verbose] PCAP...
"""
import csv, json, os, subprocess, sys, tempfile
from concurrent.futures import ThreadPoolExecutor

DCDN = os.environ.get("DCDNWATCH", "./src/dcdnwatch")
NDPI = os.environ.get("NDPIREADER", "ndpiReader")
PROTO = {"TCP": 6, "UDP": 17, "ICMP": 1, "IPv6-ICMP": 58}

def norm_ip(s):
    import ipaddress
    try:
        return str(ipaddress.ip_address(s))
    except ValueError:
        return s

def key(proto, a, pa, b, pb):
    x, y = (norm_ip(a), int(pa)), (norm_ip(b), int(pb))
    return (int(proto),) + (tuple(sorted([x, y])))

def excluded(k):
    proto, (a, pa), (b, pb) = k[0], k[1], k[2]
    if proto == 17 and (pa in (4789, 6081) or pb in (4789, 6081)):
        return "vxlan/geneve outer"
    if proto in (4, 41, 47):
        return "ip tunnel outer"
    return None

def run_ndpi(pcap, tmp):
    out = os.path.join(tmp, os.path.basename(pcap) + ".csv")
    subprocess.run([NDPI, "-q", "-i", pcap, "-C", out], stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, timeout=300)
    flows = {}
    if not os.path.exists(out):
        return flows
    with open(out, newline="", errors="replace") as f:
        rd = csv.reader(f)
        hdr = next(rd, None)
        if not hdr:
            return flows
        hdr[0] = hdr[0].lstrip("#")
        ix = {h: i for i, h in enumerate(hdr)}
        for row in rd:
            if len(row) < len(hdr) - 5:
                continue
            try:
                k = key(row[ix["protocol"]], row[ix["src_ip"]], row[ix["src_port"]],
                        row[ix["dst_ip"]], row[ix["dst_port"]])
            except (ValueError, KeyError):
                continue
            flows.setdefault(k, []).append((row[ix["ndpi_proto"]], row[ix["server_name_sni"]]))
    return flows

def run_dcdn(pcap):
    p = subprocess.run([DCDN, "-q", "--flows", "--set", "flow.active_timeout=0", "-r", pcap],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)
    flows = {}
    for line in p.stdout.decode("utf-8", "replace").splitlines():
        ev = json.loads(line)
        if ev.get("event_type") != "flow":
            continue
        proto = PROTO.get(ev["proto"], None)
        if proto is None:
            try:
                proto = int(ev["proto"])
            except ValueError:
                continue
        k = key(proto, ev["src_ip"], ev.get("src_port", 0), ev["dest_ip"], ev.get("dest_port", 0))
        name = (ev.get("tls", {}).get("sni") or ev.get("dns", {}).get("rrname")
                or ev.get("http", {}).get("hostname") or ev["ndpi"].get("hostname") or "")
        flows.setdefault(k, []).append((ev["app_proto"], name))
    return flows, p.returncode

def main():
    args = sys.argv[1:]
    min_found, min_label, verbose = 99.0, 98.0, False
    pcaps = []
    while args:
        a = args.pop(0)
        if a == "--min-found":
            min_found = float(args.pop(0))
        elif a == "--min-label":
            min_label = float(args.pop(0))
        elif a == "--verbose":
            verbose = True
        else:
            pcaps.append(a)
    tot = found = matched = same = 0
    excl = {}
    bad_rc = []
    with tempfile.TemporaryDirectory() as tmp, ThreadPoolExecutor(max_workers=2) as ex:
        res = list(ex.map(lambda p: (p, run_ndpi(p, tmp), run_dcdn(p)), pcaps))
    for pcap, nflows, (dflows, rc) in res:
        if rc != 0:
            bad_rc.append((pcap, rc))
        for k, recs in nflows.items():
            why = excluded(k)
            if why:
                excl[why] = excl.get(why, 0) + len(recs)
                continue
            tot += len(recs)
            drecs = dflows.get(k, [])
            if not drecs:
                if verbose:
                    print(f"missing  {os.path.basename(pcap)} {k} {recs[0]}")
                continue
            found += len(recs)
            for i, (lbl, name) in enumerate(recs):
                d = drecs[min(i, len(drecs) - 1)]
                matched += 1
                ok = d[0] == lbl and (not name or d[1] == name)
                # A flow split in several records in one reader may carry the label on any of them.
                if not ok:
                    ok = any(x[0] == lbl and (not name or x[1] == name) for x in drecs)
                if ok:
                    same += 1
                elif verbose:
                    print(f"label    {os.path.basename(pcap)} {k} ndpiReader={lbl!r}/{name!r} dcdnwatch={d[0]!r}/{d[1]!r}")
    pf = 100.0 * found / tot if tot else 100.0
    pl = 100.0 * same / matched if matched else 100.0
    print(f"parity: {len(pcaps)} captures, {tot} ndpiReader flows, found {found} ({pf:.2f}%), "
          f"same label and name {same}/{matched} ({pl:.2f}%)")
    for why, n in sorted(excl.items()):
        print(f"parity: excluded {n} ndpiReader flows: {why}")
    for p, rc in bad_rc:
        print(f"parity: dcdnwatch exited {rc} on {p}")
    ok = pf >= min_found and pl >= min_label and not bad_rc
    print("parity: " + ("PASS" if ok else f"FAIL (need found >= {min_found}%, labels >= {min_label}%)"))
    return 0 if ok else 1

if __name__ == "__main__":
    sys.exit(main())
