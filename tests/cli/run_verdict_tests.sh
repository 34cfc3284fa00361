#!/usr/bin/env bash
# Verdicts never round an unknown up (issue 14): `check` exits 0 only when every
# check made passes, 1 on problems (which win over unknowns), 4 when nothing
# fails but checks could not be made here, and says how many and why.
# Usage: run_verdict_tests.sh L2TPFIX PBK_DIR
set -u
L2TPFIX=$1
PBK_SAMPLES=$2
fail_detail() { head -40 "$OUT" | sed 's/^/    out: /'; head -5 "$ERR" | sed 's/^/    err: /'; }
. "$(dirname "$0")/lib_work.sh" verdict
OUT=$WORK/out
ERR=$WORK/err
run() {
    local want=$1; shift
    "$L2TPFIX" "$@" >"$OUT" 2>"$ERR" </dev/null
    local rc=$?
    if [ "$rc" -ne "$want" ]; then bad "l2tpfix $* exited $rc, want $want"; return 1; fi
    ok
}
has() { if grep -qE -- "$2" "$1"; then ok; else bad "$3: no match for /$2/"; fi; }
hasnt() { if grep -qE -- "$2" "$1"; then bad "$3: unexpected /$2/"; else ok; fi; }
hasjson() { tr -d ' \n\t' <"$1" >"$WORK/flat.json"; has "$WORK/flat.json" "$2" "$3"; }

# A phonebook file offline whose profile is right: 4 checks made, 11 that
# need what a file cannot show, psk-matches and machine-certificate (a PSK profile) skipped
cp "$PBK_SAMPLES/user-l2tp.pbk" "$WORK/u.pbk"
run 0 --phonebook "$WORK/u.pbk" --state-dir "$WORK/st" fix all --yes
run 4 --phonebook "$WORK/u.pbk" --state-dir "$WORK/st" check
hasnt "$OUT" 'No problem found on this side' "offline: never the all-pass sentence"
has "$OUT" '^No problem found in the 4 checks made here; 12 could not be made here, 2 skipped\.$' "offline: counts"
has "$OUT" 'this backend \(phonebook file: u\.pbk \(offline\)\) cannot see the registry \(2 checks\), the OS build \(1\), the IPsec services \(1\), the credential store \(2\), the connection history \(1\) or the server.s answers \(5\)\.' "offline: why, grouped by what the backend cannot see"
has "$OUT" "run l2tpfix on the Windows machine itself; \`l2tpfix --state-dir $WORK/st probe vpn\\.example\\.com\` asks the server from here" \
    "offline: what would check them (the probe hint keeps this run's state directory)"
has "$OUT" '^  skipped psk-matches +no key at hand' "offline: the skipped check says so"
has "$OUT" '^ipsec +IPsec +unknown$' "offline: a stage with an unknown is not pass"
run 4 --phonebook "$WORK/u.pbk" --state-dir "$WORK/st" check --json
hasjson "$OUT" '"verdict":"incomplete","unknown":12,"skipped":2,"not_applicable":0,"not_seen":\[\{"part":"registry","reason":"notsupportedbythisbackend","checks":2\}' "offline json: verdict, counts, what was not seen"
hasjson "$OUT" '"id":"psk-matches","status":"unknown","summary":"[^"]*","skipped":true' "offline json: psk-matches skipped"
hasjson "$OUT" '"id":"ipsec","status":"unknown"' "offline json: the ipsec stage is unknown"
# report: the same verdict in the document; its own exit says it was written
run 0 --phonebook "$WORK/u.pbk" --state-dir "$WORK/st" report
has "$OUT" '^  No problem found in the 4 checks made here; 12 could not be made here, 2 skipped\.$' "report: the verdict"
has "$OUT" '^  IPsec +unknown 7 could not be checked here, 2 skipped$' "report: the stage counts"
run 0 --phonebook "$WORK/u.pbk" --state-dir "$WORK/st" report --format json
hasjson "$OUT" '"diagnosis":\{.*"verdict":"incomplete","unknown":12' "report json: the verdict"

