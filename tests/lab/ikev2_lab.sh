#!/usr/bin/env bash
# A strongSwan IKEv2 responder configured like a Windows RAS IKEv2 server
# (issue 17): it proves itself with a certificate and takes the user by
# EAP-MSCHAPv2. Two network namespaces of its own, each held by a sleeping
# process, joined by a veth pair; nothing is sent beyond them:
#   client side 192.0.2.20  <->  192.0.2.10 server side (charon, UDP 500/4500)
# Run a client inside with `ikev2_lab.sh exec DIR CMD...`.
# Cases (DIR/ca.pem is always the CA file a client is given):
#   ok            the right password                         -> established
#   wrong-password  the user file holds another password      -> EAP failure
#   untrusted-ca  ca.pem is a CA that did not sign the server -> 13801
#   wrong-name    server certificate names vpn.elsewhere.example only -> 13801
#   no-eku        server certificate without serverAuth/IKE EKU -> 13801
#   bad-proposal  the server offers only aes256gcm16-prfsha384-modp3072 -> NO_PROPOSAL_CHOSEN
#   chain         six intermediate CAs, sent with the server's certificate: the
#                 IKE_AUTH reply is fragmented (RFC 7383)     -> established
#   no-server     the namespaces and files but no charon: nothing answers -> 809
#   nat           the server fakes its NAT-D hash (swanctl encap = yes): the client
#                 must float IKE_AUTH to UDP 4500 with the non-ESP marker -> established
#   cookie        charon demands a COOKIE once one IKE SA is half open (cookie_threshold
#                 = 1; 0 turns cookies off, so no setting asks one of the very first
#                 IKE_SA_INIT): a client first leaves one half open -> established
#   ecdsa         the server's key is ECDSA P-256: AUTH method 9 (RFC 4754) -> established
# Usage: ikev2_lab.sh up DIR CASE | down DIR | exec DIR CMD... | cases
# Needs root, or to run inside `unshare --user --map-root-user --mount`.
set -euo pipefail
SERVER=192.0.2.10 CLIENT=192.0.2.20 USER_NAME=alice
PASSWORD='Lab-Alice-17'
CASES="ok wrong-password untrusted-ca wrong-name no-eku bad-proposal chain no-server nat cookie ecdsa"
# Windows 7-11 offer 3DES/AES-CBC-128/192/256 with SHA1/SHA256/SHA384 on MODP 1024 only (11 adds
# AES-GCM, also on MODP 1024); AES-256 with MODP 2048 behind the NegotiateDH2048_AES256 registry
# value (docs.strongswan.org, interop/windowsClients.html). Accepted here: a mix of both.
WINDOWS_PROPOSALS="aes256-sha256-modp2048,aes256-sha1-modp2048,aes256-sha1-modp1024,aes256-sha256-modp1024,aes256-sha384-modp1024,aes128-sha1-modp1024,3des-sha1-modp1024"
# MODP 3072 (group 15) is never offered by Windows: Set-VpnConnectionIPsecConfiguration -DHGroup
# knows only groups 1, 2, 14, 24 and ECP 256/384
FOREIGN_PROPOSAL="aes256gcm16-prfsha384-modp3072"

die() { echo "ikev2_lab: $*" >&2; exit 1; }

# --- namespaces --------------------------------------------------------------
hold_namespace() { # hold_namespace PIDFILE: a sleeping process in a new network namespace
    unshare --net sleep 86400 &
    local pid=$! mine
    mine=$(readlink /proc/self/ns/net)
    for _ in $(seq 100); do
        [ "$(readlink "/proc/$pid/ns/net" 2>/dev/null)" != "$mine" ] && break
        sleep 0.02
    done
    [ "$(readlink "/proc/$pid/ns/net" 2>/dev/null)" != "$mine" ] || die "no network namespace for $1"
    echo "$pid" >"$1"
}
in_ns() { # in_ns server|client CMD...
    local pid
    pid=$(cat "$lab/$1.nspid")
    shift
    nsenter -t "$pid" -n -- "$@"
}
make_namespaces() {
    hold_namespace "$lab/server.nspid"
    hold_namespace "$lab/client.nspid"
    in_ns client ip link add l2fv2c type veth peer name l2fv2s netns "$(cat "$lab/server.nspid")" ||
        die "cannot create the veth pair"
    in_ns client ip link set lo up
    in_ns server ip link set lo up
    in_ns client ip addr add "$CLIENT/24" dev l2fv2c
    in_ns server ip addr add "$SERVER/24" dev l2fv2s
    in_ns client ip link set l2fv2c up
    in_ns server ip link set l2fv2s up
}

