#!/usr/bin/env bash
# End-to-end tests of the interactive checklist: the real binary runs in a
# private tmux server (its own socket, so tests run in parallel and never
# touch a person's tmux), keys go in with send-keys, screens come out with
# capture-pane and are compared with the golden files in golden/.
#
#   run_tui_tests.sh L2TPFIX_BINARY [TEST|all]
#   UPDATE_GOLDEN=1 run_tui_tests.sh build/l2tpfix all   # rewrite the goldens on purpose
#
# Exit status: 0 passed, 1 failed, 77 skipped (no tmux).
set -u

BIN=${1:?usage: run_tui_tests.sh L2TPFIX_BINARY [TEST|all]}
WHICH=${2:-all}
HERE=$(cd "$(dirname "$0")" && pwd)
GOLDEN=$HERE/golden
SCENARIOS=$(cd "$HERE/../../scenarios" && pwd)
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
TIMEOUT=${TUI_TIMEOUT:-10}

if ! command -v tmux >/dev/null 2>&1; then
    echo "SKIP: tmux is not installed"
    exit 77
fi
[ -x "$BIN" ] || { echo "FAIL: $BIN is not an executable"; exit 1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/l2f-tui.XXXXXX")
SOCK_BASE=l2f-tui-$$-$RANDOM
SOCK=$SOCK_BASE-0
SOCKS=()
export LC_ALL=C.UTF-8 # tmux prints captured UTF-8 only to a UTF-8 client

tm() { tmux -u -L "$SOCK" -f /dev/null "$@"; }
# A fresh server per session: a killed server lingers a moment, and a new
# session on its socket could meet it dying.
new_server() {
    tm kill-server >/dev/null 2>&1
    SOCK=$SOCK_BASE-${#SOCKS[@]}
    SOCKS+=("$SOCK")
}
cleanup() {
    local s
    for s in "${SOCKS[@]}"; do
        tmux -L "$s" kill-server >/dev/null 2>&1
    done
    rm -rf "$WORK"
}
trap cleanup EXIT

FAILED=0
CURRENT=
fail() {
    echo "FAIL [$CURRENT]: $*"
    FAILED=1
    return 1
}

# start W H ENV... -- ARGS...: the binary in a new session with a fixed
# environment; after it exits the pane keeps its exit status on screen.
start() {
    local w=$1 h=$2
    shift 2
    local envs=()
    while [ $# -gt 0 ] && [ "$1" != -- ]; do
        envs+=("$1")
        shift
    done
    shift
    new_server
    local cmd="env -u NO_COLOR TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 L2TPFIX_MOCK_STEP_MS=40"
    local e
    for e in "${envs[@]}"; do cmd+=" $(printf %q "$e")"; done
    cmd+=" $(printf %q "$BIN")"
    for e in "$@"; do cmd+=" $(printf %q "$e")"; done
    cmd+="; echo \"[exit \$?]\"; sleep 600"
    tm new-session -d -x "$w" -y "$h" "$cmd"
}

screen() { tm capture-pane -p -t 0; }

# Waits until the screen shows TEXT (a fixed string).
wait_for() {
    local text=$1 limit=$((${2:-$TIMEOUT} * 20)) i
    for ((i = 0; i < limit; i++)); do
        screen | grep -qF -- "$text" && return 0
        sleep 0.05
    done
    screen
    fail "timed out waiting for: $text"
}

wait_gone() {
    local text=$1 limit=$((TIMEOUT * 20)) i
    for ((i = 0; i < limit; i++)); do
        screen | grep -qF -- "$text" || return 0
        sleep 0.05
    done
    fail "still on screen: $text"
}

# Waits until the screen has stopped changing: nothing marked running (a
# mark then the word in the status column) and the same for four looks.
settle() {
    local prev= cur same=0 i
    for ((i = 0; i < TIMEOUT * 10; i++)); do
        cur=$(screen)
        if [ "$cur" = "$prev" ] && ! grep -qE '^.{4}[^ ] running ' <<<"$cur"; then
            same=$((same + 1))
            [ $same -ge 3 ] && return 0
        else
            same=0
        fi
        prev=$cur
        sleep 0.1
    done
    fail "the screen never settled"
}

keys() { tm send-keys -t 0 "$@"; }

# What changes between runs and releases: the journal's timestamps, the version.
mask() {
    sed -E -e 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{3})?Z/YYYY-MM-DDTHH:MM:SS.sssZ/g' \
        -e 's/^ l2tpfix [0-9][0-9a-z.+-]* / l2tpfix VERSION /' -e "s|$WORK|\$WORK|g"
}

golden() {
    local name=$1 file=$GOLDEN/$1.txt
    settle || return 1
    screen | mask >"$WORK/$name.txt"
    if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
        mkdir -p "$GOLDEN"
        cp "$WORK/$name.txt" "$file"
        echo "updated $file"
        return 0
    fi
    if [ ! -f "$file" ]; then
        cat "$WORK/$name.txt"
        fail "no golden file $file (run with UPDATE_GOLDEN=1 to create it, then review it)"
        return 1
    fi
    if ! diff -u "$file" "$WORK/$name.txt"; then
        fail "screen differs from golden/$name.txt (above: - expected, + actual)"
        return 1
    fi
}

no_high_bytes() {
    local what=$1
    if screen | LC_ALL=C grep -q '[^ -~]'; then
        screen | LC_ALL=C grep -n '[^ -~]' | head -5
        fail "$what: a byte outside printable ASCII is on screen"
        return 1
    fi
}

no_colour() {
    local what=$1
    # SGR colour parameters: 30-37, 38;x, 40-47, 48;x, 90-97, 100-107 (39/49 are "default")
    if tm capture-pane -p -e -t 0 | grep -qE $'\e\\[([0-9;]*;)?(3[0-8]|4[0-8]|9[0-7]|10[0-7])(;[0-9;]*)?m'; then
        tm capture-pane -p -e -t 0 | cat -v | head -5
        fail "$what: colour escape sequences on a monochrome screen"
        return 1
    fi
}

# The checklist's own pid: the child of the pane's shell (never a match by name,
# which could hit another test running in parallel).
tui_pid() { pgrep -P "$(tm display-message -p -t 0 '#{pane_pid}')" | head -1; }

# ---- the tests ----

# The article's classic case: a, y fixes it; c lights the stages up to connected.
test_classic() {
    start 80 24 -- --demo
    wait_for "fixes recommended" && golden classic_start || return 1
    keys a
    wait_for "Apply 2 fixes?" && golden classic_confirm || return 1
    keys y
    wait_for "Applied mschapv2, lcp-extensions" && golden classic_fixed || return 1
    keys c
    wait_for "Connected: all four stages passed" && golden classic_connected || return 1
}

# With the default pace the stages light up one at a time and stop at the failing one.
test_connect_live() {
    start 80 24 L2TPFIX_MOCK_STEP_MS=350 -- --demo
    wait_for "fixes recommended" && settle || return 1
    keys c
    wait_for "Test connection to vpn.example.com" || return 1
    # keys are answered while the connection runs: the selection moves at once
    keys Down
    wait_for "▶   ✗ FAIL      lcp-extensions" || return 1
    screen | grep -q "stopped here" && { fail "the key waited for the connection to finish"; return 1; }
    keys Up
    local partial=0 i s
    for ((i = 0; i < 100; i++)); do
        s=$(screen)
        # the tunnel has passed while the PPP stage is not decided yet
        if grep -q "L2TP tunnel .*passed" <<<"$s" && ! grep -q "PPP negotiation .*stopped here" <<<"$s"; then
            partial=1
        fi
        grep -q "stopped here: 789" <<<"$s" && break
        sleep 0.05
    done
    [ $partial = 1 ] || fail "never saw a stage passed before the connection stopped" || return 1
    wait_for "Stopped in PPP negotiation: error 789" && golden connect_failed || return 1
}

# The two keystrokes work from launch, even typed before the diagnosis is done.
test_quick_keys() {
    start 80 24 -- --demo
    wait_for "Backend mock" || return 1
    keys a
    wait_for "Apply 2 fixes?" || return 1
    keys y
    wait_for "Applied mschapv2, lcp-extensions" && settle || return 1
    screen | grep -q "PPP negotiation  all 2 checks pass" || fail "PPP is not fixed" || return 1
}

# One fix with f: only the selected check's fix, the other stays failing.
test_fix_one() {
    start 80 24 -- --demo
    wait_for "fixes recommended" && settle || return 1
    keys f
    wait_for "Apply mschapv2?" && golden fix_one_confirm || return 1
    keys y
    wait_for "Applied mschapv2." && golden fix_one_done || return 1
}

# Issue 16 family 2: the weak-crypto fix is offered on its check, with its warning before it applies.
test_weak_crypto() {
    start 80 24 -- --demo=weak-crypto
    wait_for "NO-PROPOSAL-CHOSEN (788)" && settle || return 1
    keys f
    wait_for "Apply allow-weak-crypto?" && wait_for "Warning: This weakens the tunnel" &&
        golden weak_crypto_confirm || return 1
}

test_undo() {
    start 80 24 -- --demo
    wait_for "fixes recommended" && settle || return 1
    keys a
    wait_for "Apply 2 fixes?" || return 1
    keys y
    wait_for "Applied mschapv2" && settle || return 1
    keys u
    wait_for "Undo lcp-extensions" && golden undo_confirm || return 1
    keys y
    wait_for "Undid lcp-extensions" && golden undo_done || return 1
    keys h
    wait_for "Change history" && golden undo_history || return 1
}

# Several profiles: the picker opens first; p switches later.
test_profiles() {
    start 80 24 -- --demo=multi-profile
    wait_for "Pick a profile" && golden profiles_picker || return 1
    keys Down Enter
    wait_for "No problem found" && golden profiles_allusers || return 1
    keys p
    wait_for "Pick a profile" || return 1
    keys Home Enter
    wait_for "fix recommended" && golden profiles_user || return 1
}

# A PPPoE entry beside the VPN: the VPN is chosen at start; the picker lists
# the PPPoE entry as such, and Enter on it is refused in the status line.
test_entry_types() {
    local book=$WORK/types.pbk
    cp "$HERE/../pbk/pppoe-and-l2tp.pbk" "$book"
    start 100 24 -- --phonebook "$book" --state-dir "$WORK/types-st"
    wait_for "Office L2TP" && settle || return 1
    keys p
    wait_for "Pick a profile" || return 1
    screen | grep -qE '宽带连接 +user +PPPoE ' || { screen; fail "the picker does not show the PPPoE entry as such"; return 1; }
    keys Home Enter
    wait_for "'宽带连接' is a PPPoE (broadband) connection, not a VPN" || return 1
    screen | grep -qF "Office L2TP" || fail "the VPN is no longer the profile"
    cmp -s "$HERE/../pbk/pppoe-and-l2tp.pbk" "$book" || fail "the phonebook changed"
    # no VPN at all: the picker lists the entries and says there is nothing to pick
    cp "$HERE/../pbk/broadband-dialup.pbk" "$book"
    start 100 24 -- --phonebook "$book" --state-dir "$WORK/types-st"
    wait_for "No VPN profile here: the entries listed are not VPNs" || return 1
    screen | grep -qE 'Dial-up ISP +user +dial-up ' || { screen; fail "the picker does not show the dial-up entry"; }
}

test_explain() {
    start 80 24 -- --demo
    wait_for "fixes recommended" && settle || return 1
    keys e
    wait_for "Explain an error code" && golden explain_prompt || return 1
    keys 7 8 9 Enter
    wait_for "ERROR_OAKLEY_GENERAL_PROCESSING" && golden explain_789 || return 1
    keys Escape
    wait_gone "Error 789" || return 1
    # a code not in the table: every known code is listed, first to last
    keys e
    wait_for "Explain an error code" || return 1
    keys 1 2 3 4 Enter
    wait_for "1234 is not in l2tpfix's table; it knows:" || return 1
    wait_for "-2146762495 (0x800B0101) CERT_E_EXPIRED" || return 1
    keys End
    wait_for "13868 ERROR_IPSEC_IKE_POLICY_MATCH" || return 1
    keys Escape
    wait_gone "it knows:" || return 1
}

test_help() {
    start 80 24 -- --demo
    wait_for "fixes recommended" && settle || return 1
    keys '?'
    wait_for "Help: keys" && golden help || return 1
    keys End
    golden help_end || return 1
    keys Escape
    wait_gone "Help: keys" || return 1
}

test_resize() {
    start 80 24 -- --demo
    wait_for "fixes recommended" && golden classic_start || return 1
    tm resize-window -t 0 -x 100 -y 30
    golden resize_100x30 || return 1
    tm resize-window -t 0 -x 60 -y 16
    golden resize_60x16 || return 1
    tm resize-window -t 0 -x 40 -y 12
    golden resize_40x12 || return 1
    tm resize-window -t 0 -x 30 -y 10
    wait_for "terminal too small" && golden resize_30x10 || return 1
    [ "$(screen | grep -c .)" = 1 ] || fail "more than one line below 40x12" || return 1
    tm resize-window -t 0 -x 80 -y 24
    golden classic_start || return 1
}

# Monochrome: NO_COLOR, --no-color and a terminal without colours all read the same.
test_mono() {
    start 80 24 NO_COLOR=1 -- --demo
    wait_for "fixes recommended" && settle && no_colour "NO_COLOR" && golden classic_start || return 1
    start 80 24 -- --demo --no-color
    wait_for "fixes recommended" && settle && no_colour "--no-color" && golden classic_start || return 1
    keys a
    wait_for "Apply 2 fixes?" && settle && no_colour "--no-color dialog" || return 1
    start 80 24 TERM=vt100 -- --demo
    wait_for "fixes recommended" && settle && no_colour "TERM=vt100" || return 1
}

test_ascii() {
    start 80 24 -- --demo --ascii
    wait_for "fixes recommended" && golden ascii_start && no_high_bytes "--ascii" || return 1
    keys a
    wait_for "Apply 2 fixes?" && golden ascii_confirm && no_high_bytes "--ascii confirm" || return 1
    keys y
    wait_for "Applied" && settle && no_high_bytes "--ascii fixed" || return 1
    keys c
    wait_for "Connected" && golden ascii_connected && no_high_bytes "--ascii connected" || return 1
    keys '?'
    wait_for "Help: keys" && settle && no_high_bytes "--ascii help" || return 1
    # a locale that is not UTF-8 gets ASCII glyphs without being asked
    start 80 24 LANG=C LC_ALL=C -- --demo
    wait_for "fixes recommended" && settle && no_high_bytes "LANG=C" || return 1
}

# q returns to the shell with the terminal as it was; so do the signals.
test_quit() {
    new_server
    tm new-session -d -x 80 -y 24 "env -u NO_COLOR TERM=xterm-256color PS1='$ ' sh"
    local run
    run="env L2TPFIX_MOCK_STEP_MS=40 $(printf %q "$BIN") --demo; echo \"[exit \$?]\""
    keys "clear; echo BEFORE-THE-CHECKLIST; stty -g > $WORK/stty.before" Enter
    wait_for "BEFORE-THE-CHECKLIST" || return 1
    keys "$run" Enter
    wait_for "fixes recommended" && settle || return 1
    keys q
    wait_for "[exit 0]" || return 1
    screen | grep -q "BEFORE-THE-CHECKLIST" || fail "the shell's screen was not restored" || return 1
    screen | grep -q "Backend mock" && { fail "the checklist is still on screen after q"; return 1; }
    keys "stty -g > $WORK/stty.after" Enter
    sleep 0.3
    cmp -s "$WORK/stty.before" "$WORK/stty.after" || fail "terminal modes differ after q" || return 1

    # Ctrl-C, SIGTERM and SIGHUP (a dropped session) end it cleanly too
    local sig want
    for sig in INT TERM HUP; do
        keys "clear" Enter
        keys "$run" Enter
        wait_for "fixes recommended" && settle || return 1
        case $sig in
        INT) keys C-c; want=130 ;;
        TERM) kill -TERM "$(tui_pid)"; want=143 ;;
        HUP) kill -HUP "$(tui_pid)"; want=129 ;;
        esac
        wait_for "[exit $want]" || return 1
        screen | grep -q "Backend mock" && { fail "SIG$sig left the checklist on screen"; return 1; }
        keys "stty -g > $WORK/stty.after" Enter
        sleep 0.3
        cmp -s "$WORK/stty.before" "$WORK/stty.after" || fail "terminal modes differ after SIG$sig" || return 1
    done
    # q asks first while a test connection runs
    keys clear Enter
    keys "env L2TPFIX_MOCK_STEP_MS=2000 $(printf %q "$BIN") --demo; echo \"[exit \$?]\"" Enter
    wait_for "fixes recommended" && settle || return 1
    keys c
    wait_for "Test connection to" || return 1
    keys q
    wait_for "Hang it up and quit?" || return 1
    keys n
    wait_gone "Hang it up and quit?" || return 1
    keys q
    wait_for "Hang it up and quit?" || return 1
    keys y
    wait_for "[exit 0]" || return 1
}

