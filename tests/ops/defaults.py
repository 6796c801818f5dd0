#!/usr/bin/python3
"""The defaults the documentation gives are the program's own.

usage: defaults.py DUMP dcdnwatch.8 dcdnwatch.conf.5 dcdnwatch.conf

DUMP is `dcdnwatch --dump-config -c /dev/null`.  Checked:
  dcdnwatch.conf.5  every key has an `.It Cm KEY Pq DEFAULT` entry equal to the dump;
  dcdnwatch.8       every key written `Cm KEY` followed by a parenthesised value (on the same line after
                    Pq or No, or at the start of the next line) has the dump's value;
  dcdnwatch.conf    every key appears as `#KEY = VALUE` with the dump's value (the file claims so).
"""
import re
import sys

UNITS = {"k": 1000, "M": 1000000, "G": 1000000000}


def norm(text):
    """A documented value as the dump writes it: numbers bare, strings unquoted."""
    t = text.strip().strip('"')
    if t in ("empty", ""):
        return ""
    m = re.fullmatch(r"([0-9]+)\s*([kMG]B?|%|s|ms|bytes)?", t)
    if m:
        n = int(m.group(1))
        u = (m.group(2) or "")[:1]
        return str(n * UNITS.get(u, 1)) if u in UNITS else str(n)
    return t


def main():
    dump, man8, man5, example = sys.argv[1:5]
    want = {}
    for line in open(dump):
        m = re.match(r"^([a-z0-9_.]+) = (.*)$", line.rstrip("\n"))
        if m:
            want[m.group(1)] = m.group(2).strip('"')
    bad = []
    checked = 0

    # dcdnwatch.conf.5: the KEYS list.
    seen = set()
    for line in open(man5):
        m = re.match(r"^\.It Cm ([a-z0-9_.]+) Pq (.*)$", line.rstrip("\n"))
        if not m or m.group(1) not in want:
            continue
        key, val = m.group(1), norm(m.group(2))
        seen.add(key)
        checked += 1
        if val != want[key]:
            bad.append(f"dcdnwatch.conf.5: {key} documented as '{val}', is '{want[key]}'")
    for key in want:
        if key not in seen:
            bad.append(f"dcdnwatch.conf.5: {key} has no '.It Cm {key} Pq DEFAULT' entry")

    # dcdnwatch.8: defaults wherever a key is followed by one in parentheses.
    lines = open(man8).read().split("\n")
    for i, line in enumerate(lines):
        for m in re.finditer(r"Cm ([a-z0-9_]+\.[a-z0-9_.]+|home_net)\b(.*)", line):
            key, rest = m.group(1), m.group(2)
            if key not in want:
                bad.append(f"dcdnwatch.8:{i + 1}: unknown key {key}")
                continue
            val = None
            p = re.match(r"\s*(?:Pq|No \(|\()\s*([^,()]+?)\s*(?:\)|,|$)", rest)
            if p and not re.match(r"\s*Pq\s+(Cm|Xr)", rest):
                val = p.group(1)
            elif rest.strip() in ("", ",") and i + 1 < len(lines):
                q = re.match(r"^\(([^()]+)\)", lines[i + 1])
                if q:
                    val = q.group(1)
            if val is None:
                continue
            first = val.split(",")[0].strip()
            if not re.match(r"^[0-9]", first) and first not in ("true", "false"):
                continue
            checked += 1
            if norm(first) != want[key]:
                bad.append(f"dcdnwatch.8:{i + 1}: {key} documented as '{first}', is '{want[key]}'")

    # The example file lists every key at its default.
    seen = set()
    for n, line in enumerate(open(example), 1):
        m = re.match(r"^#\s?([a-z0-9_.]+) = (.*?)\s*(?:\s#.*)?$", line)
        if not m or m.group(1) not in want:
            continue
        key, val = m.group(1), norm(m.group(2))
        seen.add(key)
        checked += 1
        if val != want[key]:
            bad.append(f"dcdnwatch.conf:{n}: {key} shown as '{val}', is '{want[key]}'")
    for key in want:
        if key not in seen:
            bad.append(f"dcdnwatch.conf: {key} is not listed")

    for b in bad:
        print(b)
    print(f"{checked} documented defaults checked against {len(want)} keys, {len(bad)} wrong")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
