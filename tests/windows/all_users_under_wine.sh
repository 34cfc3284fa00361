#!/usr/bin/env bash
# --all-users under Wine: l2tpfix.exe finds another local user's phonebook
# below C:\users, names whose it is, fixes it through the phonebook editor and
# undoes the fix to the byte. Usage: all_users_under_wine.sh WINE L2TPFIX_EXE
set -u
wine=$1 exe=$2
here=$(cd "$(dirname "$0")" && pwd)
: "${WINEPREFIX:?the Wine prefix}"
below="AppData/Roaming/Microsoft/Network/Connections/Pbk"
user_dir="$WINEPREFIX/drive_c/users/l2f-alice"
work=$(mktemp -d)
trap 'rm -rf "$work" "$user_dir"' EXIT
mkdir -p "$user_dir/$below"
sample="$here/../pbk/user-l2tp.pbk"
book="$user_dir/$below/rasphone.pbk"
cp "$sample" "$book"
passed=0 failed=0
check() { if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: $*"; sed 's/^/    /' "$work/out"; fi; }
run() { "$wine" "$exe" --all-users --state-dir "Z:$work/state" "$@" >"$work/out" 2>&1 </dev/null; }

run profiles --json
tr -d ' \r\n\t' <"$work/out" >"$work/flat"
check grep -q '"name":"l2f-alice\\\\OfficeVPN","phonebook":"user","owner":"l2f-alice"' "$work/flat"
run --profile 'l2f-alice\Office VPN' check
check grep -q "^Profile  l2f-alice.Office VPN (l2f-alice's phonebook)" "$work/out"
run --profile 'l2f-alice\Office VPN' fix lcp-extensions --yes
check grep -q "^LcpExtensions=1"$'\r'"$" "$book"
run undo all --yes
check cmp -s "$book" "$sample"
# without --all-users the live backend sees none of it
"$wine" "$exe" profiles >"$work/out" 2>&1 </dev/null
check bash -c "! grep -q l2f-alice '$work/out'"
echo "all users under wine: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
