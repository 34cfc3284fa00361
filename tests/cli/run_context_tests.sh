#!/usr/bin/env bash
# The command line keeps its context and its word (issue 15): hints name the
# next command with this run's machine options, quoted for a shell; one
# option for the account; an option a command does not take is refused;
# undo asks like fix; history newest first; script for other machines on any
# OS; explain lists every code; rights refusals say how to get them; the help
# says why the tunnel stage comes first.
# Usage: run_context_tests.sh L2TPFIX SCENARIO_DIR PBK_DIR
set -u
L2TPFIX=$1
SCENARIOS=$2
PBK=$3
. "$(dirname "$0")/lib_work.sh" context
KB_SOURCE=$(cd "$(dirname "$0")/../../core" && pwd)/kb.c
OUT=$WORK/out ERR=$WORK/err

# run EXPECTED_EXIT args...: stdin from /dev/null (no terminal)
run() {
    local want=$1; shift
    "$L2TPFIX" "$@" >"$OUT" 2>"$ERR" </dev/null
    local rc=$?
    if [ "$rc" -ne "$want" ]; then bad "l2tpfix $* exited $rc, want $want: $(head -2 "$ERR")"; return 1; fi
    ok
}
has() { if grep -qE -- "$2" "$1"; then ok; else bad "$3: no match for /$2/ in: $(head -5 "$1")"; fi; }
hasnt() { if grep -qE -- "$2" "$1"; then bad "$3: unexpected /$2/"; else ok; fi; }
# the command a line names after PREFIX, to run as a shell would read it
hinted() { sed -n "s/^$1//p" "$OUT" | head -1; }

# --- hints name the next command with this run's machine options, quoted
DIR="$WORK/a dir with 'quotes'"
mkdir -p "$DIR"
cp "$PBK/user-l2tp.pbk" "$DIR/my book.pbk"
cp "$DIR/my book.pbk" "$WORK/pbk.before"
run 1 --phonebook "$DIR/my book.pbk" --state-dir "$DIR/st" check
cmd=$(hinted 'Apply them with: ')
case "$cmd" in
"l2tpfix --phonebook "*" --state-dir "*" fix all") ok ;;
*) bad "check's hint names no context: '$cmd'" ;;
esac
# copied into a shell, it acts on that phonebook (not on the live machine)
eval "set -- ${cmd#l2tpfix }"
"$L2TPFIX" "$@" --yes >"$WORK/applied" 2>&1 </dev/null && ok || bad "the hinted command failed: $(head -3 "$WORK/applied")"
cmp -s "$WORK/pbk.before" "$DIR/my book.pbk" && bad "the hinted command did not change the phonebook" || ok
[ -s "$DIR/st/journal.jsonl" ] || [ -n "$(ls -A "$DIR/st" 2>/dev/null)" ] && ok || bad "the hinted command used another state directory"

# --demo=NAME and --profile travel along; --profile only to commands that take it
cp "$SCENARIOS/multi-profile.ini" "$WORK/multi.ini"
run 1 --mock "$WORK/multi.ini" --state-dir "$WORK/multi-st" --profile "Office VPN" check
has "$OUT" "^Apply them with: l2tpfix --mock $WORK/multi.ini --state-dir $WORK/multi-st --profile 'Office VPN' fix all\$" \
    "check's hint keeps --mock, --state-dir and --profile"
run 1 --demo=classic-789 check
has "$OUT" '^Apply them with: l2tpfix --demo=classic-789 fix all$' "check's hint keeps --demo=NAME"
run 1 --demo check
has "$OUT" '^Apply them with: l2tpfix --demo fix all$' "check's hint keeps --demo"
run 3 --mock "$WORK/multi.ini" --state-dir "$WORK/multi-st" undo 99 --yes
has "$ERR" "see: l2tpfix --mock $WORK/multi.ini --state-dir $WORK/multi-st history\\)" "undo's hint (from core) keeps the context"
cp "$SCENARIOS/classic-789.ini" "$WORK/c.ini"
run 0 --mock "$WORK/c.ini" --state-dir "$WORK/c-st" report --format markdown
has "$OUT" "^- \`l2tpfix --mock $WORK/c.ini --state-dir $WORK/c-st fix mschapv2\`" "report's to-do keeps the context"
printf '{}' >"$WORK/nb.json"
run 2 --mock "$WORK/c.ini" --state-dir "$WORK/c-st" baseline check "$WORK/nb.json"
has "$ERR" "save one with: l2tpfix --mock $WORK/c.ini --state-dir $WORK/c-st baseline save\\)" "baseline's hint keeps the context"

if command -v script >/dev/null 2>&1; then
    # the checklist on a terminal it cannot drive points to check on the same machine
    script -qec "$(printf '%q ' env TERM=no-such-term "$L2TPFIX" --mock "$WORK/c.ini" --state-dir "$WORK/c-st")" \
        /dev/null </dev/null >"$OUT" 2>&1
    has "$OUT" "cannot run the checklist; try TERM=xterm or l2tpfix --mock $WORK/c.ini --state-dir $WORK/c-st check" \
        "the checklist's hint keeps the context"
fi

