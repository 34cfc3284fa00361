#!/usr/bin/env bash
# Issue 15, the command line as a technician tries it: a change that waits for
# Windows to restart is named by check and report (text, markdown, JSON) until
# undo puts it back; plans never say a restart and "no restart" at once, and
# services a fix started are told as started; last-auth does not report a
# result an undo made stale; undo of a saved secret says what cannot come back.
# Usage: run_restart_tests.sh L2TPFIX SCENARIO_DIR
set -u
L2TPFIX=$1
SCENARIOS=$2
. "$(dirname "$0")/lib_work.sh" restart
OUT=$WORK/out
has() { if grep -qE -- "$2" "$1"; then ok; else bad "$3: no /$2/ in: $(head -c 600 "$1")"; fi; }
hasnt() { if grep -qE -- "$2" "$1"; then bad "$3: unexpected /$2/"; else ok; fi; }
l2f() { "$L2TPFIX" --mock "$WORK/s.ini" --state-dir "$WORK/state" "$@" </dev/null; }
fresh() { rm -rf "$WORK/state"; cp "$SCENARIOS/$1.ini" "$WORK/s.ini"; }

# --- 1. a pending restart in check and report, gone after the undo
fresh nat-809
l2f check >"$OUT"
hasnt "$OUT" "^Pending:" "check before any change"
l2f fix nat-traversal --yes >"$OUT"
has "$OUT" "\[Windows restart\]" "the plan names a Windows restart"
l2f check >"$OUT"
has "$OUT" "^Pending: a restart \(nat-traversal changed AssumeUDPEncapsulationContextOnSendRule at [0-9T:.-]+Z; it takes effect after Windows restarts; the simulated machine applied it already\)" "check after the registry fix"
l2f check --json | tr -d ' \t\n' >"$OUT"
has "$OUT" '"restart_pending":true,"restart":\{"fix":"nat-traversal","undo":false,"value":"AssumeUDPEncapsulationContextOnSendRule"' "check --json"
has "$OUT" '"boot_known":false,"simulated_applied":true' "check --json says what is known"
for fmt in text markdown; do
    l2f report --format $fmt >"$OUT"
    has "$OUT" "Pending:?\*?\*? a restart \(nat-traversal changed AssumeUDPEncapsulationContextOnSendRule" "report --format $fmt"
done
l2f report --format json | tr -d ' \t\n' >"$OUT"
has "$OUT" '"restart_pending":true' "report --format json"
l2f undo --yes >"$OUT"
l2f check >"$OUT"
hasnt "$OUT" "^Pending:" "check after the undo put the value back"
l2f check --json | tr -d ' \t\n' >"$OUT"
has "$OUT" '"restart_pending":false,"restart":null' "check --json after the undo"
l2f report --format text >"$OUT"
hasnt "$OUT" "Pending" "report after the undo"

# --- 3. a service restart is not a Windows restart; started services are told as started
fresh services-stopped
l2f fix all --yes >"$OUT"
has "$OUT" "^applied restart-ipsec-services \(journal entry 1\): IKEEXT and PolicyAgent started$" "fix of stopped services"
hasnt "$OUT" "restarted" "stopped services told as restarted"
l2f fix restart-ipsec-services --dry-run >"$OUT"
has "$OUT" "running -> restarted" "a plan restarting running services"
hasnt "$OUT" "\[restart\]" "a service restart tagged as a restart"

# --- 4. last-auth after fix, connect, undo: the success was before the undo
fresh classic-789
l2f fix all --yes >/dev/null
l2f connect >/dev/null
l2f check >"$OUT"
has "$OUT" "pass +last-auth +the last connection succeeded" "last-auth after the connection"
l2f undo --yes >/dev/null
l2f check >"$OUT"
hasnt "$OUT" "last-auth +the last connection succeeded" "last-auth after the undo"
has "$OUT" "unknown +last-auth +settings changed since the last attempt" "last-auth after the undo"
l2f connect >/dev/null
l2f check >"$OUT"
has "$OUT" "last-auth +last attempt: |last-auth +the last attempt stopped earlier" "a new attempt after the undo is fresh"
hasnt "$OUT" "last-auth +settings changed since" "a new attempt after the undo is fresh"

# --- 5. undo of a saved key or password says the old one cannot come back
fresh psk-mismatch
printf 'the-servers-key' >"$WORK/key"
l2f fix use-psk --psk-file "$WORK/key" --yes >/dev/null
l2f undo --yes >"$OUT"
has "$OUT" "the pre-shared key saved before cannot come back \(l2tpfix never keeps secrets\)" "undo use-psk"
fresh wrong-password
printf 'Correct-Pass' >"$WORK/pw"
l2f fix credentials --password-file "$WORK/pw" --yes >/dev/null
l2f undo --yes >"$OUT"
has "$OUT" "the password saved before cannot come back" "undo credentials"

echo "restart: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
