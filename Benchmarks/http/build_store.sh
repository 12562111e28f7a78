#!/usr/bin/env bash
# A 100,000-artifact store for the HTTP benchmark: the store-scale SciFact files
# (Benchmarks/store_scale/make_corpus.py: 100 folders of 1,000 files), each folder ingested as
# one run (run-0000 … run-0099) of the organisation "bench", so a run holds 1 % of the store.
#
# usage: Benchmarks/http/build_store.sh FILES STORE   (FILES = the folder of the 100 folders)
set -euo pipefail
cd "$(dirname "$0")/../.."
FILES=$1
STORE=$2
BIN="$(swift build -c release --show-bin-path)/artifact-search"
i=0
start=${EPOCHREALTIME/./}
for folder in "$FILES"/*/; do
    "$BIN" ingest "$folder" --store "$STORE" --org-id bench --run-id "$(printf 'run-%04d' "$i")" >/dev/null
    i=$((i + 1))
done
echo "ingested $i runs in $(( (${EPOCHREALTIME/./} - start) / 1000000 )) s"
"$BIN" search warmup --store "$STORE" --org-id bench --level org --limit 1 >/dev/null
du -sh "$STORE"
