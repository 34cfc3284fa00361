#!/usr/bin/env bash
# IKEv2 verified from here (issue 17): `l2tpfix handshake --ikev2` against a
# real strongSwan responder (certificate + EAP-MSCHAPv2, ikev2_lab.sh) in
# network namespaces this test creates, one case at a time. Each case is first
# dialled by strongSwan's own initiator, so a broken lab fails as the lab and
# not as the client. L2F_IKEV2_LAB_STRONGSWAN_ONLY=1 runs only that half;
# L2F_KEEP_LAB=1 keeps the lab directories (charon's logs, the outputs).
# Usage: run_ikev2_lab.sh L2TPFIX
set -u
L2TPFIX=$1
here=$(cd "$(dirname "$0")" && pwd)
LAB="bash $here/ikev2_lab.sh"
if [ -z "${L2F_IN_NAMESPACE:-}" ]; then
    missing=""
    for f in /usr/lib/ipsec/charon /usr/lib/ipsec/plugins/libstrongswan-eap-mschapv2.so \
        /usr/lib/ipsec/plugins/libstrongswan-eap-identity.so; do
        [ -e "$f" ] || missing="$missing $f"
    done
    for c in swanctl openssl nsenter python3; do command -v "$c" >/dev/null || missing="$missing $c"; done
    if [ -n "$missing" ]; then
        echo "ikev2 lab: SKIP: missing$missing (scripts/deps.sh test installs strongswan-charon" \
            "strongswan-swanctl libcharon-extauth-plugins libcharon-extra-plugins openssl)"
        exit 77
    fi
    # root keeps its mount namespace private; anyone else maps to root inside a user namespace
    flags=(--mount)
    [ "$(id -u)" -eq 0 ] || flags=(--user --map-root-user --mount)
    if ! why=$(unshare "${flags[@]}" unshare --net true 2>&1); then
        echo "ikev2 lab: SKIP: cannot create network namespaces: $why"
        exit 77
    fi
    L2F_IN_NAMESPACE=1 exec unshare "${flags[@]}" bash "$0" "$@"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/l2f-ikev2-XXXXXX")
export XDG_STATE_HOME=$work/xdg # never the user's own state
lab=""
cleanup() {
    [ -n "$lab" ] && $LAB down "$lab"
    if [ -n "${L2F_KEEP_LAB:-}" ]; then echo "ikev2 lab: kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

passed=0 failed=0
OUT=$work/out
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL [$case]: $*"; [ -s "$OUT" ] && sed 's/^/    /' "$OUT" | head -40; }
check() { # check CONDITION-EXIT-STATUS MESSAGE
    if [ "$1" -eq 0 ]; then ok; else bad "$2"; fi
}

# --- the lab itself, through strongSwan's initiator ------------------------------
sanity() { # sanity established|failed: strongSwan's own initiator gets that
    local got
    got=$($LAB initiate "$lab")
    cp "$lab/client/initiate.out" "$OUT" 2>/dev/null || : >"$OUT"
    [ "$got" = "$1" ]
    check $? "strongSwan's initiator: $got, want $1"
}
cert_has() { # cert_has REGEX: the server certificate's text shows REGEX
    openssl x509 -in "$lab/pki/server.pem" -noout -text >"$OUT"
    grep -qE "$1" "$OUT"
}
lab_checks() {
    case $case in
    ok) sanity established
        cert_has 'IP Address:192\.0\.2\.10'; check $? "the server certificate does not name 192.0.2.10"
        grep -qE 'splitting IKE message \([0-9]+ bytes\) into [2-9] fragments' "$lab/server/charon.log"
        check $? "the server did not fragment its IKE_AUTH reply" ;;
    wrong-password) sanity failed
        grep -q 'EAP-MS-CHAPv2 failed with error ERROR_AUTHENTICATION_FAILURE' "$lab/client/initiate.out"
        check $? "strongSwan's initiator was not refused by EAP-MSCHAPv2" ;;
    untrusted-ca) sanity failed
        grep -q 'no trusted RSA public key' "$lab/client/initiate.out"
        check $? "strongSwan's initiator did not refuse the server's chain" ;;
    wrong-name) sanity established # strongSwan does not check the name when it sends no IDr
        cert_has 'IP Address:192\.0\.2\.10'; check $((!$?)) "the wrong-name certificate names 192.0.2.10"
        cert_has 'CN ?= ?vpn\.elsewhere\.example'; check $? "the wrong-name certificate is not for vpn.elsewhere.example" ;;
    no-eku) sanity established # nor the EKU
        cert_has 'Extended Key Usage'; check $((!$?)) "the no-eku certificate has an EKU" ;;
    bad-proposal) sanity failed
        grep -q 'received NO_PROPOSAL_CHOSEN notify error' "$lab/client/initiate.out"
        check $? "strongSwan's initiator got no NO_PROPOSAL_CHOSEN" ;;
    chain) sanity established
        grep -c 'sending issuer cert' "$lab/server/charon.log" >"$OUT"
        [ "$(cat "$OUT")" -ge 6 ]; check $? "the server did not send its six intermediates"
        grep -qE 'splitting IKE message \([0-9]+ bytes\) into [4-9] fragments' "$lab/server/charon.log"
        check $? "the chain's IKE_AUTH reply was not split into 4 or more fragments" ;;
    no-server) sanity failed
        grep -q 'peer not responding' "$lab/client/initiate.out"
        check $? "strongSwan's initiator got an answer from no server" ;;
    nat) sanity established
        grep -qE 'received packet: from 192\.0\.2\.20\[[0-9]+\] to 192\.0\.2\.10\[4500\]' "$lab/server/charon.log"
        check $? "the initiator did not move to 4500 (no faked NAT seen)" ;;
    cookie) sanity established ;;
    ecdsa) sanity established
        cert_has 'id-ecPublicKey'; check $? "the ecdsa server certificate has no EC key" ;;
    esac
}

