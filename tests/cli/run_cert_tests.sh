#!/usr/bin/env bash
# Certificate L2TP/IPsec (issue 16 family 3): the machine-certificate check on the
# demo cert-766 (goldens of check and explain 766), each state a scenario can
# give, the simulated dial's code, a bad value refused, and offline unknown.
# Usage: run_cert_tests.sh L2TPFIX SCENARIOS_DIR PBK_DIR
set -u
L2TPFIX=$1
SCENARIOS=$2
PBK_SAMPLES=$3
GOLDEN=$(cd "$(dirname "$0")/golden" && pwd)
fail_detail() { head -40 "$OUT" | sed 's/^/    out: /'; head -5 "$ERR" | sed 's/^/    err: /'; }
. "$(dirname "$0")/lib_work.sh" cert
OUT=$WORK/out
ERR=$WORK/err
run() {
    local want=$1; shift
    "$L2TPFIX" "$@" >"$OUT" 2>"$ERR" </dev/null
    local rc=$?
    if [ "$rc" -ne "$want" ]; then bad "l2tpfix $* exited $rc, want $want"; return 1; fi
    ok
}
has() { if grep -qE -- "$2" "$1"; then ok; else bad "$3: no match for /$2/"; fi; }
hasjson() { tr -d ' \n\t' <"$1" >"$WORK/flat.json"; has "$WORK/flat.json" "$2" "$3"; }
golden() { # golden NAME: $OUT against tests/cli/golden/NAME (UPDATE_GOLDEN=1 rewrites it)
    if [ -n "${UPDATE_GOLDEN:-}" ]; then cp "$OUT" "$GOLDEN/$1"; fi
    cmp -s "$OUT" "$GOLDEN/$1" && ok || bad "$1 differs from its golden: $(diff "$GOLDEN/$1" "$OUT" | head -5)"
}

# the demo: no machine certificate, last error 766
run 1 --demo=cert-766 check
golden check-cert-766.text
has "$OUT" '^  FAIL +machine-certificate no certificate in LocalMachine\\My: Windows fails with 766' "cert-766: 766"
run 1 --demo=cert-766 check --json
hasjson "$OUT" '"id":"machine-certificate","status":"fail"' "cert-766: json"
run 0 explain 766
golden explain-766.text
has "$OUT" '^766 ERROR_NO_CERTIFICATE$' "explain 766: the name"
for code in 13806 787 835; do
    run 0 explain $code
    has "$OUT" "^$code ERROR_" "explain $code"
done

# each state of [machine] certificate: the check's verdict, and the simulated dial's code
cert_case() { # cert_case STATE CHECK_WORD SUMMARY_RE DIAL_CODE
    sed "s/^certificate = none\$/certificate = $1/" "$SCENARIOS/cert-766.ini" >"$WORK/$1.ini"
    "$L2TPFIX" --mock "$WORK/$1.ini" --state-dir "$WORK/st-$1" check >"$OUT" 2>"$ERR" </dev/null
    has "$OUT" "^  $2 +machine-certificate $3" "certificate = $1: check"
    "$L2TPFIX" --mock "$WORK/$1.ini" --state-dir "$WORK/st-$1" connect >"$OUT" 2>"$ERR" </dev/null
    local rc=$?
    if [ "$4" = 0 ]; then [ "$rc" -eq 0 ] && ok || bad "certificate = $1: connect exited $rc"
    else has "$OUT" "\\b$4\\b" "certificate = $1: connect fails with $4"; fi
}
cert_case expired FAIL 'none qualifies \(13806\): .*outside its validity period' 13806
cert_case no-private-key FAIL 'none qualifies \(13806\): .*no private key' 13806
cert_case no-client-auth FAIL 'none qualifies \(13806\): .*Client Authentication' 13806
cert_case untrusted FAIL 'none qualifies \(13806\): .*does not chain' 13806
cert_case valid pass 'CN=client\.example\.com \(simulated\), valid until 2099' 0

# a bad value: one line naming file and line, nothing changed
printf '[machine]\ncertificate = maybe\n' >"$WORK/bad.ini"
cp "$WORK/bad.ini" "$WORK/bad.before"
run 2 --mock "$WORK/bad.ini" --state-dir "$WORK/st-bad" check
has "$ERR" "bad\\.ini:2: certificate: expected one of none, expired, no-private-key, no-client-auth, untrusted, valid, got 'maybe'" "bad value named"
[ "$(wc -l <"$ERR")" -eq 1 ] && cmp -s "$WORK/bad.ini" "$WORK/bad.before" && ok || bad "bad value: not one line, or the file changed"

# a phonebook file offline cannot read the computer's store: unknown
printf '[Cert VPN]\nType=2\nVpnStrategy=3\nIpSecFlags=0\nPhoneNumber=vpn.example.com\n' >"$WORK/c.pbk"
"$L2TPFIX" --phonebook "$WORK/c.pbk" --state-dir "$WORK/st-pbk" check >"$OUT" 2>"$ERR" </dev/null
has "$OUT" '^  unknown machine-certificate the computer.s certificate store is not known here' "offline: unknown"
# a PSK profile: the check does not apply
run 1 --demo check
has "$OUT" '^  skipped machine-certificate IpSecFlags=1: a pre-shared key' "PSK profile: skipped"

echo "cert: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
