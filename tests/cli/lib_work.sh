# Set-up shared by the cli test scripts: a mock machine without pauses, a
# work directory removed on exit ($WORK, named after $1) that holds the
# default state directory, and the pass/fail counters with ok and bad.
# Usage, after the script has read its own arguments: . "$(dirname "$0")/lib_work.sh" NAME
# A script may define work_cleanup (run on exit before $WORK goes) and
# fail_detail (run after each FAIL line, e.g. to show the output) first.
export L2TPFIX_MOCK_STEP_MS=0
WORK=$(mktemp -d "${TMPDIR:-/tmp}/l2f-$1-XXXXXX")
trap 'if declare -F work_cleanup >/dev/null; then work_cleanup; fi; rm -rf "$WORK"' EXIT
export XDG_STATE_HOME="$WORK/xdg"
passed=0 failed=0
ok() { passed=$((passed + 1)); }
bad() {
    failed=$((failed + 1))
    echo "FAIL: $*"
    if declare -F fail_detail >/dev/null; then fail_detail; fi
}