# The question while a test connection runs names what y does here: quit, not apply.
test_quit_hint() {
    start 80 24 L2TPFIX_MOCK_STEP_MS=2000 -- --demo
    wait_for "fixes recommended" && settle || return 1
    keys c
    wait_for "Test connection to" || return 1
    keys q
    wait_for "Hang it up and quit?" || return 1
    screen | grep -qF "y quit  n cancel" || { screen; fail "the quit dialog does not say 'y quit'"; return 1; }
    screen | grep -qF "y apply" && { fail "the quit dialog says 'y apply'"; return 1; }
    keys y
    wait_for "[exit 0]" || return 1
}

# Bytes written to the terminal: one selection move, the details pane filled
# after the keys pause, a burst of moves and one idle second. The pause is
# lengthened (L2TPFIX_DETAILS_IDLE_MS) so a move's bytes are counted apart
# from the pane's text.
test_bytes() {
    start 80 24 L2TPFIX_DETAILS_IDLE_MS=4000 -- --demo
    wait_for "fixes recommended" && settle || return 1
    local out=$WORK/bytes
    : >"$out"
    tm pipe-pane -t 0 -o "cat >> $out"
    sleep 0.3
    : >"$out"
    keys Down
    wait_for "▶   ✗ FAIL      lcp-extensions" || return 1
    # the move put the new title up over no text: never the last check's text
    screen | grep -q "── LCP extensions enabled ──" || fail "the pane's title did not follow the move" || return 1
    screen | grep -qE "Why:|Fix:" && { fail "the pane showed text before the keys paused"; return 1; }
    sleep 0.5
    local move fill burst idle
    move=$(wc -c <"$out")
    : >"$out"
    wait_for "Fix:    Enable LCP extensions" || return 1
    sleep 0.3
    fill=$(wc -c <"$out")
    : >"$out"
    keys Down Up Down Down Down Up # six moves in a burst: lcp-extensions to credentials, via last-auth
    wait_for "▶   ✓ pass      credentials" || return 1
    screen | grep -q "── Credentials saved ──" || fail "the pane's title is not the burst's last check" || return 1
    screen | grep -qE "Why:|Fix:" && { fail "the pane showed text during the burst"; return 1; }
    sleep 0.5
    burst=$(wc -c <"$out")
    wait_for "Fix:    Save user name and password" && sleep 0.3 || return 1
    : >"$out"
    sleep 1
    idle=$(wc -c <"$out")
    tm pipe-pane -t 0
    echo "bytes: one selection move $move, the pane filled $fill, a burst of six moves $burst, one idle second $idle"
    [ "$move" -gt 0 ] || fail "the move wrote nothing: pipe-pane did not capture" || return 1
    [ "$move" -le 300 ] || fail "one selection move wrote $move bytes (at most 300)" || return 1
    [ "$burst" -le 1800 ] || fail "a burst of six moves wrote $burst bytes (at most 300 a move)" || return 1
    [ "$idle" -eq 0 ] || fail "an idle second wrote $idle bytes (expected none)" || return 1
}

