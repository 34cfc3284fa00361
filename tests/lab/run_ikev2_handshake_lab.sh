#!/usr/bin/env bash
# handshake --ikev2 (issue 17) against a real strongSwan IKEv2 responder with
# EAP-MSCHAPv2, one case of issue 17's Tests list at a time, in the network
# namespaces tests/lab/ikev2_lab.sh makes (L2F_IKEV2_LAB names another copy):
# the right password, a wrong one, a CA that did not sign the server, a
# certificate without the server's name, one without a usable EKU, a server
# that accepts no proposal Windows sends, and a chain long enough to come in
# RFC 7383 fragments. Each run's JSON is checked against
# schema/handshake-ikev2.schema.json, and the password must appear nowhere.
# Usage: run_ikev2_handshake_lab.sh L2TPFIX [CASE...]   (no CASE: all of them)
set -u
L2TPFIX=$1
shift
ONLY=" $* "
here=$(cd "$(dirname "$0")" && pwd)
LAB=${L2F_IKEV2_LAB:-$here/ikev2_lab.sh}
SCHEMA=$here/../../schema/handshake-ikev2.schema.json
[ -f "$LAB" ] || { echo "ikev2 lab: $LAB is not there (it comes with the IKEv2 lab branch): skipped"; exit 77; }
[ "$(id -u)" -eq 0 ] || { echo "ikev2 lab: needs root for its network namespaces: skipped"; exit 77; }
[ -f /usr/lib/ipsec/plugins/libstrongswan-eap-mschapv2.so ] ||
    { echo "ikev2 lab: strongSwan's eap-mschapv2 plugin is missing (libcharon-extauth-plugins): skipped"; exit 77; }
work=$(mktemp -d "${TMPDIR:-/tmp}/l2f-ikev2-XXXXXX")
trap 'bash "$LAB" down "$work/lab" >/dev/null 2>&1; rm -rf "$work"' EXIT

