#!/usr/bin/python3
"""Replay every scenario capture through dcdnwatch and check its alerts against the
expectations next to the capture (pcaps/X.expect) and the golden alert stream
(tests/scenarios/golden/X.jsonl).

    run_scenarios.py [--regen] [--pcaps DIR] [--golden DIR] [-v] [SCENARIO ...]

SCENARIO is a name (meson-node), a capture or an .expect path; default: every pcaps/*.expect.
The binary is $DCDNWATCH (default ./src/dcdnwatch), run as
    $DCDNWATCH -r pcaps/X.pcap [arguments of the scenario's "options" lines]
and expected to print one JSON event per line on stdout.

Expectation lines (full description in pcaps/README.md):
    options ARG ...
    flag HOST families=F1[,F2] [detectors=D1[,D2]] start=RFC3339 within=SECONDS
    clean HOST|CIDR
    fleet families=F[,F2] [min_hosts=N]
An alert is "about" a host when its "host" is that address or its "hosts" list (fleet and
new_hosts alerts) names it.

Every expectation prints one PASS or FAIL line; the golden comparison prints one more per
scenario.  The run ends with "N passed, N failed" and exits 1 if anything failed.  --regen
rewrites the golden files from this run instead of comparing them."""
import argparse
import datetime
import difflib
import ipaddress
import json
import os
import shlex
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))

# Alert keys of the event contract (dcdnwatch(8), EVENTS), in contract order.  Golden files keep
# only these, so an extra diagnostic key in the output does not churn them.
ALERT_KEYS = ["timestamp", "event_type", "host", "family", "detector", "severity", "score", "summary",
              "evidence", "hosts_count", "hosts", "vlan", "tunnel"]
FAMILIES = {"meson", "gaganode", "earnapp", "honeygain", "pawns", "packetstream", "traffmonetizer", "peer2profit",
            "repocket", "proxyrack", "mysterium", "grass", "titan", "saturn", "storj", "theta", "aethir",
            "unknown-dcdn", "unknown-proxyware"}
DETECTORS = {"signature", "node_profile", "baseline", "beacon", "relay", "fleet", "new_hosts", "outbound_policy",
             "zone_policy"}
RUN_TIMEOUT = int(os.environ.get("SCENARIO_TIMEOUT", "900"))


class ExpectError(Exception):
    pass


def parse_time(text):
    """RFC 3339 UTC ('Z' or +00:00), with or without fractional seconds -> aware datetime."""
    t = text.strip()
    if t.endswith("Z") or t.endswith("z"):
        t = t[:-1] + "+00:00"
    if "." in t:
        head, rest = t.split(".", 1)
        frac = rest[:len(rest) - len(rest.lstrip("0123456789"))]
        tz = rest[len(frac):]
        t = "%s.%s%s" % (head, (frac + "000000")[:6], tz)
    d = datetime.datetime.fromisoformat(t)
    if d.tzinfo is None:
        raise ValueError("no time zone in %r" % text)
    return d.astimezone(datetime.timezone.utc)


def fmt_time(d):
    return d.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_expect(path):
    """Return (options, expectations) where each expectation is a dict with kind, text, line."""
    options, exps = [], []
    with open(path) as f:
        for lineno, raw in enumerate(f, 1):
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            where = "%s:%d" % (os.path.basename(path), lineno)
            words = line.split()
            kind, args = words[0], words[1:]
            try:
                if kind == "options":
                    options += shlex.split(line[len("options"):])
                    continue
                kv, pos = {}, []
                for a in args:
                    if "=" in a:
                        k, v = a.split("=", 1)
                        kv[k] = v
                    else:
                        pos.append(a)
                if kind == "flag":
                    if len(pos) != 1:
                        raise ExpectError("flag needs exactly one HOST")
                    ipaddress.ip_address(pos[0])
                    for k in ("families", "start", "within"):
                        if k not in kv:
                            raise ExpectError("flag needs %s=" % k)
                    unknown = set(kv) - {"families", "detectors", "start", "within"}
                    if unknown:
                        raise ExpectError("unknown key(s) %s" % ",".join(sorted(unknown)))
                    e = {"kind": "flag", "host": pos[0], "families": kv["families"].split(","),
                         "detectors": kv["detectors"].split(",") if "detectors" in kv else None,
                         "start": parse_time(kv["start"]), "within": float(kv["within"])}
                    e["text"] = "flag %s %s%s" % (pos[0], ",".join(e["families"]),
                                                  (" " + ",".join(e["detectors"])) if e["detectors"] else "")
                elif kind == "clean":
                    if len(pos) != 1 or kv:
                        raise ExpectError("clean takes exactly one HOST or CIDR")
                    net = ipaddress.ip_network(pos[0], strict=False)
                    e = {"kind": "clean", "net": net, "text": "clean %s" % pos[0]}
                elif kind == "fleet":
                    if pos or "families" not in kv or set(kv) - {"families", "min_hosts"}:
                        raise ExpectError("fleet takes families=F[,F2] [min_hosts=N]")
                    e = {"kind": "fleet", "families": kv["families"].split(","),
                         "min_hosts": int(kv.get("min_hosts", "2"))}
                    e["text"] = "fleet %s min_hosts=%d" % (",".join(e["families"]), e["min_hosts"])
                else:
                    raise ExpectError("unknown directive %r" % kind)
            except (ValueError, ExpectError) as ex:
                raise ExpectError("%s: %s" % (where, ex))
            for fam in e.get("families") or []:
                if fam not in FAMILIES:
                    raise ExpectError("%s: unknown family %r" % (where, fam))
            for det in e.get("detectors") or []:
                if det not in DETECTORS:
                    raise ExpectError("%s: unknown detector %r" % (where, det))
            e["line"] = where
            exps.append(e)
    return options, exps


