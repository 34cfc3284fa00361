#!/usr/bin/env bash
# Hostile servers (issue 21): l2tpfix against a responder of our own
# (hostile_responder.c) that speaks real IKEv1, ESP, L2TP and LCP and gets one
# thing wrong per mode, all inside a network namespace this test creates.
#   long-nonce=N         Quick Mode's Nr of N bytes: 253 and 256 are legal (and
#                        overflowed a stack buffer before), 257 is refused
#   unoffered-transform  MM2 chooses DES/MD5/MODP 768, which nobody offered
#   unoffered-esp        Quick Mode chooses ESP_DES with HMAC-MD5, never offered
#   nak-lcp              every LCP Configure-Request is Nak-ed (MRU 1500), never Acked
#   flood-l2tp           the same SCCRP 200 times, 50 a second
# Run the ASan build too: a crash there is an exit code of its own, asserted
# against. Usage: run_hostile_lab.sh L2TPFIX HOSTILE_RESPONDER (L2F_KEEP_LAB=1 keeps
# the lab directory: outputs, the responder's log and summary)
set -u
L2TPFIX=$1
RESPONDER=$2
. "$(dirname "$0")/lablib.sh"
lab_enter_namespace "hostile lab" 77 --net -- "$@"
ip link set lo up || { echo "hostile lab: cannot bring up lo in the namespace"; exit 1; }

lab_begin l2f-hostile
rpid=
trap '[ -n "$rpid" ] && kill "$rpid" 2>/dev/null; lab_end' EXIT
printf 'LabPsk-123\n' >"$lab/key"
printf 'LabPass-456\n' >"$lab/pw"

# its own ok and has: each check is printed, passed or not
runs=0
ok() { passed=$((passed + 1)); echo "ok - $1"; }
not_ok() {
    failed=$((failed + 1))
    echo "not ok - $1"
    sed 's/^/    /' "$OUT" | head -40
    sed 's/^/    responder: /' "$lab/resp.out" "$lab/resp.log" 2>/dev/null | tail -12
}
check() { if eval "$2"; then ok "$1"; else not_ok "$1"; fi; } # check DESCRIPTION 'TEST'
has() { if grep -qiE -- "$1" "$OUT.flat"; then ok "$2"; else not_ok "$2: no /$1/"; fi; }
lacks() { if grep -qiE -- "$1" "$OUT.flat"; then not_ok "$2: /$1/ found"; else ok "$2"; fi; }

# The responder in MODE on 127.0.0.1:500 and :4500, until stop_responder.
start_responder() {
    "$RESPONDER" "$1" --address 127.0.0.1 --psk-file "$lab/key" --max-seconds 60 >"$lab/resp.out" 2>"$lab/resp.log" &
    rpid=$!
    for _ in $(seq 50); do grep -q listening "$lab/resp.out" && return 0; sleep 0.1; done
    echo "hostile lab: the responder did not start: $(cat "$lab/resp.log")"
    exit 1
}
# Stops it; it must end cleanly, with its summary line (what it counted).
stop_responder() {
    kill -TERM "$rpid" 2>/dev/null
    wait "$rpid" 2>/dev/null
    local rrc=$?
    rpid=
    if [ "$rrc" -eq 0 ] && grep -q "^hostile: mode=" "$lab/resp.out" && ! grep -q Sanitizer "$lab/resp.log"; then
        ok "the responder ended cleanly with its summary"
    else
        not_ok "the responder exited $rrc or without its summary"
    fi
}
# What the responder counted, from its summary line: seen NAME
seen() { grep -o "[ ]$1=[0-9]*" "$lab/resp.out" | cut -d= -f2; }

# l2tpfix COMMAND 127.0.0.1 ARGS... --json, each run with a state directory of
# its own (no reused answers, no pause between key checks): rc, took_ms, OUT.flat
client() {
    local cmd=$1
    shift
    runs=$((runs + 1))
    local start
    start=$(date +%s%N)
    timeout 60 "$L2TPFIX" "$cmd" 127.0.0.1 "$@" --json --state-dir "$lab/state$runs" >"$OUT" 2>&1 </dev/null
    rc=$?
    took_ms=$((($(date +%s%N) - start) / 1000000))
    tr -d '\n\t' <"$OUT" >"$OUT.flat" # cJSON's layout gone, the strings' spaces kept
    cat "$OUT" >>"$lab/all-output"
}
no_crash() { lacks 'AddressSanitizer|runtime error|LeakSanitizer' "$1: no sanitizer report"; }
exit_code() { if [ "$rc" -eq "$2" ]; then ok "$1: exit code $2"; else not_ok "$1: exit code $rc, want $2"; fi; }
stage_ms() { sed -nE "s/.*\"id\":\"$1\"[^}]*\"ms\":([0-9]+).*/\1/p" "$OUT.flat"; }

# (a) Quick Mode's nonce. 253 to 256 bytes overflowed the HASH(3) buffer of
# the client before issue 21; 256 is the largest legal, 257 is refused.
for n in 253 256; do
    start_responder "long-nonce=$n"
    client probe --psk-file "$lab/key"
    stop_responder
    no_crash "long-nonce=$n"
    exit_code "long-nonce=$n" 0
    has '"psk":"accepted","ipsec":"up"' "long-nonce=$n: Quick Mode done, IPsec up"
    check "long-nonce=$n: the responder verified HASH(3) over the whole nonce" '[ "$(seen qm3_ok)" = 1 ] && [ "$(seen qm3_bad)" = 0 ]'
