#!/usr/bin/env bash
# Times `l2tpfix handshake` against the local SoftEther server (right key,
# right account) in a network namespace made here: each stage as it happens on
# the wire (IPsec, then the L2TP tunnel inside it, PPP's LCP with the
# learning session, then authentication and IPCP) and the whole process.
# Stage times come from the JSON (each stage's "ms" is from the start; the
# differences are the stages' own). Each run tries the key, so runs are 2 s
# apart; the script waits that out itself, outside the timing. Usage: bench/handshake.sh [L2TPFIX] [RUNS]
set -u
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
bench_args "${1:-}" "${2:-}" 10
in_namespace "$0" "$L2TPFIX" "$RUNS"
lab=$(mktemp -d "${TMPDIR:-/tmp}/l2f-bench-XXXXXX")
trap 'bash "$here/../tests/lab/softether_lab.sh" stop "$lab"; rm -rf "$lab"' EXIT
export XDG_STATE_HOME=$lab/state
printf 'LabPsk-123\n' >"$lab/psk"
printf 'LabPass-456\n' >"$lab/pw"
bash "$here/../tests/lab/softether_lab.sh" start "$lab" || exit 1

ms_of() { tr -d ' \n\t' <"$lab/out" | grep -oE "\"id\":\"$1\",[^}]*\"ms\":[0-9]+" | grep -oE '[0-9]+$'; }
ipsec=() tunnel=() ppp=() auth=()
for run in $(seq "$RUNS"); do
    [ "$run" -gt 1 ] && sleep 2.05 # the pause between key attempts, outside the timing
    "$L2TPFIX" handshake 127.0.0.1 --psk-file "$lab/psk" --user labuser --password-file "$lab/pw" --json \
        >"$lab/out" 2>&1 </dev/null || { echo "bench: the handshake failed"; cat "$lab/out"; exit 1; }
    i=$(ms_of ipsec) t=$(ms_of tunnel) p=$(ms_of ppp) a=$(ms_of auth)
    ipsec+=("$i") tunnel+=($((t - i))) ppp+=($((p - t))) auth+=($((a - p)))
done
# the whole process with hyperfine (no shell between), the pause outside the timing
sleep 2.05
hf_run "$lab/whole.json" "$RUNS" --prepare "sleep 2.05" -- \
    "$L2TPFIX handshake 127.0.0.1 --psk-file $lab/psk --user labuser --password-file $lab/pw --json" || exit 1
echo "runs: $RUNS, paced 2 s apart; ms"
printf '%-58s %6s %6s %6s\n' "" median min max
printf '%-58s %s\n' "IPsec: Main Mode and Quick Mode" "$(stats "${ipsec[@]}")"
printf '%-58s %s\n' "L2TP tunnel and session, inside IPsec" "$(stats "${tunnel[@]}")"
printf '%-58s %s\n' "PPP: LCP, learning session and the real one" "$(stats "${ppp[@]}")"
printf '%-58s %s\n' "authentication (MS-CHAP v2) and IPCP's address" "$(stats "${auth[@]}")"
BENCH_STATS_FORMAT="%6.0f %6.0f %6.0f" BENCH_LABEL_WIDTH=58
hf_row "/bin/true, timed in the same run" "$lab/whole.json" 0
hf_row "whole process, start to exit (teardown included)" "$lab/whole.json" 1