# --- certificates (openssl; every key and certificate made here, per lab) -------
cnf() { # cnf FILE EXTENSIONS...: an extension file, one line per argument
    local f=$1
    shift
    printf '%s\n' "$@" >"$f"
}
key() { # key FILE [ALGORITHM-OPTIONS...]: RSA 2048 unless told
    local f=$1
    shift
    [ $# -gt 0 ] || set -- -algorithm RSA -pkeyopt rsa_keygen_bits:2048
    openssl genpkey "$@" -out "$f" 2>>"$pki/openssl.err" || die "openssl genpkey: $(tail -3 "$pki/openssl.err")"
}
make_ca() { # make_ca NAME SUBJECT: a self-signed root
    key "$pki/$1.key"
    cnf "$pki/$1.ext" "basicConstraints=critical,CA:TRUE" "keyUsage=critical,keyCertSign,cRLSign" \
        "subjectKeyIdentifier=hash"
    openssl req -x509 -new -key "$pki/$1.key" -subj "$2" -days 30 -sha256 \
        -extensions v3 -config <(printf '[req]\ndistinguished_name=dn\n[dn]\n[v3]\n'; cat "$pki/$1.ext") \
        -out "$pki/$1.pem" 2>>"$pki/openssl.err" || die "openssl: $(tail -3 "$pki/openssl.err")"
}
sign() { # sign NAME SUBJECT ISSUER EXTFILE [KEY-OPTIONS...]: a key and a certificate for NAME, signed by ISSUER
    key "$pki/$1.key" "${@:5}"
    openssl req -new -key "$pki/$1.key" -subj "$2" -out "$pki/$1.csr" 2>>"$pki/openssl.err" || die "openssl req: $(tail -3 "$pki/openssl.err")"
    openssl x509 -req -in "$pki/$1.csr" -CA "$pki/$3.pem" -CAkey "$pki/$3.key" -CAcreateserial \
        -days 30 -sha256 -extfile "$4" -out "$pki/$1.pem" 2>>"$pki/openssl.err" || die "openssl: $(tail -3 "$pki/openssl.err")"
}
server_ext() { # server_ext FILE SAN EKU...
    local f=$1 san=$2
    shift 2
    cnf "$f" "basicConstraints=CA:FALSE" "keyUsage=critical,digitalSignature,keyEncipherment" \
        "subjectAltName=$san" "authorityKeyIdentifier=keyid" "$@"
}
make_pki() { # the server's chain for CASE, its id, and the CA file a client gets
    pki=$lab/pki
    mkdir -p "$pki"
    make_ca ca "/O=l2tpfix lab/CN=l2tpfix lab root CA"
    local issuer=ca eku="extendedKeyUsage=serverAuth,1.3.6.1.5.5.8.2.2"
    local san="IP:$SERVER" subject="/O=l2tpfix lab/CN=$SERVER" server_key=()
    server_id=$SERVER
    : >"$lab/server_chain.pem"
    case $case in
    wrong-name)
        san="DNS:vpn.elsewhere.example" subject="/O=l2tpfix lab/CN=vpn.elsewhere.example"
        server_id=vpn.elsewhere.example ;;
    no-eku) eku="" ;;
    ecdsa) server_key=(-algorithm EC -pkeyopt ec_paramgen_curve:P-256) ;;
    chain)
        cnf "$pki/im.ext" "basicConstraints=critical,CA:TRUE" "keyUsage=critical,keyCertSign,cRLSign" \
            "subjectKeyIdentifier=hash" "authorityKeyIdentifier=keyid"
        for i in 1 2 3 4 5 6; do
            sign "im$i" "/O=l2tpfix lab/CN=l2tpfix lab intermediate CA $i" "$issuer" "$pki/im.ext"
            cat "$pki/im$i.pem" >>"$lab/server_chain.pem"
            issuer=im$i
        done ;;
    esac
    server_ext "$pki/server.ext" "$san" ${eku:+"$eku"}
    sign server "$subject" "$issuer" "$pki/server.ext" "${server_key[@]}"
    if [ "$case" = untrusted-ca ]; then
        make_ca other "/O=somebody else/CN=a CA that never signed the lab server"
        cp "$pki/other.pem" "$lab/ca.pem"
    else
        cp "$pki/ca.pem" "$lab/ca.pem"
    fi
}

