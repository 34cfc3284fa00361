#!/usr/bin/env bash
# Times the key check and the IPsec stage against the two local servers, in a
# network namespace made here: strongSwan (key verdict for MODP 2048 and ECP
# 256, right and wrong key) and SoftEther (key verdict and IPsec up: Quick
# Mode and an ESP round trip). The times are l2tpfix's own (key_check.ms and
# key_check.ipsec_ms in `probe --json`): from the first Main Mode packet to the
# verdict, and to IPsec up. Key checks are paced 2 s apart (an oracle must not
# be fast), so each run waits that out; the probe's answers are reused.
# Usage: bench/ipsec.sh [L2TPFIX] [RUNS]
set -u
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
bench_args "${1:-}" "${2:-}" 10
in_namespace "$0" "$L2TPFIX" "$RUNS"
lab=$(mktemp -d "${TMPDIR:-/tmp}/l2f-bench-XXXXXX")
trap 'bash "$here/../tests/lab/strongswan_lab.sh" stop "$lab"; bash "$here/../tests/lab/softether_lab.sh" stop "$lab"
      rm -rf "$lab"' EXIT
printf 'LabPsk-123\n' >"$lab/good.psk"
printf 'NotTheKey\n' >"$lab/bad.psk"
export XDG_STATE_HOME=$lab/state

# series NAME HOST KEYFILE WANT_PSK WANT_IPSEC: RUNS checks, key and IPsec times
series() {
    local name=$1 host=$2 key=$3 want_psk=$4 want_ipsec=$5 keys=() ups=()
    for _ in $(seq "$RUNS"); do
        "$L2TPFIX" probe "$host" --psk-file "$key" --timeout 12000 --json >"$lab/out" 2>&1 </dev/null
        tr -d ' \n\t' <"$lab/out" | grep -q "\"psk\":\"$want_psk\",\"ipsec\":\"$want_ipsec\"" ||
            { echo "bench: $name: not $want_psk/$want_ipsec"; cat "$lab/out"; exit 1; }
        keys+=("$(tr -d ' \n\t' <"$lab/out" | grep -oE '"key_check":\{[^}]*' | grep -oE '"ms":[0-9]+' | cut -d: -f2)")
        ups+=("$(tr -d ' \n\t' <"$lab/out" | grep -oE '"ipsec_ms":[0-9]+' | cut -d: -f2)")
    done
    printf '%-46s %s\n' "$name: key verdict" "$(stats "${keys[@]}")"
    [ "$want_ipsec" = up ] && printf '%-46s %s\n' "$name: IPsec up" "$(stats "${ups[@]}")"
    return 0
}

echo "runs: $RUNS each; ms from the first Main Mode packet; checks paced 2 s apart"
printf '%-46s %6s %6s %6s\n' "" median min max
bash "$here/../tests/lab/strongswan_lab.sh" start "$lab" || exit 1
series "strongSwan aes256-sha1-modp2048, right key" 127.0.0.2 "$lab/good.psk" accepted failed
series "strongSwan aes128-sha256-ecp256, right key" 127.0.0.7 "$lab/good.psk" accepted failed
series "strongSwan aes256-sha1-modp2048, wrong key" 127.0.0.2 "$lab/bad.psk" rejected failed
bash "$here/../tests/lab/strongswan_lab.sh" stop "$lab"
bash "$here/../tests/lab/softether_lab.sh" start "$lab" || exit 1
series "SoftEther aes256-sha1-modp2048, right key" 127.0.0.1 "$lab/good.psk" accepted up
series "SoftEther aes256-sha1-modp2048, wrong key" 127.0.0.1 "$lab/bad.psk" rejected failed
echo "(strongSwan here cannot install ESP SAs: this kernel has no ESP, so its IPsec stage fails by design)"
