#!/usr/bin/env bash
# i in the checklist (issue 17) on the real path: a phonebook profile whose
# server is the lab's strongSwan IKEv2 responder (tests/lab/ikev2_lab.sh, in
# a lab directory of this run's own), the checklist under tmux inside the
# lab's client namespace. The right password lights the three stages and is
# on record for ikev2-available; a wrong one stops with 691; a server that
# never answers is stopped by i at once. The password is never on screen.
# Usage: run_ikev2_tui_lab.sh L2TPFIX
set -u
L2TPFIX=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
here=$(cd "$(dirname "$0")" && pwd)
LAB=${L2F_IKEV2_LAB:-$here/ikev2_lab.sh}
[ -f "$LAB" ] || { echo "ikev2 tui lab: $LAB is not there: skipped"; exit 77; }
[ "$(id -u)" -eq 0 ] || { echo "ikev2 tui lab: needs root for its network namespaces: skipped"; exit 77; }
command -v tmux >/dev/null 2>&1 || { echo "ikev2 tui lab: no tmux: skipped"; exit 77; }
[ -f /usr/lib/ipsec/plugins/libstrongswan-eap-mschapv2.so ] ||
    { echo "ikev2 tui lab: strongSwan's eap-mschapv2 plugin is missing: skipped"; exit 77; }
work=$(mktemp -d "${TMPDIR:-/tmp}/l2f-ikev2tui-XXXXXX")
SOCK=l2f-ikev2tui-$$
export LC_ALL=C.UTF-8
tm() { tmux -u -L "$SOCK" -f /dev/null "$@"; }
trap 'tm kill-server >/dev/null 2>&1; bash "$LAB" down "$work/lab" >/dev/null 2>&1; rm -rf "$work"' EXIT

failed=0
CASE=
fail() { echo "FAIL [$CASE]: $*"; failed=1; return 1; }
screen() { tm capture-pane -p -t 0; }
wait_for() { # wait_for TEXT [SECONDS]
    local i
    for ((i = 0; i < ${2:-20} * 20; i++)); do
        screen | grep -qF -- "$1" && return 0
        sleep 0.05
    done
    screen
    fail "timed out waiting for: $1"
}

# up CASE: the lab for CASE, a phonebook naming its server, the checklist in the client namespace
up() {
    CASE=$1
    tm kill-server >/dev/null 2>&1
    bash "$LAB" down "$work/lab" >/dev/null 2>&1
    rm -rf "$work/lab" "$work/st"
    bash "$LAB" up "$work/lab" "$CASE" >"$work/up.out" 2>&1 ||
        { fail "the lab did not come up: $(tail -3 "$work/up.out")"; return 1; }
    sed "s/^PhoneNumber=.*/PhoneNumber=$(cat "$work/lab/server_address")/" "$here/../pbk/user-l2tp.pbk" >"$work/book.pbk"
    bash "$LAB" exec "$work/lab" tmux -u -L "$SOCK" -f /dev/null new-session -d -x 100 -y 30 \
        "env TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 $L2TPFIX --phonebook $work/book.pbk --state-dir $work/st --ca-file $work/lab/ca.pem; sleep 600"
    wait_for "Office VPN" || return 1
    sleep 1
}

# login PASSWORD: i, the lab's user, the password
login() {
    tm send-keys -t 0 i
    wait_for "IKEv2 from here: the user name" || return 1
    tm send-keys -t 0 -l "$(cat "$work/lab/user")"
    tm send-keys -t 0 Enter
    wait_for "IKEv2: the password" || return 1
    tm send-keys -t 0 -l "$1"
    wait_for "[typed, hidden]" || return 1
    tm send-keys -t 0 Enter
}

no_password() {
    local pw
    pw=$(cat "$work/lab/password")
    screen | grep -qF -- "$pw" && fail "the password is on screen"
    grep -qrF -- "$pw" "$work/st" && fail "the password is in the state directory"
    return 0
}

if up ok && login "$(cat "$work/lab/password")"; then
    wait_for "IKEv2 from here: server authenticated, user accepted" 30 &&
        screen | grep -qE 'IPsec +test ✓ passed' && screen | grep -qF "test: not used by IKEv2" &&
        screen | grep -qE 'Authentication +test ✓ passed' || { screen; fail "the stages did not light up"; }
    grep -q '"outcome":"ok"' "$work/st/ikev2.json" || fail "the outcome is not on record"
    no_password
fi

if up wrong-password && login "$(cat "$work/lab/password")"; then
    wait_for "IKEv2 stopped in EAP-MSCHAPv2: error 691" 30 || true
    grep -q '"code":691' "$work/st/ikev2.json" || fail "691 is not on record"
    no_password
fi

# nothing answers: the run waits on IKE_SA_INIT's retransmits (20 s), i stops it at once
if up no-server && login not-used-here; then
    wait_for "IKEv2 exchange with" || true
    sleep 1.5
    tm send-keys -t 0 i
    wait_for "IKEv2 exchange stopped" 1 || true
    [ -e "$work/st/ikev2.json" ] && fail "a stopped exchange was recorded"
fi

[ "$failed" -eq 0 ] && echo "ikev2 tui lab: passed" || echo "ikev2 tui lab: FAILED"
exit "$failed"