# The same file before its fixes: problems win over unknowns (exit 1)
run 1 --phonebook "$PBK_SAMPLES/user-l2tp.pbk" check
has "$OUT" '^Problems found: 2 FAIL; 12 more checks could not be made here, 2 skipped\.$' "problems and unknowns"
hasnt "$OUT" 'No problem found' "problems: no 'no problem'"

# The demo: everything passes but the skipped checks (exit 0); classic-789 fails (exit 1)
run 0 --demo=healthy check
has "$OUT" '^No problem found on this side: all 15 checks pass, 3 skipped\.$' "healthy: all pass"
has "$OUT" '^ipsec +IPsec +pass( +last dial passed)?$' "healthy: ipsec passes"
run 0 --demo=healthy check --json
hasjson "$OUT" '"verdict":"pass","unknown":0,"skipped":3,"not_applicable":0,"not_seen":\[\]' "healthy json"
run 1 --demo check
has "$OUT" '^Problems found: 2 FAIL; 1 more check could not be made here, 3 skipped\.$' "classic-789: problems"
run 1 --demo check --json
hasjson "$OUT" '"verdict":"problems"' "classic-789 json"

# A healthy machine with no attempt on record: one check cannot decide (exit 4)
sed '/^last_error/d' "$(dirname "$0")/../../scenarios/healthy.ini" >"$WORK/noattempt.ini"
run 4 --mock "$WORK/noattempt.ini" --state-dir "$WORK/st2" check
has "$OUT" '^No problem found in the 14 checks made here; 1 could not be made here, 3 skipped\.$' "no attempt: counts"
has "$OUT" '^1 check could not decide from what it saw: see the row marked unknown\.$' "no attempt: why"

# The contract is in --help
run 0 --help
has "$OUT" 'check: 4 no problem found, but some$' "help: exit 4"

# No silent caps: a user folder of 200 characters (26 of them CJK: 252 bytes, as
# much as Linux's 255-byte names let a test hold), which Windows allows (255
# characters), is kept whole in names, JSON, the header and fixes
owner=$(python3 -c 'print("用户" * 13 + "u" * 174, end="")')
U="$WORK/Users"; book="$U/$owner/AppData/Roaming/Microsoft/Network/Connections/Pbk"
mkdir -p "$book" && cp "$PBK_SAMPLES/user-l2tp.pbk" "$book/rasphone.pbk"
run 0 --phonebook "$U" profiles
has "$OUT" "^$owner\\\\Office VPN user " "a 200-character owner: the whole name listed"
run 0 --phonebook "$U" profiles --json
has "$OUT" "\"owner\":[[:space:]]*\"$owner\"" "a 200-character owner: whole in JSON"
run 1 --phonebook "$U" --state-dir "$WORK/st3" --profile "$owner\\Office VPN" check
has "$OUT" "^Profile  $owner\\\\Office VPN \\($owner's phonebook\\)$" "a 200-character owner: whole in the header"
run 0 --phonebook "$U" --state-dir "$WORK/st3" --profile "$owner\\Office VPN" fix all --yes
has "$book/rasphone.pbk" '^LcpExtensions=1' "a 200-character owner: its phonebook fixed"

# Many profiles and no --profile: the error lists what fits and says how many more
for i in $(seq -w 1 30); do printf '[A profile with a longish name %s]\r\nType=2\r\nVpnStrategy=3\r\n' "$i"; done >"$WORK/many.pbk"
run 2 --phonebook "$WORK/many.pbk" check
has "$ERR" "'A profile with a longish name 01', .* and [0-9]+ more \\(l2tpfix --phonebook $WORK/many.pbk profiles\\)$" \
    "many profiles: the rest counted, not cut silently, with the command that lists them here"

echo "verdicts: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