# --- l2tpfix --------------------------------------------------------------------
# the JSON answer flattened to lines: "rc N", "stage ID OUTCOME CODE DETAIL", "trusted BOOL WHY"
handshake() {
    local wait=()
    [ "$case" = no-server ] && wait=(--timeout 3000) # nothing will answer: no need to wait long
    timeout 90 $LAB exec "$lab" "$L2TPFIX" handshake 192.0.2.10 --ikev2 --user "$(cat "$lab/user")" \
        --password-file "$lab/password" --ca-file "$lab/ca.pem" "${wait[@]}" --json >"$OUT" 2>&1 </dev/null
    local rc=$?
    python3 - "$OUT" "$rc" >"$OUT.lines" <<'PY'
import json, sys
print("rc", sys.argv[2])
try:
    doc = json.load(open(sys.argv[1]))
except ValueError as e:
    print("nojson", e)
    sys.exit(0)
print("protocol", doc.get("protocol"))
for s in doc.get("stages") or []:
    print("stage", s.get("id"), s.get("outcome"), s.get("code"), s.get("detail"))
cert = doc.get("server_certificate") or {}
print("trusted", str(cert.get("trusted")).lower(), cert.get("why"))
PY
}
has() { # has REGEX MESSAGE: a line of the flattened answer matches
    grep -qiE -- "$1" "$OUT.lines"
    check $? "$2 (no /$1/ in: $(tr '\n' '|' <"$OUT.lines"))"
}
client_checks() {
    handshake
    has '^protocol ikev2$' "the answer is an IKEv2 one"
    case $case in
    ok | chain | nat | cookie | ecdsa)
        has '^rc 0$' "exit 0 when the server is authenticated and the user accepted"
        has '^stage auth ok ' "the auth stage passes"
        has '^trusted true ' "the server certificate is trusted" ;;
    wrong-password)
        has '^rc 1$' "exit 1 on a refused password"
        has '^stage ipsec ok ' "the server was authenticated before the user was refused"
        has '^stage auth failed 691 ' "auth failed with 691" ;;
    untrusted-ca)
        has '^rc 1$' "exit 1"
        has '^stage [a-z]+ failed 13801 .*(trust|CA|issuer|chain)' "13801 naming the untrusted chain"
        has '^trusted false ' "the certificate reported as not trusted" ;;
    wrong-name)
        has '^rc 1$' "exit 1"
        has '^stage [a-z]+ failed 13801 .*(name|192\.0\.2\.10|alternative)' "13801 naming the missing name"
        has '^trusted false ' "the certificate reported as not trusted" ;;
    no-eku)
        has '^rc 1$' "exit 1"
        has '^stage [a-z]+ failed 13801 .*(EKU|usage)' "13801 naming the missing EKU"
        has '^trusted false ' "the certificate reported as not trusted" ;;
    bad-proposal)
        has '^rc 1$' "exit 1"
        has '^stage tunnel failed 13868 .*proposal' "13868 at IKE_SA_INIT, naming the proposal"
        has '^stage auth skipped ' "no login tried" ;;
    no-server)
        has '^rc 1$' "exit 1"
        has '^stage tunnel failed 809 ' "809 when nothing answers"
        has '^stage auth skipped ' "no login tried" ;;
    esac
    # the user's password (and the wrong one) never reach the output
    if grep -qF -f "$lab/password" "$OUT"; then bad "the password reached the output"; else ok; fi
}

for case in $($LAB cases); do
    lab=$work/$case
    if ! $LAB up "$lab" "$case" >"$OUT" 2>&1; then
        bad "the lab did not come up"
        lab=""
        continue
    fi
    lab_checks
    [ -n "${L2F_IKEV2_LAB_STRONGSWAN_ONLY:-}" ] || client_checks
    $LAB down "$lab"
    lab=""
done

echo "ikev2 lab: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
