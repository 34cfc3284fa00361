#!/usr/bin/env bash
# Creates the Wine prefix the Windows tests run in (once; later runs reuse it)
# and starts its wineserver for good: a server that exits when idle races the
# next test's wine starting ("recvmsg: Connection reset by peer"). wine_stop.sh
# ends it when the tests are done.
set -euo pipefail
prefix=$1
export WINEPREFIX=$prefix WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
unset DISPLAY
if [ ! -f "$prefix/system.reg" ]; then
    wineboot --init >/dev/null 2>&1 || true
fi
wineserver -w
test -f "$prefix/system.reg"
# Detached from ctest's pipes, and its lasting processes (services.exe, ...)
# started here on /dev/null: whatever they inherit they hold until wine.stop,
# and ctest waits for every pipe a test's output went to.
wineserver -p </dev/null >/dev/null 2>&1
wineboot </dev/null >/dev/null 2>&1 || true
echo "wine prefix ready: $prefix (wineserver kept running until wine.stop)"
