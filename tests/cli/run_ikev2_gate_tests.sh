#!/usr/bin/env bash
# Issue 17: check's ikev2-available and switch-ikev2 rest on what
# `handshake --ikev2` recorded from here (STATE_DIR/ikev2.json), not on the
# probe's IKE_SA_INIT answer alone. A mock server that refuses L2TP/IPsec's
# proposals and answers IKEv2; the record is written as handshake --ikev2
# writes it (the IKEv2 lab, tests/lab/ikev2_lab.sh, produces a real one).
# Usage: run_ikev2_gate_tests.sh L2TPFIX SCENARIO_DIR
set -u
L2TPFIX=$1
. "$(dirname "$0")/lib_work.sh" ikev2gate
OUT=$WORK/out ERR=$WORK/err
fail_detail() { sed 's/^/    /' "$OUT" "$ERR" | head -40; }
S=$WORK/s.ini ST=$WORK/st
sed 's/^proposals = .*/&\nikev2 = yes/' "$2/weak-crypto.ini" >"$S"
grep -q '^ikev2 = yes' "$S" || { echo "FAIL: no [server] ikev2 = yes in the scenario copy"; exit 1; }
mkdir -p "$ST"

check() { "$L2TPFIX" --mock "$S" --state-dir "$ST" check "$@" >"$OUT" 2>"$ERR" </dev/null; }
has() { grep -qF -- "$1" "$OUT" && ok || bad "$2: no '$1'"; }
hasnt() { grep -qF -- "$1" "$OUT" && bad "$2: '$1'" || ok; }
recommended() { python3 -c 'import json,sys; print(" ".join(json.load(open(sys.argv[1]))["fixes"]))' "$OUT"; }
record() { # record OUTCOME STAGE CODE REASON
    printf '[{"host":"vpn.example.com","when":1796256000,"outcome":"%s","stage":"%s","code":%s,"reason":"%s","certificate_trusted":%s}]' \
        "$1" "$2" "$3" "$4" "$([ "$1" = ok ] && echo true || echo false)" >"$ST/ikev2.json"
}

# the probe alone: an alternative, with how to test it
check
has "not tested: run l2tpfix --state-dir $ST handshake vpn.example.com --ikev2 --user NAME" "probe only"
has "[alternative: switch-ikev2]" "probe only"
check --json
case " $(recommended) " in *" switch-ikev2 "*) bad "probe only: switch-ikev2 recommended" ;; *) ok ;; esac

# a success on record: recommended, with the evidence
record ok auth 0 ""
check
has "IKEv2 with EAP-MSCHAPv2 worked from here on 2026-12-03: server authenticated, user accepted" "success"
has "[fix: switch-ikev2]" "success"
has "Recommended fixes, in order: switch-ikev2" "success"
check --json
case " $(recommended) " in *" switch-ikev2 "*) ok ;; *) bad "success: switch-ikev2 not recommended" ;; esac

# a failure on record: no switch, where and why it stopped; the fix refused
record failed ipsec 13801 "the server's certificate is not trusted"
check
has "failed on 2026-12-03 at ipsec (13801): the server's certificate is not trusted: no switch offered" "failure"
hasnt "switch-ikev2]" "failure"
cp "$S" "$WORK/before.ini"
"$L2TPFIX" --mock "$S" --state-dir "$ST" fix switch-ikev2 --yes >"$OUT" 2>"$ERR" </dev/null
rc=$?
[ "$rc" -ne 0 ] && grep -qF "IKEv2 failed from here" "$OUT" "$ERR" && ok || bad "failure: fix switch-ikev2 exit $rc, not refused"
cmp -s "$S" "$WORK/before.ini" && ok || bad "failure: the refused fix changed the scenario"

# a corrupt record: as if none
printf '[{"host":"vpn.example.com","outcome":' >"$ST/ikev2.json"
check
has "not tested: run" "corrupt record"

echo "ikev2 gate: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
