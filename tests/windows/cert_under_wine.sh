#!/usr/bin/env bash
# Makes the certificates test_win_cert imports (openssl, at test time), then runs
# it under Wine. Usage: cert_under_wine.sh WINE TEST_WIN_CERT_EXE
set -euo pipefail
wine=$1 exe=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
mkdir -p db
: >db/index
echo 1000 >db/serial
cat >ca.cnf <<'CNF'
[ca]
default_ca = l2f
[l2f]
dir = .
database = db/index
serial = db/serial
new_certs_dir = db
default_md = sha256
policy = anything
unique_subject = no
copy_extensions = none
[anything]
commonName = supplied
[root]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
[client]
basicConstraints = CA:false
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = clientAuth
[serveronly]
basicConstraints = CA:false
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
CNF
q() { "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; "$@"; exit 1; }; }
# a root the test trusts (LocalMachine\Root), and one it never adds
for ca in ca other; do
    q openssl req -x509 -newkey rsa:2048 -nodes -keyout $ca.key -out $ca.pem -days 30 \
        -subj "/CN=l2f-$ca-root" -config ca.cnf -extensions root
done
openssl x509 -in ca.pem -outform DER -out ca.der
# name ca validity(start end | days) extensions
issue() {
    local name=$1 ca=$2 ext=$3
    shift 3
    q openssl req -new -newkey rsa:2048 -nodes -keyout $name.key -out $name.csr -subj "/CN=l2f-$name"
    q openssl ca -batch -config ca.cnf -cert $ca.pem -keyfile $ca.key -in $name.csr -out $name.pem \
        -extensions $ext -notext "$@"
    # 3DES/SHA1 PKCS#12: what every crypt32 (Wine's through GnuTLS) reads
    q openssl pkcs12 -export -in $name.pem -inkey $name.key -out $name.p12 -passout pass: \
        -certpbe PBE-SHA1-3DES -keypbe PBE-SHA1-3DES -macalg sha1
}
issue valid ca client -days 20
issue expired ca client -startdate 20200101000000Z -enddate 20210101000000Z
issue noclient ca serveronly -days 20
issue untrusted other client -days 20
for name in valid noclient untrusted; do openssl x509 -in $name.pem -outform DER -out $name.der; done
# the root switch-ikev2 adds and removes, and its thumbprint as openssl computes it
openssl x509 -in other.pem -outform DER -out other.der
export L2F_OTHER_SHA1
L2F_OTHER_SHA1=$(openssl x509 -in other.pem -noout -fingerprint -sha1 | sed 's/.*=//; s/://g')
# the expiry the test must read back, as UTC ISO 8601
export L2F_VALID_NOT_AFTER
L2F_VALID_NOT_AFTER=$(date -u -d "$(openssl x509 -in valid.pem -noout -enddate | cut -d= -f2)" \
    +%Y-%m-%dT%H:%M:%SZ)
"$wine" "$exe" "Z:${work//\//\\}"
