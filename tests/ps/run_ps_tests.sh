#!/usr/bin/env bash
# Runs the Pester tests of tests/ps under PowerShell 7: the scripts `l2tpfix
# script` writes, executed against a mock of Windows' VpnClient module.
# Usage: run_ps_tests.sh L2TPFIX SCENARIOS PBKDIR
# Exit 77 (skipped) only when pwsh is absent; scripts/deps.sh test installs it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
pwsh=$(command -v pwsh || true)
[ -n "$pwsh" ] || { [ -x "$HOME/.dotnet/tools/pwsh" ] && pwsh=$HOME/.dotnet/tools/pwsh; } || true
if [ -z "$pwsh" ]; then
    echo "SKIP: no pwsh (PowerShell 7): run scripts/deps.sh test on a machine with the .NET SDK"
    exit 77
fi
pester=${L2F_PESTER_HOME:-$HOME/.local/share/l2tpfix/pester}/pester/5.7.1/tools/Pester.psd1
if [ ! -f "$pester" ]; then
    echo "FAIL: pwsh is here but Pester is not ($pester): run scripts/deps.sh test" >&2
    exit 1
fi
export L2F_BIN=$1 L2F_SCENARIOS=$2 L2F_PBK_DIR=$3 L2F_PESTER=$pester L2F_PWSH=$pwsh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export L2F_PS_WORK=$work
# no profile, no telemetry, no update check: the same run on every machine
export POWERSHELL_TELEMETRY_OPTOUT=1 POWERSHELL_UPDATECHECK=Off DOTNET_CLI_TELEMETRY_OPTOUT=1
exec "$pwsh" -NoProfile -NonInteractive -File "$here/run.ps1" "${@:4}"
