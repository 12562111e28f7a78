#!/usr/bin/env bash
# A 10,000-artifact store with each embedder (issue 11): ingest rate, size on disk, and cold
# searches (fresh processes: vectors are read from the store, nothing is re-embedded on open).
# Release build; files from SciFact abstracts (Benchmarks/store_scale/make_corpus.py).
#
# usage: Benchmarks/minilm/store.sh WORK [N]   (WORK: a scratch folder outside the repository)
set -euo pipefail
cd "$(dirname "$0")/../.."
WORK=$1
N=${2:-10000}
CORPUS=${SCIFACT:-../shared/corpora/scifact}/corpus.jsonl
BIN="$(swift build -c release --show-bin-path)/artifact-search"
mkdir -p "$WORK"
[ -d "$WORK/files" ] || python3 Benchmarks/store_scale/make_corpus.py "$CORPUS" "$WORK/files" "$N"

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
ms() { local start=${EPOCHREALTIME/./}; "$@" >/dev/null; echo $(( (${EPOCHREALTIME/./} - start) / 1000 )); }

for embedder in hashed minilm; do
    store="$WORK/store-$embedder"
    rm -rf "$store"
    start=${EPOCHREALTIME/./}
    "$BIN" --store "$store" ingest "$WORK/files" --embedder "$embedder" >/dev/null
    seconds=$(( (${EPOCHREALTIME/./} - start) / 1000 ))
    echo "$embedder: ingested $N files in $((seconds / 1000)).$(( (seconds % 1000) / 100 )) s" \
        "($(( N * 1000 / seconds )) files/s); store $(du -sh "$store" | cut -f1)" \
        "(index.sqlite $(du -sh "$store/index.sqlite" | cut -f1), index/ $(du -sh "$store/index" | cut -f1))"
    for mode in hybrid lexical; do
        times=$(for _ in 1 2 3 4 5; do ms "$BIN" --store "$store" search "which model scored best on the benchmark" --mode "$mode" --limit 10; done)
        echo "  cold search --mode $mode: median $(echo "$times" | median) ms (runs: $(echo $times))"
    done
    times=$(for _ in 1 2 3 4 5; do ms "$BIN" --store "$store" list --limit 1; done)
    echo "  cold list --limit 1: median $(echo "$times" | median) ms"
done
