#!/usr/bin/env bash
# Ends the wineserver wine_prefix.sh kept running, once every Windows test is done.
set -euo pipefail
export WINEPREFIX=$1
wineserver -k 2>/dev/null || true
wineserver -w 2>/dev/null || true
echo "wineserver of $1 stopped"
