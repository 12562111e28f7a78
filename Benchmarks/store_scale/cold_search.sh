#!/usr/bin/env bash
# Cold searches on a store of N small SciFact files (issue 9): each search a fresh process,
# page cache warm. Prints wall time (median, p99 of RUNS), peak RSS and RssAnon per mode, then
# the same searches on SQLite FTS5 and tantivy over the same files (peers_cold.py) and the
# ratios ours / theirs of the median wall times.
#
# Wall time is taken from bash's EPOCHREALTIME around each process (microseconds; /usr/bin/time's
# %e has 10 ms steps), as peers_cold.py takes it around each of its processes (which run the
# real interpreter with -S, not the pyenv shim and site's .pth files: see python_command there).
# Peak RSS (%M) counts the file-backed pages of mmapped index files; RssAnon does not, and comes
# from the `rss_anon_kb=` line our CLI prints at exit when ARTIFACT_SEARCH_REPORT_MEMORY=1
# ("n/a" if it prints none).
#
# usage: Benchmarks/store_scale/cold_search.sh N [RUNS]
#   (needs a release build, and tantivy: pip install -r Benchmarks/peers/requirements.txt)
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

# The lower median of numbers on stdin (the same rank peers_cold.py takes).
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

declare -A ours
for mode in lexical hybrid; do
    times=()
    rss=()
    anon=()
    for i in $(seq "$RUNS"); do
        start=${EPOCHREALTIME/./}
        out=$( { ARTIFACT_SEARCH_REPORT_MEMORY=1 /usr/bin/time -f "%M" "$BIN" --store "$WORK/store" search "microstructural white matter diffusion uniq$((i * 37 % N))" --mode "$mode" --limit 10 >/dev/null; } 2>&1 )
        times+=("$(( ${EPOCHREALTIME/./} - start ))")
        rss+=("$(echo "$out" | tail -1)")
        kb=$(echo "$out" | sed -n 's/.*rss_anon_kb=\([0-9]*\).*/\1/p' | tail -1)
        if [ -n "$kb" ]; then anon+=("$kb"); fi
    done
    printf '%s\n' "${times[@]}" | sort -n | awk -v m="$mode" '{a[NR]=$1/1e6} END {printf "%s: median %.3f s, p99 %.3f s (n=%d)\n", m, a[int((NR+1)/2)], a[NR], NR}'
    ours[$mode]=$(printf '%s\n' "${times[@]}" | median | awk '{print $1/1e6}')
    if [ ${#anon[@]} -gt 0 ]; then
        anon_line="RssAnon median $(( $(printf '%s\n' "${anon[@]}" | median) / 1024 )) MB"
    else
        anon_line="RssAnon n/a"
    fi
    echo "$mode: peak RSS median $(( $(printf '%s\n' "${rss[@]}" | median) / 1024 )) MB; $anon_line"
done

# The peers on the same files: indexes built once, then RUNS fresh processes per system with
# the same queries.
python3 Benchmarks/store_scale/peers_cold.py build "$WORK/files" "$WORK/peers"
peers=$(python3 Benchmarks/store_scale/peers_cold.py cold "$WORK/peers" "$RUNS")
echo "$peers"
for peer in fts5 tantivy; do
    theirs=$(echo "$peers" | awk -v p="$peer:" '$1 == p {print $4}')
    for mode in lexical hybrid; do
        awk -v m="$mode" -v p="$peer" -v a="${ours[$mode]}" -v b="$theirs" \
            'BEGIN {printf "ratio ours %s / %s (median wall): %.2f\n", m, p, a / b}'
    done
done
