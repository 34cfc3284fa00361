#!/usr/bin/env bash
# `explain` for the codes issue 16 names (13801, 13806, 13868, 766, 787, 835),
# its weak-crypto case (788: the kb's entry for a server that takes only DES
# or MD5) and the January 2022 update's code (789): each is known, names its
# Windows constant and its stage, says its cause in words and, where
# l2tpfix has one, its fix. The constants and texts were checked against
# Microsoft's raserror.h / "System Error Codes (12000-15999)".
# Usage: run_explain_tests.sh L2TPFIX
set -u
L2TPFIX=$1
fail_detail() { sed 's/^/    out: /' "$OUT" | head -12; head -3 "$ERR" | sed 's/^/    err: /'; }
. "$(dirname "$0")/lib_work.sh" explain
OUT=$WORK/out
ERR=$WORK/err

# line LABEL: the text after "LABEL " on its line of $OUT
line() { sed -n "s/^$1 *//p" "$OUT"; }
has() { if grep -qiE -- "$2" <<<"$1"; then ok; else bad "$3: no match for /$2/ in '$1'"; fi; }

# entry CODE CONSTANT STAGE MESSAGE_RE CAUSES_RE FIXES_RE ("" for no fixes line)
entry() {
    local code=$1 name=$2 stage=$3 message=$4 causes=$5 fixes=$6
    "$L2TPFIX" explain "$code" >"$OUT" 2>"$ERR" </dev/null
    local rc=$?
    [ "$rc" -eq 0 ] && ok || { bad "explain $code exited $rc"; return; }
    [ "$(head -1 "$OUT")" = "$code $name" ] && ok || bad "explain $code: first line is not '$code $name'"
    has "$(sed -n 2p "$OUT")" "$message" "explain $code: Windows' message"
    has "$(line Stage:)" "^$stage " "explain $code: stage"
    has "$(line Causes:)" "$causes" "explain $code: causes"
    if [ -n "$fixes" ]; then
        has "$(line Fixes:)" "$fixes" "explain $code: fixes"
    else
        grep -q '^Fixes:' "$OUT" && bad "explain $code: a fix where l2tpfix has none" || ok
    fi
}

entry 13801 ERROR_IPSEC_IKE_AUTH_FAIL ipsec "IKE authentication credentials are unacceptable" \
    "certificate is not trusted.*name does not match.*several Client Authentication certificates" ""
entry 13806 ERROR_IPSEC_IKE_NO_CERT ipsec "valid machine certificate" \
    "LocalMachine\\\\My.*expired.*no private key.*Client Authentication.*trusted root" ""
entry 13868 ERROR_IPSEC_IKE_POLICY_MATCH ipsec "policy match" \
    "proposals \(encryption, integrity, DH group\)" ""
entry 766 ERROR_NO_CERTIFICATE ipsec "machine \(computer\) certificate" \
    "no 'Use preshared key'.*LocalMachine\\\\My.*holds none" "^use-psk$"
entry 787 ERROR_OAKLEY_AUTH_FAIL ipsec "could not authenticate the remote computer" \
    "server's certificate does not chain to a root this computer trusts.*several certificates" "use-psk"
entry 835 ERROR_INVALID_SERVER_CERT ipsec "server's certificate.*server asked for" \
    "address in the profile differs from the names in the server's certificate" ""
# the weak-crypto case: the kb keeps it under 788, where Windows reports it
entry 788 ERROR_OAKLEY_ATTRIB_FAIL ipsec "could not negotiate compatible parameters" \
    "only DES or MD5 needs AllowL2TPWeakCrypto=1.*upgrading the server" "^allow-weak-crypto$"
# the January 2022 update's break (family 1): field reports name 789's message
entry 789 ERROR_OAKLEY_GENERAL_PROCESSING ipsec "processing error during initial negotiations" \
    "KB5009543.*KB5010793.*windows-update" "mschapv2"

echo "explain: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