# Issue 15: the details pane follows the selection: a check, then a stage, and
# never the check it showed before (the cursor on credentials, the pane on LCP).
test_follow() {
    start 80 24 -- --demo
    wait_for "fixes recommended" && settle || return 1
    keys Down Down Down # mschapv2 -> lcp-extensions -> Authentication -> credentials
    wait_for "▶   ✓ pass      credentials" || return 1
    wait_for "── Credentials saved ──" && golden follow_check || return 1
    screen | grep -q "LCP extensions enabled" && { fail "the pane still shows lcp-extensions"; return 1; }
    keys Up
    wait_for "── Authentication ──" && golden follow_stage || return 1
    keys Enter # folds the stage; the pane says what Enter does now
    wait_for "Enter unfolds its checks." || return 1
}

# Watches the screen until it shows UNTIL (the diagnosis done): fails when it
# shows the result NOW with the fix line THEN beside it on the way.
never_both() {
    local now=$1 then=$2 until=$3 what=$4 i s
    for ((i = 0; i < TIMEOUT * 20; i++)); do
        s=$(screen)
        if grep -qF -- "$now" <<<"$s" && grep -qF -- "$then" <<<"$s"; then
            echo "$s"
            fail "$what"
            return 1
        fi
        grep -qF -- "$until" <<<"$s" && return 0
        sleep 0.02
    done
    fail "timed out waiting for: $until"
}

# Issue 15: after a fix or an undo the pane's Fix line is the current result's,
# never the plan of the result before (a pass still offering 128 -> 512).
test_fix_line() {
    start 80 24 -- --demo
    wait_for "fixes recommended" && settle || return 1
    wait_for "Fix:    Allow MS-CHAP v2 (mschapv2), recommended: press f" || return 1
    keys f
    wait_for "Apply mschapv2?" || return 1
    keys y
    never_both " ✓ pass  AuthRestrictions=512" "128 (EAP) -> 512" "Allow MS-CHAP v2 (mschapv2): nothing to change" \
        "mschapv2 passes while the pane still offers its fix" || return 1
    keys u
    wait_for "Undo mschapv2" || return 1
    keys y
    wait_gone "Undo mschapv2" || return 1
    never_both " ✗ FAIL  AuthRestrictions=128" "nothing to change" "AuthRestrictions 128 (EAP) -> 512 (MS-CHAP v2)" \
        "mschapv2 fails again while the pane says nothing is to change" || return 1
    settle && screen | grep -qF "Fix:    Allow MS-CHAP v2 (mschapv2), recommended: press f" ||
        fail "the Fix line after the undo is not the recommended fix" || return 1
}

