#!/usr/bin/env bash
# Many l2tpfix processes at once on one machine and one state directory
# (issue 21): PROCS processes run fix and undo in a loop for SECONDS, ROUNDS
# times. After each round the journal loads, its ids are unique, no entry is
# left half-done, the machine's settings are what the journal says is
# applied, and `undo all` gives back the machine as it started (the scenario
# file byte for byte as l2tpfix writes it back, and the same `check --json`).
# Also: a second process waits for the lock, then says who holds it.
#
# The issue's load is the default of a manual run:
#   bash tests/cli/run_concurrency_tests.sh build/rel/l2tpfix scenarios
# CTest runs it shorter (L2F_CONC_SECONDS=6); L2F_CONC_PROCS and
# L2F_CONC_ROUNDS set the other two.
# Usage: run_concurrency_tests.sh L2TPFIX SCENARIO_DIR
set -u
L2TPFIX=$1
SCENARIOS=$2
PROCS=${L2F_CONC_PROCS:-20}
SECONDS_PER_ROUND=${L2F_CONC_SECONDS:-30}
ROUNDS=${L2F_CONC_ROUNDS:-5}
. "$(dirname "$0")/lib_work.sh" conc

l2f() { "$L2TPFIX" --mock "$S" --state-dir "$ST" "$@" </dev/null; }
# what the machine is, through the checks (the backend line names the file)
state() { l2f check --json 2>/dev/null | tr -d ' \n\t' | sed 's/"backend":"[^"]*",//'; }

# worker N: fix and undo in a random order until the round's end
worker() {
    local log=$WORK/worker-$1.log end=$(($(date +%s) + SECONDS_PER_ROUND))
    local cmds=("fix mschapv2 --yes" "fix lcp-extensions --yes" "fix all --yes" "undo --yes" "undo --yes" "undo all --yes")
    RANDOM=$(($1 * 7919 + $$))
    while [ "$(date +%s)" -lt "$end" ]; do
        # shellcheck disable=SC2086
        l2f ${cmds[RANDOM % ${#cmds[@]}]} >/dev/null 2>>"$log"
        echo "rc $?" >>"$log"
    done
}

# what the journal says each setting is: the newest applied entry's value, else the start
journal_vs_machine() {
    python3 - "$ST/journal.jsonl" "$S" "$ORIGINAL" <<'EOF'
import json, re, sys
journal, machine, original = sys.argv[1:4]
def settings(path):
    return dict(re.findall(r'^(AuthRestrictions|LcpExtensions) = (\d+)$', open(path).read(), re.M))
entries, errors = {}, []
for n, line in enumerate(open(journal), 1):
    rec = json.loads(line)
    if rec["op"] == "begin":
        if rec["id"] in entries:
            errors.append(f"line {n}: id {rec['id']} twice")
        entries[rec["id"]] = {"state": "pending", "changes": rec["changes"]}
    else:
        entries[rec["id"]]["state"] = rec["op"]
want = {k: int(v) for k, v in settings(original).items()}
for i in sorted(entries):
    e = entries[i]
    if e["state"] in ("pending", "undo-pending"):
        errors.append(f"entry {i} left {e['state']}")
    if e["state"] == "applied":
        for c in e["changes"]:
            want[c["field"]] = c["after"]
have = {k: int(v) for k, v in settings(machine).items()}
if have != want:
    errors.append(f"machine {have}, journal says {want}")
print("; ".join(errors))
sys.exit(1 if errors else 0)
EOF
}

ORIGINAL=$WORK/original.ini
cp "$SCENARIOS/classic-789.ini" "$ORIGINAL"
# the start as l2tpfix writes it back: fixed and undone once, alone
S=$WORK/reference.ini ST=$WORK/reference-state
cp "$ORIGINAL" "$S"
l2f fix mschapv2 --yes >/dev/null 2>&1 && l2f undo --yes >/dev/null 2>&1 || bad "the reference run failed"
start_state=$(state)

for round in $(seq 1 "$ROUNDS"); do
    S=$WORK/round-$round.ini ST=$WORK/round-$round-state
    cp "$ORIGINAL" "$S"
    rm -f "$WORK"/worker-*.log
    for n in $(seq 1 "$PROCS"); do worker "$n" & done
    wait
    runs=$(cat "$WORK"/worker-*.log | grep -c '^rc ')
    if grep -h 'damaged journal\|Sanitizer\|runtime error' "$WORK"/worker-*.log | head -3 | grep .; then
        bad "round $round: a process saw a damaged journal or a sanitizer report"
    else ok; fi
    # 0 done, 1 nothing to do / refused (conflict), 3 waited too long for the lock
    if grep -h '^rc ' "$WORK"/worker-*.log | grep -qv '^rc [013]$'; then
        bad "round $round: exit codes $(grep -h '^rc ' "$WORK"/worker-*.log | sort | uniq -c | tr '\n' ' ')"
    else ok; fi
    if l2f history --json >"$WORK/history.json" 2>"$WORK/history.err"; then ok; else
        bad "round $round: history: $(cat "$WORK/history.err")"; continue
    fi
    dups=$(tr -d ' \n\t' <"$WORK/history.json" | grep -o '"id":[0-9]*' | sort | uniq -d | head -3 | tr '\n' ' ')
    [ -z "$dups" ] && ok || bad "round $round: ids twice in history: $dups"
    if why=$(journal_vs_machine); then ok; else bad "round $round: $why"; fi
    entries=$(grep -c '"op":"begin"' "$ST/journal.jsonl")
    l2f undo all --yes >/dev/null 2>"$WORK/undo.err" || bad "round $round: undo all: $(cat "$WORK/undo.err")"
    cmp -s "$S" "$WORK/reference.ini" && ok || bad "round $round: undo all did not give back the scenario file"
    [ "$(state)" = "$start_state" ] && ok || bad "round $round: undo all did not give back the start (check --json)"
    echo "round $round: $runs runs by $PROCS processes in $SECONDS_PER_ROUND s, $entries journal entries"
done

# a second process waits a bounded time, then names the holder
if command -v flock >/dev/null; then
    S=$WORK/held.ini ST=$WORK/held-state
    cp "$ORIGINAL" "$S"
    mkdir -p "$ST"
    printf '4242 fix all\n' >"$ST/l2tpfix.lock"
    flock "$ST/l2tpfix.lock" sleep 5 &
    holder=$!
    sleep 0.5
    L2TPFIX_LOCK_WAIT_MS=700 l2f fix mschapv2 --yes >"$WORK/out" 2>"$WORK/err"
    rc=$?
    kill "$holder" 2>/dev/null
    wait "$holder" 2>/dev/null
    [ "$rc" = 3 ] && ok || bad "a held lock: exit $rc, want 3"
    grep -q "another l2tpfix (pid 4242, 'fix all') is changing this machine; waited 1 s" "$WORK/err" && ok ||
        bad "a held lock: $(cat "$WORK/err")"
    cmp -s "$S" "$ORIGINAL" && ok || bad "a held lock: the machine changed"
    [ ! -s "$ST/journal.jsonl" ] && ok || bad "a held lock: journaled anyway"
    # and once it is free, the same command goes through
    l2f fix mschapv2 --yes >/dev/null 2>&1 && ok || bad "the lock freed: fix failed"
fi

echo "concurrency tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
