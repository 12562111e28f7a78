#!/usr/bin/env bash
# Two `artifact-search` binaries on the same mix, alternated: A, B, A, B, … (ROUNDS pairs), each
# run a fresh server on a fresh copy of the pristine store, 16 closed-loop clients for SECONDS.
# This machine's speed drifts by up to 1.7× between minutes (another tenant), so compare only
# runs alternated like this, as medians. (never in CI)
#
# usage: Benchmarks/http/ab.sh BIN_A BIN_B [SECONDS] [ROUNDS]
#        env MIX (filtered | unfiltered; default filtered), SAVE_EVERY (load.c; default 10),
#        WORK (default /tmp/http-bench; run.sh sets it up: store.pristine, load, queries.txt)
# prints one line per run: requests/s, search p50/p90/p99/max, save p50/p99, errors, missing
# saves, server CPU per request.
set -euo pipefail
cd "$(dirname "$0")/../.."
A=$1; B=$2; SECONDS_PER_RUN=${3:-30}; ROUNDS=${4:-3}
WORK=${WORK:-/tmp/http-bench}
MIX=${MIX:-filtered}
STORE=$WORK/store
for needed in "$WORK/store.pristine" "$WORK/load" "$WORK/queries.txt"; do
    [ -e "$needed" ] || { echo "missing $needed: run Benchmarks/http/run.sh once first" >&2; exit 1; }
done
echo '[{"key": "bench-key", "org_id": "bench", "write": true}]' > "$WORK/keys.json"

one() {
    local bin=$1
    rm -rf "$STORE" && Benchmarks/http/fresh_copy.sh "$WORK/store.pristine" "$STORE"
    "$bin" serve --store "$STORE" --keys "$WORK/keys.json" --port 0 2> "$WORK/serve.log" &
    local server=$!
    until grep -q "listening on" "$WORK/serve.log"; do sleep 0.1; done
    local port
    port=$(sed -n 's/.*listening on http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$WORK/serve.log" | head -1)
    local cpu0 cpu1 result
    cpu0=$(awk '{print $14 + $15}' /proc/$server/stat)
    result=$("$WORK/load" 127.0.0.1 "$port" bench-key "$MIX" "$WORK/queries.txt" 16 "$SECONDS_PER_RUN" | grep '^{' || true)
    cpu1=$(awk '{print $14 + $15}' /proc/$server/stat)
    kill -TERM "$server"
    wait "$server" || echo "serve exited non-zero after SIGTERM" >&2
    printf '%-12s ' "$(basename "$bin")"
    RESULT=$result CENTISECONDS=$((cpu1 - cpu0)) python3 -c 'import json, os
d = json.loads(os.environ["RESULT"])
n = d["searches"] + d["saves"]
s, v = d["search_ms"], d["save_ms"]
print("req/s %6.1f | search p50 %5.1f p90 %5.1f p99 %5.1f max %6.1f | save p50 %5.1f p99 %5.1f | errors %d missing %d | cpu/req %.2f ms" % (
    d["requests_per_s"], s["p50"], s["p90"], s["p99"], s["max"], v["p50"], v["p99"], d["errors"], d["missing_after"],
    int(os.environ["CENTISECONDS"]) * 10 / n))'
}

for _ in $(seq "$ROUNDS"); do
    one "$A"
    one "$B"
done
