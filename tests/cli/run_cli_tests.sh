#!/usr/bin/env bash
# End-to-end tests of the command-line contract on the real binary and the
# built-in scenarios. Usage: run_cli_tests.sh L2TPFIX SCENARIO_DIR
set -u
L2TPFIX=$1
SCENARIOS=$2
export L2TPFIX_MOCK_STEP_MS=0
WORK=$(mktemp -d "${TMPDIR:-/tmp}/l2f-cli-XXXXXX")
trap 'rm -rf "$WORK"' EXIT
export XDG_STATE_HOME="$WORK/xdg" # never the user's own journal
passed=0
failed=0
OUT=$WORK/out
ERR=$WORK/err

ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL: $*"; sed 's/^/    out: /' "$OUT" | head -20; sed 's/^/    err: /' "$ERR" | head -10; }

# run EXPECTED_EXIT args...: runs l2tpfix with stdin from /dev/null
run() {
    local want=$1; shift
    "$L2TPFIX" "$@" >"$OUT" 2>"$ERR" </dev/null
    local rc=$?
    if [ "$rc" -ne "$want" ]; then bad "l2tpfix $* exited $rc, want $want"; return 1; fi
    ok
}
has() { if grep -qE -- "$2" "$1"; then ok; else bad "$3: no match for /$2/"; fi; }
# hasjson FILE REGEX WHAT: matches against the JSON with all white space removed
hasjson() { tr -d ' \n\t' <"$1" >"$WORK/flat.json"; has "$WORK/flat.json" "$2" "$3"; }
hasnt() { if grep -qE -- "$2" "$1"; then bad "$3: unexpected /$2/"; else ok; fi; }

fresh() { # fresh NAME: a private copy of a built-in scenario and state dir
    rm -rf "$WORK/$1"; mkdir -p "$WORK/$1"
    cp "$SCENARIOS/$1.ini" "$WORK/$1/s.ini"
    S="$WORK/$1/s.ini"; ST="$WORK/$1/state"
}

# --- the demo: classic-789 fails under ppp, exit 1
run 1 --demo check
has "$OUT" '^ppp +PPP negotiation +FAIL' "demo check: ppp stage"
has "$OUT" '^  FAIL +mschapv2 +AuthRestrictions=128: EAP only, MS-CHAP v2 not allowed' "demo check: mschapv2"
has "$OUT" '^  FAIL +lcp-extensions +LcpExtensions=0' "demo check: lcp-extensions"
has "$OUT" 'where: ncpa.cpl > connection Properties > Options > PPP Settings > Enable LCP extensions' "demo check: where"
has "$OUT" 'Recommended fixes, in order: mschapv2 lcp-extensions' "demo check: order"
run 1 --demo check --json
hasjson "$OUT" '"fixes":\["mschapv2","lcp-extensions"\]' "json fixes"
hasjson "$OUT" '"id":"ppp","status":"fail","checks":\[\{"id":"mschapv2","status":"fail"' "json ppp stage"
run 0 --demo=healthy check
has "$OUT" 'No problem found' "healthy check"

# --- update-2022 (issue 16 family 1): KB5009543 without its fix fails windows-update, naming the fix
run 1 --demo=update-2022 check
has "$OUT" '^ipsec +IPsec +FAIL' "update-2022: ipsec stage"
has "$OUT" '^  FAIL +windows-update +OS build 19044\.1466: KB5009543 of 11 Jan 2022 .*install KB5010793 \(19044\.1469\)' \
    "update-2022: the bad update and its fix named"
# the last 789 is the update's doing: not held against the saved key
has "$OUT" '^  pass +psk-configured .*not evidence against the key' "update-2022: the key not blamed"
run 1 --demo=update-2022 check --json
hasjson "$OUT" '"id":"windows-update","status":"fail"' "update-2022: json"
sed 's/^os_build = 19044.1466$/os_build = 19044.1469/' "$SCENARIOS/update-2022.ini" >"$WORK/update-fixed.ini"
# the fix installed, the last 789 points at the key again (psk-configured warns): exit 1
run 1 --mock "$WORK/update-fixed.ini" --state-dir "$WORK/update-fixed-st" check
has "$OUT" "^  pass +windows-update +OS build 19044\.1469: has KB5010793's fix" "19044.1469 passes"
# a phonebook file offline cannot tell the build: unknown, not pass
cp "$(dirname "$0")/../pbk/win11-vpn-kinds.pbk" "$WORK/update-offline.pbk"
run 4 --phonebook "$WORK/update-offline.pbk" --state-dir "$WORK/update-offline-st" --profile "Branch L2TP" check
has "$OUT" '^  unknown windows-update +the OS build is not known here' "offline: the build is unknown"

# --- every scenario a client-side fix can solve: fix all, then connect connects
for name in classic-789 nat-809 services-stopped healthy; do
    fresh "$name"
    run 0 --mock "$S" --state-dir "$ST" fix all --yes || continue
    run 0 --mock "$S" --state-dir "$ST" connect
    has "$OUT" '^Connected' "$name connects after fix all"
done
fresh multi-profile
run 0 --mock "$S" --state-dir "$ST" --profile "Office VPN" fix all --yes
run 0 --mock "$S" --state-dir "$ST" --profile "Office VPN" connect
# ... and those that need what only the technician knows: the key, the password
fresh psk-mismatch
run 1 --mock "$S" --state-dir "$ST" fix all --yes
has "$ERR" 'use-psk not applied: .*--psk-file' "psk without a key says how"
printf 'the-servers-key\n' >"$WORK/psk.txt"
printf 'an-old-key\n' >"$WORK/old.txt"
run 1 --mock "$S" --state-dir "$ST" check --psk-file "$WORK/old.txt"
has "$OUT" '^  FAIL +psk-matches +the server rejects the key given' "psk-matches with the old key"
# the key given passes; the saved one stays suspect (the last 789), so still exit 1
run 1 --mock "$S" --state-dir "$ST" check --psk-file "$WORK/psk.txt" --json
hasjson "$OUT" '"id":"psk-matches","status":"pass"' "psk-matches with the server's key"
hasjson "$OUT" '"id":"psk-configured","status":"warn"' "the saved key still suspect"
# the key as typed (issue 16 family 4): what may make it differ is said before saving, by code
# point, never the key itself; then the key check settles it (here: rejected, not saved)
printf '\xe2\x80\x9cthe-servers-key\xe2\x80\x9d \nsecond\n' >"$WORK/smart.txt"
run 1 --mock "$S" --state-dir "$ST" --psk-file "$WORK/smart.txt" fix use-psk --yes
has "$ERR" '^l2tpfix: use-psk: the key as given: U\+201C LEFT DOUBLE QUOTATION MARK at position 1:' "keylint: smart quote"
has "$ERR" 'U\+201D RIGHT DOUBLE QUOTATION MARK at position 17' "keylint: closing quote"
has "$ERR" '1 blank after the key \(from position 18\)' "keylint: trailing blank"
has "$ERR" 'U\+000A LINE FEED at position 19' "keylint: a second line"
has "$ERR" 'differs from its ASCII-folded form' "keylint: folding"
has "$ERR" 'the server rejects this key: not saved' "keylint: the key check settles it"
hasnt "$ERR" 'servers-key|second' "keylint: the key is never printed"
hasnt "$OUT" 'servers-key|second' "keylint: the key is never printed (stdout)"
# verify, then store: a rejected key is stored only on request
cp "$S" "$WORK/before-key.ini"
run 1 --mock "$S" --state-dir "$ST" --psk-file "$WORK/old.txt" fix use-psk --yes
has "$ERR" 'the server rejects this key: not saved \(--store-rejected-key' "rejected key refused"
cmp -s "$S" "$WORK/before-key.ini" && ok || bad "a rejected key changed the scenario"
run 0 --mock "$S" --state-dir "$ST" --psk-file "$WORK/old.txt" --store-rejected-key fix use-psk --yes
has "$OUT" 'use-psk: the server rejects this key' "override says what it saves"
run 0 --mock "$S" --state-dir "$ST" --psk-file "$WORK/psk.txt" fix use-psk --yes
hasnt "$ERR" 'the key as given' "a plain key: no keylint warning"
has "$OUT" 'use-psk: the server accepts this key' "the right key, checked"
run 0 --mock "$S" --state-dir "$ST" connect
fresh wrong-password
printf 'Correct-Pass\n' >"$WORK/pw.txt"
run 0 --mock "$S" --state-dir "$ST" --password-file "$WORK/pw.txt" fix all --yes
run 0 --mock "$S" --state-dir "$ST" connect

