#!/usr/bin/env bash
# Hostile files (issue 21): a FIFO, a device (also through a symlink), a
# directory or an oversized file wherever l2tpfix reads a file is one line and
# exit 2 within a second (3 in a slow build); a fixed file keeps its mode and
# owner, a read-only one is refused unchanged; 40,000 profiles read in linear time.
# Usage: run_hostile_file_tests.sh L2TPFIX SCENARIO_DIR PBK_DIR [fast|slow]
# (slow: a sanitizer or unoptimised build, given more CPU time for the bound)
set -u
L2TPFIX=$1
SCENARIOS=$2
PBKS=$3
SPEED=${4:-fast}
export L2TPFIX_MOCK_STEP_MS=0
WORK=$(mktemp -d "${TMPDIR:-/tmp}/l2f-hostile-XXXXXX")
trap 'rm -rf "$WORK"' EXIT
export XDG_STATE_HOME="$WORK/xdg"
OUT=$WORK/out
ERR=$WORK/err
passed=0 failed=0
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL: $*"; sed 's/^/    err: /' "$ERR" | head -5; }
now_ms() { date +%s%3N; }

refuse_ms=1000 # the old code hung on a FIFO: any bound tells; ASan starts slower
[ "$SPEED" = slow ] && refuse_ms=3000
# refused WHAT FILE REASON args...: exit 2 within a second, one line naming FILE and REASON
refused() {
    local what=$1 file=$2 reason=$3; shift 3
    local t0 rc took
    t0=$(now_ms)
    timeout 10 "$L2TPFIX" "$@" >"$OUT" 2>"$ERR" </dev/null
    rc=$?
    took=$(($(now_ms) - t0))
    [ "$rc" -eq 2 ] && ok || bad "$what: exit $rc, want 2"
    [ "$took" -lt "$refuse_ms" ] && ok || bad "$what: took $took ms"
    [ "$(wc -l <"$ERR")" -eq 1 ] && grep -qF -- "$file: $reason" "$ERR" && ok ||
        bad "$what: not one line '$file: $reason'"
}

S=$WORK/s.ini
W=$WORK/w.ini
cp "$SCENARIOS/classic-789.ini" "$S"
cp "$SCENARIOS/wrong-password.ini" "$W"
mkfifo "$WORK/fifo"
ln -s /dev/zero "$WORK/zero-link"
mkdir "$WORK/dir"
truncate -s 17M "$WORK/huge" # sparse: one byte over the limit is as good as a GB
declare -A REASON=(
    [fifo]="not a regular file (a FIFO)" [zero-link]="not a regular file (a device)"
    [dir]="not a regular file (a directory)" [huge]="larger than the 16 MiB limit"
)
for k in fifo zero-link dir huge; do
    f=$WORK/$k
    refused "--mock $k" "$f" "${REASON[$k]}" --mock "$f" profiles
    refused "--psk-file $k" "$f" "${REASON[$k]}" --mock "$S" --state-dir "$WORK/st" check --psk-file "$f"
    refused "--password-file $k" "$f" "${REASON[$k]}" \
        --mock "$W" --state-dir "$WORK/st" --password-file "$f" fix all --yes
    # read before any fix changes anything, not when credentials' turn comes
    refused "fix mschapv2 credentials --password-file $k" "$f" "${REASON[$k]}" \
        --mock "$S" --state-dir "$WORK/st" --password-file "$f" fix mschapv2 credentials --yes
    refused "baseline check $k" "$f" "${REASON[$k]}" --mock "$S" --state-dir "$WORK/st" baseline check "$f"
    # a folder given to --phonebook is a folder of users' phonebooks
    [ "$k" = dir ] || refused "--phonebook $k" "$f" "${REASON[$k]}" --phonebook "$f" profiles
done
refused "--mock /dev/zero" /dev/zero "not a regular file (a device)" --mock /dev/zero profiles
cmp -s "$S" "$SCENARIOS/classic-789.ini" && ok || bad "a refused file let a fix change the scenario"
cmp -s "$W" "$SCENARIOS/wrong-password.ini" && ok || bad "a refused password file let a fix change the scenario"
# a user's phonebook below a users folder that is a FIFO
BOOK="AppData/Roaming/Microsoft/Network/Connections/Pbk"
mkdir -p "$WORK/users/alice/$BOOK" "$WORK/users/mallory/$BOOK"
cp "$PBKS/user-l2tp.pbk" "$WORK/users/alice/$BOOK/rasphone.pbk"
mkfifo "$WORK/users/mallory/$BOOK/rasphone.pbk"
refused "--phonebook DIR, a user's FIFO" "$WORK/users/mallory/$BOOK/rasphone.pbk" "not a regular file (a FIFO)" \
    --phonebook "$WORK/users" profiles

