#!/usr/bin/python3
"""Self-test of run_scenarios.py against a stand-in for dcdnwatch.

The stand-in (selftest/fake-dcdnwatch) prints a canned event file chosen by the capture's
name, so every branch of the harness can be exercised without the real binary:

    /usr/bin/python3 tests/scenarios/selftest.py

It also parses every pcaps/*.expect and checks that no clean line covers a flagged host.
Exit status 0 when everything is as expected."""
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = os.path.join(HERE, "selftest")

EXPECTED = """\
FAIL bad-exit: flag 10.0.0.5 meson (why: dcdnwatch exited 1: fake: cannot read capture)
FAIL bad-exit: golden (why: dcdnwatch exited 1: fake: cannot read capture)
FAIL bad-json: clean 10.0.0.0/8 (why: stdout line 2 is not JSON: progress: 50%)
FAIL bad-json: golden (why: stdout line 2 is not JSON: progress: 50%)
PASS mixed: flag 10.0.0.5 meson
FAIL mixed: flag 10.0.0.6 meson (why: got families [earnapp/signature, null/baseline])
FAIL mixed: flag 10.0.0.7 unknown-dcdn (why: too late: first at 2024-02-26T20:40:00.000000Z, deadline 2024-02-26T20:37:00.000000Z)
FAIL mixed: flag 10.0.0.8 meson (why: no alert)
PASS mixed: flag 10.0.0.9 meson,gaganode node_profile
FAIL mixed: flag 10.0.0.10 meson signature (why: got families [meson/node_profile])
PASS mixed: clean 10.0.0.20
FAIL mixed: clean 10.0.0.6 (why: got earnapp/signature on 10.0.0.6 at 2024-02-26T20:35:00.000000Z)
FAIL mixed: clean 10.0.1.0/24 (why: got meson/fleet on 10.0.0.5 at 2024-02-26T20:36:00.000000Z)
PASS mixed: clean fd00::/8
PASS mixed: fleet meson min_hosts=2
FAIL mixed: fleet meson min_hosts=5 (why: hosts_count 3 < 5)
FAIL mixed: fleet gaganode min_hosts=2 (why: got fleet families [meson])
FAIL mixed: golden missing (run with --regen)
FAIL parse-error: expectations (why: parse-error.expect:3: unknown family 'mesonn')
5 passed, 14 failed
"""

REGEN_THEN = """\
PASS mixed: golden (8 alerts)
"""


def run(args, env):
    r = subprocess.run([sys.executable, os.path.join(HERE, "run_scenarios.py")] + args, env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return r.returncode, r.stdout


def main():
    tmp = tempfile.mkdtemp(prefix="scenario-selftest.")
    try:
        pcaps = os.path.join(tmp, "pcaps")
        shutil.copytree(CASES, pcaps)
        for f in os.listdir(pcaps):
            if f.endswith(".expect"):
                open(os.path.join(pcaps, f[:-7] + ".pcap"), "wb").close()
        golden = os.path.join(tmp, "golden")
        env = dict(os.environ, DCDNWATCH=os.path.join(pcaps, "fake-dcdnwatch"))
        ok = True
        rc, out = run(["--pcaps", pcaps, "--golden", golden], env)
        if out != EXPECTED or rc != 1:
            ok = False
            print("unexpected output (exit %d):\n%s" % (rc, out))
            import difflib
            print("".join(difflib.unified_diff(EXPECTED.splitlines(True), out.splitlines(True), "expected", "got")))
        rc, out = run(["--pcaps", pcaps, "--golden", golden, "--regen", "mixed"], env)
        if "REGEN mixed: golden (8 alerts)" not in out:
            ok = False
            print("regen failed:\n" + out)
        rc, out = run(["--pcaps", pcaps, "--golden", golden, "mixed"], env)
        if REGEN_THEN not in out:
            ok = False
            print("golden not matched after regen:\n" + out)
        with open(os.path.join(golden, "mixed.jsonl")) as f:
            lines = f.readlines()
        if any('"_t"' in l or '"extra"' in l for l in lines):
            ok = False
            print("golden keeps non-contract keys")
        with open(os.path.join(golden, "mixed.jsonl"), "w") as f:
            f.writelines(lines[:-1])
        rc, out = run(["--pcaps", pcaps, "--golden", golden, "mixed"], env)
        if "FAIL mixed: golden (8 alerts) (why: golden differs (7 alerts expected, 8 got)" not in out or rc != 1:
            ok = False
            print("golden difference not reported:\n" + out)
        # every real expectation file must parse, name known families, and flag only hosts
        # that its clean lines leave alone
        sys.path.insert(0, HERE)
        import ipaddress
        import run_scenarios
        pdir = os.path.join(HERE, "..", "..", "pcaps")
        for f in sorted(os.listdir(pdir)):
            if not f.endswith(".expect"):
                continue
            try:
                _, exps = run_scenarios.parse_expect(os.path.join(pdir, f))
            except run_scenarios.ExpectError as ex:
                ok = False
                print("pcaps/%s: %s" % (f, ex))
                continue
            flagged = [ipaddress.ip_address(e["host"]) for e in exps if e["kind"] == "flag"]
            for e in exps:
                if e["kind"] == "clean" and any(h in e["net"] for h in flagged):
                    ok = False
                    print("pcaps/%s: %s covers a flagged host" % (f, e["text"]))
        print("%d passed, %d failed" % (1 if ok else 0, 0 if ok else 1))
        return 0 if ok else 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
