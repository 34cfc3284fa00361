#!/usr/bin/env bash
# Issue 17: script --fix switch-ikev2 [--ca-file CA.pem]: goldens with and
# without the CA; a file that is not exactly one CA certificate refused in one
# line naming it, with no script written; --ca-file only with switch-ikev2.
# Usage: run_script_ca_tests.sh L2TPFIX
set -u
L2TPFIX=$1
HERE=$(cd "$(dirname "$0")" && pwd)
GOLDEN=$HERE/golden
CA=$HERE/data/ca-switch-ikev2.pem
fail_detail() { head -20 "$OUT" | sed 's/^/    out: /'; head -5 "$ERR" | sed 's/^/    err: /'; }
. "$HERE/lib_work.sh" script-ca
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
golden() { # golden NAME: $OUT against tests/cli/golden/NAME (UPDATE_GOLDEN=1 rewrites it)
    if [ -n "${UPDATE_GOLDEN:-}" ]; then cp "$OUT" "$GOLDEN/$1"; fi
    cmp -s "$OUT" "$GOLDEN/$1" && ok || bad "$1 differs from its golden: $(diff "$GOLDEN/$1" "$OUT" | head -5)"
}
# refused: exit 2, one line on stderr that names the file and matches $2, no script
refused() {
    run 2 script --fix switch-ikev2 --profile 'Office VPN' --ca-file "$1" || return
    has "$ERR" "^l2tpfix: --ca-file $1: $2" "$3"
    [ "$(wc -l <"$ERR")" -eq 1 ] && [ ! -s "$OUT" ] && ok || bad "$3: not one line, or a script written"
}

run 0 script --fix switch-ikev2 --profile 'Office VPN'
golden script-switch-ikev2.ps1
has "$OUT" '-AuthenticationMethod Eap -EapConfigXmlStream' "switch-ikev2 sets EAP with its configuration"
if grep -q 'LocalMachine' "$OUT"; then bad "no --ca-file, yet the script touches a store"; else ok; fi

run 0 script --fix switch-ikev2 --profile 'Office VPN' --all-users --ca-file "$CA"
golden script-switch-ikev2-ca.ps1
# the thumbprint is the SHA-1 of the DER, as openssl computes it apart from l2tpfix
want=$(openssl x509 -in "$CA" -noout -fingerprint -sha1 | sed 's/.*=//; s/://g')
has "$OUT" "^\\\$CaThumb = '$want'\$" "the thumbprint is openssl's"
# the certificate embedded is the file's DER
sed -n "/^\\\$CaBase64 = @'\$/,/^'@\$/p" "$OUT" | sed '1d;$d' | tr -d '\n' | base64 -d >"$WORK/embedded.der" 2>/dev/null
openssl x509 -in "$CA" -outform DER -out "$WORK/file.der"
cmp -s "$WORK/embedded.der" "$WORK/file.der" && ok || bad "the embedded certificate is not the file's"

# not exactly one CA certificate: refused
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$WORK/leaf.key" \
    -out "$WORK/leaf.pem" -days 30 -subj "/CN=vpn.example.com" \
    -addext "basicConstraints=critical,CA:FALSE" 2>/dev/null
refused "$WORK/leaf.pem" "its certificate is not a CA's" "a server certificate"
cat "$CA" "$CA" >"$WORK/two.pem"
refused "$WORK/two.pem" "holds 2 certificates" "two certificates"
cat "$CA" "$WORK/leaf.key" >"$WORK/withkey.pem"
refused "$WORK/withkey.pem" "holds a PRIVATE KEY block" "a key with the certificate"
if grep -q "$(sed -n 2p "$WORK/leaf.key")" "$ERR"; then bad "the key reached the message"; else ok; fi
printf 'not a certificate\n' >"$WORK/text.pem"
refused "$WORK/text.pem" "no PEM certificate in it" "a text file"
printf -- '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n' >"$WORK/broken.pem"
refused "$WORK/broken.pem" "its certificate cannot be parsed" "a broken certificate"
run 3 script --fix switch-ikev2 --profile 'Office VPN' --ca-file "$WORK/absent.pem"
has "$ERR" "^l2tpfix: --ca-file $WORK/absent.pem: cannot be read" "a missing file"
head -c 300000 /dev/zero >"$WORK/big.pem"
refused "$WORK/big.pem" "not a file of at most 256 KiB" "a huge file"

# --ca-file only where switch-ikev2 imports it
run 2 script --fix mschapv2 --profile 'Office VPN' --ca-file "$CA"
has "$ERR" '^l2tpfix: --ca-file: only switch-ikev2 imports a CA' "--ca-file without switch-ikev2"
run 2 script --create --profile X --server vpn.example.com --ca-file "$CA"
has "$ERR" '^l2tpfix: --ca-file: only switch-ikev2 imports a CA' "--ca-file with --create"
run 2 check --ca-file "$CA"
has "$ERR" '^l2tpfix: --ca-file is an option of [a-z, ]*script[a-z, ]*, not of check$' "--ca-file not of check"

echo "script-ca: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