# --- charon ------------------------------------------------------------------
charon_conf() { # charon_conf DIR [DOS-PROTECTION]: strongswan.conf for one charon whose files live in DIR
    mkdir -p "$1/run" "$1/swanctl/x509" "$1/swanctl/x509ca" "$1/swanctl/private"
    local dos=${2:-dos_protection = no}
    cat >"$1/strongswan.conf" <<CONF
charon {
  port = 500
  port_nat_t = 4500
  load = random nonce openssl kdf pem pkcs1 pkcs8 x509 pubkey constraints revocation kernel-netlink socket-default vici eap-identity eap-mschapv2
  install_routes = no
  install_virtual_ip = no
  $dos
  half_open_timeout = 5
  retransmit_tries = 1
  retransmit_timeout = 3
  fragment_size = 1280
  plugins {
    vici { socket = unix://$1/run/charon.vici }
    socket-default { use_ipv6 = no }
    revocation { enable_ocsp = no
      enable_crl = no }
  }
  filelog { lab { path = $1/charon.log
      flush_line = yes
      time_format = %H:%M:%S
      default = 1
      ike = 2
      enc = 2
      net = 2
      cfg = 2 } }
  syslog { daemon { default = -1 } }
}
swanctl {
  load = random openssl pem pkcs1 pkcs8 x509 pubkey
  socket = unix://$1/run/charon.vici
}
CONF
}
start_charon() { # start_charon server|client DIR
    # charon writes a fixed /var/run/charon.pid: a private /run for each
    # nsenter, unshare and sh each exec the next: the pid recorded is charon's
    STRONGSWAN_CONF=$2/strongswan.conf nsenter -t "$(cat "$lab/$1.nspid")" -n -- unshare --mount --propagation private \
        sh -c "mount --bind '$2/run' /run && exec /usr/lib/ipsec/charon" >"$2/charon.out" 2>&1 &
    echo $! >"$2/charon.pid"
    for _ in $(seq 200); do
        [ -S "$2/run/charon.vici" ] && break
        sleep 0.05
    done
    [ -S "$2/run/charon.vici" ] || die "$1 charon did not start: $(tail -5 "$2/charon.out")"
    STRONGSWAN_CONF=$2/strongswan.conf in_ns "$1" swanctl --load-all --file "$2/swanctl/swanctl.conf" \
        >"$2/swanctl.out" 2>&1 || die "$1 swanctl failed: $(tail -5 "$2/swanctl.out")"
}
server_swanctl() {
    local s=$lab/server proposals=$WINDOWS_PROPOSALS encap=no
    [ "$case" = bad-proposal ] && proposals=$FOREIGN_PROPOSAL
    [ "$case" = nat ] && encap=yes # faked NAT-D hashes: the peer must see a NAT
    cp "$pki/server.pem" "$s/swanctl/x509/server.pem"
    cp "$pki/server.key" "$s/swanctl/private/server.key"
    cp "$pki/ca.pem" "$s/swanctl/x509ca/ca.pem"
    [ -s "$lab/server_chain.pem" ] && for i in 1 2 3 4 5 6; do cp "$pki/im$i.pem" "$s/swanctl/x509ca/"; done
    cat >"$s/swanctl/swanctl.conf" <<CONF
connections {
  windows {
    version = 2
    local_addrs = $SERVER
    remote_addrs = %any
    proposals = $proposals
    fragmentation = yes
    encap = $encap
    send_cert = always
    pools = lab
    local { auth = pubkey
      certs = server.pem
      id = $server_id }
    remote { auth = eap-mschapv2
      eap_id = %any }
    children { windows {
        local_ts = 0.0.0.0/0
        esp_proposals = aes256-sha1,aes128-sha1,3des-sha1,aes256-sha256 } }
  }
}
pools { lab { addrs = 10.217.17.0/24 } }
secrets { eap-alice { id = $USER_NAME
    secret = "$PASSWORD" } }
CONF
}
up() {
    case " $CASES " in *" $case "*) ;; *) die "unknown case '$case' (cases: $CASES)" ;; esac
    [ -e "$lab/server.nspid" ] && die "$lab is up already: ikev2_lab.sh down $lab first"
    mkdir -p "$lab/server"
    echo "$case" >"$lab/case"
    make_pki
    [ "$case" = wrong-password ] && printf 'Not-Alices-17\n' >"$lab/password" ||
        printf '%s\n' "$PASSWORD" >"$lab/password"
    echo "$USER_NAME" >"$lab/user"
    echo "$SERVER" >"$lab/server_address"
    make_namespaces
    if [ "$case" = cookie ]; then
        # receiver.c: a COOKIE is asked while half-open IKE SAs >= cookie_threshold (0: never)
        charon_conf "$lab/server" "dos_protection = yes
  cookie_threshold = 1"
    else
        charon_conf "$lab/server"
    fi
    server_swanctl
    [ "$case" = no-server ] || start_charon server "$lab/server"
}

