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