def run_dcdnwatch(binary, pcap, options):
    """Run the binary; return (alerts, problem).  problem is None or a one-line reason."""
    cmd = [binary, "-r", pcap] + options
    try:
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=RUN_TIMEOUT)
    except FileNotFoundError:
        return [], "%s not found (set DCDNWATCH)" % binary
    except PermissionError:
        return [], "%s is not executable" % binary
    except subprocess.TimeoutExpired:
        return [], "dcdnwatch did not finish within %d s" % RUN_TIMEOUT
    err = r.stderr.decode("utf-8", "replace").strip().splitlines()
    if r.returncode != 0:
        return [], "dcdnwatch exited %d%s" % (r.returncode, (": " + err[-1][:200]) if err else "")
    alerts = []
    for n, line in enumerate(r.stdout.decode("utf-8", "replace").splitlines(), 1):
        if not line.strip():
            continue
        try:
            ev = json.loads(line)
        except ValueError:
            return [], "stdout line %d is not JSON: %s" % (n, line[:80])
        if not isinstance(ev, dict):
            return [], "stdout line %d is not a JSON object" % n
        if ev.get("event_type") == "alert":
            try:
                ev["_t"] = parse_time(ev["timestamp"])
            except (KeyError, ValueError, TypeError):
                return [], "stdout line %d: alert without a valid RFC 3339 timestamp" % n
            alerts.append(ev)
    return alerts, None


def about(alert, net):
    """Does the alert concern an address in net (an ip_network)?"""
    addrs = []
    if alert.get("host"):
        addrs.append(alert["host"])
    if isinstance(alert.get("hosts"), list):
        addrs += [h for h in alert["hosts"] if isinstance(h, str)]
    for a in addrs:
        try:
            ip = ipaddress.ip_address(a)
        except ValueError:
            continue
        if ip.version == net.version and ip in net:
            return True
    return False


def name(v):
    return "null" if v is None else str(v)


def short(alert):
    return "%s/%s on %s at %s" % (name(alert.get("family")), name(alert.get("detector")), alert.get("host"),
                                  alert.get("timestamp"))


def check_flag(e, alerts):
    net = ipaddress.ip_network(e["host"])
    mine = [a for a in alerts if about(a, net)]
    if not mine:
        return "no alert"
    good = [a for a in mine if a.get("family") in e["families"] and
            (e["detectors"] is None or a.get("detector") in e["detectors"])]
    if not good:
        got = sorted({"%s/%s" % (name(a.get("family")), name(a.get("detector"))) for a in mine})
        return "got families [%s]" % ", ".join(got)
    deadline = e["start"] + datetime.timedelta(seconds=e["within"])
    first = min(good, key=lambda a: a["_t"])
    if first["_t"] > deadline:
        return "too late: first at %s, deadline %s" % (first["timestamp"], fmt_time(deadline))
    return None


def check_clean(e, alerts):
    bad = [a for a in alerts if a.get("family") is not None and about(a, e["net"])]
    if bad:
        more = " and %d more" % (len(bad) - 3) if len(bad) > 3 else ""
        return "got %s%s" % ("; ".join(short(a) for a in bad[:3]), more)
    return None