# Issue 15: psk-matches shows the server's verdict on a key typed for use-psk:
# rejected (nothing saved), then accepted; the key itself is never on screen.
test_psk_typed() {
    start 80 24 -- --demo=psk-mismatch
    wait_for "fix recommended" && settle || return 1
    screen | grep -qE "skipped +psk-matches +no key at hand" || fail "psk-matches was not 'no key at hand' at first" || return 1
    keys a
    wait_for "Apply use-psk?" || return 1
    keys y
    wait_for "Pre-shared key for 'Office VPN'" || return 1
    keys -l "not-the-servers"
    keys Enter
    wait_for "server rejects this key" && settle || return 1
    screen | grep -qE "FAIL +psk-matches +the server rejects (the )?key typed for use-psk" ||
        fail "psk-matches does not show the rejected key" || return 1
    keys a
    wait_for "Apply use-psk?" || return 1
    keys y
    wait_for "Pre-shared key for 'Office VPN'" || return 1
    keys -l "the-servers-key"
    keys Enter
    wait_for "Applied use-psk" && settle || return 1
    screen | grep -q "IPsec            all 7 checks pass" || fail "IPsec does not count psk-matches as passed" || return 1
    keys Home Down Enter # unfold IPsec
    wait_for "psk-matches" && settle && golden psk_typed || return 1
    screen | grep -qE "servers-key|not-the-servers" && { fail "a typed key is on screen"; return 1; }
    return 0
}

# Issue 16 family 4: a key with a trailing blank and a backslash goes back to its dialog
# once with what was found (by code point, never the key); Enter then saves it as typed.
test_psk_lint() {
    start 80 24 -- --demo=psk-mismatch
    wait_for "fix recommended" && settle || return 1
    keys a
    wait_for "Apply use-psk?" || return 1
    keys y
    wait_for "Pre-shared key for 'Office VPN'" || return 1
    keys -l 'Zq8\Xv '
    keys Enter
    wait_for "The key as typed may not be the server" && settle || return 1
    screen | grep -qF "U+005C REVERSE SOLIDUS at position 4" || fail "the backslash is not named" || return 1
    screen | grep -qF "1 blank after the key" || fail "the trailing blank is not named" || return 1
    screen | grep -qF "Zq8" && { fail "the typed key is on screen"; return 1; }
    keys Enter # saved as typed: the server then says it is not its key
    wait_for "server rejects this key" || return 1
    return 0
}

# Every TERM the issue names starts, shows the checklist and quits cleanly.
test_terms() {
    local t
    for t in xterm xterm-256color screen tmux-256color vt100 linux; do
        if ! infocmp "$t" >/dev/null 2>&1; then
            echo "note: no terminfo entry for $t here, not tried"
            continue
        fi
        start 80 24 TERM=$t -- --demo
        wait_for "fixes recommended" && settle || { fail "TERM=$t"; return 1; }
        screen | grep -q "PPP negotiation" || fail "TERM=$t: no checklist" || return 1
        keys q
        wait_for "[exit 0]" || { fail "TERM=$t: q did not quit"; return 1; }
    done
}

# --mock FILE: fixes made on screen are written to the file.
test_mock_file() {
    cp "$SCENARIOS/classic-789.ini" "$WORK/machine.ini"
    start 80 24 -- --mock "$WORK/machine.ini" --state-dir "$WORK/state"
    wait_for "fixes recommended" && settle || return 1
    keys a
    wait_for "Apply 2 fixes?" || return 1
    keys y
    wait_for "Applied" && settle || return 1
    keys q
    wait_for "[exit 0]" || return 1
    grep -q "^AuthRestrictions = 512" "$WORK/machine.ini" || fail "AuthRestrictions not written" || return 1
    grep -q "^LcpExtensions = 1" "$WORK/machine.ini" || fail "LcpExtensions not written" || return 1
    [ -s "$WORK/state/journal.jsonl" ] || fail "no journal written" || return 1
}

# A setting that changed since `baseline save` is marked on its check and
# explained in the details (issue 8).
test_drift() {
    # a state directory of its own: another test's journal would make last-auth stale
    mkdir -p "$WORK/drift"
    cp "$SCENARIOS/healthy.ini" "$WORK/drift/machine.ini"
    "$BIN" --mock "$WORK/drift/machine.ini" --state-dir "$WORK/drift/state" baseline save >/dev/null ||
        fail "baseline save failed" || return 1
    sed -i 's/^\[profile "Office VPN"\]$/&\nLcpExtensions = 0/' "$WORK/drift/machine.ini"
    start 100 30 -- --mock "$WORK/drift/machine.ini" --state-dir "$WORK/drift/state"
    wait_for "drifted: LcpExtensions=0" && settle || return 1
    golden drift || return 1
    keys q
    wait_for "[exit 0]" || return 1
}

# Names at their worst (issue 9): invalid UTF-8, control characters, the
# longest name a profile can have, a server name as long: the screen keeps
# its shape (golden) and no raw byte of them reaches the terminal.
test_hostile() {
    local long server
    long=$(printf 'L%.0s' $(seq 230))
    server=$(printf 'S%.0s' $(seq 120))
    printf '[profile "\377\376bad\001utf8 %s"]\nPhoneNumber = %s\x1b[2J\n' "$long" "$server" >"$WORK/hostile.ini"
    start 80 24 -- --mock "$WORK/hostile.ini" --state-dir "$WORK/state" --no-color
    wait_for "No automatic fix" && settle || return 1
    golden hostile || return 1
    if tm capture-pane -p -e -t 0 | LC_ALL=C grep -q $'\377\|\001'; then
        fail "a raw byte of the name reached the terminal"
        return 1
    fi
    keys q
    wait_for "[exit 0]" || return 1
}

# Another local user's phonebook (issue 8): A in the picker adds it, the
# entry is named by whose it is, and its fixes go to that user's profile;
# without administrator rights A is refused and nothing is added.
# A journal whose last line a crash cut short: the first change sets it aside, and says so once.
test_torn() {
    mkdir -p "$WORK/torn"
    cp "$SCENARIOS/classic-789.ini" "$WORK/torn.ini"
    printf '{"op":"begin","id":1,"time":"2026-12-0' >"$WORK/torn/journal.jsonl"
    start 120 24 -- --mock "$WORK/torn.ini" --state-dir "$WORK/torn"
    wait_for "fixes recommended" && settle || return 1
    keys f
    wait_for "Apply mschapv2?" || return 1
    keys y
    wait_for "kept in journal.jsonl.torn-" || return 1
    screen | grep -q "Applied mschapv2" || fail "the fix's own message is gone" || return 1
    ls "$WORK/torn"/journal.jsonl.torn-* >/dev/null 2>&1 || fail "no torn line set aside" || return 1
    grep -q '"id":1,"time":"2026-12-0$' "$WORK/torn"/journal.jsonl.torn-* || fail "the torn line not kept whole" || return 1
    keys u
    wait_for "Undo mschapv2" || return 1
    keys y
    wait_for "Undid mschapv2" || return 1
    screen | grep -q "Torn journal line" && { fail "the torn line reported twice"; return 1; }
    return 0
}

