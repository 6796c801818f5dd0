#!/usr/bin/python3
"""Generate the scenario captures in pcaps/.

    /usr/bin/python3 tests/synth/synth.py --out pcaps [--seed N] [--only NAME ...] [-j JOBS]

For every scenario X it writes X.pcap, X.expect (what dcdnwatch must report) and X.truth.tsv
(flows and the protocol/name a DPI engine must see, for tests/scenarios/realism.sh).  Output
is a pure function of the seed: no wall clock, no unseeded randomness, no dependence on hash
ordering, so every run writes the same bytes."""
import argparse
import importlib
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import pcapio  # noqa: E402

DEFAULT_SEED = 20240226
SCENARIOS = ["meson-node", "meson-fleet-vxlan", "gaganode", "proxyware", "behaviour-node", "benign",
             "benign-autoscaling"]


def module_for(name):
    return importlib.import_module("scenarios." + name.replace("-", "_"))


def generate(name, seed, out):
    w, expect = module_for(name).build(seed)
    recs = w.cap.sorted_records()
    path = os.path.join(out, name + ".pcap")
    with pcapio.PcapWriter(path + ".tmp") as pw:
        for t, _seq, frame, wire in recs:
            pw.write(t, frame, wire)
    os.replace(path + ".tmp", path)
    with open(os.path.join(out, name + ".expect"), "w") as f:
        f.write(expect.text())
    with open(os.path.join(out, name + ".truth.tsv"), "w") as f:
        f.write("# Flows a DPI engine must label: l4, initiator, port, responder, port, label, name.\n")
        f.write("# label: TLS / DNS / HTTP / ... (ndpiReader may append .<app>); name: SNI, query or Host.\n")
        for row in w.cap.truth:
            f.write("\t".join(str(x) for x in row[:7]) + "\n")
    return name, len(recs), os.path.getsize(path), len(w.cap.truth)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=os.path.join(HERE, "..", "..", "pcaps"))
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--only", nargs="*", default=None, help="scenario names (default: all)")
    ap.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1)
    a = ap.parse_args()
    names = a.only or SCENARIOS
    for n in names:
        if n not in SCENARIOS:
            ap.error("unknown scenario %s (known: %s)" % (n, ", ".join(SCENARIOS)))
    os.makedirs(a.out, exist_ok=True)
    if a.jobs > 1 and len(names) > 1:
        import multiprocessing
        with multiprocessing.Pool(min(a.jobs, len(names))) as pool:
            results = pool.starmap(generate, [(n, a.seed, a.out) for n in names])
    else:
        results = [generate(n, a.seed, a.out) for n in names]
    for name, n, size, truth in results:
        print("%-20s %7d packets %9d bytes %5d truth flows" % (name, n, size, truth))


if __name__ == "__main__":
    main()
