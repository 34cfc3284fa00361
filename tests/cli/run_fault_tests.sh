#!/usr/bin/env bash
# Fault injection (issue 9): every change of every fix of every built-in
# scenario is made to fail once (L2TPFIX_MOCK_FAIL_AT=N), then to crash the
# process there (N:crash). After each, the journal holds no half-told story,
# `undo all` gives back the machine as it was, and `fix all` still reaches the
# state a clean run reaches: each fix was wholly applied or wholly not.
# Usage: run_fault_tests.sh L2TPFIX SCENARIO_DIR
set -u
L2TPFIX=$1
SCENARIOS=$2
export L2TPFIX_MOCK_STEP_MS=0
WORK=$(mktemp -d "${TMPDIR:-/tmp}/l2f-fault-XXXXXX")
trap 'rm -rf "$WORK"' EXIT
export XDG_STATE_HOME="$WORK/xdg"
printf 'the-servers-key\n' >"$WORK/psk"
printf 'Correct-Pass\n' >"$WORK/pw"
passed=0 failed=0
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL: $*"; }

# the secrets only to the commands that take them (any other refuses them)
l2f() {
    local secrets=()
    case " $* " in
    *" fix "*) secrets=(--psk-file "$WORK/psk" --password-file "$WORK/pw") ;;
    *" check "*) secrets=(--psk-file "$WORK/psk") ;;
    esac
    "$L2TPFIX" --mock "$S" --state-dir "$ST" "${secrets[@]}" "$@" </dev/null
}
# what the machine is, through the checks (not the file's name, which differs per run)
# (a pending restart's time is when this run made the change: masked)
state() { l2f "${profile[@]}" check --json 2>/dev/null | tr -d ' \n\t' | sed -E -e 's/"backend":"[^"]*",//' -e 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z/TIME/g'; }

for path in "$SCENARIOS"/*.ini; do
    name=$(basename "$path" .ini)
    profile=()
    grep -q '^\[profile "Office VPN"\]' "$path" && [ "$(grep -c '^\[profile' "$path")" -gt 1 ] && profile=(--profile "Office VPN")
    # the clean run: where the machine starts and where fix all takes it
    S="$WORK/$name.ini" ST="$WORK/$name-clean"
    cp "$path" "$S"
    before=$(state)
    [ -n "$before" ] && ok || bad "$name: check --json printed nothing (the comparisons would prove nothing)"
    l2f "${profile[@]}" fix all --yes >/dev/null 2>&1
    after=$(state)
    for mode in fail crash; do
        for n in $(seq 1 12); do
            S="$WORK/$name-$mode-$n.ini" ST="$WORK/$name-$mode-$n"
            cp "$path" "$S"
            spec=$n
            [ "$mode" = crash ] && spec="$n:crash"
            L2TPFIX_MOCK_FAIL_AT=$spec l2f "${profile[@]}" fix all --yes >"$WORK/out" 2>&1
            rc=$?
            if [ "$rc" -eq 0 ]; then break; fi # fewer changes than n: every point walked
            [ "$mode" = fail ] && { [ "$rc" -eq 1 ] && ok || bad "$name/$spec: exit $rc, want 1"; }
            [ "$mode" = crash ] && { [ "$rc" -eq 70 ] && ok || bad "$name/$spec: exit $rc, want the crash's 70"; }
            # the journal: whole lines only; a failure is rolled back, a crash left pending
            l2f history --json >"$WORK/hist" 2>&1 || bad "$name/$spec: the journal does not load"
            if [ "$mode" = fail ]; then
                grep -q '"pending"' "$WORK/hist" && bad "$name/$spec: an entry left pending after a clean failure" || ok
                grep -q '"rolled-back"' "$WORK/hist" && ok || bad "$name/$spec: the failed fix is not marked rolled back"
            fi
            # wholly old: undo all restores the start
            l2f undo all --yes >"$WORK/undo" 2>&1 || bad "$name/$spec: undo all failed: $(head -2 "$WORK/undo")"
            [ "$(state)" = "$before" ] && ok || bad "$name/$spec: undo all did not restore the start"
            # wholly new is still reachable: fix all gets where a clean run gets
            l2f "${profile[@]}" fix all --yes >/dev/null 2>&1
            [ "$(state)" = "$after" ] && ok || bad "$name/$spec: fix all after the fault ends elsewhere than a clean run"
        done
    done
done
echo "faults: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 40 ]