test_other_users() {
    printf '[profile "Office VPN"]\nAuthRestrictions = 544\n\n[profile "alice\\Office VPN"]\nowner = alice\nAuthRestrictions = 128\nLcpExtensions = 0\n' >"$WORK/users.ini"
    start 80 24 -- --mock "$WORK/users.ini" --state-dir "$WORK/state"
    wait_for "No problem found" && settle || return 1
    keys p
    wait_for "A all users" || return 1
    keys A
    wait_for "1 more profile" && golden other_users_picker || return 1
    keys Down Enter
    wait_for "(alice's phonebook)" && wait_for "fixes recommended" && settle || return 1
    keys a
    wait_for "Apply 2 fixes?" || return 1
    keys y
    wait_for "Applied" && settle || return 1
    keys q
    wait_for "[exit 0]" || return 1
    sed -n '/^\[profile "alice\\Office VPN"\]/,$p' "$WORK/users.ini" | grep -q "^AuthRestrictions = 512" ||
        fail "alice's profile not fixed" || return 1
    sed -n '/^\[profile "Office VPN"\]/,/^\[profile "alice/p' "$WORK/users.ini" | grep -q "^AuthRestrictions = 544" ||
        fail "this user's profile changed by a fix of alice's" || return 1
    sed -i 's/^admin = yes$/admin = no/' "$WORK/users.ini" # the mock wrote the file back whole
    start 80 24 -- --mock "$WORK/users.ini" --state-dir "$WORK/state2"
    wait_for "No problem found" && settle || return 1
    keys p
    wait_for "A all users" || return 1
    keys A
    wait_for "access denied: run l2tpfix elevated" || return 1
    screen | grep -q "alice" && { fail "alice's profile listed without administrator rights"; return 1; }
    return 0
}

# A fix that needs the pre-shared key asks with echo off; nothing typed shows.
test_secret() {
    start 80 24 -- --demo=psk-mismatch
    wait_for "fix recommended" && settle || return 1
    keys a
    wait_for "Apply use-psk?" || return 1
    keys y
    wait_for "Pre-shared key for 'Office VPN'" && golden secret_prompt || return 1
    keys -l "the-servers-key"
    wait_for "[typed, hidden]" || return 1
    screen | grep -q "servers-key" && { fail "the secret is on screen"; return 1; }
    golden secret_typed || return 1
    keys Enter
    wait_for "Applied use-psk" && settle || return 1
    keys c
    wait_for "Connected: all four stages passed" || return 1
}

# Without administrator rights a fix that needs them says so and changes nothing.
test_admin() {
    sed 's/^admin = yes/admin = no/' "$SCENARIOS/nat-809.ini" >"$WORK/nat.ini"
    cp "$WORK/nat.ini" "$WORK/nat.orig"
    start 80 24 -- --mock "$WORK/nat.ini" --state-dir "$WORK/state"
    wait_for "fix recommended" && settle || return 1
    keys a
    wait_for "needs administrator rights, which" || return 1
    keys y
    wait_for "needs administrator rights" && golden admin_refused || return 1
    cmp -s "$WORK/nat.ini" "$WORK/nat.orig" || fail "the scenario changed without administrator rights" || return 1
}

# Names from the machine are sanitised: an escape sequence in a profile name
# or server shows as '?' and never reaches the terminal.
test_sanitize() {
    printf '[server]\naddress = vpn.example.com\n\n[profile "Evil\033[31mVPN\007"]\nphonebook = user\nPhoneNumber = x\033]2;pwned\007.example.com\nVpnStrategy = 3\nAuthRestrictions = 512\nLcpExtensions = 1\nIpSecFlags = 1\npsk = k\nusername = u\npassword = p\nlast_error = 0\n' >"$WORK/evil.ini"
    # monochrome: then any colour on screen could only come from the name
    start 80 24 -- --mock "$WORK/evil.ini" --state-dir "$WORK/state" --no-color
    wait_for "Evil?[31mVPN?" && settle || return 1
    screen | grep -qF "x?]2;pwned?.example.com" || fail "the server name is not shown sanitised" || return 1
    tm display-message -p -t 0 '#{pane_title}' | grep -q pwned && { fail "an escape sequence reached the terminal"; return 1; }
    if tm capture-pane -p -e -t 0 | grep -q $'\e\[31m'; then
        fail "the profile name's colour sequence reached the terminal"
        return 1
    fi
    keys p
    wait_for "Pick a profile" && settle || return 1
    screen | grep -qF "Evil?[31mVPN?" || fail "the picker shows the name unsanitised" || return 1
}

# A change that needs a restart puts the marker in the header. On the simulated
# machine it says the change is applied already, beside "Connected" too; undo
# puts the value back and the marker goes (it comes from the journal, issue 15).
test_restart() {
    start 80 24 -- --demo=nat-809
    wait_for "fix recommended" && settle || return 1
    keys a
    wait_for "Apply nat-traversal?" || return 1
    keys y
    wait_for ".: applied) " && golden restart_required || return 1
    keys c
    wait_for "Connected: all four stages passed" && settle || return 1
    screen | head -1 | grep -qE "RESTART \((simulated|sim\.): applied\)" ||
        fail "beside Connected the marker does not say the simulated machine applied it" || return 1
    keys u
    wait_for "Undo nat-traversal" || return 1
    keys y
    wait_for "Undid nat-traversal" && settle || return 1
    ! screen | head -1 | grep -qF "RESTART" || fail "the marker stayed after the undo put the value back" || return 1
    # wide: the whole sentence
    start 120 24 -- --demo=nat-809
    wait_for "fix recommended" && settle || return 1
    keys a
    wait_for "Apply nat-traversal?" || return 1
    keys y
    wait_for "RESTART REQUIRED (the simulated machine applied it)" || return 1
}

# Undo of a fix that saved a secret says what it cannot bring back: l2tpfix
# never keeps the key or password saved before (issue 15).
test_undo_secret() {
    start 80 24 -- --demo=psk-mismatch
    wait_for "fix recommended" && settle || return 1
    keys a
    wait_for "Apply use-psk?" || return 1
    keys y
    wait_for "Pre-shared key for 'Office VPN'" || return 1
    keys -l "the-servers-key"
    keys Enter
    wait_for "Applied use-psk" && settle || return 1
    keys u
    wait_for "Undo use-psk" && golden undo_secret_confirm || return 1
    keys y
    wait_for "Undid use-psk" || return 1
    start 80 24 -- --demo=wrong-password
    wait_for "fix recommended" && settle || return 1
    keys a
    wait_for "Apply credentials?" || return 1
    keys y
    wait_for "Password for 'Office VPN'" || return 1
    keys -l "Correct-Pass"
    keys Enter
    wait_for "Applied credentials" && settle || return 1
    keys u
    wait_for "Undo credentials" && settle || return 1
    screen | grep -qF "The password saved before cannot come back" ||
        fail "the undo of credentials does not say the old password cannot come back" || return 1
    ! screen | grep -qF "value before the arrow:" ||
        fail "the undo of credentials promises every value back" || return 1
}

# A service restart is not a Windows restart: the plan never says both, and the
# services a fix started are told as started (issue 15).
test_services_started() {
    start 100 30 -- --demo=services-stopped
    wait_for "fix recommended" && settle || return 1
    keys a
    wait_for "Apply restart-ipsec-services?" || return 1
    keys y
    wait_for "Applied restart-ipsec-services (IKEEXT and PolicyAgent started)" && golden services_started || return 1
    keys Enter Down # the pane follows the selection: unfold IPsec, then its first check
    wait_for "── IPsec services" && wait_for "running -> restarted" ||
        fail "the pane shows no restart plan to word" || return 1
    ! screen | grep -qF "no restart needed" || fail "a restart plan says no restart needed" || return 1
}