# --- the stages as they are reached, and the code where it stops
fresh classic-789
run 1 --mock "$S" --state-dir "$ST" connect
has "$OUT" '^  tunnel .* ok' "connect: tunnel line"
has "$OUT" '^  ppp .*FAILED: the server requires the LCP extensions' "connect: ppp line"
has "$OUT" '^Result: error 789 ERROR_OAKLEY_GENERAL_PROCESSING' "connect: result"
run 1 --mock "$S" --state-dir "$ST" connect --json
hasjson "$OUT" '"connected":false,"code":789' "connect json code"
hasjson "$OUT" '"stopped_in":"ppp"' "connect json stage"

# --- undo all brings every setting back
for name in classic-789 nat-809 services-stopped multi-profile; do
    fresh "$name"
    prof=(); [ "$name" = multi-profile ] && prof=(--profile "Office VPN")
    "$L2TPFIX" --mock "$S" "${prof[@]}" check --json >"$WORK/before.json" 2>/dev/null </dev/null
    run 0 --mock "$S" --state-dir "$ST" "${prof[@]}" fix all --yes
    run 0 --mock "$S" --state-dir "$ST" undo all --yes
    has "$OUT" 'changes? undone; nothing left' "$name undo all"
    "$L2TPFIX" --mock "$S" "${prof[@]}" check --json >"$WORK/after.json" 2>/dev/null </dev/null
    if diff -u "$WORK/before.json" "$WORK/after.json" >"$WORK/diff"; then ok; else bad "$name: state after undo all differs"; cat "$WORK/diff"; fi
    for key in AuthRestrictions LcpExtensions VpnStrategy IpSecFlags; do
        want=$(grep -m1 "^$key" "$SCENARIOS/$name.ini" | tr -d ' ')
        got=$(grep -m1 "^$key" "$S" | tr -d ' ')
        [ "$want" = "$got" ] && ok || bad "$name: $key is '$got', was '$want'"
    done
done
grep -q 'AssumeUDPEncapsulationContextOnSendRule' "$WORK/nat-809/s.ini" && bad "nat-809: the registry value should not exist after undo" || ok
grep -q '^IKEEXT = stopped' "$WORK/services-stopped/s.ini" && ok || bad "services-stopped: IKEEXT should be stopped again"

# --- the journal lives across processes; undo N; history
fresh classic-789
run 0 --mock "$S" --state-dir "$ST" fix mschapv2 --yes
run 0 --mock "$S" --state-dir "$ST" fix lcp-extensions --yes
run 0 --mock "$S" --state-dir "$ST" history
has "$OUT" '^  1 .*mschapv2 +applied' "history entry 1"
has "$OUT" 'AuthRestrictions 128 \(EAP\) -> 512 \(MS-CHAP v2\)' "history change"
# entries touching different settings may be undone in any order
run 0 --mock "$S" --state-dir "$ST" undo 1 --yes
has "$OUT" '^undone entry 1 \(mschapv2\)' "undo 1"
run 1 --mock "$S" --state-dir "$ST" undo 1 --yes
has "$ERR" 'entry 1 is undone already' "undo twice"
run 0 --mock "$S" --state-dir "$ST" undo 2 --yes
run 1 --mock "$S" --state-dir "$ST" undo --yes
has "$ERR" 'nothing to undo' "nothing left"
run 0 --mock "$S" --state-dir "$ST" history --json
hasjson "$OUT" '"id":2,.*"fix":"lcp-extensions","state":"undone"' "history json"

# --- dry run, confirmation, refusal without a terminal
fresh classic-789
cp "$S" "$WORK/orig.ini"
run 0 --mock "$S" --state-dir "$ST" fix all --dry-run
has "$OUT" '^Would change:' "dry run"
cmp -s "$S" "$WORK/orig.ini" && ok || bad "dry run changed the file"
run 2 --mock "$S" --state-dir "$ST" fix all
has "$ERR" 'not a terminal: add --yes' "no terminal, no --yes"
cmp -s "$S" "$WORK/orig.ini" && ok || bad "refused fix changed the file"

# --- administrator rights: refused clearly, nothing changed, exit 3
mkdir -p "$WORK/noadmin"
printf '[machine]\nadmin = no\nbehind_nat = yes\n[server]\nbehind_nat = yes\n[profile "P"]\n' >"$WORK/noadmin/s.ini"
cp "$WORK/noadmin/s.ini" "$WORK/noadmin/orig.ini"
run 3 --mock "$WORK/noadmin/s.ini" --state-dir "$WORK/noadmin/st" fix nat-traversal --yes
has "$ERR" 'nat-traversal not applied: .*administrator' "admin message"
cmp -s "$WORK/noadmin/s.ini" "$WORK/noadmin/orig.ini" && ok || bad "non-admin fix changed the file"
# every fix that needs rights, on a machine that gives none: each refused alone, nothing changed
printf '[machine]\nadmin = no\nbehind_nat = yes\n[registry]\nRasMan\\Parameters\\ProhibitIpSec = 1\n' >"$WORK/noadmin/all.ini"
printf '[services]\nIKEEXT = stopped\nPolicyAgent = stopped\n[server]\nbehind_nat = yes\n' >>"$WORK/noadmin/all.ini"
printf '[profile "Shared"]\nphonebook = allusers\nAuthRestrictions = 128\nLcpExtensions = 0\n' >>"$WORK/noadmin/all.ini"
cp "$WORK/noadmin/all.ini" "$WORK/noadmin/all.orig"
for f in nat-traversal allow-ipsec restart-ipsec-services mschapv2 lcp-extensions; do
    run 3 --mock "$WORK/noadmin/all.ini" --state-dir "$WORK/noadmin/st2" fix "$f" --yes
    has "$ERR" "$f not applied: .*administrator" "no rights: $f refused, saying why"
    cmp -s "$WORK/noadmin/all.ini" "$WORK/noadmin/all.orig" && ok || bad "no rights: $f changed something"
done
run 3 --mock "$WORK/noadmin/all.ini" --state-dir "$WORK/noadmin/st2" fix all --yes
cmp -s "$WORK/noadmin/all.ini" "$WORK/noadmin/all.orig" && ok || bad "no rights: fix all changed something"

# --- hostile names (issue 9): escapes and invalid UTF-8 shown as '?', 10,000 characters refused
printf '[profile "\033[31mEvil\007\033]0;title\007 \377\376 name"]\nPhoneNumber = srv\033[2Jx\n' >"$WORK/hostile.ini"
run 1 --mock "$WORK/hostile.ini" --state-dir "$WORK/hostile-st" check
if LC_ALL=C grep -q $'\033\|\007\|\377' "$OUT" "$ERR"; then bad "an escape or invalid byte reached the terminal"; else ok; fi
has "$OUT" '^Profile  \?\[31mEvil\?\?\]0;title\? \?\? name' "hostile profile name shown with '?'"
has "$OUT" '^Server   srv\?\[2Jx$' "hostile server name shown with '?'"
run 1 --mock "$WORK/hostile.ini" --state-dir "$WORK/hostile-st" check --json
hasjson "$OUT" '"profile":"\\u001b\[31mEvil\\u0007' "JSON escapes control characters"
python3 -c "open('$WORK/long.ini','wb').write(b'[profile \"' + b'A'*10000 + b'\"]\n')"
run 2 --mock "$WORK/long.ini" check
has "$ERR" 'long.ini:1: a profile name longer than Windows allows' "a 10,000-character name: one clear line"
python3 -c "open('$WORK/long2.ini','wb').write(b'[profile \"P\"]\nPhoneNumber = ' + b'B'*10000 + b'\n')"
run 2 --mock "$WORK/long2.ini" check
[ "$(wc -l <"$ERR")" -eq 1 ] && [ "$(wc -c <"$ERR")" -lt 400 ] && ok || bad "a 10,000-character server: not one short line"