# --- one option for the account; options belong to commands
cp "$SCENARIOS/wrong-password.ini" "$WORK/wp.ini"
printf 'New-Pass\n' >"$WORK/pw"
run 0 --mock "$WORK/wp.ini" --state-dir "$WORK/wp-st" fix credentials --user bob --password-file "$WORK/pw" --yes
grep -q '^username = bob$' "$WORK/wp.ini" && ok || bad "fix credentials --user bob did not save bob"
run 2 handshake vpn.example.com --username alice
has "$ERR" "unknown option --username" "--username is gone, not ignored"
run 2 --demo history --psk-file "$WORK/pw"
has "$ERR" '^l2tpfix: --psk-file is an option of [a-z, ]*probe[a-z, ]* and [a-z]+, not of history$' \
    "an option of other commands is refused, naming them"
run 2 --demo check --format text
has "$ERR" '^l2tpfix: --format is an option of report, not of check$' "--format only for report"
run 2 probe 127.0.0.1 --profile X
has "$ERR" 'not of probe' "--profile is no option of probe"
run 0 --help
has "$OUT" '^ +for tui, check, fix, connect, probe and handshake$' "the help names each option's commands"

# --- undo asks like fix
cp "$SCENARIOS/classic-789.ini" "$WORK/u.ini"
U=(--mock "$WORK/u.ini" --state-dir "$WORK/u-st")
run 0 "${U[@]}" fix all --yes
cp "$WORK/u.ini" "$WORK/u.fixed"
run 2 "${U[@]}" undo
has "$ERR" '^l2tpfix: not a terminal: add --yes to undo without asking$' "undo without a terminal or --yes refuses"
[ "$(wc -l <"$ERR")" -eq 1 ] && ok || bad "the refusal is more than one line"
cmp -s "$WORK/u.ini" "$WORK/u.fixed" && ok || bad "a refused undo changed the machine"
run 2 "${U[@]}" undo all
cmp -s "$WORK/u.ini" "$WORK/u.fixed" && ok || bad "a refused undo all changed the machine"
if command -v script >/dev/null 2>&1; then
    # on a terminal: the list of what goes back, then the question; n keeps everything
    printf 'n\n' | script -qec "$(printf '%q ' "$L2TPFIX" "${U[@]}" undo all)" /dev/null >"$OUT" 2>&1
    has "$OUT" 'Undo these changes\? \[y/N\]' "undo asks on a terminal"
    has "$OUT" 'LcpExtensions 0 \(off\) -> 1 \(on\)' "undo lists what goes back"
    has "$OUT" 'Nothing undone' "n undoes nothing"
    cmp -s "$WORK/u.ini" "$WORK/u.fixed" && ok || bad "undo answered n changed the machine"
    printf 'y\n' | script -qec "$(printf '%q ' "$L2TPFIX" "${U[@]}" undo)" /dev/null >"$OUT" 2>&1
    has "$OUT" 'undone entry 2 \(lcp-extensions\)' "undo answered y undoes"
fi
run 0 "${U[@]}" undo all --yes
has "$OUT" 'changes? undone; nothing left' "undo --yes asks nothing"

# --- history: newest first, and it says so
cp "$SCENARIOS/classic-789.ini" "$WORK/h.ini"
run 0 --mock "$WORK/h.ini" --state-dir "$WORK/h-st" fix mschapv2 --yes
run 0 --mock "$WORK/h.ini" --state-dir "$WORK/h-st" fix lcp-extensions --yes
run 0 --mock "$WORK/h.ini" --state-dir "$WORK/h-st" history
has "$OUT" '^Changes on this machine, newest first:$' "history's header says the order"
[ "$(grep -oE '^ +[0-9]+  ' "$OUT" | tr -d ' ' | tr '\n' ' ')" = "2 1 " ] && ok ||
    bad "history is not newest first: $(grep -E '^ +[0-9]+  ' "$OUT")"

# --- script for other machines, on any OS; a healthy profile is no failure
run 0 script --fix mschapv2 --profile "Office VPN"
has "$OUT" "^\\\$Name = 'Office VPN'\$" "script --fix --profile writes a script here"
hasnt "$OUT" 'L2tpPsk|UserName|Password' "a parameter no step uses is declared"
run 0 script --fix mschapv2 --profile "Office VPN" --state-dir "$WORK/script-st" --all-users
run 0 script --fix use-psk --profile X
has "$OUT" '^    \[string\]\$L2tpPsk' "use-psk declares its key"
hasnt "$OUT" 'UserName|Password' "use-psk declares no account"
run 0 --demo=healthy script
has "$OUT" '^Nothing to script' "a healthy profile: nothing to script"

# --- explain: every code of the table, not a cut list
run 1 explain 4242
n_table=$(grep -cE '^    \{(\(int\)0x[0-9A-Fa-f]+u|-?[0-9]+),( "|$)' "$KB_SOURCE")
n_listed=$(sed 's/.*it knows://' "$ERR" | wc -w)
[ "$n_table" -gt 30 ] && [ "$n_listed" -eq "$n_table" ] && ok ||
    bad "explain lists $n_listed codes; the table has $n_table"

# --- a refusal for lack of rights says how to get them
sed 's/^admin = yes$/admin = no/' "$SCENARIOS/nat-809.ini" >"$WORK/noadmin.ini"
run 3 --mock "$WORK/noadmin.ini" --state-dir "$WORK/na-st" fix nat-traversal --yes
has "$ERR" 'Run as administrator.*SYSTEM through the RMM or Intune' "the rights refusal says how to get them"

# --- the help says why the tunnel stage is listed before IPsec
run 0 --help
tr '\n' ' ' <"$OUT" | grep -qE 'On the wire IPsec comes first.*tunnel +stage is listed first because.*reached' && ok ||
    bad "the help does not explain the stage order"

echo "context: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
