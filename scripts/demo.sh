#!/usr/bin/env bash
# Builds l2tpfix and starts the interactive demo on a simulated Windows machine
# (the classic error 789 case). Extra arguments go to l2tpfix, e.g.
# scripts/demo.sh --demo=nat-809   or   scripts/demo.sh --ascii
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh run
cmake -S . -B build/demo -DCMAKE_BUILD_TYPE=Release -DL2F_TESTS=OFF >/dev/null
cmake --build build/demo -j"$(nproc)" >/dev/null
if [ $# -eq 0 ]; then set -- --demo; fi
case " $* " in *" --demo"*|*" --mock"*) ;; *) set -- --demo "$@" ;; esac
exec build/demo/l2tpfix "$@"
