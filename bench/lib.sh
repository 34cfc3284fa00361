# Shared by the benchmarks (sourced). stats VALUES...: median, min and max,
# each in a column of 6 (BENCH_STATS_FORMAT overrides the printf format).
stats() {
    printf '%s\n' "$@" | sort -n |
        awk -v f="${BENCH_STATS_FORMAT:-%6d %6d %6d}" '{a[NR]=$1} END {printf f, a[int((NR+1)/2)], a[1], a[NR]}'
}

# bench_args L2TPFIX_ARG RUNS_ARG DEFAULT_RUNS: sets L2TPFIX (absolute;
# build/ci/l2tpfix when not given) and RUNS.
bench_args() {
    local bin=${1:-$(dirname "${BASH_SOURCE[0]}")/../build/ci/l2tpfix}
    L2TPFIX=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
    RUNS=${2:-$3}
}

# in_namespace SCRIPT ARGS...: runs the script again inside a network and
# mount namespace of its own (root, or a user namespace mapped to root), so
# that its servers and packets stay there; returns at once when already in one.
in_namespace() {
    [ -n "${L2F_IN_NAMESPACE:-}" ] && return 0
    local flags=(--net --mount)
    [ "$(id -u)" -eq 0 ] || flags=(--user --map-root-user --net --mount)
    L2F_IN_NAMESPACE=1 exec unshare "${flags[@]}" bash "$@"
}

# hf_run JSON RUNS [--prepare CMD] -- CMD...: times each CMD as a whole process
# with hyperfine (no shell between, -N) and /bin/true first in the same run, so
# every figure stands beside what merely starting a process costs here. A
# command's exit status is ignored: `check` exits 1 on a machine with
# problems; the caller checks one run's status and output itself.
hf_run() {
    local json=$1 runs=$2 prep=()
    shift 2
    if [ "$1" = --prepare ]; then prep=(--prepare "$2"); shift 2; fi
    [ "$1" = -- ] && shift
    hyperfine -N -i --style none --warmup 2 --runs "$runs" "${prep[@]}" --export-json "$json" /bin/true "$@" \
        >/dev/null 2>"$json.err" || { echo "bench: hyperfine failed on: $*"; cat "$json.err"; return 1; }
    rm -f "$json.err"
}

# hf_row LABEL JSON INDEX: "LABEL  median min max" in ms of result INDEX
# (0 is /bin/true) of an hf_run export.
hf_row() {
    python3 - "$1" "$2" "$3" "${BENCH_STATS_FORMAT:-%6.1f %6.1f %6.1f}" "${BENCH_LABEL_WIDTH:-52}" <<'PY'
import json, statistics, sys
label, path, index, fmt = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
times = [t * 1000 for t in json.load(open(path))["results"][index]["times"]]
print("%-*s " % (int(sys.argv[5]), label) + fmt % (statistics.median(times), min(times), max(times)))
PY
}
