#!/usr/bin/env bash
# Cold searches on a store of N small SciFact files (issue 9): each search a fresh process,
# page cache warm. Prints wall time (median, p99 of RUNS) and peak RSS per mode.
#
# usage: Benchmarks/store_scale/cold_search.sh N [RUNS]   (needs a release build)
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-100000}
RUNS=${2:-21}
BIN="$(swift build -c release --show-bin-path)/artifact-search"
WORK=${WORK:-/tmp/store-scale-$N}
if [ ! -d "$WORK/files" ]; then
    python3 Benchmarks/store_scale/make_corpus.py ../shared/corpora/scifact/corpus.jsonl "$WORK/files" "$N"
fi
if [ ! -d "$WORK/store" ]; then
    /usr/bin/time -f "ingest: %e s wall, %M KB peak RSS" "$BIN" --store "$WORK/store" ingest "$WORK/files" >/dev/null
fi
# One search first commits whatever tail the ingest left (normally nothing).
"$BIN" --store "$WORK/store" search warmup --limit 1 >/dev/null
du -sh "$WORK/store" "$WORK/store/index" "$WORK/store/index.sqlite" | sed 's/^/size: /'
for mode in lexical hybrid; do
    times=()
    rss=()
    for i in $(seq "$RUNS"); do
        out=$( { /usr/bin/time -f "%e %M" "$BIN" --store "$WORK/store" search "microstructural white matter diffusion uniq$((i * 37 % N))" --mode "$mode" --limit 10 >/dev/null; } 2>&1 )
        times+=("$(echo "$out" | tail -1 | cut -d' ' -f1)")
        rss+=("$(echo "$out" | tail -1 | cut -d' ' -f2)")
    done
    printf '%s\n' "${times[@]}" | sort -n | awk -v m="$mode" '{a[NR]=$1} END {printf "%s: median %.3f s, p99 %.3f s (n=%d)\n", m, a[int((NR+1)/2)], a[NR], NR}'
    printf '%s\n' "${rss[@]}" | sort -n | awk -v m="$mode" '{a[NR]=$1} END {printf "%s: peak RSS median %d MB\n", m, a[int((NR+1)/2)]/1024}'
done
