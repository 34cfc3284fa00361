#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages l2tpfix needs, only those missing.
# Usage: deps.sh run|test|bench|release   (bench: the tests' packages, hyperfine and ike-scan;
# release: what scripts/release.sh needs beside the build, which the tests need too)
set -euo pipefail
packages=(build-essential cmake pkg-config libncurses-dev libcjson-dev libssl-dev)
if [ "${1:-run}" = test ] || [ "${1:-run}" = bench ]; then
    packages+=(libcmocka-dev tmux valgrind iproute2 strongswan-charon strongswan-swanctl
               libstrongswan-standard-plugins softether-vpnserver softether-vpncmd clang libclang-rt-14-dev clang-format git)
    # the IKEv2 lab (tests/lab/ikev2_lab.sh): EAP-MSCHAPv2 and EAP-Identity for charon, and the
    # openssl command that makes its CA and certificates
    packages+=(libcharon-extauth-plugins libcharon-extra-plugins openssl)
    # schema.json validates the JSON output against schema/ (draft 2020-12): Debian 12 has 4.10.3,
    # the test refuses one older than 4.10
    packages+=(python3 python3-jsonschema)
fi
[ "${1:-run}" = bench ] && packages+=(hyperfine ike-scan python3)
# CPack's Depends come from dpkg-shlibdeps (dpkg-dev), which finds the binaries with file;
# the zip is written by python3; release.reproducible runs scripts/release.sh
case "${1:-run}" in test | bench | release) packages+=(dpkg-dev file python3) ;; esac
# PowerShell 7 (a .NET global tool) and Pester 5 (its NuGet package) for the
# ps.scripts tests, which run the scripts `l2tpfix script` writes. Only where
# the .NET SDK is present: without it those tests, and only those, skip.
L2F_PWSH_VERSION=7.6.10  # 7.7.0, what an unversioned install takes, does not start here
L2F_PESTER_VERSION=5.7.1
L2F_PESTER_HOME=${L2F_PESTER_HOME:-$HOME/.local/share/l2tpfix/pester}
install_powershell() {
    if ! command -v dotnet >/dev/null 2>&1; then
        echo "l2tpfix: no dotnet (the .NET SDK): the PowerShell tests (ctest ps.scripts) will be skipped" >&2
        return 0
    fi
    if ! command -v pwsh >/dev/null 2>&1 && [ ! -x "$HOME/.dotnet/tools/pwsh" ]; then
        echo "Installing PowerShell $L2F_PWSH_VERSION (dotnet global tool)"
        dotnet tool install --global PowerShell --version "$L2F_PWSH_VERSION" >/dev/null ||
            { echo "l2tpfix: PowerShell could not be installed: ps.scripts will be skipped" >&2; return 0; }
    fi
    if [ ! -f "$L2F_PESTER_HOME/pester/$L2F_PESTER_VERSION/tools/Pester.psd1" ]; then
        echo "Installing Pester $L2F_PESTER_VERSION (NuGet package) into $L2F_PESTER_HOME"
        local proj
        proj=$(mktemp -d)
        # a throwaway project whose only purpose is to make `dotnet restore` download the package
        printf '%s\n' '<Project Sdk="Microsoft.NET.Sdk">' \
            '  <PropertyGroup><TargetFramework>net8.0</TargetFramework></PropertyGroup>' \
            "  <ItemGroup><PackageDownload Include=\"Pester\" Version=\"[$L2F_PESTER_VERSION]\" /></ItemGroup>" \
            '</Project>' >"$proj/pester.csproj"
        dotnet restore "$proj/pester.csproj" --packages "$L2F_PESTER_HOME" >/dev/null ||
            echo "l2tpfix: Pester could not be installed: ps.scripts will be skipped" >&2
        rm -rf "$proj"
    fi
}
[ "${1:-run}" = test ] && install_powershell

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ]; then
    as_root=()
elif command -v sudo >/dev/null 2>&1; then
    as_root=(sudo)
else
    echo "l2tpfix: these packages are missing and I am not root: ${missing[*]}" >&2
    exit 1
fi
echo "Installing: ${missing[*]}"
"${as_root[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Test servers run only inside the tests' own namespaces: never as a host service.
if [ "${1:-run}" = test ] && command -v systemctl >/dev/null 2>&1; then
    "${as_root[@]}" systemctl disable --now softether-vpnserver >/dev/null 2>&1 || true
fi
