#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages l2tpfix needs, only those missing.
# Usage: deps.sh run|test|bench   (bench: the tests' packages, hyperfine and ike-scan)
set -euo pipefail
packages=(build-essential cmake pkg-config libncurses-dev libcjson-dev libssl-dev)
if [ "${1:-run}" = test ] || [ "${1:-run}" = bench ]; then
    packages+=(libcmocka-dev tmux valgrind iproute2 strongswan-charon strongswan-swanctl
               libstrongswan-standard-plugins softether-vpnserver softether-vpncmd clang libclang-rt-14-dev)
fi
[ "${1:-run}" = bench ] && packages+=(hyperfine ike-scan python3)
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