# stat_is FILE MODE OWNER WHAT
stat_is() {
    local got
    got=$(stat -c '%a %u:%g' "$1")
    [ "$got" = "$2 $3" ] && ok || bad "$4: $1 is '$got', want '$2 $3'"
}
# a fixed and undone file keeps its mode and, run as root, its user's ownership
if [ "$(id -u)" -eq 0 ]; then OWNER=1234:1235; else OWNER=$(id -u):$(id -g); fi
cp "$PBKS/user-l2tp.pbk" "$WORK/user.pbk"
cp "$SCENARIOS/classic-789.ini" "$WORK/user.ini"
for f in "$WORK/user.pbk" "$WORK/user.ini"; do
    chmod 0644 "$f"
    [ "$(id -u)" -eq 0 ] && chown "$OWNER" "$f"
done
for arg in "--phonebook $WORK/user.pbk" "--mock $WORK/user.ini"; do
    f=${arg#* }
    "$L2TPFIX" $arg --state-dir "$WORK/st-${f##*.}" fix all --yes >"$OUT" 2>"$ERR" </dev/null
    [ $? -eq 0 ] && ok || bad "fix all on $f failed"
    stat_is "$f" 644 "$OWNER" "after fix all"
    "$L2TPFIX" $arg --state-dir "$WORK/st-${f##*.}" undo all --yes >"$OUT" 2>"$ERR" </dev/null
    [ $? -eq 0 ] && ok || bad "undo all on $f failed"
    stat_is "$f" 644 "$OWNER" "after undo all"
done
cmp -s "$WORK/user.pbk" "$PBKS/user-l2tp.pbk" && ok || bad "the phonebook is not back byte for byte"

# a read-only file (no write bit: root too) is refused, unchanged
cp "$PBKS/user-l2tp.pbk" "$WORK/ro.pbk"
cp "$SCENARIOS/classic-789.ini" "$WORK/ro.ini"
chmod 0444 "$WORK/ro.pbk" "$WORK/ro.ini"
for arg in "--phonebook $WORK/ro.pbk" "--mock $WORK/ro.ini"; do
    f=${arg#* }
    "$L2TPFIX" $arg --state-dir "$WORK/st-ro" fix all --yes >"$OUT" 2>"$ERR" </dev/null
    rc=$?
    [ "$rc" -eq 1 ] && ok || bad "fix all on read-only $f exited $rc, want 1"
    [ "$(wc -l <"$ERR")" -eq 1 ] && grep -qF "$f: read-only (mode 0444); not changed" "$ERR" && ok ||
        bad "read-only $f: not one line saying so"
    stat_is "$f" 444 "$(id -u):$(id -g)" "read-only file"
done
cmp -s "$WORK/ro.pbk" "$PBKS/user-l2tp.pbk" && ok || bad "the read-only phonebook changed"
cmp -s "$WORK/ro.ini" "$SCENARIOS/classic-789.ini" && ok || bad "the read-only scenario changed"

# 40,000 profiles in linear time: CPU seconds, so a busy machine does not fail it
awk 'BEGIN { print "[server]\naddress = vpn.example.com"
             for (i = 0; i < 40000; i++) printf "\n[profile \"VPN %05d\"]\nLcpExtensions = 0\n", i }' >"$WORK/big.ini"
# linear, not quadratic (the old code took minutes); 4 s: a profile now holds names up to
# Windows' limits (1.7 s release idle, 2.5 s in CI beside other tests)
limit=4
[ "$SPEED" = slow ] && limit=10
TIMEFORMAT='%U %S'
cpu=$({ time "$L2TPFIX" --mock "$WORK/big.ini" profiles >"$OUT" 2>"$ERR" </dev/null; } 2>&1)
[ "$(grep -c '^VPN ' "$OUT")" -eq 40000 ] && ok || bad "40,000 profiles not all listed"
awk -v c="$cpu" -v l="$limit" 'BEGIN { split(c, t, " "); exit !(t[1] + t[2] < l) }' && ok ||
    bad "40,000 profiles took $cpu s of CPU (user sys), limit $limit s"

echo "hostile files: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
