#!/usr/bin/env bash
# Files under pressure (issue 9), in a mount namespace of the test's own: a
# symlink planted in the state directory is not followed, and a full disk or
# a read-only directory is one clear error with nothing changed.
# Usage: run_fs_tests.sh L2TPFIX SCENARIO_DIR
set -u
L2TPFIX=$1
SCENARIOS=$2
if [ -z "${L2F_IN_NAMESPACE:-}" ]; then
    flags=(--mount)
    [ "$(id -u)" -eq 0 ] || flags=(--user --map-root-user --mount)
    unshare "${flags[@]}" true 2>/dev/null || { echo "fs tests: cannot make a mount namespace"; exit 1; }
    L2F_IN_NAMESPACE=1 exec unshare "${flags[@]}" bash "$0" "$@"
fi
work_cleanup() { umount -l "$WORK/full" "$WORK/ro" 2>/dev/null; }
fail_detail() { sed 's/^/    /' "$WORK/err" | head -5; }
. "$(dirname "$0")/lib_work.sh" fs
fix_all() { # fix_all SCENARIO_FILE STATE_DIR: exit code, stderr in $WORK/err
    "$L2TPFIX" --mock "$1" --state-dir "$2" fix all --yes >"$WORK/out" 2>"$WORK/err" </dev/null
}
one_line() { [ "$(wc -l <"$WORK/err")" -eq 1 ] && grep -q "$1" "$WORK/err"; }

# a symlink where the journal goes: refused, the target untouched
cp "$SCENARIOS/classic-789.ini" "$WORK/s.ini"; cp "$WORK/s.ini" "$WORK/s.before"
mkdir -p "$WORK/st1"; echo "keep me" >"$WORK/target"
ln -s "$WORK/target" "$WORK/st1/journal.jsonl"
fix_all "$WORK/s.ini" "$WORK/st1"; rc=$?
[ "$rc" -ne 0 ] && ok || bad "a symlinked journal was written through (exit 0)"
[ "$(cat "$WORK/target")" = "keep me" ] && ok || bad "the symlink's target was changed"
cmp -s "$WORK/s.ini" "$WORK/s.before" && ok || bad "the machine changed although the journal could not be written"
# a symlink where a baseline goes
mkdir -p "$WORK/st2"; ln -s "$WORK/target" "$WORK/st2/baseline-Office_VPN.json"
"$L2TPFIX" --mock "$WORK/s.ini" --state-dir "$WORK/st2" baseline save >"$WORK/out" 2>"$WORK/err" </dev/null
[ $? -ne 0 ] && one_line "symbolic link" && ok || bad "baseline save followed a symlink"
[ "$(cat "$WORK/target")" = "keep me" ] && ok || bad "the baseline overwrote the symlink's target"

# a full disk: the state directory on a tiny file system that is full
mkdir -p "$WORK/full"
mount -t tmpfs -o size=64k tmpfs "$WORK/full"
dd if=/dev/zero of="$WORK/full/filler" bs=1k count=64 2>/dev/null
fix_all "$WORK/s.ini" "$WORK/full/state"; rc=$?
[ "$rc" -ne 0 ] && ok || bad "fix all on a full disk exited 0"
one_line "space\|No space\|full" && ok || bad "a full disk is not one clear line"
cmp -s "$WORK/s.ini" "$WORK/s.before" && ok || bad "the machine changed although nothing could be journaled"

# a read-only state directory (read-only even for root: a read-only bind mount)
mkdir -p "$WORK/ro"
mount --bind "$WORK/ro" "$WORK/ro" && mount -o remount,ro,bind "$WORK/ro"
fix_all "$WORK/s.ini" "$WORK/ro/state"; rc=$?
[ "$rc" -ne 0 ] && ok || bad "fix all into a read-only directory exited 0"
one_line "Read-only\|read-only" && ok || bad "a read-only directory is not one clear line"
cmp -s "$WORK/s.ini" "$WORK/s.before" && ok || bad "the machine changed although nothing could be journaled"

# the machine itself read-only (the mock's file): the fix fails, is rolled back, journaled so
mkdir -p "$WORK/machine"; cp "$WORK/s.before" "$WORK/machine/s.ini"
mount --bind "$WORK/machine" "$WORK/machine" && mount -o remount,ro,bind "$WORK/machine"
fix_all "$WORK/machine/s.ini" "$WORK/st3"; rc=$?
[ "$rc" -eq 1 ] && ok || bad "a fix on a read-only machine exited $rc, want 1"
cmp -s "$WORK/machine/s.ini" "$WORK/s.before" && ok || bad "the read-only machine changed"
"$L2TPFIX" --mock "$WORK/machine/s.ini" --state-dir "$WORK/st3" history --json >"$WORK/out" 2>"$WORK/err" </dev/null
grep -q '"rolled-back"' "$WORK/out" && ok || bad "the failed fix is not journaled as rolled back"
umount -l "$WORK/machine"

echo "fs: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
