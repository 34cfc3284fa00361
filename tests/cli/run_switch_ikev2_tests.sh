#!/usr/bin/env bash
# Issue 17: `fix switch-ikev2` makes a profile that can connect: VpnStrategy=7,
# AuthRestrictions=128 (EAP only), CustomAuthKey=26 (EAP-MSCHAPv2), and the CA
# `handshake --ikev2` trusted the server through (--ca-file, kept in ikev2.json)
# added to LocalMachine\Root ([machine] roots in the mock's scenario); `undo`
# puts back exactly that. The record is written as handshake --ikev2 writes it;
# its thumbprint is computed here by openssl, apart from l2tpfix.
# Usage: run_switch_ikev2_tests.sh L2TPFIX SCENARIO_DIR
set -u
L2TPFIX=$(realpath "$1")
. "$(dirname "$0")/lib_work.sh" switchikev2
OUT=$WORK/out ERR=$WORK/err
fail_detail() { sed 's/^/    /' "$OUT" "$ERR" | head -30; }
S=$WORK/s.ini ST=$WORK/st
mkdir -p "$ST"
sed 's/^proposals = .*/&\nikev2 = yes/' "$2/weak-crypto.ini" >"$S"
cp "$S" "$WORK/start.ini"

for ca in ca other; do
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$WORK/$ca.key" -out "$WORK/$ca.pem" \
        -days 30 -subj "/CN=l2f-$ca-root" >/dev/null 2>&1 || { echo "FAIL: openssl"; exit 1; }
