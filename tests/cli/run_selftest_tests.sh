#!/usr/bin/env bash
# selftest on the mock (issue 19): --json prints what --out writes as
# selftest.json, the text is what --out writes as selftest.txt, and --redact
# leaves no profile, owner, user or computer name in either: neither the
# names the mock itself prints nor those that reach the report another way
# (here the scenario file, named after a user and after this computer).
# Usage: run_selftest_tests.sh L2TPFIX SCENARIO_DIR
set -u
L2TPFIX=$1
SCENARIOS=$2
fail_detail() { head -20 "$OUT" | sed 's/^/    out: /'; }
. "$(dirname "$0")/lib_work.sh" selftest
OUT=$WORK/out
run() { # run EXPECTED_EXIT args...: stdout into $OUT, stderr into $OUT.err
    local want=$1; shift
    "$L2TPFIX" "$@" >"$OUT" 2>"$OUT.err" </dev/null
    local rc=$?
    if [ "$rc" -ne "$want" ]; then bad "l2tpfix $* exited $rc, want $want: $(head -3 "$OUT.err")"; return 1; fi
    ok
}
# names NAME... in FILE, case-insensitive, each a whole word: prints those found
found() {
    local file=$1 n; shift
    for n in "$@"; do grep -qiwF -- "$n" "$file" && printf '%s; ' "$n"; done
}

# multi-profile: four profiles (one in grace's phonebook), frank's saved user name
host=$(hostname)
cp "$SCENARIOS/multi-profile.ini" "$WORK/frank.ini"
cp "$SCENARIOS/multi-profile.ini" "$WORK/$host.ini"
names=("Office VPN" "Home IKEv2" "grace" "frank" "$host")
secrets=("multi-secret" "Night-Owl" "Day-Lark")

# --json alone on stdout, the same document --out writes; the text the same as selftest.txt
m=(--mock "$WORK/frank.ini" --state-dir "$WORK/st" --all-users)
run 0 "${m[@]}" selftest --json --out "$WORK/plain" && cp "$OUT" "$WORK/plain.stdout.json"
python3 - "$WORK/plain.stdout.json" "$WORK/plain/selftest.json" <<'PY' && ok || bad "selftest --json: $(head -c 300 "$WORK/plain.stdout.json")"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
assert a == b, "stdout and selftest.json differ"
assert a["schema_version"] == 1 and a["redacted"] is False, a
assert [i["id"] for i in a["items"]] == ["rasentry-size", "pbk-flags", "psk-mask", "rasclient-events",
                                         "ikeext-dependents", "elevation", "os-build"]
for i in a["items"]:
    assert set(i) == {"id", "assumption", "verdict", "evidence", "notes", "notes_omitted"}, i
    assert i["verdict"] == "simulated" and i["evidence"] and i["assumption"], i
flags = next(i for i in a["items"] if i["id"] == "pbk-flags")
assert len(flags["notes"]) == 4, flags  # one per profile, grace's included with --all-users
PY
run 0 "${m[@]}" selftest
grep -v '^$' "$OUT" | grep -v '^Read only' >"$WORK/stdout.txt"
grep -v '^$' "$WORK/plain/selftest.txt" | grep -v '^Read only' >"$WORK/file.txt"
if cmp -s "$WORK/stdout.txt" "$WORK/file.txt"; then ok; else bad "selftest.txt is not what selftest prints"; fi

# the test can see a leak: without --redact the names are there
leaked=$(found "$WORK/plain/selftest.txt" "Office VPN" "grace" "frank")
[ "$leaked" = "Office VPN; grace; frank; " ] && ok || bad "unredacted, the names should show: saw '$leaked'"

# --redact: no name in the text, the JSON or stdout, whichever way it reached the report
# (the --out directory is the person's own choice, echoed in "Written:": named neutrally here)
k=0
for scen in frank "$host"; do
    k=$((k + 1))
    r=(--mock "$WORK/$scen.ini" --state-dir "$WORK/st" --all-users)
    run 0 "${r[@]}" selftest --redact --out "$WORK/red-$k"
    cp "$OUT" "$WORK/red-$k/stdout.txt"
    run 0 "${r[@]}" selftest --redact --json
    cp "$OUT" "$WORK/red-$k/stdout.json"
    for f in selftest.txt selftest.json stdout.txt stdout.json; do
        leaked=$(found "$WORK/red-$k/$f" "${names[@]}")
        [ -z "$leaked" ] && ok || bad "--redact ($scen.ini): $f shows $leaked"
    done
done
grep -q '^l2tpfix selftest on mock: user\.ini (names redacted)$' "$WORK/red-1/selftest.txt" && ok ||
    bad "a user's name outside the profiles: $(head -1 "$WORK/red-1/selftest.txt")"
grep -q '^l2tpfix selftest on mock: computer\.ini (names redacted)$' "$WORK/red-2/selftest.txt" && ok ||
    bad "the computer's name: $(head -1 "$WORK/red-2/selftest.txt")"
grep -qE '^ +- profile 4: pre-shared key used, saved; saved user name: user$' "$WORK/red-1/selftest.txt" && ok ||
    bad "redacted profiles are numbered, users are 'user': $(grep 'profile 4' "$WORK/red-1/selftest.txt")"

# never a secret, redacted or not
for f in "$WORK"/plain/* "$WORK"/red-*/*; do
    leaked=$(found "$f" "${secrets[@]}")
    [ -z "$leaked" ] && ok || bad "a secret in $f: $leaked"
done

echo "selftest: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