# --- bad input: one line naming file:line, exit 2, nothing changed
printf '[machine]\nadmin = yes\nbogus = 1\n' >"$WORK/bad.ini"
run 2 --mock "$WORK/bad.ini" check
has "$ERR" "^l2tpfix: .*bad.ini:3: unknown key 'bogus'" "malformed scenario"
[ "$(wc -l <"$ERR")" -eq 1 ] && ok || bad "malformed scenario: more than one line"
printf '[profile "X"\nPhoneNumber = a\n' >"$WORK/bad2.ini"
run 2 --mock "$WORK/bad2.ini" check
has "$ERR" 'bad2.ini:1:' "unclosed section"
for i in 1 2 3 4 5; do
    head -c 3000 /dev/urandom >"$WORK/noise.ini"
    "$L2TPFIX" --mock "$WORK/noise.ini" check >"$OUT" 2>"$ERR" </dev/null
    rc=$?; [ "$rc" -eq 2 ] && ok || { cp "$WORK/noise.ini" "$WORK/noise-failed.ini"; bad "random bytes: exit $rc, want 2"; }
done
run 3 --mock "$WORK/missing.ini" check
run 2 --demo=nope check
has "$ERR" "no built-in scenario 'nope'" "unknown demo"
run 2 --frobnicate
run 2 fix no-such-fix
has "$ERR" "no fix 'no-such-fix' \(there are: all, mschapv2" "unknown fix lists them"

# --- profiles: choosing, listing, errors
run 2 --demo=multi-profile check
has "$ERR" "several VPN profiles, choose one with --profile NAME: 'Office VPN', 'Office VPN \(all users\)', 'Home IKEv2'" "ambiguous profile"
run 3 --demo=multi-profile --profile Nope check
has "$ERR" "no VPN profile named 'Nope'" "no such profile"
run 0 --demo=multi-profile profiles
has "$OUT" '^Home IKEv2 +user +IKEv2 +home.example.net' "profiles list"
run 0 --demo=multi-profile profiles --json
hasjson "$OUT" '"name":"OfficeVPN\(allusers\)","phonebook":"allusers"' "profiles json"

# --- a phonebook file, offline (issue 8): only the fixed values change, undo restores every byte
PBK_SAMPLES=$(cd "$(dirname "$0")/../pbk" && pwd)
l2tp_entries_fixed=0
for sample in "$PBK_SAMPLES"/*.pbk; do
    base=$(basename "$sample" .pbk)
    P="$WORK/$base.pbk"; PST="$WORK/$base-state"
    cp "$sample" "$P"
    "$L2TPFIX" --phonebook "$P" profiles --json >"$OUT" 2>"$ERR" </dev/null
    # the L2TP entries: the IKEv2 and PPTP ones beside them must come through untouched
    names=$(tr -d '\n\t' <"$OUT" | grep -oE '"name": *"[^"]*"[^{}]*"type": *"L2TP/IPsec"' |
        sed 's/^"name": *"//; s/".*//')
    while IFS= read -r name; do
        [ -n "$name" ] || continue
        l2tp_entries_fixed=$((l2tp_entries_fixed + 1))
        "$L2TPFIX" --phonebook "$P" --state-dir "$PST" --profile "$name" fix all --yes >"$OUT" 2>"$ERR" </dev/null
        rc=$?
        [ "$rc" -le 1 ] && ok || bad "fix all on '$name' of $base exited $rc"
        # a second run finds nothing left to do and changes nothing
        cp "$P" "$WORK/after-first"
        "$L2TPFIX" --phonebook "$P" --state-dir "$PST" --profile "$name" fix all --yes >"$OUT" 2>"$ERR" </dev/null
        cmp -s "$P" "$WORK/after-first" && ok || bad "a second fix all on '$name' of $base changed the file"
    done <<<"$names"
    # what changed are values of the fixes' keys, nothing else
    diff <(tr -d '\r' <"$sample") <(tr -d '\r' <"$P") | grep -E '^[<>]' |
        grep -vE '^[<>] *(AuthRestrictions|LcpExtensions|IpSecFlags) *=' \
        >"$WORK/other-changes"
    [ -s "$WORK/other-changes" ] && bad "$base: lines other than the fixed keys changed: $(head -3 "$WORK/other-changes")" || ok
    "$L2TPFIX" --phonebook "$P" --state-dir "$PST" undo all --yes >"$OUT" 2>"$ERR" </dev/null
    cmp -s "$sample" "$P" && ok || bad "$base: undo all did not restore every byte"
done
# the loop above must have found L2TP entries to fix, or it tested nothing
[ "$l2tp_entries_fixed" -ge 5 ] && ok || bad "only $l2tp_entries_fixed L2TP entries found in the samples' profiles --json"
# ==== issue 14, phonebook sub-blocks (MS-RRASM 2.2.2): begin ====
# a fix on the L2TP entry without AuthRestrictions writes the line into the entry's main block,
# before its NETCOMPONENTS= sub-block, in CRLF; nothing else changes; undo restores every byte
SUBS="$WORK/sub-blocks.pbk"
cp "$PBK_SAMPLES/win11-vpn-kinds.pbk" "$SUBS"
# an absent AuthRestrictions is unknown (no documented default): offered, not in fix all
run 4 --phonebook "$SUBS" --state-dir "$WORK/sub-blocks-st" --profile "Branch L2TP" check
has "$OUT" '^  unknown mschapv2 +AuthRestrictions absent: Windows. default is not documented.*\[alternative: mschapv2\]' \
    "sub-blocks: an absent AuthRestrictions is unknown, its fix offered"
run 0 --phonebook "$SUBS" --state-dir "$WORK/sub-blocks-st" --profile "Branch L2TP" fix all --yes --dry-run
hasnt "$OUT" 'AuthRestrictions' "sub-blocks: fix all leaves an absent AuthRestrictions"
"$L2TPFIX" --phonebook "$SUBS" --state-dir "$WORK/sub-blocks-st" --profile "Branch L2TP" fix mschapv2 --yes \
    >"$OUT" 2>"$ERR" </dev/null
