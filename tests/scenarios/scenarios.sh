#!/bin/sh
# Every scenario in pcaps/ meets its expectations (pcaps/X.expect) and its golden alert stream
# (tests/scenarios/golden/X.jsonl; regenerate with run_scenarios.py --regen after a reviewed change).
. "$(dirname "$0")/../lib.sh"
DCDNWATCH="$DCDNWATCH" "$PY" "$top_srcdir/tests/scenarios/run_scenarios.py" \
	--pcaps "$top_srcdir/pcaps" --golden "$top_srcdir/tests/scenarios/golden"
