#!/usr/bin/env bash
# Issue 10's HTTP benchmark: `artifact-search serve` (release) on a 100,000-artifact store,
# (never in CI)
# 16 closed-loop clients, 90 % hybrid searches / 10 % saves for SECONDS, two mixes (searches
# in one run = 1 % of the store; searches over the whole organisation), then every
# acknowledged save fetched back. Beside it: cold CLI searches (fresh processes) on the same
# store, filtered and unfiltered.
#
# usage: Benchmarks/http/run.sh [SECONDS]   (WORK: where the store lives, default /tmp/http-bench;
#        FILES: the store-scale files, default $WORK/files, made by make_corpus.py when missing)
#
# Every mix starts from a copy of the pristine 100,000-artifact store ($WORK/store.pristine,
# built once): the saves of one run would otherwise grow the store (and each run's scope) for
# the next — 25 earlier runs had made it 125,310 artifacts, 1,186 per run.
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_PER_MIX=${1:-60}
WORK=${WORK:-/tmp/http-bench}
FILES=${FILES:-$WORK/files}
PRISTINE=$WORK/store.pristine
STORE=$WORK/store
BIN="$(swift build -c release --show-bin-path)/artifact-search"
mkdir -p "$WORK"
if [ ! -d "$FILES" ]; then
    python3 Benchmarks/store_scale/make_corpus.py ../shared/corpora/scifact/corpus.jsonl "$FILES" 100000
fi
if [ ! -d "$PRISTINE" ]; then Benchmarks/http/build_store.sh "$FILES" "$PRISTINE"; fi
echo '[{"key": "bench-key", "org_id": "bench", "write": true}]' > "$WORK/keys.json"
# The load generator (C: see load.c for why not Python) and SciFact's test queries as JSON
# string literals, one per line.
cc -O2 -pthread -o "$WORK/load" Benchmarks/http/load.c
python3 -c 'import json, sys
for line in open(sys.argv[1]):
    if line.strip(): print(json.dumps(json.loads(line)["text"]))' ../shared/corpora/scifact/queries.jsonl > "$WORK/queries.txt"

# The unfiltered mix runs twice: with concurrent dense scans sharing passes (the default) and
# with ARTIFACT_SEARCH_DENSE_BATCH=off (one query per pass), to measure what batching gives.
for run in filtered unfiltered unfiltered:batch-off; do
    mix=${run%%:*}
    batch=on
    if [ "$run" != "$mix" ]; then batch=off; fi
    rm -rf "$STORE" && Benchmarks/http/fresh_copy.sh "$PRISTINE" "$STORE"
    ARTIFACT_SEARCH_DENSE_BATCH=$batch "$BIN" serve --store "$STORE" --keys "$WORK/keys.json" --port 0 2> "$WORK/serve.log" &
    server=$!
    until grep -q "listening on" "$WORK/serve.log"; do sleep 0.1; done
    port=$(sed -n 's/.*listening on http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$WORK/serve.log" | head -1)
    echo "$run (dense batching $batch):"
    "$WORK/load" 127.0.0.1 "$port" bench-key "$mix" "$WORK/queries.txt" 16 "$SECONDS_PER_MIX" || echo "load: errors or missing saves (see the JSON)"
    echo "$run: server CPU $(awk '{print ($14 + $15) / 100}' /proc/$server/stat) s"
    echo "$mix: server RSS $(( $(awk '/VmRSS/ {print $2}' /proc/$server/status) / 1024 )) MB, RssAnon $(( $(awk '/RssAnon/ {print $2}' /proc/$server/status) / 1024 )) MB"
    kill -TERM "$server"
    wait "$server" && echo "$mix: serve exited 0 after SIGTERM"
done

# Cold CLI searches on the same store (each a fresh process), for comparison.
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
for scope in "--run-id run-0042" "--level org"; do
    times=()
    for i in $(seq 11); do
        start=${EPOCHREALTIME/./}
        "$BIN" search "microstructural white matter diffusion" --store "$STORE" --org-id bench $scope --limit 10 >/dev/null
        times+=("$(( ${EPOCHREALTIME/./} - start ))")
    done
    echo "cold CLI hybrid search ($scope): median $(( $(printf '%s\n' "${times[@]}" | median) / 1000 )) ms (n=11)"
done
