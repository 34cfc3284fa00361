#!/usr/bin/env bash
# Issue 16 family 2 against a real strongSwan, inside a network namespace of
# its own (nothing is sent beyond it): a server whose only IKE proposal is
# 3des-md5-modp1024 (Windows offers MD5 only with AllowL2TPWeakCrypto=1) and
# one whose only proposal has a group Windows never offers (modp1536). The
# probe must find each by its bounded enumeration and name the remedy.
# Usage: run_weakcrypto_lab.sh L2TPFIX
set -u
L2TPFIX=$1
. "$(dirname "$0")/lablib.sh"
lab_need "weak-crypto lab" strongswan
lab_enter_namespace "weak-crypto lab" 1 --net --mount -- "$@"

lab_begin l2f-weak
# the shared lab, plus two connections of one proposal each
L2F_LAB_EXTRA='weak 127.0.0.9 1 3des-md5-modp1024
group 127.0.0.10 1 aes128-sha1-modp1536' lab_start strongswan || exit 1

offers() { grep -c "received packet: from 127.0.0.1\[[0-9]*\] to $1\[500\]" "$lab/charon.log"; }

# only 3DES/MD5: found, and the weak-crypto fix named; bounded and paced
before=$(offers 127.0.0.9)
start=$(date +%s%N)
"$L2TPFIX" probe 127.0.0.9 --json >"$OUT" 2>&1 </dev/null
rc=$?
took=$(( ($(date +%s%N) - start) / 1000000 ))
tr -d ' \n\t' <"$OUT" >"$OUT.flat"
[ "$rc" -eq 1 ] && ok || bad "probe of the weak server exited $rc, want 1"
has '"probe":"ikev1-500","outcome":"no-proposal"' "Windows' offer refused"
has '"server_accepts":\["3des-md5-modp1024"\]' "the enumeration finds 3des-md5-modp1024"
has '"enumeration":\{"sent":32,"max":32,"complete":true,"remedy":"allow-weak-crypto","server_should_add":null\}' \
    "32 offers, the weak-crypto remedy"
sent=$(( $(offers 127.0.0.9) - before ))
# Windows' offer (sent again at most twice) and the 32 single-transform offers
[ "$sent" -le 35 ] && [ "$sent" -ge 33 ] && ok || bad "the server got $sent offers, want 33 to 35"
[ "$took" -ge $((31 * 334)) ] && ok || bad "32 offers in $took ms: faster than one per 334 ms"
"$L2TPFIX" probe 127.0.0.9 >"$OUT" 2>&1 </dev/null
tr -d '\n' <"$OUT" >"$OUT.flat"
has 'Server accepts: 3des-md5-modp1024 \(32 single-transform offers sent, at most 32\)' "text: what it accepts"
has 'fix allow-weak-crypto' "text: the weak-crypto remedy"

# through the diagnosis: ike-proposals names the fix, a test the mock runs cannot tell
printf '[server]\naddress = 127.0.0.9\n[profile "Lab"]\nPhoneNumber = 127.0.0.9\n' >"$lab/w.ini"
"$L2TPFIX" --mock "$lab/w.ini" --state-dir "$lab/state" --probe-real check --json >"$OUT" 2>&1 </dev/null
tr -d ' \n\t' <"$OUT" >"$OUT.flat"
has '"id":"ike-proposals","status":"fail","summary":"NO-PROPOSAL-CHOSEN\(788\):theserveracceptsonly3des-md5-modp1024;[^"]*","skipped":false,"fix":"allow-weak-crypto","fix_alternative":true' \
    "check --probe-real: allow-weak-crypto offered"
has '"fixes":\[\]' "fix all leaves it"
has '"server_accepts":\["3des-md5-modp1024"\]' "check --json: server_accepts"
# the probe cache keeps it: a check within seconds reuses the list without a packet
before=$(offers 127.0.0.9)
"$L2TPFIX" --mock "$lab/w.ini" --state-dir "$lab/state" --probe-real check --json >"$OUT" 2>&1 </dev/null
tr -d ' \n\t' <"$OUT" >"$OUT.flat"
has '"server_accepts":\["3des-md5-modp1024"\]' "the cached probe keeps server_accepts"
[ "$(offers 127.0.0.9)" -eq "$before" ] && ok || bad "a reused answer still sent offers"

# a group Windows never offers: the server's configuration, naming what Windows would accept
"$L2TPFIX" probe 127.0.0.10 --json >"$OUT" 2>&1 </dev/null
tr -d ' \n\t' <"$OUT" >"$OUT.flat"
has '"server_accepts":\["aes128-sha1-modp1536"\]' "the enumeration finds aes128-sha1-modp1536"
has '"remedy":"server","server_should_add":"aes256-sha1-modp2048"' "the server's remedy"
printf '[server]\naddress = 127.0.0.10\n[profile "Lab"]\nPhoneNumber = 127.0.0.10\n' >"$lab/g.ini"
"$L2TPFIX" --mock "$lab/g.ini" --state-dir "$lab/state" --probe-real check --json >"$OUT" 2>&1 </dev/null
tr -d ' \n\t' <"$OUT" >"$OUT.flat"
has '"id":"ike-proposals","status":"fail","summary":"NO-PROPOSAL-CHOSEN\(788\):theserveracceptsaes128-sha1-modp1536;[^"]*addaes256-sha1-modp2048totheserver'"'"'sIKEproposals[^"]*","skipped":false,"fix":null' \
    "check --probe-real: the server must change"
"$L2TPFIX" --mock "$lab/g.ini" --state-dir "$lab/state" --probe-real fix allow-weak-crypto --yes >"$OUT" 2>&1 </dev/null
rc=$?; tr -d '\n' <"$OUT" >"$OUT.flat"
[ "$rc" -eq 1 ] && ok || bad "allow-weak-crypto for a modp1536 server exited $rc, want 1 (refused)"
has 'allow-weak-crypto not offered' "no weakening where it would not help"

# an explicit --timeout is the whole command's: the enumeration is cut short, and says so
# (measured beyond what starting the binary costs here: a sanitizer build is slow to start)
start=$(date +%s%N)
"$L2TPFIX" --version >/dev/null 2>&1
startup=$(( ($(date +%s%N) - start) / 1000000 ))
start=$(date +%s%N)
"$L2TPFIX" probe 127.0.0.10 --timeout 2000 --json >"$OUT" 2>&1 </dev/null
took=$(( ($(date +%s%N) - start) / 1000000 - startup ))
tr -d ' \n\t' <"$OUT" >"$OUT.flat"
has '"complete":false' "cut short by --timeout"
[ "$took" -le 2300 ] && ok || bad "--timeout 2000 took $took ms beyond the $startup ms a start takes"

lab_report "weak-crypto lab"
