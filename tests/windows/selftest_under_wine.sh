#!/usr/bin/env bash
# `l2tpfix selftest` on the live backend under Wine (issue 19): every item is
# asked and answered, each marked "wine" (Wine's rasapi32 is a stub, its log
# holds no RasClient event, it runs everything elevated), with what Wine gave;
# the text and JSON are written to --out, and --redact is taken.
# Usage: selftest_under_wine.sh WINE L2TPFIX_EXE
set -u
wine=$1 exe=$2
failed=0 passed=0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL: $*"; }
"$wine" "$exe" selftest --redact --out 'Z:'"$work"'\out' >"$work/stdout" 2>&1 </dev/null; rc=$?
[ "$rc" -eq 0 ] && ok || bad "selftest exited $rc: $(head -5 "$work/stdout")"
[ -s "$work/out/selftest.txt" ] && [ -s "$work/out/selftest.json" ] && ok || bad "no report in --out"
python3 - "$work/out/selftest.json" <<'PY' && ok || bad "the JSON report: $(head -c 600 "$work/out/selftest.json")"
import json, sys
r = json.load(open(sys.argv[1]))
ids = ["rasentry-size", "pbk-flags", "psk-mask", "rasclient-events", "ikeext-dependents",
       "elevation", "os-build"]
assert r["backend"] == "Windows (live)" and r["redacted"] is True, r
assert [i["id"] for i in r["items"]] == ids, [i["id"] for i in r["items"]]
for i in r["items"]:
    assert i["verdict"] == "wine", i
    assert "(under Wine, which would read as " in i["detail"], i
PY
tr -d '\r' <"$work/out/selftest.txt" >"$work/txt"
grep -q '^elevation  *wine  *elevated: yes' "$work/txt" && ok || bad "elevation: $(grep elevation "$work/txt")"
grep -q '^os-build  *wine  *[^ ]' "$work/txt" && ok || bad "os-build: $(grep os-build "$work/txt")"
echo "selftest under wine: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