# Issue 14: f offers no switch the server refused; a and f convert no IKEv2 profile to L2TP.
test_evidence() {
    start 80 24 -- --demo
    wait_for "fixes recommended" && settle || return 1
    keys Up Up Enter # unfold IPsec, then down to its last check
    wait_for "ikev2-availab" || return 1
    keys Down Down Down Down Down Down Down Down Down # the pane follows the selection (issue 15)
    wait_for "── IKEv2 as an alternative" || return 1
    keys f
    wait_for "switch-ikev2 not offered: IKEv2 did not answer (no-proposal" || return 1
    ! screen | grep -qF "Apply switch-ikev2" || fail "a refused switch was offered for confirmation" || return 1
    start 80 24 -- --demo=multi-profile --profile "Home IKEv2"
    wait_for "No automatic fix" && settle || return 1
    keys a
    wait_for "No automatic fix recommended" || return 1
    screen | grep -qE "n/a +psk-configured +not an L2TP/IPsec profile \(VpnStrategy=7" ||
        fail "the IKEv2 profile's L2TP checks are not marked n/a" || return 1
    keys End Up Up Up Up Up Enter # fold PPP: no check of it applies to IKEv2
    wait_for "no check applies to this type of VPN" || return 1
    ! screen | grep -qF "Apply " || fail "a conversion was offered" || return 1
}

# A phonebook file offline with nothing wrong in it (issue 14): no stage may say
# pass over an unknown, and the message says how many checks could not be made
test_offline() {
    cp "$HERE/../pbk/user-l2tp.pbk" "$WORK/offline.pbk"
    "$BIN" --phonebook "$WORK/offline.pbk" --state-dir "$WORK/state" fix all --yes >/dev/null ||
        fail "fix all on the phonebook failed" || return 1
    start 100 30 -- --phonebook "$WORK/offline.pbk" --state-dir "$WORK/state"
    wait_for "No problem found in the 4 checks made here; 12 could not be made here" && settle || return 1
    golden offline || return 1
    keys q
    wait_for "[exit 0]" || return 1
}

# A phonebook of 90 profiles (issue 15), written by the test: thirty towns
# A to Z and on, three entries each; two share a backup server; the last
# starts with a digit.
write_ninety() {
    local towns=(Aachen Berlin Cottbus Dresden Essen Frankfurt Gera Hamburg Ingolstadt Jena Kiel Leipzig
        Mainz Nuremberg Oldenburg Potsdam Quedlinburg Rostock Stuttgart Trier Ulm Verden Weimar Xanten
        Yorck Zwickau Bonn Celle Dortmund Erfurt)
    local i name server
    for ((i = 1; i <= 90; i++)); do
        name=$(printf '%s %02d' "${towns[$(((i - 1) / 3))]}" "$i")
        [ $i = 90 ] && name="2nd Erfurt 90"
        server=$(printf 'vpn%02d.example.com' "$i")
        case $i in 40 | 70) server=backup.example.net ;; esac
        printf '[profile "%s"]\nphonebook = user\nPhoneNumber = %s\nVpnStrategy = 3\n\n' "$name" "$server"
    done >"$1"
}

# The picker of 90: its position, / finds by server, n and N go round the ends.
test_search_picker() {
    write_ninety "$WORK/ninety.ini"
    start 80 24 -- --mock "$WORK/ninety.ini" --state-dir "$WORK/state"
    wait_for "1 of 90" || return 1
    keys Down Down Down Down Down Down Down Down Down Down Down
    wait_for "12 of 90" && golden search_picker_12 || return 1
    keys / b a c k
    wait_for "/back_" || return 1
    keys Enter
    wait_for "40 of 90" && golden search_picker_found || return 1
    screen | grep -qF "▶ Nuremberg 40" || fail "the match is not the selected row" || return 1
    keys n
    wait_for "70 of 90" || return 1
    screen | grep -qF "▶ Xanten 70" || fail "n did not select the next match" || return 1
    keys n
    wait_for "40 of 90" && wait_for "search went round to the top" || return 1
    keys N
    wait_for "70 of 90" && wait_for "search went round to the bottom" || return 1
    # not found: the selection stays; Esc leaves the prompt, not the picker
    keys / n o w h e r e Enter
    wait_for "not found: nowhere" || return 1
    screen | grep -qF "70 of 90" || fail "a search that found nothing moved the selection" || return 1
    keys / x Escape
    wait_gone "/x_" || return 1
    screen | grep -qF "70 of 90" || fail "Esc in the prompt closed the picker" || return 1
    # the narrowest checklist keeps the position, with shorter hints
    tm resize-window -t 0 -x 40 -y 12
    wait_for "70 of 90 ─" || return 1
    tm resize-window -t 0 -x 80 -y 24
    keys Enter
    wait_for "Xanten 70 (this user's phonebook)" || return 1
}

# Type-to-jump in the picker: a prefix typed at once, a new one after a
# second; j stays a key (down), n and N stay the search's.
test_search_jump() {
    write_ninety "$WORK/ninety.ini"
    start 80 24 -- --mock "$WORK/ninety.ini" --state-dir "$WORK/state"
    wait_for "1 of 90" && settle || return 1
    keys D
    wait_for "10 of 90" || return 1 # Dresden 10
    sleep 1.2
    keys D o
    wait_for "85 of 90" || return 1 # "Do": Dortmund 85, not Dresden
    screen | grep -qF "▶ Dortmund 85" || fail "Do did not select Dortmund" || return 1
    sleep 1.2
    keys o
    wait_for "43 of 90" || return 1 # a second later "o" starts afresh: Oldenburg 43
    keys j
    wait_for "44 of 90" || return 1 # j moves down, it does not jump to Jena
    sleep 1.2
    keys J
    wait_for "28 of 90" || return 1 # J, which is no key, jumps to Jena 28
    sleep 1.2
    keys 2
    wait_for "90 of 90" || return 1 # a digit: "2nd Erfurt 90"
    sleep 1.2
    keys X y
    wait_for "no name starts with Xy" || return 1
    screen | grep -qF "70 of 90" || fail "X did not jump to Xanten 70" || return 1
}

# / in the help: the match scrolls to the top and is marked; n goes on and
# round; the key table's own rows name the new keys.
test_search_help() {
    start 80 24 -- --demo
    wait_for "fixes recommended" && settle || return 1
    keys / # a list's key on the checklist is answered, not ignored
    wait_for "That key does nothing here: ? shows the keys" || return 1
    keys '?'
    wait_for "Help: keys" || return 1
    keys / U N D O Enter
    wait_for "│ u             undo the last change" && golden search_help || return 1
    screen | sed -n 3p | grep -qF "undo the last change" || fail "the match is not at the top" || return 1
    tm capture-pane -p -e -t 0 | grep -qF $'\e[46mundo' || fail "the match is not marked" || return 1
    keys n
    wait_for "can be undone with" || return 1
    tm capture-pane -p -e -t 0 | grep -qF $'\e[46mundo\e' || fail "the next match is not marked" || return 1
    keys n
    wait_for "search went round to the top" || return 1
    screen | sed -n 3p | grep -qF "undo the last change" || fail "n did not go round to the first match" || return 1
    keys / z z z Enter
    wait_for "not found: zzz" || return 1
    keys Escape
    wait_gone "Help: keys" || return 1
}

# / in the history; and n is still "no" in a confirmation.
test_search_history() {
    start 80 24 -- --demo
    wait_for "fixes recommended" && settle || return 1
    keys a
    wait_for "Apply 2 fixes?" || return 1
    keys y
    wait_for "Applied mschapv2" && settle || return 1
    keys u
    wait_for "Undo lcp-extensions" || return 1
    keys n
    wait_for "Nothing undone." || return 1
    keys h
    wait_for "Change history" || return 1
    keys / L C P Enter
    wait_for "Change history" && settle || return 1
    tm capture-pane -p -e -t 0 | grep -qF $'\e[46mlcp\e' || fail "the first match is not marked" || return 1
    keys N # back from the first match, round to the last: the setting's name
    wait_for "search went round to the bottom" || return 1
    tm capture-pane -p -e -t 0 | grep -qF $'\e[46mLcp\e' || fail "the last match is not marked" || return 1
    keys / n o n e Enter
    wait_for "not found: none" || return 1
}

