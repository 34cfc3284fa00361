#!/usr/bin/env bash
# Issue 18: the JSON documents an RMM integration reads (check --json, report
# --format json, history --json, profiles --json; issue 19's selftest --json) validated against schema/
# with a real validator (Debian's python3-jsonschema), over every demo
# scenario, every scenario file before and after its fixes and an undo, and
# every VPN entry of the sample phonebooks; then mutated real documents that
# the schemas must reject, and the schemas' id lists against the C tables.
# Usage: run_schema_tests.sh L2TPFIX SCENARIO_DIR PBK_DIR SCHEMA_DIR SOURCE_DIR
# Exit 77 (skipped) when the validator is missing, except under CI=true,
# where that fails: scripts/deps.sh test installs it.
set -u
L2TPFIX=$1 SCENARIOS=$2 PBKS=$3 SCHEMAS=$4 SOURCE=$5
here=$(cd "$(dirname "$0")" && pwd)
# Debian's interpreter: the one python3-jsonschema installs into (PATH may hold another)
PY=${L2F_SCHEMA_PYTHON:-/usr/bin/python3}
if ! "$PY" -c 'import sys; sys.path.insert(0, sys.argv[1]); import schemalib; schemalib.need_validator()' "$here" 2>/dev/null; then
    why="no usable jsonschema (>= 4.10) for $PY: run scripts/deps.sh test (Debian package python3-jsonschema)"
    if [ "${CI:-}" = true ]; then
        echo "FAIL: $why"
        exit 1
    fi
    echo "SKIP: $why"
    exit 77
fi
. "$SOURCE/tests/cli/lib_work.sh" schema
DOCS=$WORK/docs
mkdir -p "$DOCS"
docs=() # NAME:FILE for validate.py
n=0
# save SCHEMA CMD...: runs l2tpfix, keeps its JSON for SCHEMA; a command that printed no JSON fails
save() {
    local schema=$1 file
    shift
    n=$((n + 1))
    file=$DOCS/$n.$schema.json
    "$L2TPFIX" "$@" >"$file" 2>"$WORK/err" </dev/null
    if [ ! -s "$file" ]; then
        bad "no JSON from: l2tpfix $* ($(head -c 300 "$WORK/err"))"
        return
    fi
    printf '%s\n' "$*" >"$file.cmd"
    docs+=("$schema:$file")
}
# the documents of one machine (ARGS: the backend's options) and of its profile PROF
both() {
    save check "$@" --profile "$prof" check --json
    save report "$@" --profile "$prof" report --format json
}
machine() {
    save history "$@" history --json
    save profiles "$@" profiles --json
    save selftest "$@" selftest --json
    save selftest "$@" selftest --json --redact
}

# --- every demo scenario, every profile (their history is empty and their profiles are the
# scenario files': those come below)
for name in $("$L2TPFIX" scenarios | awk 'NF > 1 && $1 != "Run" {print $1}'); do
    save selftest --demo="$name" --state-dir "$WORK/demo-st" selftest --json
    "$L2TPFIX" --demo="$name" profiles --json >"$WORK/profiles.json" </dev/null
    "$PY" -c 'import json,sys; [print(p["name"]) for p in json.load(open(sys.argv[1])) if p["entry_type"] == "vpn"]' \
        "$WORK/profiles.json" >"$WORK/names"
    while IFS= read -r prof; do
        both --demo="$name" --state-dir "$WORK/demo-st"
    done <"$WORK/names"
done

# --- every scenario file: before, after `fix all`, after an undo (journal states, a pending restart)
for ini in "$SCENARIOS"/*.ini; do
    base=$(basename "$ini" .ini)
    cp "$ini" "$WORK/$base.ini"
    st=$WORK/$base-st
    "$L2TPFIX" --mock "$WORK/$base.ini" profiles --json >"$WORK/profiles.json" </dev/null
    "$PY" -c 'import json,sys; [print(p["name"]) for p in json.load(open(sys.argv[1])) if p["entry_type"] == "vpn"]' \
        "$WORK/profiles.json" >"$WORK/names"
    m=(--mock "$WORK/$base.ini" --state-dir "$st")
    while IFS= read -r prof; do
        both "${m[@]}"
        "$L2TPFIX" "${m[@]}" --profile "$prof" fix all --yes >/dev/null 2>&1 </dev/null
        both "${m[@]}"
        "$L2TPFIX" "${m[@]}" undo --yes >/dev/null 2>&1 </dev/null
        both "${m[@]}"
    done <"$WORK/names"
    machine "${m[@]}"
done

# --- phonebook mode: every VPN entry of every sample phonebook, and a fix on a copy
for pbk in "$PBKS"/*.pbk; do
    base=$(basename "$pbk" .pbk)
    cp "$pbk" "$WORK/$base.pbk"
    save profiles --phonebook "$WORK/$base.pbk" profiles --json
    "$PY" -c 'import json,sys; [print(p["name"]) for p in json.load(open(sys.argv[1])) if p["entry_type"] == "vpn"]' \
        "$DOCS/$n.profiles.json" >"$WORK/names"
    p=(--phonebook "$WORK/$base.pbk" --state-dir "$WORK/$base-st")
    while IFS= read -r prof; do
        both "${p[@]}"
        "$L2TPFIX" "${p[@]}" --profile "$prof" fix lcp-extensions --yes >/dev/null 2>&1 </dev/null
        both "${p[@]}"
    done <"$WORK/names"
    machine "${p[@]}"
done

# --- each document valid; together they reach the schemas' branches (not only the easy ones)
if "$PY" "$here/validate.py" "$SCHEMAS" "${docs[@]}" >"$WORK/validate.out" 2>&1; then ok; else
    bad "documents the schemas reject:"
    head -40 "$WORK/validate.out"
fi
tail -1 "$WORK/validate.out"
if "$PY" "$here/coverage.py" "${docs[@]}" >"$WORK/coverage.out" 2>&1; then ok; else
    bad "the documents miss cases the test means to validate:"
    cat "$WORK/coverage.out"
fi

# --- mutated real documents must be rejected, each for the reason meant
first() { for d in "${docs[@]}"; do case $d in "$1":*) echo "${d#*:}"; return ;; esac; done; }
if "$PY" "$here/negative.py" "$SCHEMAS" "$WORK/negative" "${docs[@]}" >"$WORK/negative.out" 2>&1; then ok; else
    bad "a mutated document the schema accepted, or rejected for another reason:"
fi
cat "$WORK/negative.out"

# --- the schemas' enums are the C tables' ids, and the program's output names the same checks
if "$PY" "$here/drift.py" "$SCHEMAS" "$SOURCE" "$(first check)" >"$WORK/drift.out" 2>&1; then ok; else
    bad "the schemas drifted from the tables:"
fi
cat "$WORK/drift.out"

echo "schema: ${#docs[@]} documents"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
