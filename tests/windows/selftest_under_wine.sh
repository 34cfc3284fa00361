#!/usr/bin/env bash
# `l2tpfix selftest` on the live backend under Wine (issue 19): every item is
# asked and answered, each marked "wine" (Wine's rasapi32 is a stub, its log
# holds no RasClient event, it runs everything elevated), with what Wine gave;
# the text and JSON are written to --out, --json prints the same JSON, the
# JSON is valid against schema/selftest.schema.json, and with --redact neither
# this user's nor this computer's name appears.
# Usage: selftest_under_wine.sh WINE L2TPFIX_EXE SCHEMA_DIR SCHEMA_TESTS_DIR
set -u
wine=$1 exe=$2 schemas=${3:-} schema_tests=${4:-}
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
    assert "(under Wine, which would read as " in i["evidence"], i
by = {i["id"]: i for i in r["items"]}
assert any(n.startswith("the default entry: size query ") for n in by["rasentry-size"]["notes"]), by["rasentry-size"]
assert "RasClient event" in by["rasclient-events"]["evidence"], by["rasclient-events"]
PY
"$wine" "$exe" selftest --redact --json >"$work/stdout.json" 2>/dev/null </dev/null
python3 - "$work/stdout.json" "$work/out/selftest.json" <<'PY' && ok || bad "--json is not selftest.json: $(head -c 300 "$work/stdout.json")"
import json, sys
a, b = (json.load(open(p, encoding="utf-8")) for p in sys.argv[1:3])
strip = lambda d: [(i["id"], i["verdict"]) for i in d["items"]]
assert strip(a) == strip(b) and a["redacted"] is True, (strip(a), strip(b))
PY
# schema/selftest.schema.json, with the validator the schema tests use (when it is here)
PY=${L2F_SCHEMA_PYTHON:-/usr/bin/python3}
if [ -n "$schemas" ] && "$PY" -c 'import sys; sys.path.insert(0, sys.argv[1]); import schemalib; schemalib.need_validator()' "$schema_tests" 2>/dev/null; then
    "$PY" "$schema_tests/validate.py" "$schemas" "selftest:$work/out/selftest.json" "selftest:$work/stdout.json" \
        >"$work/validate" 2>&1 && ok || bad "the schema rejects Wine's report: $(head -5 "$work/validate")"
elif [ "${CI:-}" = true ]; then
    bad "no jsonschema validator for $PY (scripts/deps.sh test)"
else
    echo "note: no jsonschema validator: the schema was not checked here"
fi
# --redact: neither this user's nor this computer's name anywhere
for f in "$work/out/selftest.txt" "$work/out/selftest.json" "$work/stdout.json"; do
    for n in "$(hostname)" "$(id -un)"; do
        if grep -qiwF -- "$n" "$f"; then bad "--redact: $(basename "$f") shows '$n'"; else ok; fi
    done
done
tr -d '\r' <"$work/out/selftest.txt" >"$work/txt"
grep -q '^elevation  *wine  *elevated: yes' "$work/txt" && ok || bad "elevation: $(grep elevation "$work/txt")"
grep -q '^os-build  *wine  *[^ ]' "$work/txt" && ok || bad "os-build: $(grep os-build "$work/txt")"
echo "selftest under wine: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