passed=0 failed=0
OUT=$work/out.json
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL: $*"; sed 's/^/    /' "$OUT" | head -60; }
# field PYTHON-EXPRESSION over the JSON as j, e.g. "j['stages'][1]['code']"
field() { python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print($1)" "$OUT" 2>/dev/null; }
expect() { # expect WHAT EXPR WANT
    local got
    got=$(field "$2")
    if [ "$got" = "$3" ]; then ok; else bad "$CASE: $1 is '$got', want '$3'"; fi
}
expect_in() { # expect_in WHAT EXPR SUBSTRING
    local got
    got=$(field "$2")
    case "$got" in *"$3"*) ok ;; *) bad "$CASE: $1 '$got' does not say '$3'" ;; esac
}
# wanted CASE: the case is to be run (all when none was named on the command line)
wanted() { [ "$ONLY" = "  " ] || case $ONLY in *" $1 "*) return 0 ;; *) return 1 ;; esac; }
server_log() { cat "$work/lab/server/charon.log" 2>/dev/null; }
expect_log() { # expect_log WHAT ERE: the server's log shows it
    if server_log | grep -qE -- "$2"; then ok; else
        failed=$((failed + 1)); echo "FAIL: $CASE: the server's log does not show $1 (/$2/)"
        server_log | grep -E 'IKE_AUTH|EAP|IKE_SA_INIT|NAT|COOKIE' | tail -12 | sed 's/^/    /'; fi
}
run_case() { # run_case CASE EXPECTED_EXIT [CMD...]: CMD, in the client's namespace, before the client
    CASE=$1
    bash "$LAB" down "$work/lab" >/dev/null 2>&1
    rm -rf "$work/lab"
    if ! bash "$LAB" up "$work/lab" "$CASE" >"$work/up.out" 2>&1; then
        bad "$CASE: the lab did not come up: $(tail -3 "$work/up.out")"
        return 1
    fi
    [ $# -gt 2 ] && bash "$LAB" exec "$work/lab" "${@:3}" >"$work/before.out" 2>&1
    bash "$LAB" exec "$work/lab" "$L2TPFIX" handshake "$(cat "$work/lab/server_address")" --ikev2 \
        --user "$(cat "$work/lab/user")" --password-file "$work/lab/password" \
        --ca-file "$work/lab/ca.pem" --timeout 15000 --json >"$OUT" 2>"$work/err" </dev/null
    local rc=$?
    if [ "$rc" -eq "$2" ]; then ok; else bad "$CASE: exited $rc, want $2 ($(cat "$work/err"))"; fi
    if grep -qF -- "$(cat "$work/lab/password")" "$OUT" "$work/err"; then bad "$CASE: the password was printed"; else ok; fi
    if python3 -c 'import jsonschema' 2>/dev/null; then
        if python3 - "$SCHEMA" "$OUT" <<'PY'
import json, sys, jsonschema
jsonschema.validate(json.load(open(sys.argv[2])), json.load(open(sys.argv[1])))
PY
        then ok; else bad "$CASE: the JSON does not match the schema"; fi
    fi
}

if wanted ok; then
run_case ok 0
expect "stages" "[s['outcome'] for s in j['stages']]" "['ok', 'ok', 'ok']"
expect "trusted" "j['server_certificate']['trusted']" "True"
expect_in "child" "j['child_sa_detail']" "not installed by the server"
fi

if wanted wrong-password; then
run_case wrong-password 1
expect "stages" "[s['outcome'] for s in j['stages']]" "['ok', 'ok', 'failed']"
expect "auth code" "j['stages'][2]['code']" "691"
# our Failure Response lets the server end EAP itself (draft-kamath-pppext-eap-mschapv2 2.3)
expect_in "auth detail" "j['stages'][2]['detail']" "E=691"
expect_in "auth detail" "j['stages'][2]['detail']" "the server ended with EAP-Failure"
expect_log "EAP-Failure sent" "IKE_AUTH response [0-9]+ \\[ EAP/FAIL \\]"
fi

if wanted untrusted-ca; then
run_case untrusted-ca 1
expect "ipsec" "(j['stages'][1]['outcome'], j['stages'][1]['code'], j['stages'][2]['outcome'])" "('failed', 13801, 'skipped')"
expect_in "why" "j['server_certificate']['why']" "chain does not verify"
fi

if wanted wrong-name; then
run_case wrong-name 1
expect "ipsec code" "j['stages'][1]['code']" "13801"
expect_in "why" "j['server_certificate']['why']" "does not name"
fi

if wanted no-eku; then
run_case no-eku 1
expect "ipsec code" "j['stages'][1]['code']" "13801"
expect_in "why" "j['server_certificate']['why']" "extended key usage"
fi

if wanted bad-proposal; then
run_case bad-proposal 1
expect "tunnel" "(j['stages'][0]['outcome'], j['stages'][0]['code'])" "('failed', 13868)"
expect_in "detail" "j['stages'][0]['detail']" "NO_PROPOSAL_CHOSEN"
fi

if wanted chain; then
run_case chain 0
expect "stages" "[s['outcome'] for s in j['stages']]" "['ok', 'ok', 'ok']"
expect "fragments > 1" "j['fragments'] > 1" "True"
fi

if wanted nat; then
run_case nat 0
expect "stages" "[s['outcome'] for s in j['stages']]" "['ok', 'ok', 'ok']"
expect "nat" "j['nat']" "True"
expect_in "tunnel detail" "j['stages'][0]['detail']" "IKE_AUTH on UDP 4500"
# charon parsed IKE_AUTH that came to 4500: it had the non-ESP marker, or it would be ESP
expect_log "IKE_AUTH on 4500" "received packet: from 192\.0\.2\.20\[[0-9]+\] to 192\.0\.2\.10\[4500\]"
fi

if wanted cookie; then
# a probe's IKE_SA_INIT left half open makes charon ask the next one for a COOKIE
run_case cookie 0 "$L2TPFIX" probe 192.0.2.10 --timeout 3000
expect "stages" "[s['outcome'] for s in j['stages']]" "['ok', 'ok', 'ok']"
expect_in "tunnel detail" "j['stages'][0]['detail']" "after a COOKIE"
expect_log "COOKIE sent" "sending COOKIE notify"
fi

if wanted ecdsa; then
run_case ecdsa 0
expect "stages" "[s['outcome'] for s in j['stages']]" "['ok', 'ok', 'ok']"
# "ECDSA-256": AUTH method 9 (RFC 4754); without a SIGNATURE_HASH_ALGORITHMS notify no 14 (RFC 7427)
expect_log "an ECDSA AUTH" "authentication of '192\.0\.2\.10' \(myself\) with ECDSA-256 signature successful"
fi

echo "ikev2 handshake lab: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