rc=$?
[ "$rc" -le 1 ] && ok || bad "fix mschapv2 on Branch L2TP exited $rc"
has "$OUT" 'Branch L2TP: AuthRestrictions absent' "sub-blocks: the absent AuthRestrictions is fixed"
# line numbers, inside [Branch L2TP], of the fixed key and of NETCOMPONENTS=
read -r fixed_at netc_at < <(tr -d '\r' <"$SUBS" | awk '/^\[/ { inside = ($0 == "[Branch L2TP]") }
    inside && /^AuthRestrictions=/ { a = NR } inside && /^NETCOMPONENTS=/ && !n { n = NR }
    END { print a + 0, n + 0 }')
[ "$fixed_at" -gt 0 ] && [ "$fixed_at" -lt "$netc_at" ] && ok ||
    bad "sub-blocks: AuthRestrictions at line $fixed_at, NETCOMPONENTS= at $netc_at"
grep -qE $'^AuthRestrictions=[0-9]+\r$' "$SUBS" && ok || bad "sub-blocks: the new line does not end in CRLF"
diff "$PBK_SAMPLES/win11-vpn-kinds.pbk" "$SUBS" | grep -E '^[<>]' >"$WORK/sub-blocks-diff"
[ "$(wc -l <"$WORK/sub-blocks-diff")" -eq 1 ] && grep -q '^> AuthRestrictions=' "$WORK/sub-blocks-diff" && ok ||
    bad "sub-blocks: more than the one line changed: $(head -3 "$WORK/sub-blocks-diff")"
run 0 --phonebook "$SUBS" --state-dir "$WORK/sub-blocks-st" undo all --yes
cmp -s "$PBK_SAMPLES/win11-vpn-kinds.pbk" "$SUBS" && ok || bad "sub-blocks: undo all did not restore every byte"
# ==== issue 14, phonebook sub-blocks: end ====
# ==== issue 14, entry types (Type=, RASET_*): begin ====
# a phonebook holds dial-up and PPPoE entries too: listed as what they are, never the default,
# refused by name in one line (exit 3), never changed
BB="$WORK/broadband-dialup.pbk" # a copy: a regression must not write into the source tree
cp "$PBK_SAMPLES/broadband-dialup.pbk" "$BB"
MIX="$WORK/pppoe-and-l2tp.pbk"; MIXST="$WORK/mix-st"
cp "$PBK_SAMPLES/pppoe-and-l2tp.pbk" "$MIX"
run 0 --phonebook "$BB" profiles
has "$OUT" '^宽带连接 +user +PPPoE \(broadband\)$' "profiles: the PPPoE entry as what it is"
has "$OUT" '^Dial-up ISP +user +dial-up +5550123$' "profiles: the dial-up entry as what it is"
hasnt "$OUT" 'automatic' "profiles: no tunnel type for an entry that is not a VPN"
has "$OUT" '^2 entries are not a VPN: listed only, never picked nor changed by l2tpfix$' "profiles: non-VPN entries said so"
run 0 --phonebook "$BB" profiles --json
hasjson "$OUT" '"name":"宽带连接","phonebook":"user","owner":null,"type":"PPPoE\(broadband\)","server":"","entry_type":"pppoe"' \
    "profiles --json: the PPPoE entry"
hasjson "$OUT" '"type":"dial-up","server":"5550123","entry_type":"dial-up"' "profiles --json: the dial-up entry"
run 0 --phonebook "$MIX" profiles --json
hasjson "$OUT" '"name":"OfficeL2TP","phonebook":"user","owner":null,"type":"L2TP/IPsec","server":"vpn.example.com","entry_type":"vpn"' \
    "profiles --json: the VPN entry"
# no VPN at all: said plainly, with what was found
run 3 --phonebook "$BB" check
has "$ERR" "^l2tpfix: no VPN profile on this machine \(found: '宽带连接': PPPoE \(broadband\); 'Dial-up ISP': dial-up\)$" \
    "no VPN: the entries found, each with its type"
# --profile on a non-VPN entry: one line naming its type, exit 3, nothing changed or journaled
for cmd in check "check --json" "fix all --yes" "fix lcp-extensions --yes" "fix tunnel-l2tp --yes" connect report; do
    # shellcheck disable=SC2086
    run 3 --phonebook "$MIX" --state-dir "$MIXST" --profile 宽带连接 $cmd
    has "$ERR" "^l2tpfix: '宽带连接' is a PPPoE \(broadband\) connection, not a VPN: l2tpfix checks VPN profiles only$" \
        "--profile 宽带连接 $cmd: refused naming its type"
    [ "$(wc -l <"$ERR")" -eq 1 ] && ok || bad "--profile 宽带连接 $cmd: more than one line"
done
run 3 --phonebook "$BB" --state-dir "$MIXST" --profile "Dial-up ISP" fix all --yes
has "$ERR" "^l2tpfix: 'Dial-up ISP' is a dial-up connection, not a VPN" "--profile on the dial-up entry"
cmp -s "$PBK_SAMPLES/broadband-dialup.pbk" "$BB" && ok || bad "entry types: a refused fix changed the dial-up phonebook"
cmp -s "$PBK_SAMPLES/pppoe-and-l2tp.pbk" "$MIX" && ok || bad "entry types: a refused command changed the phonebook"
run 0 --phonebook "$MIX" --state-dir "$MIXST" history
hasnt "$OUT" '宽带连接' "entry types: a refused command journaled something"
# no --profile: the VPN beside the PPPoE entry; fix all changes only the VPN's keys; undo restores every byte
run 1 --phonebook "$MIX" --state-dir "$MIXST" check
has "$OUT" '^Profile  Office L2TP ' "entry types: the VPN is the default beside a PPPoE entry"
"$L2TPFIX" --phonebook "$MIX" --state-dir "$MIXST" fix all --yes >"$OUT" 2>"$ERR" </dev/null
[ $? -le 1 ] && ok || bad "fix all beside a PPPoE entry"
pppoe_block() { tr -d '\r' <"$1" | awk '/^\[/ { inside = ($0 == "[宽带连接]") } inside'; }
cmp -s <(pppoe_block "$PBK_SAMPLES/pppoe-and-l2tp.pbk") <(pppoe_block "$MIX") && ok ||
    bad "fix all changed the PPPoE entry"
cmp -s "$PBK_SAMPLES/pppoe-and-l2tp.pbk" "$MIX" && bad "fix all beside a PPPoE entry fixed nothing" || ok
run 0 --phonebook "$MIX" --state-dir "$MIXST" undo all --yes
cmp -s "$PBK_SAMPLES/pppoe-and-l2tp.pbk" "$MIX" && ok || bad "entry types: undo all did not restore every byte"
# the VPN is the default even when its tunnel is automatic, not L2TP (was: "several VPN profiles")
tr -d '\r' <"$PBK_SAMPLES/pppoe-and-l2tp.pbk" | sed 's/^VpnStrategy=3$/VpnStrategy=0/' >"$WORK/auto.pbk"
run 1 --phonebook "$WORK/auto.pbk" --state-dir "$WORK/auto-st" check
has "$OUT" '^Profile  Office L2TP ' "entry types: an automatic VPN beside a PPPoE entry is the default"
# a VPN entry without VpnStrategy: read as Windows reads it, and said to be absent
printf '[Lab]\r\nType=2\r\nAuthRestrictions=128\r\nIpSecFlags=1\r\n\r\nMEDIA=rastapi\r\nDEVICE=vpn\r\nPhoneNumber=vpn.example.com\r\n' \
    >"$WORK/novs.pbk"
run 0 --phonebook "$WORK/novs.pbk" profiles
has "$OUT" '^Lab +user +automatic \(absent\) +vpn.example.com$' "profiles: VpnStrategy absent"
run 1 --phonebook "$WORK/novs.pbk" --state-dir "$WORK/novs-st" check
has "$OUT" '^  (warn|WARN) +vpn-type +VpnStrategy absent: automatic' "check: VpnStrategy absent: automatic"
hasnt "$OUT" 'VpnStrategy=0' "check: an absent VpnStrategy never shown as written"
cp "$WORK/novs.pbk" "$WORK/novs.before"
run 0 --phonebook "$WORK/novs.pbk" --state-dir "$WORK/novs-st" fix tunnel-l2tp --yes
has "$OUT" 'Lab: VpnStrategy absent, read as 0 \(automatic\) -> 3 \(L2TP/IPsec\)' "fix: the absent VpnStrategy said so"
[ "$(tr -d '\r' <"$WORK/novs.pbk" | sed -n 5p)" = "VpnStrategy=3" ] && ok || bad "fix: VpnStrategy not written in the main block"
run 0 --phonebook "$WORK/novs.pbk" --state-dir "$WORK/novs-st" undo all --yes
cmp -s "$WORK/novs.before" "$WORK/novs.pbk" && ok || bad "VpnStrategy absent: undo all did not restore every byte"
# a scenario's PPPoE entry (type = pppoe): listed as such, never the default, refused by name
printf '[profile "DSL"]\ntype = pppoe\n\n[profile "Office VPN"]\nVpnStrategy = 0\n' >"$WORK/types.ini"
run 0 --mock "$WORK/types.ini" --state-dir "$WORK/types-st" profiles
has "$OUT" '^DSL +user +PPPoE \(broadband\) ' "mock: the PPPoE entry listed as such"
run 1 --mock "$WORK/types.ini" --state-dir "$WORK/types-st" check
has "$OUT" '^Profile  Office VPN ' "mock: the VPN is the default beside a PPPoE entry"
run 3 --mock "$WORK/types.ini" --state-dir "$WORK/types-st" --profile DSL fix all --yes
has "$ERR" "^l2tpfix: 'DSL' is a PPPoE \(broadband\) connection, not a VPN" "mock: --profile on the PPPoE entry"
grep -q '^type = pppoe$' "$WORK/types.ini" && ok || bad "mock: the scenario's entry type was lost"
# ==== issue 14, entry types: end ====
# ==== issue 14, no type change without evidence: begin ====
# an IKEv2 or SSTP entry is another kind of VPN: fix all leaves it byte for byte, and says so
KINDS="$WORK/kinds.pbk"
cp "$PBK_SAMPLES/win11-vpn-kinds.pbk" "$KINDS"
for name in "Campus IKEv2 (certificate)" "Contoso Always On"; do
    # offline, most checks cannot be made, and the L2TP ones do not apply: incomplete, never a pass
    run 4 --phonebook "$KINDS" --state-dir "$WORK/kinds-st" --profile "$name" check
    has "$OUT" 'not for this type of VPN\.$' "$name: the n/a checks counted apart"
    has "$OUT" '^  n/a +psk-configured +not an L2TP/IPsec profile \(VpnStrategy=[57]: (IKEv2|SSTP)\)' "$name: psk n/a"
    has "$OUT" '^  n/a +mschapv2 +not an L2TP/IPsec profile' "$name: mschapv2 n/a"
    has "$OUT" 'vpn-type .*another kind of VPN.*\[alternative: tunnel-l2tp\]' "$name: tunnel-l2tp an alternative"
    "$L2TPFIX" --phonebook "$KINDS" --state-dir "$WORK/kinds-st" --profile "$name" check --json >"$OUT" 2>"$ERR" </dev/null
    hasjson "$OUT" '"id":"vpn-type","status":"unknown","summary":"[^"]*","skipped":false,"fix":"tunnel-l2tp","fix_alternative":true,"not_applicable":true' "$name: json, an alternative"
    hasjson "$OUT" '"id":"psk-configured","status":"unknown","summary":"[^"]*","skipped":false,"fix":null,"fix_alternative":false,"not_applicable":true' "$name: json, n/a"
    hasjson "$OUT" '"fixes":\[\]' "$name: json, nothing recommended"
    run 0 --phonebook "$KINDS" --state-dir "$WORK/kinds-st" --profile "$name" fix all --yes
    has "$OUT" '^Nothing to fix' "$name: fix all has nothing to do"
    cmp -s "$PBK_SAMPLES/win11-vpn-kinds.pbk" "$KINDS" && ok || bad "$name: fix all changed the file"
done
# the demo's IKEv2 entry: its problem is DNS, and fix all offers no L2TP conversion
run 1 --demo=multi-profile --profile "Home IKEv2" check
has "$OUT" '^  FAIL +dns +home.example.net does not resolve' "Home IKEv2: DNS is the problem"
run 0 --demo=multi-profile --profile "Home IKEv2" fix all --dry-run
hasnt "$OUT" 'tunnel-l2tp|mschapv2|use-psk|VpnStrategy' "Home IKEv2: fix all --dry-run converts nothing"
# switch-ikev2 by name, where the server refused IKEv2 (or was not asked): one line, nothing changed
fresh classic-789
cp "$S" "$WORK/classic-789/orig.ini"
run 1 --mock "$S" --state-dir "$ST" fix switch-ikev2 --yes
has "$ERR" '^l2tpfix: switch-ikev2 not offered: IKEv2 did not answer \(no-proposal from [0-9.]+\): a switch would not connect; nothing changed$' "switch-ikev2 refused, saying why"
[ "$(wc -l <"$ERR")" -eq 1 ] && ok || bad "switch-ikev2 refusal: more than one line"
cmp -s "$S" "$WORK/classic-789/orig.ini" && ok || bad "refused switch-ikev2 changed the file"
run 1 --demo=multi-profile --profile "Home IKEv2" fix switch-ikev2 --yes
has "$ERR" 'switch-ikev2 not offered: the server was not asked for IKEv2 \(its name does not resolve\)' "switch-ikev2 refused unasked"
# where IKEv2 answers, switch-ikev2 is offered (never by fix all)
sed 's/^proposals = windows$/proposals = none\nikev2 = yes/' "$SCENARIOS/classic-789.ini" >"$WORK/v2-only.ini"
run 1 --mock "$WORK/v2-only.ini" --state-dir "$WORK/v2-only-st" check
has "$OUT" 'ikev2-available +IKEv2 answers where L2TP/IPsec does not.*\[alternative: switch-ikev2\]' "switch-ikev2 offered on an answer"
run 0 --mock "$WORK/v2-only.ini" --state-dir "$WORK/v2-only-st" fix switch-ikev2 --dry-run
has "$OUT" 'VpnStrategy 3 \(L2TP/IPsec\) -> 7 \(IKEv2\)' "switch-ikev2 planned when IKEv2 answered"
# an IKEv2 profile whose server answers L2TP/IPsec (IKEv1 on 500) but not IKEv2: tunnel-l2tp recommended, with the evidence
printf '[server]\naddress = vpn.example.com\nproposals = windows\nikev2 = no\n' >"$WORK/v1-only.ini"
printf '[profile "Road IKEv2"]\nPhoneNumber = vpn.example.com\nVpnStrategy = 7\nAuthRestrictions = 128\nIpSecFlags = 0\n' >>"$WORK/v1-only.ini"
run 1 --mock "$WORK/v1-only.ini" --state-dir "$WORK/v1-only-st" check
has "$OUT" 'FAIL +vpn-type +VpnStrategy=7: IKEv2; [0-9.]+ answered IKEv1 on UDP 500 \(L2TP/IPsec\) but not IKEv2 \(no-proposal\): tunnel-l2tp recommended  \[fix: tunnel-l2tp\]' "tunnel-l2tp recommended on evidence"
has "$OUT" 'Recommended fixes, in order: tunnel-l2tp$' "only tunnel-l2tp: the L2TP checks wait for the type"
sed -i 's/^ikev2 = no$/ikev2 = yes/' "$WORK/v1-only.ini"
run 0 --mock "$WORK/v1-only.ini" --state-dir "$WORK/v1-only-st" fix all --dry-run
hasnt "$OUT" 'tunnel-l2tp' "IKEv2 answers: no tunnel-l2tp in fix all"
# ==== issue 14, no type change without evidence: end ====
# a folder of user profiles (C:\Users): every user's phonebook, each entry named by whose it is
U="$WORK/Users"; below="AppData/Roaming/Microsoft/Network/Connections/Pbk"
mkdir -p "$U/alice/$below" "$U/bob/$below" "$U/carol/Documents"
cp "$PBK_SAMPLES/user-l2tp.pbk" "$U/alice/$below/rasphone.pbk"
cp "$PBK_SAMPLES/allusers-mixed.pbk" "$U/bob/$below/rasphone.pbk"
run 0 --phonebook "$U" profiles --json
hasjson "$OUT" '"name":"alice\\\\OfficeVPN","phonebook":"user","owner":"alice"' "alice's entry, named by whose"
hasjson "$OUT" '"name":"bob\\\\NoLcpKey"' "bob's entries too"
run 1 --phonebook "$U" --state-dir "$WORK/u-st" --profile 'alice\Office VPN' check
has "$OUT" "^Profile  alice.Office VPN \(alice's phonebook\)" "whose phonebook, in the header"
run 0 --phonebook "$U" --state-dir "$WORK/u-st" --profile 'alice\Office VPN' fix all --yes
cmp -s "$U/bob/$below/rasphone.pbk" "$PBK_SAMPLES/allusers-mixed.pbk" && ok || bad "bob's phonebook changed by a fix of alice's"
grep -q '^AuthRestrictions=512' "$U/alice/$below/rasphone.pbk" && ok || bad "alice's phonebook not fixed"
run 0 --phonebook "$U" --state-dir "$WORK/u-st" undo all --yes
cmp -s "$U/alice/$below/rasphone.pbk" "$PBK_SAMPLES/user-l2tp.pbk" && ok || bad "alice's phonebook not restored"
# another local user's profile on the simulated machine: --all-users (issue 8)
printf '[profile "Office VPN"]\nAuthRestrictions = 544\n\n[profile "alice\\Office VPN"]\nowner = alice\nAuthRestrictions = 128\n' >"$WORK/users.ini"
cp "$WORK/users.ini" "$WORK/users.orig"
run 0 --mock "$WORK/users.ini" --state-dir "$WORK/users-st" profiles --json
grep -q alice "$OUT" && bad "another user's profile listed without --all-users" || ok
run 3 --mock "$WORK/users.ini" --state-dir "$WORK/users-st" --profile 'alice\Office VPN' check
has "$ERR" "no VPN profile named 'alice.Office VPN'" "another user's profile is not there without --all-users"
run 0 --mock "$WORK/users.ini" --state-dir "$WORK/users-st" --all-users profiles --json
hasjson "$OUT" '"name":"alice\\\\OfficeVPN","phonebook":"user","owner":"alice"' "--all-users: alice's profile, named by whose"
run 0 --mock "$WORK/users.ini" --state-dir "$WORK/users-st" --all-users --profile 'alice\Office VPN' fix mschapv2 --yes
sed -n '/^\[profile "alice/,$p' "$WORK/users.ini" | grep -q '^AuthRestrictions = 512' && ok || bad "alice's profile not fixed"
sed -n '/^\[profile "Office VPN"\]/,/^\[profile "alice/p' "$WORK/users.ini" | grep -q '^AuthRestrictions = 544' && ok ||
    bad "this user's profile changed by a fix of alice's"
run 0 --mock "$WORK/users.ini" --state-dir "$WORK/users-st" --all-users undo all --yes
run 1 --mock "$WORK/users.ini" --state-dir "$WORK/users-st" --all-users --profile 'alice\Office VPN' check --json
hasjson "$OUT" '"id":"mschapv2","status":"fail"' "undo puts alice's setting back"
sed -i 's/^admin = yes$/admin = no/' "$WORK/users.ini"
cp "$WORK/users.ini" "$WORK/users.noadmin"
run 3 --mock "$WORK/users.ini" --state-dir "$WORK/users-st" --all-users profiles
has "$ERR" "^l2tpfix: other users' phonebooks: access denied: run l2tpfix elevated \(Run as administrator\), or as SYSTEM through the RMM or Intune$" "--all-users refused without administrator rights"
cmp -s "$WORK/users.ini" "$WORK/users.noadmin" && ok || bad "a refused --all-users changed the machine"
printf '[profile "bob\\Office VPN"]\nowner = alice\n' >"$WORK/owner.ini"
run 2 --mock "$WORK/owner.ini" profiles
has "$ERR" "owner.ini:2: owner = alice: the profile's name must be that user's name, a backslash and the entry's name" \
    "an owner that does not name the profile"
run 3 --phonebook "$PBK_SAMPLES/user-l2tp.pbk" --all-users profiles
has "$ERR" "a --phonebook folder of user profiles lists every user already" "--all-users with --phonebook"
run 3 --phonebook "$U/carol" check
has "$ERR" 'no user has a phonebook below it' "a folder without phonebooks"
cp "$PBK_SAMPLES/user-l2tp.pbk" "$WORK/u.pbk"
run 1 --phonebook "$WORK/u.pbk" --state-dir "$WORK/u-state" check --json
hasjson "$OUT" '"id":"mschapv2","status":"fail"' "phonebook: mschapv2 fails"
hasjson "$OUT" '"id":"nat-traversal","status":"unknown"' "phonebook: the registry is unknown"
hasjson "$OUT" '"id":"credentials","status":"unknown"' "phonebook: credentials are unknown"
run 3 --phonebook "$WORK/u.pbk" --state-dir "$WORK/u-state" connect
has "$ERR" 'cannot dial' "phonebook: no dialing"
printf '[A]\r\nKey=1\r\n[B\r\n' >"$WORK/bad.pbk"
cp "$WORK/bad.pbk" "$WORK/bad.before"
run 2 --phonebook "$WORK/bad.pbk" check
has "$ERR" 'bad.pbk:3: a section header without' "phonebook: one line naming file and line"
cmp -s "$WORK/bad.pbk" "$WORK/bad.before" && ok || bad "a malformed phonebook was changed"
run 2 --phonebook "$WORK/u.pbk" --demo check
has "$ERR" 'exclude each other' "--phonebook with --demo"

# --- PowerShell scripts for other machines (issue 8): goldens, no secret, names quoted
GOLDEN=$(cd "$(dirname "$0")/golden" && pwd)
run 0 --demo script
cmp -s "$OUT" "$GOLDEN/script-classic-789.ps1" && ok || bad "script for classic-789 differs from its golden"
run 0 script --fix nat-traversal,allow-ipsec,restart-ipsec-services,use-psk,credentials,tunnel-l2tp \
    --profile "Branch's \$VPN" --all-users
cmp -s "$OUT" "$GOLDEN/script-fleet.ps1" && ok || bad "the fleet script differs from its golden"
has "$OUT" "^\\\$Name = 'Branch''s \\\$VPN'\$" "a quote in the name doubled, \$ left literal"
run 2 script --fix mschapv2,no-such-fix --profile X
has "$ERR" "no fix 'no-such-fix'" "script: unknown fix"
# --detect, --remediate, --create (issue 18): goldens; stray combinations refused in one line
golden() { # golden NAME: $OUT against tests/cli/golden/NAME (UPDATE_GOLDEN=1 rewrites it)
    if [ -n "${UPDATE_GOLDEN:-}" ]; then cp "$OUT" "$GOLDEN/$1"; fi
    cmp -s "$OUT" "$GOLDEN/$1" && ok || bad "$1 differs from its golden: $(diff "$GOLDEN/$1" "$OUT" | head -5)"
}
run 0 --demo script --detect
golden script-detect-classic-789.ps1
run 0 --demo script --remediate
golden script-remediate-classic-789.ps1
run 0 script --create --profile "Branch's \$VPN" --server vpn.example.com --all-users --nat-t
golden script-create.ps1
has "$OUT" "^\\\$Server = 'vpn.example.com'\$" "the server a literal"
for stray in "--detect --remediate" "--create --detect" "--remediate --create --server h"; do
    # shellcheck disable=SC2086
    run 2 script $stray --fix mschapv2 --profile X
    has "$ERR" '^l2tpfix: --detect, --remediate and --create exclude each other: one script each$' "$stray refused"
    [ "$(wc -l <"$ERR")" -eq 1 ] && [ ! -s "$OUT" ] && ok || bad "$stray: not one line, or a script written"
done
run 2 script --create --profile X
has "$ERR" '^l2tpfix: --create needs --profile NAME and --server HOST$' "--create without --server"
run 2 script --create --server vpn.example.com
has "$ERR" '^l2tpfix: --create needs --profile NAME and --server HOST$' "--create without --profile"
run 2 script --create --profile X --server h --fix mschapv2
has "$ERR" '^l2tpfix: --create reads no machine and takes no --fix' "--create with --fix"
run 2 --demo script --create --profile X --server h
has "$ERR" '^l2tpfix: --create reads no machine' "--create with --demo"
run 2 script --fix mschapv2 --profile X --server h
has "$ERR" '^l2tpfix: --server belongs to --create$' "--server without --create"
run 2 script --detect --fix mschapv2 --profile X --nat-t
has "$ERR" '^l2tpfix: --nat-t belongs to --create' "--nat-t without --create"
run 2 script --create --profile X --server 'vpn example'
has "$ERR" '^l2tpfix: --server: a host name or address has no spaces' "a server with a space"
run 2 script --remediate --fix tunnel-l2tp,switch-ikev2 --profile X
has "$ERR" 'tunnel-l2tp and switch-ikev2 want different VPN types' "a detection of two VPN types"
run 2 --demo check --detect
has "$ERR" '^l2tpfix: --detect is an option of script, not of check$' "--detect only for script"
fresh psk-mismatch
# a key file is no option of script: refused, not read into it
run 2 --mock "$S" --state-dir "$ST" --psk-file "$WORK/psk.txt" script
has "$ERR" '^l2tpfix: --psk-file is an option of .*, not of script$' "script refuses a key file"
run 0 --mock "$S" --state-dir "$ST" script --fix use-psk
if grep -q 'the-servers-key' "$OUT" "$ERR"; then bad "a key reached a script"; else ok; fi

# --- report (issue 8): goldens with times masked; never a secret
fresh classic-789
"$L2TPFIX" --mock "$S" --state-dir "$ST" fix mschapv2 --yes >/dev/null 2>&1 </dev/null
for fmt in text markdown json; do
    run 0 --mock "$S" --state-dir "$ST" report --format "$fmt"
    sed -E -e 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z/<time>/g' -e "s#$WORK#<work>#g" "$OUT" >"$WORK/report.$fmt"
    if [ -n "${UPDATE_GOLDEN:-}" ]; then cp "$WORK/report.$fmt" "$GOLDEN/report-classic-789.$fmt"; fi
    cmp -s "$WORK/report.$fmt" "$GOLDEN/report-classic-789.$fmt" && ok ||
        bad "report --format $fmt differs from its golden: $(diff "$GOLDEN/report-classic-789.$fmt" "$WORK/report.$fmt" | head -5)"
done
run 2 --mock "$S" --state-dir "$ST" report --format pdf
has "$ERR" 'text, markdown or json' "report: bad format"
fresh wrong-password
"$L2TPFIX" --mock "$S" --state-dir "$ST" --password-file "$WORK/pw.txt" fix credentials --yes >/dev/null 2>&1 </dev/null
for fmt in text markdown json; do
    "$L2TPFIX" --mock "$S" --state-dir "$ST" report --format "$fmt" >>"$WORK/reports" 2>&1 </dev/null
done
if grep -qE 'Correct-Pass|Spring-Rain|the-servers-key' "$WORK/reports"; then bad "a secret reached a report"; else ok; fi

# --- baselines (issue 8): drift found with the fix that restores it; bad files refused
fresh healthy
run 0 --mock "$S" --state-dir "$ST" baseline save
has "$OUT" 'saved to .*baseline-Office_VPN.json' "baseline saved in the state directory"
run 0 --mock "$S" --state-dir "$ST" baseline check
has "$OUT" 'No drift' "no drift right after saving"
# a feature update flips the PPP options back
sed -i 's/^\[profile "Office VPN"\]$/&\nLcpExtensions = 0\nAuthRestrictions = 128/' "$S"
run 1 --mock "$S" --state-dir "$ST" baseline check --json
hasjson "$OUT" '"setting":"AuthRestrictions","was":"544","now":"128","fix":"mschapv2"' "drift: AuthRestrictions"
hasjson "$OUT" '"setting":"LcpExtensions","was":"1","now":"0","fix":"lcp-extensions"' "drift: LcpExtensions"
"$L2TPFIX" --mock "$S" --state-dir "$ST" fix all --yes >/dev/null 2>&1 </dev/null
run 1 --mock "$S" --state-dir "$ST" baseline check
has "$OUT" 'AuthRestrictions +544 -> 512 +\(no fix of l2tpfix puts it back exactly\)' "an inexact restore is said"
hasnt "$OUT" 'LcpExtensions' "LcpExtensions restored"
printf '{"not": "a baseline"}' >"$WORK/nb.json"
run 2 --mock "$S" --state-dir "$ST" baseline check "$WORK/nb.json"
has "$ERR" 'nb.json: not an l2tpfix baseline' "baseline: a foreign file named"
run 2 --mock "$S" baseline frobnicate
has "$ERR" 'baseline needs save or check' "baseline: usage"

# --- explain
run 0 explain 789
has "$OUT" '^789 ERROR_OAKLEY_GENERAL_PROCESSING' "explain 789"
has "$OUT" 'MS-CHAP v2' "explain 789 names the PPP family"
has "$OUT" 'pre-shared key' "explain 789 names the IPsec family"
run 0 explain 691 --json
hasjson "$OUT" '"code":691,"name":"ERROR_AUTHENTICATION_FAILURE",.*"stage":"auth"' "explain json"
run 1 explain 1234
# every known code listed, and each one explains
has "$ERR" 'it knows: 0x800B0101 .* 718 .* 827 .* 13868$' "explain: the whole list of codes"
for code in $(sed -n 's/.*it knows://p' "$ERR"); do run 0 explain "$code" || break; done
run 2 explain abc
run 0 explain 718
has "$OUT" '^718 ERROR_PPP_TIMEOUT' "explain 718, which the handshake reports"
# --lcp-extensions: on, off or both, one line naming a bad value, nothing sent
run 2 handshake 127.0.0.1 --lcp-extensions maybe --psk-file /dev/null
has "$ERR" "^l2tpfix: --lcp-extensions takes on, off or both, not 'maybe'$" "handshake: a bad --lcp-extensions"
run 2 probe 127.0.0.1 --lcp-extensions on
has "$ERR" 'lcp-extensions' "--lcp-extensions belongs to handshake only"
run 0 explain 691
has "$OUT" 'user name or password is not valid, or the authentication protocol is not permitted' "explain 691: both meanings"
run 0 explain 781
has "$OUT" 'Obsolete: deprecated since Windows Vista' "explain 781: obsolete"
# event 20227 on Windows 10+ writes HRESULTs as negative decimals
run 0 explain -2146762495
has "$OUT" '^-2146762495 \(0x800B0101\) CERT_E_EXPIRED' "explain a negative HRESULT"
run 0 explain 0x80070315
has "$OUT" '^789 ERROR_OAKLEY_GENERAL_PROCESSING' "explain HRESULT_FROM_WIN32(789)"
run 2 explain -99999999999

# --- how far the last dial got, from its RasClient events 20221-20224
run 1 --demo=wrong-password check
has "$OUT" 'last-auth +last attempt: 691 ERROR_AUTHENTICATION_FAILURE; the dial got through IPsec and the L2TP tunnel and stopped in PPP' "last dial's reach"
fresh nat-809
run 1 --mock "$S" --state-dir "$ST" connect
has "$S" '^last_dial_events = 20221,20222$' "the mock logs its dial's events"
run 1 --mock "$S" --state-dir "$ST" check
has "$OUT" 'last-auth .*809 ERROR_VPN_TIMEOUT; the dial stopped while the WAN Miniport dialed the server' "reach of a dial that failed in IPsec"

# --- PolicyAgent alone stopped: Manual, started on demand, not an 827
fresh healthy
printf '\n[services]\nPolicyAgent = stopped\n' >>"$S"
run 1 --mock "$S" --state-dir "$ST" check
has "$OUT" '^  WARN +ipsec-services +PolicyAgent stopped: not an 827 cause' "PolicyAgent alone: a warning"
hasnt "$OUT" 'Windows: 827' "PolicyAgent alone: not 827"
run 0 --mock "$S" --state-dir "$ST" connect
has "$OUT" '^Connected' "PolicyAgent alone: the connection still connects"

# --- the live backend needs Windows; help; version
run 3 check
has "$ERR" 'needs Windows.*--demo' "no live backend on Linux"
run 0 --help
has "$OUT" '^  fix ID...\|all' "help"
run 0 --version
has "$OUT" '^l2tpfix [0-9]+\.[0-9]+\.[0-9]+ \(commit ([0-9a-f]+(-dirty)?|unknown)\)$' "version (run_version_tests.sh: which commit)"
run 2 --demo tui
has "$ERR" 'needs a terminal' "tui without a terminal"

# --- secrets never leave: not in any output, journal or backup
fresh psk-mismatch
for cmd in check "check --json" "fix all --yes --psk-file $WORK/psk.txt" history connect "connect --json" profiles; do
    # shellcheck disable=SC2086
    "$L2TPFIX" --mock "$S" --state-dir "$ST" $cmd >>"$WORK/all-out" 2>&1 </dev/null
done
if grep -rqE 'the-servers-key|an-old-key|Spring-Rain' "$WORK/all-out" "$ST"; then bad "a secret reached output or state"; else ok; fi

# --- weak-crypto (issue 16 family 2): a server taking only 3des-md5-modp1024. The check names
# allow-weak-crypto beside Windows' offer; fix all leaves it; applied with its warning it connects;
# undo restores the absence, and 788 again
run 1 --demo=weak-crypto check
golden check-weak-crypto.txt
has "$OUT" '^  FAIL +ike-proposals +NO-PROPOSAL-CHOSEN \(788\): the server accepts only 3des-md5-modp1024; Windows offers .*no des/md5 \(AllowL2TPWeakCrypto not set\): allow-weak-crypto' \
    "weak-crypto: the check names the fix beside Windows' offer"
hasnt "$OUT" 'Recommended fixes' "weak-crypto: nothing for fix all"
run 1 --demo=weak-crypto check --json
hasjson "$OUT" '"id":"ike-proposals","status":"fail","summary":"[^"]*","skipped":false,"fix":"allow-weak-crypto","fix_alternative":true' \
    "weak-crypto json: offered, an alternative"
hasjson "$OUT" '"fixes":\[\],"probe_age_s":null,"server_accepts":\["3des-md5-modp1024"\]' "weak-crypto json: server_accepts"
fresh weak-crypto
run 0 --mock "$S" --state-dir "$ST" fix all --yes
has "$OUT" '^Nothing to fix' "weak-crypto: fix all does not weaken the tunnel"
hasnt "$S" '^RasMan.Parameters.AllowL2TPWeakCrypto' "weak-crypto: fix all changed nothing"
run 1 --mock "$S" --state-dir "$ST" connect
has "$OUT" 'Stopped in: ipsec' "weak-crypto: 788 before the fix"
run 0 --mock "$S" --state-dir "$ST" fix allow-weak-crypto --yes
golden fix-allow-weak-crypto.txt
has "$OUT" '^    Warning: This weakens the tunnel: DES and MD5 are broken\. Upgrade the server' "the fix's warning"
has "$OUT" 'AllowL2TPWeakCrypto \(DWORD\): not set -> 1' "the value it sets"
has "$OUT" '^Restart Windows for the registry change to take effect' "it needs a restart"
has "$S" '^RasMan\\Parameters\\AllowL2TPWeakCrypto = 1$' "the value written"
run 0 --mock "$S" --state-dir "$ST" connect
has "$OUT" '^Connected' "weak-crypto connects after allow-weak-crypto"
run 1 --mock "$S" --state-dir "$ST" check
has "$OUT" '^  WARN +ike-proposals +the server accepts only 3des-md5-modp1024 \(DES/MD5\), which Windows offers since AllowL2TPWeakCrypto=1' \
    "weak-crypto: still a warning once applied (upgrade the server)"
run 0 --mock "$S" --state-dir "$ST" undo --yes
has "$OUT" 'undone entry [0-9]+ \(allow-weak-crypto\)' "undo allow-weak-crypto"
hasnt "$S" '^RasMan.Parameters.AllowL2TPWeakCrypto' "undo restores the value's absence"
run 1 --mock "$S" --state-dir "$ST" connect
has "$OUT" 'Stopped in: ipsec' "788 again after the undo"
# a value that was there before (0) comes back as 0
fresh weak-crypto
printf '\n[registry]\nRasMan\\Parameters\\AllowL2TPWeakCrypto = 0\n' >>"$S"
run 0 --mock "$S" --state-dir "$ST" fix allow-weak-crypto --yes
run 0 --mock "$S" --state-dir "$ST" undo --yes
has "$S" '^RasMan\\Parameters\\AllowL2TPWeakCrypto = 0$' "undo restores the previous value"
# a server Windows' offer suits: the weakening is refused, nothing changes
fresh healthy
run 1 --mock "$S" --state-dir "$ST" fix allow-weak-crypto --yes
has "$ERR" 'allow-weak-crypto not offered: the server accepts Windows' "allow-weak-crypto refused without need"
# a group Windows does not offer: the server's configuration, named
sed 's/^proposals = .*/proposals = aes128-sha1-modp1536/' "$SCENARIOS/weak-crypto.ini" >"$WORK/modp1536.ini"
run 1 --mock "$WORK/modp1536.ini" --state-dir "$WORK/modp1536-st" check
has "$OUT" "^  FAIL +ike-proposals .*accepts aes128-sha1-modp1536; .*add aes256-sha1-modp2048 to the server's IKE proposals" \
    "modp1536: the server must change"
# the script: the warning, then the registry step
run 0 --demo=weak-crypto script --fix allow-weak-crypto
golden script-allow-weak-crypto.ps1
has "$OUT" "^    Write-Warning 'allow-weak-crypto: This weakens the tunnel" "script: the warning"

# --- a state directory path too long is refused, with the reason, before any of it is made
fresh classic-789
long="$WORK/long/$(head -c 5000 /dev/zero | tr '\0' d | sed 's/.\{100\}/&\//g')"
run 2 --mock "$S" --state-dir "$long" fix all --yes
has "$ERR" "state directory path is ${#long} characters; the limit is [0-9]+ \(4095, the longest path" "long state dir: the reason"
[ -e "$WORK/long" ] && bad "long state dir: directories were made" || ok

# --- issue 16 family 6: where the last real dial stopped, lit per stage (its RasClient events
# 20221-20224 and 789: the tunnel came up, so it stopped in PPP, not IPsec as 789's name says)
dial_view() { # the stage lines of check, then its last_dial object
    "$L2TPFIX" "$@" check 2>/dev/null </dev/null | grep -E '^(tunnel|ipsec|ppp|auth) |^Last connection'
    "$L2TPFIX" "$@" check --json 2>/dev/null </dev/null |
        python3 -c 'import json, sys; print(json.dumps(json.load(sys.stdin)["last_dial"], indent=1, sort_keys=True))'
}
dial_view --demo >"$OUT"
golden last-dial-classic-789.txt
fresh classic-789
sed -i 's/^last_error = 789$/&\nlast_time = 2026-11-23T23:40:00.123Z/' "$S"
dial_view --mock "$S" --state-dir "$ST" >"$OUT"
golden last-dial-timed.txt
# a change since the dial: said, and no stage lit
"$L2TPFIX" --mock "$S" --state-dir "$ST" fix mschapv2 --yes >/dev/null 2>&1 </dev/null
dial_view --mock "$S" --state-dir "$ST" >"$OUT"
golden last-dial-stale.txt
hasnt "$OUT" 'last dial (passed|stopped)' "stale dial: no stage lit"
# a dial no progress event places: the code is told, no stage lit
sed -i '/^last_dial_events/d' "$S"
dial_view --mock "$S" --state-dir "$WORK/unplaced-st" >"$OUT"
has "$OUT" '"stopped_in": null' "unplaced dial: not placed"
hasnt "$OUT" 'last dial (passed|stopped)' "unplaced dial: no stage lit"

echo "cli: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
