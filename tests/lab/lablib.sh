# What the lab scripts (tests/lab/run_*_lab.sh) share, sourced by each:
#   . "$(dirname "$0")/lablib.sh"
# entering the namespaces, the lab directory and its clean-up, starting and
# stopping the real servers (strongswan_lab.sh, softether_lab.sh), and the
# pass/fail count.
# shellcheck shell=bash

lab_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# lab_need NAME strongswan|softether: exits 1 naming the packages when that server is not installed.
lab_need() {
    case $2 in
    strongswan)
        command -v /usr/lib/ipsec/charon >/dev/null && command -v swanctl >/dev/null && return 0
        echo "$1: strongSwan is not installed (strongswan-charon strongswan-swanctl)" ;;
    softether)
        [ -x /usr/libexec/softether/vpnserver/vpnserver ] && return 0
        echo "$1: SoftEther is not installed (softether-vpnserver softether-vpncmd)" ;;
    esac
    exit 1
}

# lab_enter_namespace NAME FAIL_RC UNSHARE-FLAGS... -- "$@": runs the calling
# script again inside new namespaces (root gets plain ones; anyone else maps to
# root inside a user namespace) and never returns; in that second run
# (L2F_IN_NAMESPACE set) it returns at once. When the namespaces cannot be
# made it says why and exits FAIL_RC (77: ctest's skip).
lab_enter_namespace() {
    [ -z "${L2F_IN_NAMESPACE:-}" ] || return 0
    local name=$1 fail_rc=$2 flags=() why skip=""
    shift 2
    while [ "$1" != -- ]; do flags+=("$1"); shift; done
    shift
    [ "$(id -u)" -eq 0 ] || flags=(--user --map-root-user "${flags[@]}")
    if ! why=$(unshare "${flags[@]}" true 2>&1); then
        [ "$fail_rc" -eq 77 ] && skip="SKIP: "
        echo "$name: ${skip}cannot create a network namespace: $why"
        exit "$fail_rc"
    fi
    L2F_IN_NAMESPACE=1 exec unshare "${flags[@]}" bash "$0" "$@"
}

# lab_begin PREFIX: a fresh lab directory in $lab, the binary's state kept in
# it (never the user's own), and on exit every server lab_start started
# stopped and the directory removed (L2F_KEEP_LAB=1 keeps it).
lab_begin() {
    lab=$(mktemp -d "${TMPDIR:-/tmp}/$1-XXXXXX")
    export XDG_STATE_HOME=$lab/xdg
    OUT=$lab/out # each command's output, $OUT.flat as matched
    lab_started=()
    trap lab_end EXIT
}

lab_end() {
    local server
    for server in "${lab_started[@]}"; do lab_stop "$server"; done
    if [ -n "${L2F_KEEP_LAB:-}" ]; then echo "kept the lab: $lab"; else rm -rf "$lab"; fi
}

# lab_start strongswan|softether [ARGS...]: that server in this namespace
# (strongswan_lab.sh or softether_lab.sh start "$lab" ARGS); stopped on exit.
lab_start() {
    lab_started+=("$1")
    bash "$lab_here/$1_lab.sh" start "$lab" "${@:2}"
}

lab_stop() {
    bash "$lab_here/$1_lab.sh" stop "$lab"
}

# The count: ok, bad WHY (shows $OUT's head), has REGEX WHAT (in $OUT.flat),
# and lab_report NAME last, whose status is the script's.
passed=0 failed=0
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL: $*"; sed 's/^/    /' "$OUT" | head -40; }
has() { if grep -qE -- "$1" "$OUT.flat"; then ok; else bad "$2: no /$1/"; fi; }
lab_report() {
    echo "$1: $passed passed, $failed failed"
    [ "$failed" -eq 0 ]
}
