#!/usr/bin/env bash
# Verify after every write (issue 19): a simulated Windows that answers "done"
# and drops a write ([machine] ignores) gets the fix put back, the journal
# entry rolled back with what was read, and the person told plainly.
# Usage: run_verify_tests.sh L2TPFIX SCENARIO_DIR  (UPDATE_GOLDEN=1 rewrites the golden)
set -u
L2TPFIX=$1
SCENARIOS=$2
GOLDEN=$(dirname "$0")/golden
fail_detail() { head -20 "$OUT" | sed 's/^/    out: /'; }
. "$(dirname "$0")/lib_work.sh" verify
OUT=$WORK/out
run() { # run EXPECTED_EXIT args...: stdout and stderr both into $OUT
    local want=$1; shift
    "$L2TPFIX" "$@" >"$OUT" 2>&1 </dev/null
    local rc=$?
    if [ "$rc" -ne "$want" ]; then bad "l2tpfix $* exited $rc, want $want"; return 1; fi
    ok
}
has() { if grep -qE -- "$2" "$1"; then ok; else bad "$3: no match for /$2/"; fi; }

# classic-789 on a machine that drops the LCP extensions write
sed '0,/^behind_nat = no$/s//behind_nat = no\nignores = LcpExtensions/' \
    "$SCENARIOS/classic-789.ini" >"$WORK/s.ini"
m=(--mock "$WORK/s.ini" --state-dir "$WORK/st")
run 1 "${m[@]}" fix all --yes
cp "$OUT" "$WORK/seen"
run 0 "${m[@]}" history
# times vary from run to run: the rest is the golden
sed -E 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z/TIME/' "$OUT" >>"$WORK/seen"
if [ -n "${UPDATE_GOLDEN:-}" ]; then cp "$WORK/seen" "$GOLDEN/verify-not-taken.txt"; fi
if diff -u "$GOLDEN/verify-not-taken.txt" "$WORK/seen" >"$WORK/diff"; then ok; else
    bad "verify-not-taken: differs from the golden"
    head -30 "$WORK/diff"
fi
has "$WORK/s.ini" '^LcpExtensions = 0$' "the dropped setting is as it was"
has "$WORK/s.ini" '^AuthRestrictions = 512$' "the fix the machine took stays applied"
run 0 "${m[@]}" history --json
tr -d ' \n\t' <"$OUT" >"$WORK/flat.json"
has "$WORK/flat.json" '"fix":"lcp-extensions","state":"rolled-back","note":"Windowsdidnottakethechange:OfficeVPN:LcpExtensionsreads0afterl2tpfixwrote1;' \
    "history json: rolled back with what was read"
# nothing of a rolled-back entry is left to undo: undo takes the applied one
run 0 "${m[@]}" undo --yes
has "$OUT" 'mschapv2' "undo passes over the rolled-back entry"

# selftest on the mock: every item answered with the scenario's values, marked simulated
run 0 --demo selftest
if [ -n "${UPDATE_GOLDEN:-}" ]; then cp "$OUT" "$GOLDEN/selftest-demo.txt"; fi
if diff -u "$GOLDEN/selftest-demo.txt" "$OUT" >"$WORK/diff"; then ok; else
    bad "selftest-demo: differs from the golden"
    head -30 "$WORK/diff"
fi
run 0 --demo=update-2022 selftest --redact --out "$WORK/rep"
has "$OUT" "^Written: $WORK/rep/selftest.txt and $WORK/rep/selftest.json\$" "selftest --out names its files"
has "$WORK/rep/selftest.txt" '^os-build +simulated +OS build 19044\.1466 \(\[machine\] os_build\)$' \
    "selftest: the scenario's OS build, as the mock's"
python3 - "$WORK/rep/selftest.json" <<'PY' && ok || bad "selftest JSON: $(head -c 400 "$WORK/rep/selftest.json")"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["redacted"] is True and len(r["items"]) == 7, r
assert all(i["verdict"] == "simulated" and i["evidence"] for i in r["items"]), r
PY
run 2 --demo check --redact
has "$OUT" '^l2tpfix: --redact is an option of selftest, not of check$' "--redact belongs to selftest"

echo "verify: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