# --- the strongSwan initiator: the lab's own check that it is real --------------
# initiate DIR [PROPOSALS]: a second charon in the client namespace dials the server with
# EAP-MSCHAPv2 as Windows would (no IDr sent; strongSwan checks the chain, not the name or
# the EKU); prints "established" or "failed" and leaves its log in DIR/client/initiate.out
initiate() {
    local c=$lab/client proposals=${1:-aes256-sha1-modp1024}
    stop_pid "$c/charon.pid"
    rm -rf "$c"
    charon_conf "$c"
    cp "$lab/ca.pem" "$c/swanctl/x509ca/ca.pem"
    cat >"$c/swanctl/swanctl.conf" <<CONF
connections {
  lab {
    version = 2
    local_addrs = $CLIENT
    remote_addrs = $SERVER
    proposals = $proposals
    fragmentation = yes
    vips = 0.0.0.0
    local { auth = eap-mschapv2
      eap_id = $USER_NAME }
    remote { auth = pubkey }
    children { lab {
        remote_ts = 0.0.0.0/0
        esp_proposals = aes256-sha1 } }
  }
}
secrets { eap-alice { id = $USER_NAME
    secret = "$(cat "$lab/password")" } }
CONF
    start_charon client "$c"
    # a CHILD_SA is asked for as Windows does; the lab's kernel may have no ESP to install it
    STRONGSWAN_CONF=$c/strongswan.conf in_ns client timeout 20 swanctl --initiate --child lab \
        --timeout 15 >"$c/initiate.out" 2>&1 || true
    if grep -q 'IKE_SA lab\[[0-9]*\] established' "$c/initiate.out"; then
        echo established
    else
        echo failed
    fi
    stop_pid "$c/charon.pid"
}

alive() { # alive PID: running, not a zombie (a container's init may never reap it)
    local stat
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    stat=${stat##*) }
    [ "${stat%% *}" != Z ]
}
stop_pid() { # stop_pid PIDFILE
    [ -f "$1" ] || return 0
    local pid
    pid=$(cat "$1")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do alive "$pid" || break; sleep 0.1; done
    rm -f "$1"
}
down() {
    stop_pid "$lab/client/charon.pid"
    stop_pid "$lab/server/charon.pid"
    stop_pid "$lab/client.nspid"
    stop_pid "$lab/server.nspid"
}

cmd=${1:-}
case $cmd in
cases) echo "$CASES"; exit 0 ;;
up) [ $# -eq 3 ] || die "usage: ikev2_lab.sh up DIR CASE"
    lab=$(mkdir -p "$2" && cd "$2" && pwd) case=$3
    trap down EXIT # a half-made lab is taken down again
    up
    trap - EXIT ;;
down) [ $# -eq 2 ] || die "usage: ikev2_lab.sh down DIR"
    lab=$(cd "$2" && pwd); down ;;
exec) [ $# -ge 3 ] || die "usage: ikev2_lab.sh exec DIR CMD..."
    lab=$(cd "$2" && pwd); shift 2
    [ -f "$lab/client.nspid" ] || die "$lab is not up"
    in_ns client "$@" ;;
initiate) [ $# -ge 2 ] || die "usage: ikev2_lab.sh initiate DIR [PROPOSALS]"
    lab=$(cd "$2" && pwd); shift 2
    [ -f "$lab/client.nspid" ] || die "$lab is not up"
    initiate "$@" ;;
*) die "usage: ikev2_lab.sh up DIR CASE | down DIR | exec DIR CMD... | initiate DIR [PROPOSALS] | cases" ;;
esac
