#!/usr/bin/env bash
# Builds l2tpfix and runs every test: warnings as errors, the whole suite
# (unit, command line, TUI in tmux, the strongSwan and SoftEther labs), again
# under ASan/UBSan, the unit tests under valgrind memcheck, each libFuzzer
# target for a bounded time, the Windows build's tests under Wine, and last the
# release (scripts/release.sh twice: the same bytes; the .deb installed, the zip's exe run).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh test
jobs=$(nproc)
start=$(date +%s)

echo "== the repository's own format (.clang-format), on every C file"
git ls-files -z '*.c' '*.h' | xargs -0 clang-format --dry-run --Werror || {
    echo "format: the files above differ from .clang-format (apply: git ls-files '*.c' '*.h' | xargs clang-format -i)"
    exit 1
}

echo "== build (-Werror) and the whole suite"
cmake -S . -B build/ci -DCMAKE_BUILD_TYPE=RelWithDebInfo -DL2F_WERROR=ON -DL2F_REQUIRE_OPENSSL=ON >/dev/null
cmake --build build/ci -j"$jobs" >/dev/null
(cd build/ci && ctest -j"$jobs" -LE release --output-on-failure)

echo "== the whole suite under AddressSanitizer and UndefinedBehaviorSanitizer"
cmake -S . -B build/asan -DCMAKE_BUILD_TYPE=Debug -DL2F_WERROR=ON -DL2F_SANITIZE=ON -DL2F_REQUIRE_OPENSSL=ON >/dev/null
cmake --build build/asan -j"$jobs" >/dev/null
(cd build/asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    ctest -j"$jobs" -LE release --output-on-failure)

echo "== unit tests under valgrind memcheck"
vg_failed=0
for t in build/ci/tests/test_*; do
    if ! L2TPFIX_MOCK_STEP_MS=0 valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
        "$t" >"build/ci/valgrind-$(basename "$t").log" 2>&1; then
        echo "valgrind: $(basename "$t") failed:"; tail -30 "build/ci/valgrind-$(basename "$t").log"
        vg_failed=$((vg_failed + 1))
    fi
done
[ "$vg_failed" -eq 0 ] || exit 1
echo "valgrind: every unit test clean"

echo "== fuzzing: each libFuzzer target for a bounded time (scripts/fuzz.sh runs them longer)"
bash scripts/fuzz.sh "${L2F_FUZZ_SECONDS:-20}"

echo "== Windows: cross-built with mingw-w64, its tests under Wine"
bash scripts/mingw-deps.sh
cmake -S . -B build/win -DCMAKE_TOOLCHAIN_FILE="$PWD/cmake/mingw-w64.cmake" -DCMAKE_BUILD_TYPE=Release \
    -DL2F_WERROR=ON -DL2F_REQUIRE_OPENSSL=ON -DL2F_LINUX_L2TPFIX="$PWD/build/ci/l2tpfix" >/dev/null
cmake --build build/win -j"$jobs" >/dev/null
(cd build/win && ctest -j"$jobs" --output-on-failure)

echo "== the release: scripts/release.sh twice, the same bytes; the .deb and the zip's exe run"
# last, once: it builds both systems twice, and reuses the mingw prefix made above
(cd build/ci && ctest -L release --output-on-failure)

echo "== all done in $(( $(date +%s) - start )) s"
