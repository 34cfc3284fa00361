#!/usr/bin/env bash
# The interactive checklist of l2tpfix.exe under Wine, in tmux with TERM
# empty (ncurses' Windows console driver), walks the classic flow and shows
# at every step the same screen as the Linux binary with --ascii.
# Usage: tui_under_wine.sh WINE L2TPFIX_EXE LINUX_L2TPFIX
set -u
wine=$1 exe=$2 linux=$3
command -v tmux >/dev/null || { echo "tmux is not installed"; exit 1; }
work=$(mktemp -d)
sock=l2f-wine-$$
trap 'tmux -L "$sock-win" kill-server 2>/dev/null; tmux -L "$sock-lin" kill-server 2>/dev/null; rm -rf "$work"' EXIT
passed=0 failed=0

start() { # start NAME COMMAND...
    tmux -L "$sock-$1" -f /dev/null new-session -d -x 80 -y 24 "$(printf '%q ' "${@:2}")"
}
screen() { tmux -L "$sock-$1" capture-pane -p -t 0 | sed -E 's/^ l2tpfix [0-9][0-9a-z.+-]* / l2tpfix VERSION /'; }
wait_for() { # wait_for NAME TEXT: up to 30 s (Wine starts slowly the first time)
    for _ in $(seq 300); do screen "$1" | grep -qF -- "$2" && return 0; sleep 0.1; done
    echo "FAIL: $1 never showed '$2'"; screen "$1" | sed 's/^/    /'; return 1
}
step() { # step LABEL TEXT-TO-WAIT-FOR: compares the two screens
    wait_for win "$2" && wait_for lin "$2" || { failed=$((failed + 1)); return; }
    # compare only settled screens: no check still running, nothing moving
    for s in win lin; do
        for _ in $(seq 100); do
            screen "$s" >"$work/a"; sleep 0.2; screen "$s" >"$work/b"
            cmp -s "$work/a" "$work/b" && ! grep -q "running" "$work/b" && break
        done
    done
    screen win >"$work/win"; screen lin >"$work/lin"
    if diff -u "$work/lin" "$work/win" >"$work/diff"; then passed=$((passed + 1)); else
        failed=$((failed + 1)); echo "FAIL: $1 differs (- Linux, + Windows)"; cat "$work/diff"; fi
}
keys() { tmux -L "$sock-win" send-keys -t 0 "$@"; tmux -L "$sock-lin" send-keys -t 0 "$@"; }

export L2TPFIX_MOCK_STEP_MS=50
start win env -u DISPLAY TERM= "WINEPREFIX=$WINEPREFIX" WINEDEBUG=-all L2TPFIX_MOCK_STEP_MS=50 "$wine" "$exe" --demo
start lin env TERM=xterm-256color LANG=C.UTF-8 L2TPFIX_MOCK_STEP_MS=50 "$linux" --demo --ascii
step launch "2 fixes recommended"
keys a
step confirm "Apply? (y/n)"
keys y
step fixed "PPP negotiation  all 2 checks pass"
keys c
step connected "Connected: all four stages passed"
keys q
for _ in $(seq 100); do tmux -L "$sock-win" has-session 2>/dev/null || break; sleep 0.1; done
if tmux -L "$sock-win" has-session 2>/dev/null; then failed=$((failed + 1)); echo "FAIL: q did not end l2tpfix.exe"; else
    passed=$((passed + 1)); fi
echo "tui under wine: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