done
thumb() { openssl x509 -in "$1" -noout -fingerprint -sha1 | sed 's/.*=//; s/://g'; }
T=$(thumb "$WORK/ca.pem")
[ ${#T} -eq 40 ] || { echo "FAIL: no thumbprint from openssl"; exit 1; }

record() { # record [with-ca]
    local ca=''
    [ "${1:-}" = with-ca ] && ca=$(printf ',"ca_thumbprint":"%s","ca_subject":"CN=l2f-ca-root","ca_file":"%s"' "$T" "$WORK/ca.pem")
    printf '[{"host":"vpn.example.com","when":1796256000,"outcome":"ok","stage":"auth","code":0,"reason":"","certificate_trusted":true%s}]' \
        "$ca" >"$ST/ikev2.json"
}
l2f() { "$L2TPFIX" --mock "$S" --state-dir "$ST" "$@" >"$OUT" 2>"$ERR" </dev/null; }
key() { sed -n "s/^$1 = //p" "$S" | head -1; }
want() { # want KEY VALUE WHAT
    [ "$(key "$1")" = "$2" ] && ok || bad "$3: $1 is '$(key "$1")', not '$2'"
}
has() { grep -qF -- "$1" "$OUT" "$ERR" && ok || bad "$2: no '$1'"; }
unchanged() { cmp -s "$S" "$1" && ok || bad "$2: the scenario changed"; }

# --- 1. the CA on record, not in the machine's store: added, then removed by undo
record with-ca
l2f fix switch-ikev2 --dry-run
has "LocalMachine\\Root: CA 'CN=l2f-ca-root' (SHA-1 $T): not trusted -> added from the CA file" "dry run"
has "Office VPN: CustomAuthKey 0 (no EAP method) -> 26 (EAP-MSCHAPv2)" "dry run"
unchanged "$WORK/start.ini" "dry run"
l2f fix switch-ikev2 --yes
rc=$?
[ $rc -eq 0 ] && ok || bad "fix: exit $rc"
want VpnStrategy 7 "fix"
want AuthRestrictions 128 "fix"
want CustomAuthKey 26 "fix"
want roots "$T" "fix"
l2f undo --yes
rc=$?
[ $rc -eq 0 ] && ok || bad "undo: exit $rc"
want VpnStrategy 3 "undo"
want AuthRestrictions 544 "undo"
want CustomAuthKey 0 "undo"
[ -z "$(key roots)" ] && ok || bad "undo: roots still '$(key roots)'"

# --- 2. the CA already trusted: left alone by the fix and by undo
O=0123456789ABCDEF0123456789ABCDEF01234567
sed "s/^behind_nat = no/&\nroots = $O, $T/" "$WORK/start.ini" >"$S"
l2f fix switch-ikev2 --yes
grep -qF "LocalMachine" "$OUT" && bad "trusted already: a root change planned" || ok
want roots "$O, $T" "trusted already"
l2f undo --yes
want roots "$O, $T" "trusted already, undone"
want VpnStrategy 3 "trusted already, undone"

# --- 3. --ca-file: another CA is refused and changes nothing; the same CA elsewhere is used
cp "$WORK/start.ini" "$S"
l2f fix switch-ikev2 --yes --ca-file "$WORK/other.pem"
rc=$?
[ $rc -ne 0 ] && ok || bad "other CA: exit 0"
has "its certificate (SHA-1 $(thumb "$WORK/other.pem")) is not the CA handshake --ikev2 trusted" "other CA"
[ "$(wc -l <"$ERR")" -eq 1 ] && ok || bad "other CA: not one line"
unchanged "$WORK/start.ini" "other CA"
mkdir -p "$WORK/elsewhere" && cp "$WORK/ca.pem" "$WORK/elsewhere/copy.pem" && rm "$WORK/ca.pem"
(cd "$WORK/elsewhere" && "$L2TPFIX" --mock "$S" --state-dir "$ST" fix switch-ikev2 --yes --ca-file copy.pem >"$OUT" 2>"$ERR" </dev/null)
rc=$?
[ $rc -eq 0 ] && ok || bad "same CA elsewhere: exit $rc"
want roots "$T" "same CA elsewhere"
grep -qF "\"backup\":\"$WORK/elsewhere/copy.pem\"" "$ST/journal.jsonl" && ok || bad "same CA elsewhere: the journal does not name the file used"
l2f undo --yes
[ -z "$(key roots)" ] && ok || bad "same CA elsewhere, undone: roots '$(key roots)'"
cp "$WORK/elsewhere/copy.pem" "$WORK/ca.pem"
l2f fix tunnel-l2tp --yes --ca-file "$WORK/ca.pem"
[ $? -ne 0 ] && grep -qF -- "--ca-file goes with fix switch-ikev2" "$ERR" && ok || bad "--ca-file without switch-ikev2 accepted"

# --- 4. not an administrator: refused, nothing changed
sed 's/^admin = yes/admin = no/' "$WORK/start.ini" >"$S"
cp "$S" "$WORK/user.ini"
l2f fix switch-ikev2 --yes
[ $? -ne 0 ] && ok || bad "not admin: exit 0"
has "needs administrator rights" "not admin"
unchanged "$WORK/user.ini" "not admin"

# --- 5. an older record without the CA: the profile only, and the record still counts
cp "$WORK/start.ini" "$S"
record
l2f fix switch-ikev2 --yes
[ $? -eq 0 ] && ok || bad "old record: exit not 0"
want CustomAuthKey 26 "old record"
[ -z "$(key roots)" ] && ok || bad "old record: roots '$(key roots)'"

# --- 6. the profile switched already, the CA not in the store yet: the CA alone
sed -e 's/^VpnStrategy = 3/VpnStrategy = 7/' -e 's/^AuthRestrictions = 544/AuthRestrictions = 128/' \
    -e 's/^DataEncryption = 256/&\nCustomAuthKey = 26/' "$WORK/start.ini" >"$S"
record with-ca
l2f fix switch-ikev2 --yes
rc=$?
[ $rc -eq 0 ] && ok || bad "CA alone: exit $rc"
want roots "$T" "CA alone"
grep -qF "VpnStrategy" "$OUT" && bad "CA alone: a profile change planned" || ok
l2f undo --yes
[ -z "$(key roots)" ] && ok || bad "CA alone, undone: roots '$(key roots)'"
want VpnStrategy 7 "CA alone, undone"

echo "switch-ikev2: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
