#!/usr/bin/python3
"""Check a --metrics-file against the run's last stats event, with Prometheus's own parser.

usage: metrics.py METRICS EVENTS [backend]

The file must parse (prometheus_client.parser, Debian's python3-prometheus-client), every family must have
HELP and TYPE, counters must end in _total, and the samples must equal the last stats event's figures.
"""
import json
import sys

try:
    from prometheus_client.parser import text_string_to_metric_families
except ImportError:
    print("SKIP: python3-prometheus-client is not installed")
    sys.exit(77)


def main():
    path, events = sys.argv[1], sys.argv[2]
    backend = sys.argv[3] if len(sys.argv) > 3 else None
    text = open(path).read()
    bad = []
    fams = {}
    for fam in text_string_to_metric_families(text):
        fams[fam.name] = fam
    helps = {l.split()[2] for l in text.splitlines() if l.startswith("# HELP ")}
    types = {l.split()[2]: l.split()[3] for l in text.splitlines() if l.startswith("# TYPE ")}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name = line.split("{")[0].split(" ")[0]
            if name not in types:
                bad.append(f"{name}: no TYPE line")
    for name, typ in types.items():
        if typ == "counter" and not name.endswith("_total"):
            bad.append(f"{name}: a counter not named *_total")
        if typ != "untyped" and name not in helps:
            bad.append(f"{name}: no HELP line")

    def value(name, **labels):
        fam = fams.get(name[:-6] if name.endswith("_total") else name) or fams.get(name)
        if fam is None:
            return None
        for s in fam.samples:
            if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
                return s.value
        return None

    stats = None
    for line in open(events):
        ev = json.loads(line)
        if ev.get("event_type") == "stats":
            stats = ev["stats"]
    if stats is None:
        bad.append("no stats event in the events")
        stats = {}
    want = [
        ("dcdnwatch_packets_total", {}, stats.get("packets")),
        ("dcdnwatch_bytes_total", {}, stats.get("bytes")),
        ("dcdnwatch_decoded_packets_total", {}, stats.get("decoder", {}).get("ok")),
        ("dcdnwatch_flows_created_total", {}, stats.get("flows", {}).get("created")),
        ("dcdnwatch_flows_expired_total", {}, stats.get("flows", {}).get("expired")),
        ("dcdnwatch_flows_evicted_total", {}, stats.get("flows", {}).get("evicted")),
        ("dcdnwatch_flows_active", {}, stats.get("flows", {}).get("active")),
        ("dcdnwatch_ndpi_packets_total", {}, stats.get("ndpi_packets")),
        ("dcdnwatch_kernel_drops_total", {}, stats.get("capture", {}).get("kernel_drops")),
        ("dcdnwatch_interface_drops_total", {}, stats.get("capture", {}).get("interface_drops")),
        ("dcdnwatch_output_errors_total", {}, stats.get("output_errors")),
        ("dcdnwatch_hosts_tracked", {}, stats.get("hosts", {}).get("tracked")),
        ("dcdnwatch_hosts_dropped_total", {}, stats.get("hosts", {}).get("dropped")),
        ("dcdnwatch_store_errors_total", {}, stats.get("store", {}).get("errors")),
        ("dcdnwatch_store_reconnects_total", {}, stats.get("store", {}).get("reconnects")),
        ("dcdnwatch_store_queue_depth", {}, stats.get("store", {}).get("queued")),
    ]
    for k, v in stats.get("decoder", {}).items():
        if k not in ("ok", "fragments_accounted", "fragments_orphaned"):
            want.append(("dcdnwatch_decode_errors_total", {"reason": k}, v))
    for k, v in stats.get("alerts", {}).items():
        if k not in ("suppressed", "unrecorded"):
            want.append(("dcdnwatch_alerts_total", {"detector": k}, v))
    for name, labels, v in want:
        got = value(name, **labels)
        if v is None or got is None or got != v:
            bad.append(f"{name}{labels or ''}: metrics {got}, stats event {v}")
    if backend and value("dcdnwatch_info", store=backend) != 1:
        bad.append(f"dcdnwatch_info: no store=\"{backend}\"")
    for b in bad:
        print(b)
    alerts = sum(v for k, v in stats.get("alerts", {}).items() if k not in ("suppressed", "unrecorded"))
    print(f"{len(fams)} families, {len(want)} samples compared with the stats event "
          f"({stats.get('packets')} packets, {alerts} alerts), {len(bad)} wrong")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
