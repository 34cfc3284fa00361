#!/usr/bin/env bash
# Reused probe answers (issue 14): an explicit `probe` always asks the server,
# never a cached answer, though it keeps its own for the next `check`; `check`
# may reuse a recent answer and then says how old it is, in text and in JSON.
# The cache file is written by hand with a marker transform no real probe of
# 127.0.0.1 (nothing listening on UDP 500) can report.
# Usage: run_probe_cache_tests.sh L2TPFIX
set -u
L2TPFIX=$1
WORK=$(mktemp -d "${TMPDIR:-/tmp}/l2f-probe-cache-XXXXXX")
trap 'rm -rf "$WORK"' EXIT
export XDG_STATE_HOME="$WORK/xdg"
export L2TPFIX_MOCK_STEP_MS=0
STATE=$WORK/state
OUT=$WORK/out
fails=0
ok() { :; }
bad() { echo "FAIL: $1"; fails=$((fails + 1)); }
has() { if grep -qE -- "$1" "$OUT.flat"; then ok; else bad "$2: no /$1/ in: $(head -c 600 "$OUT.flat")"; fi; }
hasnt() { if grep -qE -- "$1" "$OUT.flat"; then bad "$2: /$1/ in: $(head -c 600 "$OUT.flat")"; else ok; fi; }

# one answer for 127.0.0.1 on 500/4500, AGE seconds old: IKEv1 accepted with the marker transform
write_cache() {
    local when=$(($(date +%s) - $1))
    local item='{"outcome":0,"transform":"marker-cached-3des","detail":"","malformed":false,"ms":3}'
    mkdir -p "$STATE"
    printf '[{"host":"127.0.0.1","port":500,"natt_port":4500,"when":%d,"resolved":true,"literal":true,"address":"127.0.0.1","behind_nat":0,"natt_vendor_id":true,"items":[%s,%s,{"outcome":1,"transform":"","detail":"","malformed":false,"ms":3}]}]' \
        "$when" "$item" "$item" >"$STATE/probe-cache.json"
}
check() { # check [--json]: the simulated machine, whose server is 127.0.0.1, probed for real
    "$L2TPFIX" --mock "$WORK/s.ini" --state-dir "$STATE" --probe-real check "$@" >"$OUT" 2>&1 </dev/null
    tr -d '\n' <"$OUT" >"$OUT.flat"
}
printf '[server]\naddress = 127.0.0.1\n[profile "Lab"]\nPhoneNumber = 127.0.0.1\n' >"$WORK/s.ini"

# check reuses the answer from 5 s ago, and says so on the server's checks
write_cache 5
check
# the hint names the state directory: copied, it asks again into the same cache
has "the server chose marker-cached-3des; answers from [5-9] s ago \\(cached; \`l2tpfix --state-dir $STATE probe 127.0.0.1\` asks again\\)" \
    "check (text) names the age of a reused answer, and the probe hint keeps --state-dir"
check --json
tr -d ' \t' <"$OUT.flat" >"$OUT.tmp" && mv "$OUT.tmp" "$OUT.flat"
has '"probe_age_s":[5-9][,}]' "check --json: probe_age_s"
has '"id":"ike-proposals","status":"pass","summary":"theserverchosemarker-cached-3des;answersfrom[5-9]sago' \
    "check --json: the summary says how old"
has '"id":"ikev2-available","status":"pass","summary":"[^"]*answersfrom[5-9]sago\(cached' "ikev2-available says how old"
for id in ike-500 ike-4500; do
    has "\"id\":\"$id\",\"status\":\"pass\",\"summary\":\"[^\"]*answersfrom[5-9]sago\\(cached" "$id says how old"
done

# an explicit probe asks again: no answer from an empty port, not the cached one
write_cache 5
"$L2TPFIX" --state-dir "$STATE" probe 127.0.0.1 --timeout 500 --json >"$OUT" 2>&1 </dev/null
rc=$?
tr -d ' \n\t' <"$OUT" >"$OUT.flat"
[ "$rc" -eq 1 ] || bad "probe of an empty port exited $rc, not 1"
hasnt 'marker-cached-3des' "probe reported the cached answer"
has '"reused":false' "probe: not reused"
has '"probe":"ikev1-500","outcome":"(no-answer|error)"' "probe: the empty port's own answer"

# ... and keeps that fresh answer: a check right after reuses it, not the old one
check --json
tr -d ' \t' <"$OUT.flat" >"$OUT.tmp" && mv "$OUT.tmp" "$OUT.flat"
hasnt 'marker-cached-3des' "check after probe: the old answer"
has '"probe_age_s":[0-3][,}]' "check after probe reuses the probe's fresh answer"

# nothing cached: asked now, probe_age_s is null and no summary mentions a cache
rm -f "$STATE/probe-cache.json"
check --json
tr -d ' \t' <"$OUT.flat" >"$OUT.tmp" && mv "$OUT.tmp" "$OUT.flat"
has '"probe_age_s":null' "check asking now: probe_age_s null"
hasnt 'answersfrom' "check asking now: no age in the summaries"

if [ "$fails" -ne 0 ]; then
    echo "$fails probe-cache assertion(s) failed"
    exit 1
fi
echo "probe cache: all passed"
