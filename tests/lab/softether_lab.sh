#!/usr/bin/env bash
# Starts SoftEther VPN Server with L2TP/IPsec (pre-shared key) in the current
# mount and network namespace: call it inside `unshare --net --mount`, after
# any other IKE responder there has stopped (both want UDP 500 and 4500).
# SoftEther's paths are compiled in (/var/lib/softether, /var/log/softether,
# /run/softether): the namespace gets private ones, the host's stay untouched.
# It has one user (labuser, password LabPass-456) on the DEFAULT hub and
# SecureNAT on, so PPP's IPCP assigns an address (192.168.30.x).
# Usage: softether_lab.sh start LABDIR [PSK] | stop LABDIR
set -euo pipefail
cmd=$1 lab=$2 psk=${3:-LabPsk-123}
server=/usr/libexec/softether/vpnserver/vpnserver
vpncmd=/usr/libexec/softether/vpncmd/vpncmd

if [ "$cmd" = stop ]; then
    # execsvc forks the server proper: end the whole process group, or the
    # child lives on (and keeps the namespace alive) after the test
    if [ -f "$lab/vpnserver.pid" ]; then
        pgid=$(cat "$lab/vpnserver.pid")
        kill -TERM -- "-$pgid" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 -- "-$pgid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL -- "-$pgid" 2>/dev/null || true
        rm -f "$lab/vpnserver.pid"
    fi
    exit 0
fi
[ -x "$server" ] || { echo "softether_lab: softether-vpnserver is not installed" >&2; exit 1; }
for d in /var/lib /var/log /run; do
    mount -t tmpfs tmpfs "$d"
done
mkdir -p /var/lib/softether /var/log/softether /run/softether
ip link set lo up
# a process group of its own (setsid), so that stop ends every process of it
setsid "$server" execsvc >"$lab/vpnserver.out" 2>&1 &
echo $! >"$lab/vpnserver.pid"
for _ in $(seq 100); do
    "$vpncmd" localhost:5555 /SERVER /CMD ServerInfoGet >/dev/null 2>&1 && break
    sleep 0.1
done
hub() { "$vpncmd" localhost:5555 /SERVER /ADMINHUB:DEFAULT /CMD "$@" >>"$lab/vpncmd.out" 2>&1; }
# no keep-alive or Azure relay: nothing to reach outside the namespace anyway
"$vpncmd" localhost:5555 /SERVER /CMD KeepDisable >/dev/null 2>&1
"$vpncmd" localhost:5555 /SERVER /CMD VpnAzureSetEnable no >/dev/null 2>&1
hub UserCreate labuser /GROUP:none /REALNAME:none /NOTE:none &&
    hub UserPasswordSet labuser /PASSWORD:LabPass-456 && hub SecureNatEnable ||
    { echo "softether_lab: the lab user or SecureNAT could not be set up: $(tail -3 "$lab/vpncmd.out")" >&2; exit 1; }
"$vpncmd" localhost:5555 /SERVER /CMD IPsecEnable /L2TP:yes /L2TPRAW:no /ETHERIP:no "/PSK:$psk" /DEFAULTHUB:DEFAULT \
    >"$lab/vpncmd.out" 2>&1 || { echo "softether_lab: IPsecEnable failed: $(tail -3 "$lab/vpncmd.out")" >&2; exit 1; }
# IPsecEnable returns before the IKE ports are open
for _ in $(seq 100); do
    ss -Hlun 'sport = :500' | grep -q . && ss -Hlun 'sport = :4500' | grep -q . && exit 0
    sleep 0.1
done
echo "softether_lab: UDP 500/4500 never opened" >&2
exit 1
