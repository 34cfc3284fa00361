#!/usr/bin/env bash
# The Windows build's handshake --ikev2 (issue 17) under Wine against the
# strongSwan IKEv2 responder of tests/lab/ikev2_lab.sh: the right password and
# a wrong one. Wine's sockets are made by its wineserver, so each case's
# wineserver is started inside that lab's client namespace (the lasting one of
# wine_prefix.sh is stopped first and brought back at the end, as in
# lab_under_wine.sh). The Windows build trusts no CA without --ca-file.
# Usage: ikev2_under_wine.sh WINE L2TPFIX_EXE
set -u
wine=$1 exe=$2
here=$(cd "$(dirname "$0")" && pwd)
LAB=$here/../lab/ikev2_lab.sh
[ "$(id -u)" -eq 0 ] || { echo "ikev2 under wine: needs root for the lab's namespaces: skipped"; exit 77; }
[ -f /usr/lib/ipsec/plugins/libstrongswan-eap-mschapv2.so ] ||
    { echo "ikev2 under wine: strongSwan's eap-mschapv2 plugin is missing: skipped"; exit 77; }
work=$(mktemp -d "${TMPDIR:-/tmp}/l2f-wikev2-XXXXXX")
stop_wineserver() { wineserver -k 2>/dev/null; wineserver -w 2>/dev/null; }
finish() {
    stop_wineserver
    bash "$LAB" down "$work/lab" >/dev/null 2>&1
    rm -rf "$work"
    wineserver -p </dev/null >/dev/null 2>&1 # as in wine_prefix.sh
    wineboot </dev/null >/dev/null 2>&1
}
trap finish EXIT

passed=0 failed=0
OUT=$work/out.json
field() { python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print($1)" "$OUT" 2>/dev/null; }
check() { # check WHAT EXPR SUBSTRING
    local got
    got=$(field "$2")
    case "$got" in *"$3"*) passed=$((passed + 1)) ;; *)
        failed=$((failed + 1)); echo "FAIL: $CASE: $1 is '$got', want '$3'"; sed 's/^/    /' "$OUT" | head -40 ;; esac
}
run_case() { # run_case CASE EXPECTED_EXIT
    CASE=$1
    stop_wineserver # the next wine starts one inside the client's namespace
    bash "$LAB" down "$work/lab" >/dev/null 2>&1
    rm -rf "$work/lab"
    if ! bash "$LAB" up "$work/lab" "$CASE" >"$work/up.out" 2>&1; then
        failed=$((failed + 1)); echo "FAIL: $CASE: the lab did not come up: $(tail -3 "$work/up.out")"
        return 1
    fi
    bash "$LAB" exec "$work/lab" "$wine" "$exe" handshake "$(cat "$work/lab/server_address")" --ikev2 \
        --user "$(cat "$work/lab/user")" --password-file "Z:$work/lab/password" \
        --ca-file "Z:$work/lab/ca.pem" --state-dir "Z:$work/state" --timeout 15000 --json \
        >"$OUT" 2>"$work/err" </dev/null
    local rc=$?
    stop_wineserver # before its namespace goes
    if [ "$rc" -eq "$2" ]; then passed=$((passed + 1)); else
        failed=$((failed + 1)); echo "FAIL: $CASE: exited $rc, want $2 ($(head -5 "$work/err"))"; fi
    if grep -qF -- "$(cat "$work/lab/password")" "$OUT" "$work/err"; then
        failed=$((failed + 1)); echo "FAIL: $CASE: the password was printed"
    else passed=$((passed + 1)); fi
}

run_case ok 0
check "stages" "[s['outcome'] for s in j['stages']]" "['ok', 'ok', 'ok']"
check "trusted" "j['server_certificate']['trusted']" "True"

run_case wrong-password 1
check "stages" "[s['outcome'] for s in j['stages']]" "['ok', 'ok', 'failed']"
check "auth code" "j['stages'][2]['code']" "691"
check "auth detail" "j['stages'][2]['detail']" "the server ended with EAP-Failure"

echo "ikev2 under wine: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