done
start_responder long-nonce=257
client probe --psk-file "$lab/key"
stop_responder
no_crash long-nonce=257
exit_code long-nonce=257 1
has '"ipsec":"failed"' "long-nonce=257: IPsec failed"
has '"ipsec_reason":"[^"]*nonce' "long-nonce=257: the reason names the nonce"
check "long-nonce=257: no Quick Mode message 3 for a malformed message 2" '[ "$(seen qm3_ok)" = 0 ]'

# (b) a Main Mode transform nobody offered: never "accepted", by the key check or the plain probe
start_responder unoffered-transform
client probe --psk-file "$lab/key"
no_crash "unoffered transform, key check"
exit_code "unoffered transform, key check" 1
lacks '"psk":"accepted"' "unoffered transform: the key is not reported accepted"
# the key check is not run once the probe refuses the answer: the reason may be the probe's
has 'not offer|unoffered|never offered' "unoffered transform: the output says the server chose what we did not offer"
client probe
no_crash "unoffered transform, plain probe"
exit_code "unoffered transform, plain probe" 1
lacks '"probe":"ikev1-500","outcome":"accepted"' "unoffered transform: UDP 500 not reported accepted"
lacks '"probe":"ikev1-4500","outcome":"accepted"' "unoffered transform: UDP 4500 not reported accepted"
"$L2TPFIX" probe 127.0.0.1 --state-dir "$lab/state-text" >"$OUT" 2>&1 </dev/null
tr -d '\n' <"$OUT" >"$OUT.flat"
cat "$OUT" >>"$lab/all-output"
has 'not offer' "unoffered transform: the plain probe says why"
stop_responder

# (c) an ESP transform nobody offered
start_responder unoffered-esp
client probe --psk-file "$lab/key"
stop_responder
no_crash "unoffered ESP"
exit_code "unoffered ESP" 1
has '"psk":"accepted","ipsec":"failed"' "unoffered ESP: the key is good, IPsec failed"
has '"ipsec_reason":"[^"]*(not offer|unoffered|never offered)' "unoffered ESP: the reason says it was not offered"
has '"ipsec_reason":"[^"]*(^|[^a-z])(des|md5)([^a-z]|$)' "unoffered ESP: the reason names the transform"
check "unoffered ESP: no Quick Mode message 3 (nothing agreed)" '[ "$(seen qm3_ok)" = 0 ]'

# (d) LCP Nak-ed for ever: the client gives up after RFC 1661's Max-Configure /
# Max-Failure, not at its timeout, thousands of requests later
start_responder nak-lcp
client handshake --psk-file "$lab/key" --user labuser --password-file "$lab/pw" --timeout 10000
stop_responder
no_crash "Nak loop"
exit_code "Nak loop" 1
has '"id":"ipsec","outcome":"ok"' "Nak loop: IPsec up with the responder"
has '"id":"tunnel","outcome":"ok"' "Nak loop: the L2TP tunnel and session up"
has '"id":"ppp","outcome":"failed"' "Nak loop: PPP failed"
has '"id":"ppp","outcome":"failed","detail":"[^"]*Naked our MRU' "Nak loop: the detail says the server Naked our MRU"
requests=$(seen lcp_conf_req)
check "Nak loop: at most 12 LCP Configure-Requests (got ${requests:-none})" '[ -n "$requests" ] && [ "$requests" -ge 1 ] && [ "$requests" -le 12 ]'
ppp_end=$(stage_ms ppp) ppp_start=$(stage_ms tunnel) # the tunnel settles as LCP starts
check "Nak loop: PPP ended within 3 s of its start (${ppp_start:-?} to ${ppp_end:-?} ms)" \
    '[ -n "$ppp_end" ] && [ -n "$ppp_start" ] && [ $((ppp_end - ppp_start)) -le 3000 ]'
span=$(seen lcp_span_ms)
check "Nak loop: the responder saw LCP requests for at most 3 s (${span:-?} ms)" '[ -n "$span" ] && [ "$span" -le 3000 ]'

# (e) the same SCCRP again and again: acknowledged at most, never answered by a resend of our own
start_responder flood-l2tp
client handshake --psk-file "$lab/key" --user labuser --password-file "$lab/pw" --timeout 6000
stop_responder
no_crash "SCCRP flood"
has '"id":"tunnel","outcome":"ok"' "SCCRP flood: the tunnel still comes up"
# the client's budget of resent control messages (32) ends the run, saying why, long before the flood's 200
has 'resent L2TP control messages' "SCCRP flood: the outcome names the resent control messages"
sent=$(seen sccrp_sent) control=$(seen l2tp_control) zlb=$(seen l2tp_zlb)
check "SCCRP flood: $control control messages back for $sent SCCRPs (at most 10), the client gone before 200" \
    '[ "$sent" -ge 33 ] && [ "$sent" -lt 200 ] && [ "$control" -le 10 ]'
check "SCCRP flood: at most one acknowledgement per SCCRP ($zlb for $sent)" '[ "$zlb" -le "$sent" ]'

# no secret in any output
check "no key or password in any output" '! grep -qs "LabPsk-123\|LabPass-456" "$lab/all-output" "$lab/resp.out" "$lab/resp.log"'

lab_report "hostile lab"