# Meaning before decoration at 40x12 (issue 15): values, the essential keys and
# the demo marker show whole; a message is cut between words, never in an option.
test_small() {
    start 40 12 -- --demo
    wait_for "fixes recommended" && settle || return 1
    local s
    s=$(screen)
    grep -qE 'AuthRestrictions=128( |$)' <<<"$s" || fail "the value 128 is cut" || return 1
    head -1 <<<"$s" | grep -qw DEMO || fail "no DEMO marker in the title bar" || return 1
    local k foot
    foot=$(tail -1 <<<"$s")
    for k in a f c u '?' q; do
        grep -qE "(^| )[$k] [a-z]" <<<"$foot" || fail "key $k missing from the footer: $foot" || return 1
    done
    golden small_40x12 || return 1
    # a key the server rejects: the refusal names its override whole or not at all
    start 40 12 -- --demo=psk-mismatch
    wait_for "fix recommended" && settle || return 1
    keys a
    wait_for "Apply use-psk?" || return 1
    keys y
    wait_for "Pre-shared key" || return 1
    keys -l "not-the-servers-key"
    keys Enter
    wait_for "rejects" && golden small_rejected || return 1
    # 80 columns used to cut the message at "(--store-rejected-k…"
    tm resize-window -t 0 -x 80 -y 24
    wait_for "not saved" && settle || return 1
    s=$(screen | tail -2 | head -1)
    if grep -q -- '--store' <<<"$s" && ! grep -q -- '--store-rejected-key' <<<"$s"; then
        fail "an option cut inside its name: $s"
        return 1
    fi
    tm resize-window -t 0 -x 30 -y 10
    wait_for "DEMO: terminal too small" || return 1
}

# Issue 16 family 6: the stage the last real dial stopped in is lit with its time (its events
# show the tunnel came up before 789: PPP, not IPsec); a test connection's own lighting replaces it.
test_last_dial() {
    sed 's/^last_error = 789$/&\nlast_time = 2026-11-23T23:40:00.123Z/' "$SCENARIOS/classic-789.ini" >"$WORK/machine.ini"
    start 80 24 L2TPFIX_MOCK_STEP_MS=0 -- --mock "$WORK/machine.ini" --state-dir "$WORK/state"
    wait_for "fixes recommended" && settle || return 1
    keys Up # mschapv2 -> its stage: the pane tells the dial's story
    wait_for "Last dial: 2026-11-23 23:40 UTC, stopped here with 789" && golden last_dial || return 1
    screen | grep -q "IPsec .*last dial passed" || fail "IPsec not lit as passed" || return 1
    keys c
    wait_for "Stopped in PPP negotiation: error 789" && settle || return 1
    screen | grep -q "PPP negotiation  test ✗ stopped here: 789" || fail "the test's lighting is not shown" || return 1
    screen | grep -q "last dial stopped here" && { fail "the old dial still lit beside the test"; return 1; }
    return 0
}

# ---- issue 16: each family's evidence in the details pane ----

# The details pane's text below its rule, wrapped lines joined with one space,
# so that a phrase is found wherever the pane broke it.
pane() { screen | sed -n '/^── /,$p' | sed '1d;$d' | sed '$d' | tr -s ' \n' '  '; }

# pane_has TITLE TEXT...: the pane is about TITLE and shows each TEXT.
pane_has() {
    local title=$1 text
    shift
    screen | grep -qF -- "── $title ──" || { screen; fail "the details pane is not about: $title"; return 1; }
    for text in "$@"; do
        if ! pane | grep -qF -- "$text"; then
            screen
            fail "the details pane of '$title' lacks: $text"
            return 1
        fi
    done
}

# Moves the selection to the check ID, unfolding the stages on the way.
select_check() {
    local id=$1 i row
    keys Home
    sleep 0.2
    for ((i = 0; i < 40; i++)); do
        row=$(screen | grep '^▶' | head -1)
        if grep -qE "^▶ +[^ ]+ +[^ ]+ +$id( |$)" <<<"$row"; then
            settle
            return
        fi
        if grep -q '▸' <<<"$row"; then
            keys Enter
            sleep 0.2
        fi
        keys Down
        sleep 0.15
    done
    screen
    fail "no row for the check $id"
}

# Family 1: the OS build and the update that fixes it; a build with the fix passes.
test_evidence_update() {
    start 80 24 -- --demo=update-2022
    wait_for "No automatic fix" && settle || return 1
    select_check windows-update || return 1
    pane_has "No Windows update known to break L2TP" "FAIL" "OS build 19044.1466" \
        "KB5009543 of 11 Jan 2022 breaks L2TP/IPsec" "install KB5010793 (19044.1469)" || return 1
    # the whole text (Enter): feature updates, the other kind, show as drift
    keys Enter
    wait_for "Esc close" || return 1
    screen | sed -n 's/^[^│]*│\(.*\)│.*$/\1/p' | tr -s ' \n' '  ' | grep -qF "a saved baseline shows either as drift" ||
        fail "windows-update's details do not say what feature updates do" || return 1
    keys Escape
    sed 's/^os_build = .*/os_build = 19044.1469/' "$SCENARIOS/update-2022.ini" >"$WORK/fixed.ini"
    start 80 24 -- --mock "$WORK/fixed.ini" --state-dir "$WORK/st-update"
    wait_for "IPsec" && settle || return 1
    select_check windows-update || return 1
    pane_has "No Windows update known to break L2TP" "pass" \
        "OS build 19044.1469: has KB5010793's fix for KB5009543's IPsec break" || return 1
}

# Family 2: what the server accepts beside what Windows offers, and the remedy:
# allow-weak-crypto for DES/MD5, the server's configuration for anything else.
test_evidence_proposals() {
    start 80 24 -- --demo=weak-crypto
    wait_for "NO-PROPOSAL-CHOSEN (788)" && settle || return 1
    select_check ike-proposals || return 1
    pane_has "Server accepts Windows' IKE proposals" "the server accepts only 3des-md5-modp1024" \
        "Windows offers aes/3des with sha1, ecp384 to modp1024; no des/md5 (AllowL2TPWeakCrypto not set)" \
        "allow-weak-crypto, or better, upgrade the server" || return 1
    sed 's/^proposals = .*/proposals = aes256-sha256-modp4096/' "$SCENARIOS/weak-crypto.ini" >"$WORK/group.ini"
    start 100 30 -- --mock "$WORK/group.ini" --state-dir "$WORK/st-group"
    wait_for "NO-PROPOSAL-CHOSEN (788)" && settle || return 1
    select_check ike-proposals || return 1
    pane_has "Server accepts Windows' IKE proposals" "the server accepts aes256-sha256-modp4096" \
        "Windows offers aes/3des with sha1" "add aes256-sha1-modp2048 to the server's IKE proposals" || return 1
    pane | grep -qF "allow-weak-crypto (" && { fail "allow-weak-crypto offered for a DH group"; return 1; }
    return 0
}

