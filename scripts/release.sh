#!/usr/bin/env bash
# Builds the release files of the commit checked out (HEAD) into dist/ (or OUT_DIR):
#   l2tpfix-VERSION-win64.zip   l2tpfix.exe, README.md, LICENSE
#   l2tpfix_VERSION_ARCH.deb    the Linux binary in /usr/bin, README.md and LICENSE in /usr/share/doc/l2tpfix
#   SHA256SUMS                  for sha256sum -c (and Get-FileHash / certutil on Windows)
# Two runs give the same bytes: times come from the commit (SOURCE_DATE_EPOCH), the
# compilers see no build path (cmake/release.cmake), the zip is written with fixed times.
# Usage: release.sh [OUT_DIR]
# Environment: L2F_MINGW_PREFIX, the mingw libraries (else scripts/mingw-deps.sh builds them,
# as CI does, into build/mingw-prefix).
set -euo pipefail
out=$(realpath -m "${1:-$(dirname "$0")/../dist}") # OUT_DIR as the caller named it
cd "$(dirname "$0")/.."
top=$PWD

bash scripts/deps.sh release
if [ -z "${L2F_MINGW_PREFIX:-}" ]; then
    bash scripts/mingw-deps.sh >/dev/null
    L2F_MINGW_PREFIX=$top/build/mingw-prefix
fi
[ -d "$L2F_MINGW_PREFIX/include/ncursesw" ] || {
    echo "release: L2F_MINGW_PREFIX=$L2F_MINGW_PREFIX holds no mingw libraries (scripts/mingw-deps.sh makes them)" >&2
    exit 1
}

# Built from `git archive` of HEAD, not from the working tree: the release is exactly the
# commit it names, without edits, untracked files (a stray scenarios/*.ini would be
# embedded) or build folders; a dirty tree is not refused, only not part of it.
commit=$(git rev-parse --short=12 HEAD)
if [ -n "$(git status --porcelain --untracked-files=no)" ]; then
    echo "release: uncommitted changes are not in this release: it is built from commit $commit" >&2
fi
SOURCE_DATE_EPOCH=$(git log -1 --format=%ct HEAD)
export SOURCE_DATE_EPOCH
work=$(mktemp -d "${TMPDIR:-/tmp}/l2f-release-XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/src" "$out"
git archive --format=tar HEAD | tar -x -C "$work/src"

jobs=$(nproc)
common=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DL2F_WERROR=ON -DL2F_REQUIRE_OPENSSL=ON -DL2F_TESTS=OFF
        -DL2F_RELEASE=ON -DL2F_COMMIT="$commit")
build() { # build DIR [cmake options]: configure and build quietly, but show what went wrong
    local dir=$1
    shift
    cmake -S "$work/src" -B "$dir" "${common[@]}" "$@" >"$dir.log" 2>&1 &&
        cmake --build "$dir" -j"$jobs" >>"$dir.log" 2>&1 || {
        tail -30 "$dir.log" >&2
        echo "release: the build in $dir failed" >&2
        exit 1
    }
}

echo "== Linux: the Debian package"
build "$work/linux"
version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$work/linux/CMakeCache.txt")
(cd "$work/linux" && cpack -G DEB -B "$work/pkg" >"$work/cpack.log" 2>&1) || {
    tail -30 "$work/cpack.log" >&2
    echo "release: cpack failed" >&2
    exit 1
}
debs=("$work"/pkg/l2tpfix_"$version"_*.deb)
[ ${#debs[@]} -eq 1 ] && [ -f "${debs[0]}" ] || { echo "release: cpack made no single .deb" >&2; exit 1; }
deb=$(basename "${debs[0]}")
cp "${debs[0]}" "$out/$deb"

echo "== Windows: l2tpfix.exe (mingw-w64)"
build "$work/win" -DCMAKE_TOOLCHAIN_FILE="$work/src/cmake/mingw-w64.cmake" -DL2F_MINGW_PREFIX="$L2F_MINGW_PREFIX"
zip=l2tpfix-$version-win64.zip
# entries in a fixed order with the commit's time (UTC; zip has no zone) and fixed modes
python3 - "$out/$zip" "$work/win/l2tpfix.exe" "$work/src/README.md" "$work/src/LICENSE" <<'EOF'
import os, sys, time, zipfile
out, files = sys.argv[1], sys.argv[2:]
stamp = time.gmtime(max(int(os.environ["SOURCE_DATE_EPOCH"]), 315532800))[:6]  # zip starts in 1980
with zipfile.ZipFile(out + ".part", "w") as z:
    for path in sorted(files, key=os.path.basename):
        info = zipfile.ZipInfo(os.path.basename(path), date_time=stamp)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.create_system = 3  # Unix, so the modes below are read
        info.external_attr = (0o100755 if path.endswith(".exe") else 0o100644) << 16
        with open(path, "rb") as f:
            z.writestr(info, f.read(), compresslevel=9)
os.replace(out + ".part", out)
EOF

(cd "$out" && sha256sum "$zip" "$deb" >SHA256SUMS)
echo "release $version (commit $commit) in $out:"
(cd "$out" && cat SHA256SUMS)
