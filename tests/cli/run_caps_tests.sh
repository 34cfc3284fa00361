#!/usr/bin/env bash
# No silent caps: a folder of 1,000 user profiles is read whole and quickly, and
# the profiles table lines up by display width. Usage: run_caps_tests.sh L2TPFIX PBK_DIR
set -u
L2TPFIX=$1
PBK_SAMPLES=$2
MAX_MS=${L2F_CAPS_MAX_MS:-1000} # generous: CI runs this under ASan too (release: see README)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/l2f-caps-XXXXXX")
trap 'rm -rf "$WORK"' EXIT
export XDG_STATE_HOME="$WORK/xdg"
passed=0
failed=0
OUT=$WORK/out
ERR=$WORK/err
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL: $*"; head -5 "$OUT" | sed 's/^/    out: /'; head -5 "$ERR" | sed 's/^/    err: /'; }
has() { if grep -qE -- "$2" "$1"; then ok; else bad "$3: no match for /$2/"; fi; }

# 1,000 users (a terminal server), each with a phonebook, plus one folder without
U="$WORK/Users"; below="AppData/Roaming/Microsoft/Network/Connections/Pbk"
books=()
for i in $(seq -w 1 1000); do books+=("$U/user$i/$below/rasphone.pbk"); done
mkdir -p "${books[@]%/rasphone.pbk}"
tee "${books[@]}" <"$PBK_SAMPLES/user-l2tp.pbk" >/dev/null # one process, not 1,000
mkdir -p "$U/Public/Documents"

# CPU time (user + system), not wall: a loaded CI runner stretches wall time, not the work done
start=$(date +%s%N)
TIMEFORMAT='%3U %3S'
{ time "$L2TPFIX" --phonebook "$U" profiles >"$OUT" 2>"$ERR" </dev/null; } 2>"$WORK/cpu"
rc=$?
wall_ms=$((($(date +%s%N) - start) / 1000000))
read -r user_s sys_s <"$WORK/cpu"
ms=$(awk -v u="$user_s" -v s="$sys_s" 'BEGIN { printf "%d", (u + s) * 1000 }')
if [ "$rc" -eq 0 ]; then ok; else bad "profiles over 1,000 users exited $rc"; fi
rows=$(grep -c '^user[0-9]*\\Office VPN ' "$OUT")
if [ "$rows" -eq 1000 ]; then ok; else bad "profiles lists $rows of the 1,000 users' entries"; fi
has "$OUT" '^user0001\\Office VPN ' "the first user"
has "$OUT" '^user1000\\Office VPN ' "the last user"
echo "caps: profiles over 1,000 user folders took $ms ms of CPU, $wall_ms ms wall (bound $MAX_MS ms of CPU)"
if [ "$ms" -le "$MAX_MS" ]; then ok; else bad "1,000 user folders took $ms ms of CPU, over $MAX_MS"; fi

"$L2TPFIX" --phonebook "$U" profiles --json >"$OUT" 2>"$ERR" </dev/null
n=$(grep -oE '"owner":[[:space:]]*"user[0-9]+"' "$OUT" | sort -u | wc -l)
if [ "$n" -eq 1000 ]; then ok; else bad "profiles --json names $n of the 1,000 owners"; fi

# 宽带连接 is 8 columns wide in 12 bytes: padded to the same 32 columns as an ASCII name
"$L2TPFIX" --phonebook "$PBK_SAMPLES/broadband-dialup.pbk" profiles >"$OUT" 2>"$ERR" </dev/null
has "$OUT" '^宽带连接 {24} user ' "the Chinese name padded by display width"
has "$OUT" '^Dial-up ISP {21} user ' "the ASCII name in the same column"
has "$OUT" '^NAME {28} PHONEBOOK ' "the heading in the same column"

echo "caps: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
