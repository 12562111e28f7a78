#!/usr/bin/env bash
# Issue 12's benchmark (never in CI): a shared store on this machine — the records in a
# throw-away PostgreSQL cluster, the bytes in moto_server (scripts/test-services: the tests'
# servers; moto is a Python S3 stand-in, so object-store figures are moto's, not S3's) — with
# two `serve` nodes, beside the embedded store through one node:
#   1. 100,000 SciFact files saved through node A over HTTP (16 clients): saves/s;
#   2. propagation delay from a save on A to the hit on B, and to B applying it in the background
#      with no query (p50/p99);
#   3. the filtered mix of Benchmarks/http (16 clients, 90 % searches in one run, 10 % saves)
#      on node B: latency and throughput;
#   4. a cold CLI search on the shared store (a fresh process: connect, catch up, search).
# The same steps on the embedded store (one node: A = B).
#
# usage: Benchmarks/shared/run.sh [SECONDS=30]   (STORES: "embedded shared" or one of them; WORK: default /tmp/shared-bench; FILES: the
#        store-scale files, default /tmp/http-bench/files, made by make_corpus.py when missing)
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_PER_MIX=${1:-30}
WORK=${WORK:-/tmp/shared-bench}
FILES=${FILES:-/tmp/http-bench/files}
BIN="$(swift build -c release --show-bin-path)/artifact-search"
rm -rf "$WORK" && mkdir -p "$WORK"
if [ ! -d "$FILES" ]; then
    python3 Benchmarks/store_scale/make_corpus.py ../shared/corpora/scifact/corpus.jsonl "$FILES" 100000
fi
cc -O2 -pthread -o "$WORK/load" Benchmarks/http/load.c
python3 -c 'import json, sys
for line in open(sys.argv[1]):
    if line.strip(): print(json.dumps(json.loads(line)["text"]))' ../shared/corpora/scifact/queries.jsonl > "$WORK/queries.txt"
echo '[{"key": "bench-key", "org_id": "bench", "write": true}]' > "$WORK/keys.json"

eval "$(scripts/test-services start)"
nodes=()
trap 'for pid in "${nodes[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done; wait; scripts/test-services stop' EXIT
export AWS_ACCESS_KEY_ID=$ARTIFACT_SEARCH_TEST_S3_ACCESS_KEY AWS_SECRET_ACCESS_KEY=$ARTIFACT_SEARCH_TEST_S3_SECRET_KEY
SHARED=(--database "$ARTIFACT_SEARCH_TEST_POSTGRES_URL?sslmode=disable&schema=bench"
    --blobs "s3://$ARTIFACT_SEARCH_TEST_S3_BUCKET/bench?endpoint=$ARTIFACT_SEARCH_TEST_S3_ENDPOINT")

# start NAME ARGS…: a node; sets $port
start() {
    local name=$1
    shift
    "$BIN" serve --port 0 --keys "$WORK/keys.json" "$@" 2> "$WORK/$name.log" &
    nodes+=($!)
    until grep -q "listening on" "$WORK/$name.log"; do sleep 0.1; done
    port=$(sed -n 's/.*listening on http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$WORK/$name.log" | head -1)
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
cold() {  # cold CLI searches, median of 7 (ms)
    for i in $(seq 7); do
        local begin=${EPOCHREALTIME/./}
        "$BIN" search "$i cancer cell growth" --org-id bench --run-id run-0042 --limit 10 "$@" > /dev/null
        echo $(( (${EPOCHREALTIME/./} - begin) / 1000 ))
    done | median
}

for store in ${STORES:-embedded shared}; do
    echo "== $store store"
    if [ $store = embedded ]; then
        start embedded --store "$WORK/embedded"
        port_a=$port
        port_b=$port
    else
        start node-a --store "$WORK/node-a" "${SHARED[@]}"
        port_a=$port
        start node-b --store "$WORK/node-b" "${SHARED[@]}"
        port_b=$port
    fi
    echo "ingest through node A: $(python3 Benchmarks/shared/ingest.py 127.0.0.1 "$port_a" bench-key "$FILES" 16)"
    echo "propagation A → B: $(python3 Benchmarks/shared/propagation.py 127.0.0.1 "$port_a" "$port_b" bench-key 400)"
    echo "filtered mix on node B: $("$WORK/load" 127.0.0.1 "$port_b" bench-key filtered "$WORK/queries.txt" 16 "$SECONDS_PER_MIX" || echo "load: errors")"
    for pid in "${nodes[@]}"; do kill -TERM "$pid"; wait "$pid" || true; done
    nodes=()
    if [ $store = embedded ]; then
        echo "cold CLI search (median of 7): $(cold --store "$WORK/embedded") ms"
    else
        echo "cold CLI search on node B's folder (median of 7): $(cold --store "$WORK/node-b" "${SHARED[@]}") ms"
        du -sh "$WORK/node-a" "$WORK/node-b"
    fi
done
