#!/usr/bin/env bash
# l2tpfix.exe under Wine answers exactly as the Linux binary does.
# Usage: same_as_linux.sh WINE L2TPFIX_EXE LINUX_L2TPFIX
set -u
wine=$1 exe=$2 linux=$3
failed=0 passed=0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
compare() {
    local ra rb
    "$wine" "$exe" "$@" >"$work/win" 2>&1 </dev/null; ra=$?
    "$linux" "$@" >"$work/linux" 2>&1 </dev/null; rb=$?
    tr -d '\r' <"$work/win" >"$work/win.lf"
    if cmp -s "$work/win.lf" "$work/linux" && [ "$ra" -eq "$rb" ]; then passed=$((passed + 1)); else
        failed=$((failed + 1)); echo "differs: $* (exit $ra on Windows, $rb on Linux)"; diff "$work/linux" "$work/win.lf" | head -20; fi
}
compare --demo check --json
compare --demo=nat-809 check --json
compare --demo=multi-profile --profile "Office VPN" check
compare explain 789
compare --demo fix all --dry-run
# the live backend on Wine: rasapi32 is a stub there, so no profile exists
"$wine" "$exe" check >"$work/live" 2>&1 </dev/null; rc=$?
if [ "$rc" -eq 3 ] && grep -q "no VPN profile on this machine" "$work/live"; then passed=$((passed + 1)); else
    failed=$((failed + 1)); echo "live backend: exit $rc: $(cat "$work/live")"; fi
echo "windows exe: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
