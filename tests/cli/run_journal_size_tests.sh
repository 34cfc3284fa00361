#!/usr/bin/env bash
# A long journal (issue 21): 10,000 entries, written as l2tpfix writes them.
# check is timed (best of RUNS, wall and CPU) on an empty journal, on the long
# one as an older l2tpfix left it (no index: one pass over the file) and after
# a fix and its undo wrote the index (journal.idx); the CPU ratios are printed
# and held to bounds (the old code took 340 times as long). history lists
# every entry, the same with the index deleted, damaged or cut short, and with
# lines an older l2tpfix appended after it; ids go on across all of it.
# Usage: run_journal_size_tests.sh L2TPFIX SCENARIO_DIR [ENTRIES]
set -u
L2TPFIX=$1
SCENARIOS=$2
ENTRIES=${3:-10000}
# CPU time (user + system) against an empty journal's. The issue's target is
# 1.5 with the index, met on a quiet machine (README); a loaded 2-core CI
# runner needs room, so the defaults only guard the order of magnitude.
RATIO=${L2F_JOURNAL_RATIO:-4}
FULL_RATIO=${L2F_JOURNAL_FULL_RATIO:-8}
RUNS=${L2F_JOURNAL_RUNS:-7}
. "$(dirname "$0")/lib_work.sh" jsize

S=$WORK/s.ini
cp "$SCENARIOS/classic-789.ini" "$S"
mkdir -p "$WORK/empty" "$WORK/long" "$WORK/huge"
machine="mock:$(cd "$WORK" && pwd -P)/s.ini"
# each entry a fix of this machine, applied, then undone: the machine is as it started
write_journal() {
awk -v n="$1" -v m="$machine" -v from="${2:-1}" 'BEGIN {
    for (i = from; i < from + n; i++) {
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

# best of RUNS runs of check: "WALL CPU" in milliseconds (CPU: user + system)
measure() {
    local best_wall=999999 best_cpu=999999 t wall cpu
    for ((run = 0; run < RUNS; run++)); do
        t=$( { TIMEFORMAT='%3R %3U %3S'; time "$L2TPFIX" --mock "$S" --state-dir "$1" check >/dev/null 2>&1 </dev/null; } 2>&1)
        wall=$(awk -v t="$t" 'BEGIN { split(t, f, " "); printf "%.0f", f[1] * 1000 }')
        cpu=$(awk -v t="$t" 'BEGIN { split(t, f, " "); printf "%.0f", (f[2] + f[3]) * 1000 }')
        [ "$wall" -lt "$best_wall" ] && best_wall=$wall
        [ "$cpu" -lt "$best_cpu" ] && best_cpu=$cpu
    done
    echo "$best_wall $best_cpu"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / (b > 0 ? b : 1) }'; }
within() { awk -v r="$1" -v bound="$2" 'BEGIN { exit !(r <= bound) }'; }

read -r empty_wall empty_cpu < <(measure "$WORK/empty")
read -r full_wall full_cpu < <(measure "$WORK/long")
[ ! -e "$WORK/long/journal.idx" ] && ok || bad "check, a reader, wrote the index"

# a writer (under the state lock) writes the index; ids go on after the last
"$L2TPFIX" --mock "$S" --state-dir "$WORK/long" fix mschapv2 --yes >"$WORK/out" 2>"$WORK/err" </dev/null && ok ||
    bad "fix after $ENTRIES entries: $(cat "$WORK/err")"
grep -q "journal entry $((ENTRIES + 1))" "$WORK/out" && ok || bad "the next id: $(cat "$WORK/out")"
"$L2TPFIX" --mock "$S" --state-dir "$WORK/long" undo --yes >"$WORK/out" 2>"$WORK/err" </dev/null && ok ||
    bad "undo after $ENTRIES entries: $(cat "$WORK/err")"
[ -s "$WORK/long/journal.idx" ] && ok || bad "no index after a fix and an undo"
read -r idx_wall idx_cpu < <(measure "$WORK/long")

full_r=$(ratio "$full_cpu" "$empty_cpu")
idx_r=$(ratio "$idx_cpu" "$empty_cpu")
echo "check, best of $RUNS (wall / CPU ms): empty journal $empty_wall / $empty_cpu;" \
    "$ENTRIES entries without the index $full_wall / $full_cpu (CPU ${full_r}x, bound ${FULL_RATIO}x)," \
    "with it $idx_wall / $idx_cpu (CPU ${idx_r}x, bound ${RATIO}x; wall $(ratio "$idx_wall" "$empty_wall")x)"
within "$full_r" "$FULL_RATIO" && ok || bad "check without the index took ${full_r}x an empty journal's CPU time, more than ${FULL_RATIO}x"
within "$idx_r" "$RATIO" && ok || bad "check with the index took ${idx_r}x an empty journal's CPU time, more than ${RATIO}x"

history() {
    "$L2TPFIX" --mock "$S" --state-dir "$WORK/long" history --json >"$WORK/$1.json" 2>"$WORK/err" </dev/null && ok ||
        bad "history ($1): $(cat "$WORK/err")"
}
history indexed
n=$(tr -d ' \n\t' <"$WORK/indexed.json" | grep -o '"state":"undone"' | wc -l)
[ "$n" -eq $((ENTRIES + 1)) ] && ok || bad "history lists $n entries, want $((ENTRIES + 1))"

# the index is a cache: deleted, damaged or cut short, the journal says the same
IDX=$WORK/long/journal.idx
cp "$IDX" "$WORK/idx.good"
size=$(wc -c <"$IDX")
rm "$IDX"
history deleted
cmp -s "$WORK/indexed.json" "$WORK/deleted.json" && ok || bad "history differs without the index"
cp "$WORK/idx.good" "$IDX"
# a state byte in the middle entry's record (header 64 bytes, records 24, state at 20) set to "applied"
printf '\001' | dd of="$IDX" bs=1 seek=$((64 + ENTRIES / 2 * 24 + 20)) conv=notrunc status=none
history damaged
cmp -s "$WORK/indexed.json" "$WORK/damaged.json" && ok || bad "history differs with a damaged index"
head -c $((size / 2)) "$WORK/idx.good" >"$IDX"
history cut
cmp -s "$WORK/indexed.json" "$WORK/cut.json" && ok || bad "history differs with an index cut short"

# lines an older l2tpfix appended after the index: read on from where it ends
cp "$WORK/idx.good" "$IDX"
write_journal 1 $((ENTRIES + 2)) >>"$WORK/long/journal.jsonl"
history appended
rm "$IDX"
history appended-whole
cmp -s "$WORK/appended.json" "$WORK/appended-whole.json" && ok || bad "history differs with lines after the index"
n=$(tr -d ' \n\t' <"$WORK/appended.json" | grep -o '"state":"undone"' | wc -l)
[ "$n" -eq $((ENTRIES + 2)) ] && ok || bad "history after an older l2tpfix's lines lists $n entries, want $((ENTRIES + 2))"

size=$(wc -c <"$WORK/huge/journal.jsonl")
"$L2TPFIX" --mock "$S" --state-dir "$WORK/huge" history --json >"$WORK/history.json" 2>"$WORK/err" </dev/null && ok ||
    bad "history of a journal of $size bytes: $(cat "$WORK/err")"
n=$(tr -d ' \n\t' <"$WORK/history.json" | grep -o '"state":"undone"' | wc -l)
[ "$size" -gt $((16 << 20)) ] && [ "$n" -eq 45000 ] && ok || bad "a journal of $size bytes lists $n entries, want 45000"

echo "journal size tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
