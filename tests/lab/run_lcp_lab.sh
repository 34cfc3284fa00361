#!/usr/bin/env bash
# LCP as Windows sends it (issue 16, family 5) against a real SoftEther
# L2TP/IPsec server in a network namespace this test creates: the handshake
# with the LCP extensions on (Callback in the Configure-Request, then
# Identification), off, and both; a profile's LcpExtensions through connect
# --real-handshake; then the lcp-extensions check reading what was seen.
# Observed with SoftEther 4.x (Debian): it Configure-Rejects magic, PFC, ACFC
# and Callback, reads the Identification without a Code-Reject, and the login
# goes through either way. Usage: run_lcp_lab.sh L2TPFIX
set -u
L2TPFIX=$1
. "$(dirname "$0")/lablib.sh"
lab_need "lcp lab" softether
lab_enter_namespace "lcp lab" 1 --net --mount -- "$@"
lab_begin l2f-lcp
lab_start softether || exit 1
printf 'LabPsk-123\n' >"$lab/good.psk"
printf 'LabPass-456\n' >"$lab/good.pw"
ST=$lab/state
secrets=(--psk-file "$lab/good.psk" --user labuser --password-file "$lab/good.pw")

hs() { # hs EXPECTED_EXIT args...: handshake --json, flattened for matching
    local want=$1; shift
    "$L2TPFIX" handshake 127.0.0.1 "$@" --state-dir "$ST" "${secrets[@]}" >"$OUT" 2>&1 </dev/null
    local rc=$?
    tr -d ' \n\t' <"$OUT" >"$OUT.flat"
    if [ "$rc" -eq "$want" ]; then ok; else bad "handshake $* exited $rc, want $want"; fi
}

# on (the default): Callback Rejected with the others, Identification sent, the login goes through
hs 0 --json
has '"id":"auth","outcome":"ok"' "extensions on: authenticated"
has '"lcp_extensions":\{"sent":true,"server":"rejected","rejected":\["magic","pfc","acfc","callback"\],"naked":\[\]\}' \
    "extensions on: SoftEther rejects Callback (and magic, PFC, ACFC) and goes on"
# off: no Callback asked; the same options but Callback rejected; accepted
hs 0 --lcp-extensions off --json
has '"id":"auth","outcome":"ok"' "extensions off: authenticated"
has '"lcp_extensions":\{"sent":false,"server":"accepted","rejected":\["magic","pfc","acfc"\],"naked":\[\]\}' \
    "extensions off: accepted"
# both, paced, in text: the verdict on this server
hs 0 --lcp-extensions both
has 'WiththeLCPextensionson:.*WiththeLCPextensionsoff:' "both: two runs, on then off"
has 'ThisserverdoesnotmindtheLCPextensionseitherway\(on:rejected,off:accepted\)\.$' \
    "both: SoftEther does not mind either way"
has 'firstwaited[0-9]+ms' "both: the second run paced after the first"

# a profile's LcpExtensions=0 reaches the real handshake (connect --real-handshake)
rm -rf "$ST"
printf '[server]\naddress = 127.0.0.1\n[profile "Lab"]\nPhoneNumber = 127.0.0.1\nLcpExtensions = 0\n' >"$lab/off.ini"
"$L2TPFIX" --mock "$lab/off.ini" --state-dir "$ST" --real-handshake "${secrets[@]}" connect --json \
    >"$OUT" 2>&1 </dev/null
tr -d ' \n\t' <"$OUT" >"$OUT.flat"
has '"connected":true' "connect --real-handshake with LcpExtensions=0 connects"
grep -q '"off":"accepted"' "$ST/lcp-extensions.json" 2>/dev/null && ok ||
    bad "the profile's LcpExtensions=0 did not make the run's setting off"
grep -q '"on":' "$ST/lcp-extensions.json" 2>/dev/null && bad "a run with the extensions on was recorded" || ok
# the check reads it: disabled, and this server goes on without them (on not tried)
"$L2TPFIX" --mock "$lab/off.ini" --state-dir "$ST" check >"$OUT" 2>&1 </dev/null
tr -d '\n' <"$OUT" >"$OUT.flat"
has 'lcp-extensions.*LcpExtensions=0: disabled; this server goes on with this setting \(handshakes from here: on not tried, off accepted\)' \
    "check: the profile's setting judged by the run"
# with both seen: it does not mind either way, and the check passes
sleep 2
hs 0 --json
"$L2TPFIX" --mock "$lab/off.ini" --state-dir "$ST" check --json >"$OUT" 2>&1 </dev/null
tr -d '\n\t' <"$OUT" >"$OUT.flat"
has '"id":"lcp-extensions","status":"pass","summary":"LcpExtensions=0: disabled; this server does not mind them either way \(handshakes from here: on rejected, off accepted\)"' \
    "check: SoftEther does not mind the LCP extensions either way"

# no secret in any output or state file
if grep -rqs "LabPsk-123\|LabPass-456" "$OUT" "$ST" "$XDG_STATE_HOME"; then
    bad "a secret reached output or state"; else ok; fi

lab_report "lcp lab"
