#!/usr/bin/env bash
# A long journal (issue 21): 10,000 entries, written as l2tpfix writes them.
# check stays within RATIO times its time on an empty journal (best of 5
# runs each; the old code took 340 times as long), history lists every
# entry, and a fix and its undo still go on with the next id.
# Usage: run_journal_size_tests.sh L2TPFIX SCENARIO_DIR [ENTRIES]
set -u
L2TPFIX=$1
SCENARIOS=$2
ENTRIES=${3:-10000}
RATIO=${L2F_JOURNAL_RATIO:-8} # a guard against the order of magnitude (old: 55-250x); noise in CI needs room
. "$(dirname "$0")/lib_work.sh" jsize

S=$WORK/s.ini
cp "$SCENARIOS/classic-789.ini" "$S"
mkdir -p "$WORK/empty" "$WORK/long" "$WORK/huge"
machine="mock:$(cd "$WORK" && pwd -P)/s.ini"
# each entry a fix of this machine, applied, then undone: the machine is as it started
write_journal() {
awk -v n="$1" -v m="$machine" 'BEGIN {
    for (i = 1; i <= n; i++) {
        if (i % 2) { f = "mschapv2"; k = "AuthRestrictions"; b = 128; a = 512 }
        else { f = "lcp-extensions"; k = "LcpExtensions"; b = 0; a = 1 }
        printf "{\"op\":\"begin\",\"id\":%d,\"time\":\"2026-12-01T04:11:32.149Z\",\"machine\":\"%s\",", i, m
        printf "\"profile\":\"Office VPN\",\"fix\":\"%s\",\"changes\":[{\"kind\":\"profile\",", f
        printf "\"target\":\"Office VPN\",\"field\":\"%s\",\"before_set\":true,\"before\":%d,", k, b
        printf "\"after_set\":true,\"after\":%d,\"admin\":false,\"reboot\":false}]}\n", a
        printf "{\"op\":\"applied\",\"id\":%d}\n{\"op\":\"undo-pending\",\"id\":%d}\n{\"op\":\"undone\",\"id\":%d}\n", i, i, i
    }
}'
}
write_journal "$ENTRIES" >"$WORK/long/journal.jsonl"
# past the 16 MiB that bounds other files: a journal has a limit of its own (256 MiB)
write_journal 45000 >"$WORK/huge/journal.jsonl"

# best of 5 runs of check, in milliseconds
best_ms() {
    local best=999999999 t0 t1 ms
    for _ in 1 2 3 4 5; do
        t0=$(date +%s%N)
        "$L2TPFIX" --mock "$S" --state-dir "$1" check >/dev/null 2>&1 </dev/null
        t1=$(date +%s%N)
        ms=$(((t1 - t0) / 1000000))
        [ "$ms" -lt "$best" ] && best=$ms
    done
    echo "$best"
}
empty=$(best_ms "$WORK/empty")
long=$(best_ms "$WORK/long")
echo "check: empty journal ${empty} ms, ${ENTRIES} entries ${long} ms (bound: ${RATIO}x)"
[ "$long" -le $((RATIO * (empty > 0 ? empty : 1))) ] && ok || bad "check with $ENTRIES entries took ${long} ms, more than ${RATIO}x ${empty} ms"

"$L2TPFIX" --mock "$S" --state-dir "$WORK/long" history --json >"$WORK/history.json" 2>"$WORK/err" </dev/null && ok ||
    bad "history: $(cat "$WORK/err")"
n=$(tr -d ' \n\t' <"$WORK/history.json" | grep -o '"state":"undone"' | wc -l)
[ "$n" -eq "$ENTRIES" ] && ok || bad "history lists $n entries, want $ENTRIES"

size=$(wc -c <"$WORK/huge/journal.jsonl")
"$L2TPFIX" --mock "$S" --state-dir "$WORK/huge" history --json >"$WORK/history.json" 2>"$WORK/err" </dev/null && ok ||
    bad "history of a journal of $size bytes: $(cat "$WORK/err")"
n=$(tr -d ' \n\t' <"$WORK/history.json" | grep -o '"state":"undone"' | wc -l)
[ "$size" -gt $((16 << 20)) ] && [ "$n" -eq 45000 ] && ok || bad "a journal of $size bytes lists $n entries, want 45000"

"$L2TPFIX" --mock "$S" --state-dir "$WORK/long" fix mschapv2 --yes >"$WORK/out" 2>"$WORK/err" </dev/null && ok ||
    bad "fix after $ENTRIES entries: $(cat "$WORK/err")"
grep -q "journal entry $((ENTRIES + 1))" "$WORK/out" && ok || bad "the next id: $(cat "$WORK/out")"
"$L2TPFIX" --mock "$S" --state-dir "$WORK/long" undo >"$WORK/out" 2>"$WORK/err" </dev/null && ok ||
    bad "undo after $ENTRIES entries: $(cat "$WORK/err")"

echo "journal size tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
