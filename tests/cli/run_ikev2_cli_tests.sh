#!/usr/bin/env bash
# handshake --ikev2 without a server: what it needs and refuses (one line,
# exit 2 for usage, 3 for a file it cannot read), and, in a network namespace of its own with nothing listening,
# the 809 a Windows client shows, as JSON matching its schema, within the
# timeout, the password nowhere in the output.
# Usage: run_ikev2_cli_tests.sh L2TPFIX SCHEMA_DIR
set -u
L2TPFIX=$1
SCHEMA=$2/handshake-ikev2.schema.json
. "$(dirname "$0")/lib_work.sh" ikev2
OUT=$WORK/out ERR=$WORK/err
fail_detail() { sed 's/^/    /' "$OUT" "$ERR" | head -40; }
printf 'Sekrit-Ikev2-77\n' >"$WORK/pw"

usage() { # usage EXIT WANT_IN_STDERR args...
    local code=$1 want=$2
    shift 2
    "$L2TPFIX" handshake 192.0.2.1 "$@" >"$OUT" 2>"$ERR" </dev/null
    local rc=$?
    if [ "$rc" -eq "$code" ] && [ "$(wc -l <"$ERR")" -eq 1 ] && grep -qF -- "$want" "$ERR" && [ ! -s "$OUT" ]; then
        ok
    else
        bad "handshake $*: exit $rc, want $code and one line saying '$want'"
    fi
}
usage 2 "--user" --ikev2 --password-file "$WORK/pw"
usage 2 "--ikev2" --ca-file "$WORK/pw" --user a --psk-file "$WORK/pw" --password-file "$WORK/pw"
usage 3 "missing" --ikev2 --user alice --password-file "$WORK/missing"
# the checklist's i uses --ca-file too: a missing one is refused before the terminal is taken
"$L2TPFIX" --demo --ca-file "$WORK/missing-ca.pem" >"$OUT" 2>"$ERR" </dev/null
rc=$?
if [ "$rc" -eq 3 ] && [ "$(wc -l <"$ERR")" -eq 1 ] && grep -qF -- "--ca-file" "$ERR" && grep -qF "missing-ca.pem" "$ERR"; then
    ok
else
    bad "tui --ca-file missing: exit $rc, want 3 and one line naming the file"
fi

# nothing listening: unshare --net gives a loopback of our own
if unshare --net true 2>/dev/null || unshare --user --map-root-user --net true 2>/dev/null; then
    flags=(--net)
    unshare --net true 2>/dev/null || flags=(--user --map-root-user --net)
    start=$(date +%s)
    unshare "${flags[@]}" sh -c 'ip link set lo up 2>/dev/null; exec "$@"' sh \
        "$L2TPFIX" handshake 127.0.0.2 --ikev2 --user alice --password-file "$WORK/pw" \
        --timeout 1500 --json >"$OUT" 2>"$ERR" </dev/null
    rc=$? took=$(($(date +%s) - start))
    if [ "$rc" -eq 1 ]; then ok; else bad "no server: exit $rc, want 1"; fi
    if [ "$took" -le 10 ]; then ok; else bad "no server: took ${took} s for a 1.5 s timeout"; fi
    flat=$(tr -d ' \n\t' <"$OUT")
    case "$flat" in *'"id":"tunnel","outcome":"failed","code":809'*) ok ;; *) bad "no server: the tunnel stage is not failed 809" ;; esac
    case "$flat" in *'"protocol":"ikev2"'*'"server_certificate":null'*) ok ;; *) bad "no server: protocol or certificate" ;; esac
    if grep -qF "Sekrit-Ikev2-77" "$OUT" "$ERR"; then bad "the password was printed"; else ok; fi
    # the outcome kept for check (ikev2.json in the state directory): no password, no user name
    rec=$(find "$XDG_STATE_HOME" -name ikev2.json 2>/dev/null | head -1)
    case "$(tr -d ' \n\t' <"${rec:-/dev/null}")" in
    *'"host":"127.0.0.2"'*'"outcome":"failed","stage":"tunnel","code":809'*) ok ;;
    *) bad "no server: ikev2.json does not record the 809 at the tunnel (${rec:-none})" ;;
    esac
    if [ -n "$rec" ] && grep -qE "Sekrit-Ikev2-77|alice" "$rec"; then bad "ikev2.json holds the password or user name"; else ok; fi
    if python3 -c 'import jsonschema' 2>/dev/null; then
        if python3 -c 'import json,sys,jsonschema; jsonschema.validate(json.load(open(sys.argv[2])), json.load(open(sys.argv[1])))' \
            "$SCHEMA" "$OUT"; then ok; else bad "no server: the JSON does not match the schema"; fi
    fi
else
    echo "ikev2 cli: no network namespace here; the 809 case is left out"
fi

echo "ikev2 cli: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
