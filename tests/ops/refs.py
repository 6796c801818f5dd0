#!/usr/bin/python3
"""Every reference in the tree to a file of the tree resolves.

usage: refs.py TOP

Two kinds of reference are checked:
  * in every text file, a path under one of the tree's top directories (src/..., tests/..., pcaps/...,
    man/..., signatures/..., etc/..., doc/...) or under shared/, the directory beside the tree that no
    clone has;
  * in Markdown files, a file name in backquotes (`catalog.py`), relative to the file's own directory or
    to the top.
A path may hold a shell pattern (pcaps/*.expect); a placeholder (X.pcap, FILE, NAME) is not a reference;
a path on a line that names another repository (github.com/...) is that repository's.
"""
import glob
import os
import re
import sys

TOPDIRS = ("src", "tests", "pcaps", "man", "signatures", "etc", "doc", "shared", "m4", ".ci")
EXTS = (".md", ".c", ".h", ".py", ".sh", ".pcap", ".pcapng", ".sig", ".tsv", ".expect", ".jsonl", ".conf",
        ".5", ".8", ".in", ".txt", ".json")
SKIPDIRS = {".git", "build", "build-san", "autom4te.cache", "__pycache__", "corpus", "build-aux", "m4"}
# Signature files, the golden alerts that quote them and the indicators they come from cite paths in the
# vendors' repositories.
SKIPPATHS = ("signatures/", "tests/scenarios/golden/", "doc/dcdn-indicators.md")
KINDS = (".md", ".c", ".h", ".py", ".sh", ".5", ".8", ".conf", ".in", ".logrotate")
BUILT = {"src/dcdnwatch", "src/libdcdnwatch.a", "etc/dcdnwatch.service"}
PATH_RE = re.compile(r"(?<![\w/.-])((?:%s)/[A-Za-z0-9_.*/-]*[A-Za-z0-9_*/])" % "|".join(re.escape(d) for d in TOPDIRS))
TICK_RE = re.compile(r"`([^`\n]+)`")


def placeholder(p):
    base = os.path.basename(p.rstrip("/"))
    return bool(re.match(r"^(X|N|NAME|FILE|DIR|PATH)(\.|$)", base)) or "/X." in p or "<" in p


def resolves(p, *dirs):
    # A program the build makes is named after its source: tests/unit/test_flow is tests/unit/test_flow.c.
    tries = [p] if "." in os.path.basename(p) or p.endswith("/") else [p, p + ".c", p + ".sh"]
    for d in dirs:
        for t in tries:
            full = os.path.normpath(os.path.join(d, t))
            if glob.glob(full) or os.path.exists(full):
                return True
    return False


def text_files(top):
    for root, dirs, files in os.walk(top):
        dirs[:] = [d for d in dirs if d not in SKIPDIRS and not d.startswith("build")]
        for f in files:
            path = os.path.join(root, f)
            rel = os.path.relpath(path, top)
            if not f.endswith(KINDS) or rel.startswith(SKIPPATHS) or f in ("Makefile.in", "configure"):
                continue
            try:
                with open(path, encoding="utf-8") as fp:
                    yield path, fp.read()
            except (UnicodeDecodeError, OSError):
                continue


def main():
    top = os.path.abspath(sys.argv[1])
    bad, n = [], 0
    for path, text in text_files(top):
        rel = os.path.relpath(path, top)
        here = os.path.dirname(path)
        for lineno, line in enumerate(text.split("\n"), 1):
            if "github.com/" in line or "://" in line:
                continue
            refs = set(m.group(1) for m in PATH_RE.finditer(line))
            if rel.endswith(".md"):
                for m in TICK_RE.finditer(line):
                    for word in m.group(1).split():
                        if ("/" not in word and word.endswith(EXTS) and re.match(r"^[\w*-][\w.*-]*$", word)):
                            refs.add(word)
            for r in refs:
                r = r.rstrip(".,;:)")
                if placeholder(r) or r in BUILT or r.startswith(tuple(b + "/" for b in BUILT)):
                    continue
                n += 1
                if not resolves(r, top, here):
                    bad.append(f"{rel}:{lineno}: {r} is not in the tree")
    for b in bad:
        print(b)
    print(f"{n} references checked, {len(bad)} do not resolve")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
