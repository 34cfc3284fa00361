#!/usr/bin/env bash
# Times `l2tpfix probe` against ike-scan on the same strongSwan responder with
# the same offer (Windows' seven Main Mode transforms and the NAT-T vendor id),
# alternating, in one run; then a silent server against the timeout. All of it
# inside a network namespace made here. Usage: bench/probe.sh [L2TPFIX] [RUNS]
set -u
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
bench_args "${1:-}" "${2:-}" 21
if [ -z "${L2F_IN_NAMESPACE:-}" ]; then
    command -v ike-scan >/dev/null || { echo "bench: ike-scan is not installed"; exit 1; }
fi
in_namespace "$0" "$L2TPFIX" "$RUNS"
lab=$(mktemp -d "${TMPDIR:-/tmp}/l2f-bench-XXXXXX")
trap 'bash "$here/../tests/lab/strongswan_lab.sh" stop "$lab"; rm -rf "$lab"' EXIT
bash "$here/../tests/lab/strongswan_lab.sh" start "$lab" || exit 1
ip link add l2f0 type veth peer name l2f1 && ip addr add 198.51.100.1/24 dev l2f0 && ip link set l2f0 up &&
    ip link set l2f1 up && ip neigh add 198.51.100.2 lladdr 02:00:00:00:00:02 dev l2f0 nud permanent

# the same offer as l2tpfix's MM1 (core/net/ike.c)
offer="--trans=(1=7,14=256,2=2,3=1,4=20) --trans=(1=7,14=128,2=2,3=1,4=19) --trans=(1=7,14=256,2=2,3=1,4=14)"
offer="$offer --trans=(1=5,2=2,3=1,4=14) --trans=(1=7,14=256,2=2,3=1,4=2) --trans=(1=7,14=128,2=2,3=1,4=2)"
offer="$offer --trans=(1=5,2=2,3=1,4=2) --vendor=4a131c81070358455c5728f20e95452f"
# one run of each, its answer checked, before anything is timed
"$L2TPFIX" probe 127.0.0.2 --state-dir "$lab/check" --json >"$lab/l2f.out" 2>&1
# shellcheck disable=SC2086 # the offer is words on purpose
ike-scan --sport=0 -M $offer 127.0.0.2 >"$lab/scan.out" 2>&1
grep -q '"outcome":	"accepted"' "$lab/l2f.out" || { echo "bench: l2tpfix got no answer"; cat "$lab/l2f.out"; exit 1; }
grep -q "Handshake returned" "$lab/scan.out" || { echo "bench: ike-scan got no answer"; cat "$lab/scan.out"; exit 1; }
# whole processes, no shell between (hyperfine -N); a fresh state directory each run: nothing reused
hf_run "$lab/answer.json" "$RUNS" --prepare "rm -rf $lab/st" -- \
    "$L2TPFIX probe 127.0.0.2 --state-dir $lab/st --json" "ike-scan --sport=0 -M $offer 127.0.0.2" || exit 1
hf_run "$lab/silent.json" 3 --prepare "rm -rf $lab/st" -- \
    "$L2TPFIX probe 198.51.100.2 --timeout 1000 --state-dir $lab/st" || exit 1
echo "runs: $RUNS each (the silent server: 3); times in ms (whole process, start to exit)"
printf '%-52s %6s %6s %6s\n' "" median min max
hf_row "/bin/true, the same run" "$lab/answer.json" 0
hf_row "l2tpfix probe, answering server (3 probes)" "$lab/answer.json" 1
hf_row "ike-scan -M, same offer (1 probe)" "$lab/answer.json" 2
hf_row "l2tpfix probe, silent server, --timeout 1000" "$lab/silent.json" 1
median_of() { hf_row x "$1" "$2" | awk '{printf "%d", $(NF-2)}'; }
max_of() { hf_row x "$1" "$2" | awk '{printf "%d", $NF}'; }
l2f_med=$(median_of "$lab/answer.json" 1)
scan_med=$(median_of "$lab/answer.json" 2)
silent_max=$(max_of "$lab/silent.json" 1)
verdict=0
if [ "$l2f_med" -le "$scan_med" ]; then echo "answering: l2tpfix median <= ike-scan median: yes"; else
    echo "answering: l2tpfix median <= ike-scan median: NO"; verdict=1; fi
if [ "$silent_max" -le 1100 ]; then echo "silent: within the timeout + 10%: yes"; else
    echo "silent: within the timeout + 10%: NO ($silent_max ms)"; verdict=1; fi
exit $verdict