# Family 3: none (766), an expired one (its subject, expiry and the requirement
# it failed), a valid one with a server-side 787.
test_evidence_cert() {
    start 80 24 -- --demo=cert-766
    wait_for "No automatic fix" && settle || return 1
    select_check machine-certificate || return 1
    pane_has "Machine certificate for IPsec" "no certificate in LocalMachine\My: Windows fails with 766" || return 1
    sed 's/^certificate = none$/certificate = expired/; s/^last_error = 766$/last_error = 13806/' \
        "$SCENARIOS/cert-766.ini" >"$WORK/expired.ini"
    start 80 24 -- --mock "$WORK/expired.ini" --state-dir "$WORK/st-expired"
    wait_for "13806" && settle || return 1
    select_check machine-certificate || return 1
    pane_has "Machine certificate for IPsec" "none qualifies (13806)" "CN=client.example.com (simulated)" \
        "(until 2024-06-30T00:00:00Z)" "outside its validity period" "1 certificate: 1 expired" || return 1
    sed 's/^certificate = none$/certificate = valid/; s/^last_error = 766$/last_error = 787/' \
        "$SCENARIOS/cert-766.ini" >"$WORK/server787.ini"
    start 100 30 -- --mock "$WORK/server787.ini" --state-dir "$WORK/st-787"
    wait_for "787" && settle || return 1
    select_check machine-certificate || return 1
    pane_has "Machine certificate for IPsec" "CN=client.example.com (simulated) (until 2099-12-31T00:00:00Z) qualifies" \
        "the last attempt failed with 787" || return 1
}

# Family 5: the last handshakes' LCP runs for this host, on and off, and
# whether the server minds (the state directory's lcp-extensions.json).
test_evidence_lcp() {
    mkdir -p "$WORK/st-lcp"
    cp "$SCENARIOS/classic-789.ini" "$WORK/lcp.ini"
    printf '[{"host":"vpn.example.com","on":"accepted","off":"dropped-session"}]' >"$WORK/st-lcp/lcp-extensions.json"
    start 80 24 -- --mock "$WORK/lcp.ini" --state-dir "$WORK/st-lcp"
    wait_for "fixes recommended" && settle || return 1
    select_check lcp-extensions || return 1
    pane_has "LCP extensions enabled" "LcpExtensions=0: disabled; this server dropped the session with them off" \
        "(handshakes from here: on accepted, off dropped-session)" || return 1
    printf '[{"host":"vpn.example.com","on":"accepted","off":"accepted"},{"host":"other.example.com","on":"dropped-session"}]' \
        >"$WORK/st-lcp/lcp-extensions.json"
    start 80 24 -- --mock "$WORK/lcp.ini" --state-dir "$WORK/st-lcp"
    wait_for "MS-CHAP v2" && settle || return 1
    select_check lcp-extensions || return 1
    pane_has "LCP extensions enabled" "this server does not mind them either way" \
        "(handshakes from here: on accepted, off accepted)" || return 1
    rm "$WORK/st-lcp/lcp-extensions.json"
    start 80 24 -- --mock "$WORK/lcp.ini" --state-dir "$WORK/st-lcp"
    wait_for "fixes recommended" && settle || return 1
    select_check lcp-extensions || return 1
    pane_has "LCP extensions enabled" "LcpExtensions=0: disabled" || return 1
    pane | grep -qF "handshakes from here" && { fail "LCP runs shown where none was seen"; return 1; }
    return 0
}

# i: the IKEv2 exchange from here, on the mock's rules (ikev2_ca names the
# private CA, users = the accounts). $1: a name for the run; then the options.
ikev2_start() {
    local name=$1
    shift
    sed '/^\[server\]$/a ikev2 = yes\nikev2_ca = lab-ca.pem' "$SCENARIOS/classic-789.ini" >"$WORK/$name.ini"
    printf 'not read by the mock: it goes by the name\n' >"$WORK/lab-ca.pem"
    start 100 30 "$@" -- --mock "$WORK/$name.ini" --state-dir "$WORK/st-$name" --ca-file "$WORK/lab-ca.pem"
    wait_for "fixes recommended" && settle || return 1
}

# ikev2_login PASSWORD: i, the saved user name as it is, the password typed.
ikev2_login() {
    keys i
    wait_for "IKEv2 from here: the user name" || return 1
    screen | grep -qF "alice" || { fail "the profile's saved user name is not prefilled"; return 1; }
    keys Enter
    wait_for "IKEv2: the password" || return 1
    keys -l "$1"
    wait_for "[typed, hidden]" || return 1
    screen | grep -qF -- "$1" && { fail "the password is on screen"; return 1; }
    keys Enter
}

# The right password and the CA: the stages light up, PPP is not used, and
# ikev2-available, diagnosed again, says it worked from here.
test_ikev2_ok() {
    ikev2_start ok || return 1
    select_check ikev2-available || return 1
    pane_has "IKEv2 as an alternative" "IKEv2 answers too" || return 1
    pane | grep -qF "worked from here" && { fail "an IKEv2 outcome on record before the run"; return 1; }
    ikev2_login Winter-2026 || return 1
    wait_for "IKEv2 from here: server authenticated, user accepted" && golden ikev2_ok || return 1
    grep -q '"outcome":"ok"' "$WORK/st-ok/ikev2.json" || { fail "the outcome is not on record"; return 1; }
    grep -q 'Winter-2026' "$WORK/st-ok/ikev2.json" && { fail "the password is on record"; return 1; }
    select_check ikev2-available || return 1
    pane_has "IKEv2 as an alternative" "worked from here" || return 1
}

# A wrong password: 691 in the authentication stage, with the reason.
test_ikev2_691() {
    ikev2_start wrong || return 1
    ikev2_login not-her-password || return 1
    wait_for "IKEv2 stopped in EAP-MSCHAPv2: error 691" && golden ikev2_691 || return 1
    grep -q '"code":691' "$WORK/st-wrong/ikev2.json" || { fail "691 is not on record"; return 1; }
}

# No CA file and a server signed by a private CA: 13801 in IPsec, no password sent.
test_ikev2_13801() {
    sed '/^\[server\]$/a ikev2 = yes\nikev2_ca = lab-ca.pem' "$SCENARIOS/classic-789.ini" >"$WORK/untrusted.ini"
    start 100 30 -- --mock "$WORK/untrusted.ini" --state-dir "$WORK/st-untrusted"
    wait_for "fixes recommended" && settle || return 1
    ikev2_login Winter-2026 || return 1
    wait_for "IKEv2 stopped in Server cert: error 13801" && golden ikev2_13801 || return 1
}

# i again while it runs stops it at once (a stage takes 3 s here): the
# stage lines go out, nothing lights up after, nothing is recorded.
test_ikev2_cancel() {
    ikev2_start slow L2TPFIX_MOCK_STEP_MS=3000 || return 1
    ikev2_login Winter-2026 || return 1
    wait_for "IKEv2 exchange with vpn.example.com... (i stops it)" || return 1
    keys i
    wait_for "IKEv2 exchange stopped" 1 || return 1
    sleep 4
    screen | grep -qF "test ✓ passed" && { fail "a stage lit up after the stop"; return 1; }
    golden ikev2_cancel || return 1
    [ -e "$WORK/st-slow/ikev2.json" ] && { fail "a stopped exchange was recorded"; return 1; }
    return 0
}

ALL="classic connect_live quick_keys fix_one weak_crypto undo profiles explain help resize mono ascii quit quit_hint bytes follow fix_line psk_typed psk_lint terms mock_file secret admin sanitize restart drift hostile other_users torn evidence entry_types offline search_picker search_jump search_help search_history small undo_secret services_started last_dial evidence_update evidence_proposals evidence_cert evidence_lcp ikev2_ok ikev2_691 ikev2_13801 ikev2_cancel"
if [ "$WHICH" = all ]; then
    tests=$ALL
else
    tests=$WHICH
fi
for t in $tests; do
    if ! declare -F "test_$t" >/dev/null; then
        echo "no test '$t' (there are: $ALL)"
        exit 2
    fi
    CURRENT=$t
    before=$FAILED
    FAILED=0
    "test_$t"
    if [ $FAILED = 0 ]; then
        echo "ok   $t"
    else
        echo "FAIL $t"
    fi
    FAILED=$((FAILED | before))
done
exit $FAILED
