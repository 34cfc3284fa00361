#!/usr/bin/env bash
# Creates the Wine prefix the Windows tests run in (once; later runs reuse it).
set -euo pipefail
prefix=$1
export WINEPREFIX=$prefix WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
unset DISPLAY
if [ ! -f "$prefix/system.reg" ]; then
    wineboot --init >/dev/null 2>&1 || true
fi
wineserver -w
test -f "$prefix/system.reg"
echo "wine prefix ready: $prefix"