def check_fleet(e, alerts):
    fleet = [a for a in alerts if a.get("detector") == "fleet"]
    if not fleet:
        return "no fleet alert"
    fam = [a for a in fleet if a.get("family") in e["families"]]
    if not fam:
        return "got fleet families [%s]" % ", ".join(sorted({name(a.get("family")) for a in fleet}))
    best = max(int(a.get("hosts_count") or 0) for a in fam)
    if best < e["min_hosts"]:
        return "hosts_count %d < %d" % (best, e["min_hosts"])
    return None


CHECKS = {"flag": check_flag, "clean": check_clean, "fleet": check_fleet}


def golden_lines(alerts):
    out = []
    for a in alerts:
        g = {k: a[k] for k in ALERT_KEYS if k in a}
        out.append(json.dumps(g, sort_keys=False, separators=(",", ":"), ensure_ascii=False))
    return out


def compare_golden(path, lines):
    with open(path, encoding="utf-8") as f:
        want = [l.rstrip("\n") for l in f if l.strip()]
    if want == lines:
        return None
    diff = list(difflib.unified_diff(want, lines, "golden", "this run", n=0, lineterm=""))
    shown = [d[:160] for d in diff[2:] if not d.startswith("@@")][:6]
    return "golden differs (%d alerts expected, %d got): %s" % (len(want), len(lines), " | ".join(shown))


def resolve(names, pcaps):
    if not names:
        return sorted(os.path.join(pcaps, f) for f in os.listdir(pcaps) if f.endswith(".expect"))
    out = []
    for n in names:
        base = os.path.basename(n)
        for suffix in (".expect", ".pcap"):
            if base.endswith(suffix):
                base = base[:-len(suffix)]
        d = os.path.dirname(n) if os.path.dirname(n) else pcaps
        out.append(os.path.join(d, base + ".expect"))
    return out


def main():
    ap = argparse.ArgumentParser(description="check dcdnwatch's alerts on the scenario captures")
    ap.add_argument("scenarios", nargs="*")
    ap.add_argument("--pcaps", default=os.path.join(ROOT, "pcaps"))
    ap.add_argument("--golden", default=os.path.join(HERE, "golden"))
    ap.add_argument("--regen", action="store_true", help="rewrite the golden files from this run")
    ap.add_argument("-v", "--verbose", action="store_true", help="print every alert")
    a = ap.parse_args()
    binary = os.environ.get("DCDNWATCH", "./src/dcdnwatch")
    passed = failed = 0

    def report(ok, scenario, text, why=None):
        nonlocal passed, failed
        if ok:
            passed += 1
            print("PASS %s: %s" % (scenario, text))
        else:
            failed += 1
            print("FAIL %s: %s (why: %s)" % (scenario, text, why))

    for exp_path in resolve(a.scenarios, a.pcaps):
        scenario = os.path.basename(exp_path)[:-len(".expect")]
        pcap = exp_path[:-len(".expect")] + ".pcap"
        try:
            options, exps = parse_expect(exp_path)
        except (OSError, ExpectError) as ex:
            report(False, scenario, "expectations", str(ex))
            continue
        if not os.path.exists(pcap):
            report(False, scenario, "capture", "%s missing" % pcap)
            continue
        alerts, problem = run_dcdnwatch(binary, pcap, options)
        if a.verbose:
            for al in alerts:
                print("  alert %s %s" % (short(al), al.get("summary", "")))
        for e in exps:
            why = problem or CHECKS[e["kind"]](e, alerts)
            report(why is None, scenario, e["text"], why)
        gpath = os.path.join(a.golden, scenario + ".jsonl")
        if problem:
            report(False, scenario, "golden", problem)
        elif not a.regen and not os.path.exists(gpath):
            failed += 1
            print("FAIL %s: golden missing (run with --regen)" % scenario)
        elif a.regen:
            os.makedirs(a.golden, exist_ok=True)
            lines = golden_lines(alerts)
            with open(gpath, "w", encoding="utf-8") as f:
                f.write("".join(l + "\n" for l in lines))
            print("REGEN %s: golden (%d alerts) written to %s" % (scenario, len(lines), os.path.relpath(gpath)))
        else:
            why = compare_golden(gpath, golden_lines(alerts))
            report(why is None, scenario, "golden (%d alerts)" % len(alerts), why)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
