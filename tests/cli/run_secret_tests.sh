#!/usr/bin/env bash
# Secrets (issue 9): every command, with and without --json, given a sentinel
# key and password; the sentinels must appear in no output channel and in no
# file l2tpfix writes (journal, backups, baselines, caches). The scenario file
# is left out: it plays Windows' own credential store, where use-psk and
# credentials are meant to save them.
# Usage: run_secret_tests.sh L2TPFIX SCENARIO_DIR
set -u
L2TPFIX=$1
SCENARIOS=$2
export L2TPFIX_MOCK_STEP_MS=0
WORK=$(mktemp -d "${TMPDIR:-/tmp}/l2f-secret-XXXXXX")
trap 'rm -rf "$WORK"' EXIT
export XDG_STATE_HOME="$WORK/xdg"
KEY=Sentinel-Key-4f1c9e PW=Sentinel-Pass-7b2d05
printf '%s\n' "$KEY" >"$WORK/key"
printf '%s\n' "$PW" >"$WORK/pw"
ST="$WORK/state"
out="$WORK/all-output"
: >"$out"
runs=0
run() { # run SCENARIO ARGS...: stdout and stderr both kept; the secrets to every command that takes them
    local sc=$1 secrets=(); shift
    case " $* " in
    *" baseline "*) ;;
    *" fix "* | *" connect "*) secrets=(--psk-file "$WORK/key" --password-file "$WORK/pw") ;;
    *" check "*) secrets=(--psk-file "$WORK/key") ;;
    esac
    "$L2TPFIX" --mock "$WORK/$sc.ini" --state-dir "$ST" "${secrets[@]}" "$@" >"$WORK/one" 2>&1 </dev/null
    cat "$WORK/one" >>"$out"
    grep -q 'is an option of' "$WORK/one" && { echo "FAIL: an option refused: $*: $(cat "$WORK/one")"; refused=1; }
    runs=$((runs + 1))
}
refused=0
for sc in classic-789 psk-mismatch wrong-password nat-809; do
    cp "$SCENARIOS/$sc.ini" "$WORK/$sc.ini"
    for json in "" --json; do
        run "$sc" check $json
        run "$sc" fix all --yes
        run "$sc" fix use-psk credentials --yes
        run "$sc" fix use-psk --store-rejected-key --yes
        run "$sc" history $json
        run "$sc" connect $json
        run "$sc" profiles $json
        run "$sc" report --format "${json:+json}${json:-markdown}"
        run "$sc" baseline save
        run "$sc" baseline check $json
        run "$sc" script
        run "$sc" script --fix use-psk,credentials
        run "$sc" undo all --yes
        "$L2TPFIX" explain 691 $json >>"$out" 2>&1 </dev/null # no machine: explain takes none
    done
done
# the network commands, against a port nothing listens on (an answer at once)
"$L2TPFIX" probe 127.0.0.1 --port 15500 --natt-port 15501 --timeout 300 --psk-file "$WORK/key" --json >>"$out" 2>&1 </dev/null
"$L2TPFIX" handshake 127.0.0.1 --port 15500 --timeout 300 --psk-file "$WORK/key" --user alice \
    --password-file "$WORK/pw" --json >>"$out" 2>&1 </dev/null
runs=$((runs + 2))
failed=0
if grep -q -e "$KEY" -e "$PW" "$out"; then
    echo "FAIL: a sentinel reached the output:"; grep -n -e "$KEY" -e "$PW" "$out" | head -5; failed=1
fi
if grep -rlq -e "$KEY" -e "$PW" "$ST" "$XDG_STATE_HOME" 2>/dev/null; then
    echo "FAIL: a sentinel reached a file:"; grep -rl -e "$KEY" -e "$PW" "$ST" "$XDG_STATE_HOME"; failed=1
fi
# and they really were used: the saved key reached the simulated credential store
grep -q "$KEY" "$WORK"/*.ini || { echo "FAIL: the key was never saved (the test proves nothing)"; failed=1; }
grep -q "$PW" "$WORK"/*.ini || { echo "FAIL: the password was never saved (the test proves nothing)"; failed=1; }
echo "secrets: $runs runs, $(wc -c <"$out") bytes of output and $(find "$ST" -type f | wc -l) state files searched"
[ "$failed" -eq 0 ] && [ "$refused" -eq 0 ]
