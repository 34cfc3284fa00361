#!/usr/bin/env bash
# --version names the version of CMakeLists.txt and the commit the binary was built from
# (issue 19), and cmake/commit.cmake tells a commit, a changed tree and no git apart.
# Usage: run_version_tests.sh L2TPFIX SOURCE_DIR VERSION CMAKE
set -u
L2TPFIX=$1 SRC=$2 VERSION=$3 CMAKE=$4
. "$(dirname "$0")/lib_work.sh" version

# --- the binary under test: its commit is the source tree's, as git says it now
out=$("$L2TPFIX" --version </dev/null); rc=$?
[ "$rc" -eq 0 ] || bad "--version exited $rc"
re="^l2tpfix ${VERSION//./\\.} \\(commit ([0-9a-f]{12}(-dirty)?|unknown)\\)$"
if [[ "$out" =~ $re ]]; then ok; else bad "--version said '$out', not l2tpfix $VERSION (commit HASH[-dirty])"; fi
said=${out##*commit }; said=${said%)}
if git -C "$SRC" rev-parse --show-toplevel >/dev/null 2>&1; then
    want=$(git -C "$SRC" rev-parse --short=12 HEAD)
    [ -n "$(git -C "$SRC" status --porcelain --untracked-files=no)" ] && want=$want-dirty
    if [ "$said" = "$want" ]; then ok; else bad "--version names commit $said, the tree is at $want (built before the last commit?)"; fi
    short=$(git -C "$SRC" rev-parse --short HEAD)
    case $said in "$short"*) ok ;; *) bad "$said does not start with git rev-parse --short HEAD ($short)" ;; esac
else
    if [ "$said" = unknown ]; then ok; else bad "built outside git, yet --version names commit $said"; fi
fi

# --- cmake/commit.cmake on trees of each kind
commit_of() { # commit_of DIR [COMMIT]: the L2F_COMMIT the header gets
    rm -f "$WORK/h"
    "$CMAKE" -DSOURCE_DIR="$1" -DOUTPUT="$WORK/h" ${2:+-DCOMMIT="$2"} -P "$SRC/cmake/commit.cmake" || return 1
    sed -n 's/^#define L2F_COMMIT "\(.*\)"$/\1/p' "$WORK/h"
}
expect() { # expect WHAT GOT WANT
    if [ "$2" = "$3" ]; then ok; else bad "$1: '$2', want '$3'"; fi
}
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@t GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@t
repo=$WORK/repo
mkdir -p "$repo/unpacked" "$WORK/tarball"
echo one >"$WORK/tarball/file"
expect "no git (a tarball)" "$(commit_of "$WORK/tarball")" unknown
git -C "$repo" init -q && echo one >"$repo/file" && git -C "$repo" add file && git -C "$repo" commit -qm one
head=$(git -C "$repo" rev-parse --short=12 HEAD)
expect "a clean checkout" "$(commit_of "$repo")" "$head"
echo stray >"$repo/untracked"
expect "an untracked file is no change" "$(commit_of "$repo")" "$head"
echo two >"$repo/file"
expect "a changed tracked file" "$(commit_of "$repo")" "$head-dirty"
expect "a tarball unpacked inside another repository" "$(commit_of "$repo/unpacked")" unknown
expect "the commit given (release.sh)" "$(commit_of "$WORK/tarball" 0123456789ab)" 0123456789ab
# rewritten only when the text changes: a build then recompiles only what includes it
commit_of "$repo" >/dev/null && touch -d @1000000000 "$WORK/h" && "$CMAKE" -DSOURCE_DIR="$repo" -DOUTPUT="$WORK/h" -P "$SRC/cmake/commit.cmake"
expect "an unchanged header keeps its time" "$(stat -c %Y "$WORK/h")" 1000000000

echo "version: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
