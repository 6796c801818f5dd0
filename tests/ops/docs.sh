#!/bin/sh
# The manual pages render cleanly (mandoc -Tlint, and no parenthesis in the rendered text left open, closed
# twice or nested inside another, which is what a misplaced Pq or Ql makes of a line), and every reference in
# the tree to a file of the tree resolves.
. "$(dirname "$0")/../lib.sh"
command -v mandoc >/dev/null || { echo "SKIP: mandoc not installed (Debian package mandoc)"; exit 77; }
for page in "$top_srcdir"/man/*.[58]; do
	name=$(basename "$page")
	out=$(mandoc -T lint -W warning "$page" 2>&1)
	[ -z "$out" ] && pass "$name: mandoc -Tlint clean" || fail "$name: mandoc -Tlint: $out"
	mandoc -T utf8 "$page" | col -b > "$TMP/$name.txt"
	"$PY" - "$TMP/$name.txt" > "$TMP/parens" <<'PYEOF'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
bad = 0
for para in re.split(r"\n\s*\n", text):
    flat = " ".join(para.split())
    # A cross-reference, name(5), is not an opening parenthesis.
    q = re.sub(r"[\w.-]+\(\d\)", "", flat)
    depth = top = 0
    for ch in q:
        depth += ch == "("
        depth -= ch == ")"
        top = max(top, depth)
        if depth < 0:
            break
    # A quote that swallowed the punctuation and words after it: '-: standard output'.
    swallowed = re.search(r"\u2018[^\w\s\u2019]{1,2}[:;,] [^\u2019]*\u2019", flat)
    if depth != 0 or top > 1 or swallowed:
        bad += 1
        print(f"  {flat[:160]}")
sys.exit(1 if bad else 0)
PYEOF
	if [ $? -eq 0 ]; then pass "$name: parentheses and quotes balanced in the rendered text"
	else fail "$name: rendered text with unbalanced or nested parentheses:
$(cat "$TMP/parens")"; fi
done
"$PY" "$top_srcdir/tests/ops/refs.py" "$top_srcdir" > "$TMP/refs" 2>&1 && pass "references: $(tail -n 1 "$TMP/refs")" ||
	fail "references that do not resolve:
$(cat "$TMP/refs")"
finish
