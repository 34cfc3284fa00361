#!/usr/bin/env bash
# Times `l2tpfix handshake --ikev2` to a verdict against the local strongSwan
# IKEv2 responder (tests/lab/ikev2_lab.sh, case ok: the right password, a CA
# the client is given): each stage from the JSON (IKE_SA_INIT; IKE_AUTH with
# the server's certificate; EAP-MSCHAPv2 and the final AUTH) and the whole
# process with hyperfine, in the lab's own namespaces. Needs root.
# Usage: bench/ikev2.sh [L2TPFIX] [RUNS]     (default 10 runs)
set -u
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
bench_args "${1:-}" "${2:-}" 10
LAB=$here/../tests/lab/ikev2_lab.sh
[ "$(id -u)" -eq 0 ] || { echo "bench: the IKEv2 lab needs root for its namespaces"; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/l2f-bench-v2-XXXXXX")
trap 'bash "$LAB" down "$work/lab" >/dev/null 2>&1; rm -rf "$work"' EXIT
bash "$LAB" up "$work/lab" ok >"$work/up.out" 2>&1 || { echo "bench: the lab did not come up"; tail -5 "$work/up.out"; exit 1; }
export XDG_STATE_HOME=$work/state
server=$(cat "$work/lab/server_address") user=$(cat "$work/lab/user")
cmd=("$L2TPFIX" handshake "$server" --ikev2 --user "$user" --password-file "$work/lab/password"
     --ca-file "$work/lab/ca.pem" --json)

ms_of() { tr -d ' \n\t' <"$work/out" | grep -oE "\"id\":\"$1\",[^}]*\"ms\":[0-9]+" | grep -oE '[0-9]+$'; }
tunnel=() ipsec=() auth=()
for run in $(seq "$RUNS"); do
    bash "$LAB" exec "$work/lab" "${cmd[@]}" >"$work/out" 2>&1 </dev/null ||
        { echo "bench: run $run did not end in a verdict of success"; cat "$work/out"; exit 1; }
    t=$(ms_of tunnel) i=$(ms_of ipsec) a=$(ms_of auth)
    tunnel+=("$t") ipsec+=($((i - t))) auth+=($((a - i)))
done
# hyperfine itself in the client namespace: the lab's nsenter stays out of the timing
bash "$LAB" exec "$work/lab" hyperfine -N -i --style none --warmup 2 --runs "$RUNS" \
    --export-json "$work/whole.json" /bin/true "${cmd[*]}" >/dev/null 2>"$work/hf.err" ||
    { echo "bench: hyperfine failed"; cat "$work/hf.err"; exit 1; }
echo "runs: $RUNS; ms"
printf '%-58s %6s %6s %6s\n' "" median min max
printf '%-58s %s\n' "tunnel: IKE_SA_INIT, a proposal agreed" "$(stats "${tunnel[@]}")"
printf '%-58s %s\n' "ipsec: IKE_AUTH, the server's chain and signature" "$(stats "${ipsec[@]}")"
printf '%-58s %s\n' "auth: EAP-MSCHAPv2 and the final AUTH" "$(stats "${auth[@]}")"
BENCH_STATS_FORMAT="%6.0f %6.0f %6.0f" BENCH_LABEL_WIDTH=58
hf_row "/bin/true, timed in the same run" "$work/whole.json" 0
hf_row "whole process, start to a verdict and exit" "$work/whole.json" 1
