#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan and UBSan on) and runs each
# for SECONDS, from its seed corpus in fuzz/corpus; fails on the first crash,
# leak or failed check, leaving the input that did it in build/fuzz/crashes.
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]   (default 20 s; targets:
# scenario pbk ike ikev2 args quickmode sainit handshake). Longer: scripts/fuzz.sh 3600 pbk
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(scenario pbk ike ikev2 args quickmode sainit handshake)
jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B build/fuzz -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo -DL2F_FUZZ=ON \
    -DL2F_TESTS=OFF -DL2F_WERROR=ON >/dev/null
cmake --build build/fuzz -j"$jobs" --target "${targets[@]/#/fuzz_}" >/dev/null
mkdir -p build/fuzz/crashes
for t in "${targets[@]}"; do
    work=$(mktemp -d) # new inputs go here: the corpus in the tree stays as committed
    if ! build/fuzz/fuzz_"$t" -max_total_time="$seconds" -print_final_stats=0 \
        -artifact_prefix="build/fuzz/crashes/$t-" "$work" "fuzz/corpus/$t" >"build/fuzz/$t.log" 2>&1; then
        echo "fuzz $t: FAILED; the input is in build/fuzz/crashes:"
        grep -E "ERROR|SUMMARY|Test unit written" "build/fuzz/$t.log" | head -5
        rm -rf "$work"
        exit 1
    fi
    runs=$(grep -oE 'Done [0-9]+ runs' "build/fuzz/$t.log" | grep -oE '[0-9]+' || echo "?")
    echo "fuzz $t: $runs runs in ${seconds} s, no crash"
    rm -rf "$work"
done
