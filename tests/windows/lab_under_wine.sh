#!/usr/bin/env bash
# l2tpfix.exe under Wine against the strongSwan lab, then SoftEther: Winsock
# probes, the key check with the mingw build of OpenSSL (MODP and ECP), IPsec
# up with ESP in UDP, and the whole handshake, inside a network namespace.
# Usage: lab_under_wine.sh WINE L2TPFIX_EXE
set -u
wine=$1 exe=$2
here=$(cd "$(dirname "$0")" && pwd)
if [ -z "${L2F_IN_NAMESPACE:-}" ]; then
    command -v /usr/lib/ipsec/charon >/dev/null || { echo "strongSwan is not installed"; exit 1; }
    flags=(--net --mount)
    [ "$(id -u)" -eq 0 ] || flags=(--user --map-root-user --net --mount)
    # Wine's sockets belong to its wineserver: the one wine.prefix keeps running
    # sits outside the namespace, so stop it (this test runs alone) and let the
    # namespace's wine start its own, then bring the lasting one back.
    wineserver -k 2>/dev/null
    wineserver -w
    L2F_IN_NAMESPACE=1 unshare "${flags[@]}" bash "$0" "$@"
    rc=$?
    wineserver -w
    wineserver -p </dev/null >/dev/null 2>&1 # as in wine_prefix.sh
    wineboot </dev/null >/dev/null 2>&1
    exit $rc
fi
lab=$(mktemp -d "${TMPDIR:-/tmp}/l2f-wlab-XXXXXX")
trap 'bash "$here/../lab/strongswan_lab.sh" stop "$lab"; bash "$here/../lab/softether_lab.sh" stop "$lab"; rm -rf "$lab"' EXIT
bash "$here/../lab/strongswan_lab.sh" start "$lab" || exit 1
printf 'LabPsk-123\r\n' >"$lab/good.psk" # a key file written on Windows ends in CRLF
printf 'NotTheKey\r\n' >"$lab/bad.psk"
passed=0 failed=0
run() { # run EXPECTED_EXIT PATTERN args...
    local want=$1 pattern=$2; shift 2
    "$wine" "$exe" probe "$@" --state-dir "Z:$lab/state" --json >"$lab/out" 2>&1 </dev/null
    local rc=$?
    tr -d ' \r\n\t' <"$lab/out" >"$lab/flat"
    if [ "$rc" -eq "$want" ] && grep -qE -- "$pattern" "$lab/flat"; then passed=$((passed + 1)); else
        failed=$((failed + 1)); echo "FAIL: probe $* (exit $rc, want $want, /$pattern/)"; sed 's/^/    /' "$lab/out"; fi
}
run 0 '"probe":"ikev1-500","outcome":"accepted","transform":"aes256-sha1-modp2048"' 127.0.0.2
run 1 '"probe":"ikev1-500","outcome":"no-proposal"' 127.0.0.3
run 0 '"probe":"ikev2-500","outcome":"accepted"' 127.0.0.4
# accepted; IPsec fails there only because this kernel has no ESP for strongSwan
run 1 '"psk":"accepted".*"ipsec":"failed"' 127.0.0.2 --psk-file "Z:$lab/good.psk"
run 1 '"psk":"rejected"' 127.0.0.2 --psk-file "Z:$lab/bad.psk"
run 1 '"psk":"accepted".*"transform":"aes128-sha256-ecp256"' 127.0.0.7 --psk-file "Z:$lab/good.psk"
bash "$here/../lab/strongswan_lab.sh" stop "$lab"
if [ -x /usr/libexec/softether/vpnserver/vpnserver ] && bash "$here/../lab/softether_lab.sh" start "$lab"; then
    run 0 '"psk":"accepted","ipsec":"up"' 127.0.0.1 --psk-file "Z:$lab/good.psk"
    # the whole handshake, threads and Winsock included: through IPCP
    printf 'LabPass-456\r\n' >"$lab/good.pw"
    sleep 2
    "$wine" "$exe" handshake 127.0.0.1 --psk-file "Z:$lab/good.psk" --user labuser --password-file "Z:$lab/good.pw" \
        --state-dir "Z:$lab/state" --json >"$lab/out" 2>&1 </dev/null
    rc=$?
    tr -d ' \r\n\t' <"$lab/out" >"$lab/flat"
    if [ "$rc" -eq 0 ] && grep -qE '"address":"192\.168\.30\.[0-9]+"' "$lab/flat"; then passed=$((passed + 1)); else
        failed=$((failed + 1)); echo "FAIL: handshake under Wine (exit $rc)"; sed 's/^/    /' "$lab/out"; fi
else
    failed=$((failed + 1)); echo "FAIL: SoftEther did not start"
fi
echo "lab under wine: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
