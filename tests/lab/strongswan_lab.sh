#!/usr/bin/env bash
# Starts a strongSwan responder configured like Windows L2TP/IPsec servers, in
# the current network namespace (call it inside `unshare --net`), and prints
# nothing but errors. Three connections on three loopback addresses:
#   127.0.0.2  IKEv1, proposals Windows offers (aes256-sha1-modp2048 first)
#   127.0.0.3  IKEv1, proposals Windows never offers (aes128-sha256-modp3072)
#   127.0.0.4  IKEv1 and IKEv2
#   127.0.0.5-8  IKEv1 with one proposal each, for the key check's
#              transforms: aes256-sha1-modp1024, aes128-sha1-modp2048,
#              aes128-sha256-ecp256 (group 19), aes256-sha1-ecp384 (group 20)
# and, from $L2F_LAB_EXTRA, more: a line "NAME ADDR VERSION PROPOSALS" each.
# Usage: strongswan_lab.sh start LABDIR | stop LABDIR
set -euo pipefail
cmd=$1 lab=$2

if [ "$cmd" = stop ]; then
    if [ -f "$lab/charon.pid" ]; then
        kill "$(cat "$lab/charon.pid")" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$(cat "$lab/charon.pid")" 2>/dev/null || break; sleep 0.1; done
    fi
    exit 0
fi

mkdir -p "$lab/run" "$lab/swanctl/x509" "$lab/swanctl/x509ca" "$lab/swanctl/private"
cat >"$lab/strongswan.conf" <<CONF
charon {
  port = 500
  port_nat_t = 4500
  load = random nonce openssl aes sha1 sha2 hmac kdf pem pkcs1 x509 pubkey kernel-netlink socket-default vici
  install_routes = no
  install_virtual_ip = no
  dos_protection = no
  half_open_timeout = 5
  retransmit_tries = 1
  plugins {
    vici { socket = unix://$lab/run/charon.vici }
    socket-default { use_ipv6 = no }
  }
  filelog { lab { path = $lab/charon.log
      flush_line = yes
      default = 1
      ike = 2 } }
  syslog { daemon { default = -1 } }
}
swanctl {
  load = random openssl pem pkcs1 pkcs8 x509 pubkey
  socket = unix://$lab/run/charon.vici
}
CONF
conn() { # conn NAME ADDR VERSION PROPOSALS
    cat <<CONN
  $1 {
    version = $3
    local_addrs = $2
    remote_addrs = %any
    proposals = $4
    local { auth = psk }
    remote { auth = psk }
    children { l2tp {
        mode = transport
        local_ts = dynamic[udp/1701]
        remote_ts = dynamic[udp]
        esp_proposals = aes256-sha1,aes128-sha1,3des-sha1 } }
  }
CONN
}
{
    echo "connections {"
    conn windows 127.0.0.2 1 "aes256-sha1-modp2048,aes256-sha1-modp1024,3des-sha1-modp1024"
    conn foreign 127.0.0.3 1 "aes128-sha256-modp3072"
    conn both 127.0.0.4 0 "aes256-sha256-modp2048,aes256-sha1-modp2048,aes256-sha1-modp1024"
    conn modp1024 127.0.0.5 1 "aes256-sha1-modp1024"
    conn modp2048 127.0.0.6 1 "aes128-sha1-modp2048"
    conn ecp256 127.0.0.7 1 "aes128-sha256-ecp256"
    conn ecp384 127.0.0.8 1 "aes256-sha1-ecp384"
    while read -r name addr version proposals; do
        [ -n "$name" ] && conn "$name" "$addr" "$version" "$proposals"
    done <<<"${L2F_LAB_EXTRA:-}"
    echo "}"
    echo 'secrets { ike-lab { secret = "LabPsk-123" } }' # IKE secrets live in ike* sections
} >"$lab/swanctl/swanctl.conf"

ip link set lo up
# charon writes a fixed /var/run/charon.pid: give it a private /run
STRONGSWAN_CONF=$lab/strongswan.conf unshare --mount --propagation private \
    sh -c "mount --bind '$lab/run' /run && exec /usr/lib/ipsec/charon" >"$lab/charon.out" 2>&1 &
echo $! >"$lab/charon.pid"
for _ in $(seq 100); do
    [ -S "$lab/run/charon.vici" ] && break
    sleep 0.05
done
[ -S "$lab/run/charon.vici" ] || { echo "strongswan_lab: charon did not start: $(tail -5 "$lab/charon.out")" >&2; exit 1; }
STRONGSWAN_CONF=$lab/strongswan.conf swanctl --load-all --file "$lab/swanctl/swanctl.conf" >"$lab/swanctl.out" 2>&1 ||
    { echo "strongswan_lab: swanctl failed: $(tail -5 "$lab/swanctl.out")" >&2; exit 1; }
