#!/usr/bin/env bash
# Long texts (issue 9, item 10): how much of each text should `ingest --max-indexed-bytes`
# index? For each limit (default 256K 1M 256M: the default, 1 MiB, everything) this ingests the
# same folder of large synthetic logs and small notes (make_logs.py) into a fresh store and
# measures:
#   - ingest wall time and peak RSS (/usr/bin/time %e %M), files/s and MiB/s of file bytes;
#   - the store's size on disk, and of its segments (index/) and SQLite database (index.sqlite*);
#   - RUNS cold searches per mode (lexical, hybrid; --limit 10), each a fresh process with the
#     page cache warm, wall time from bash's EPOCHREALTIME around the process (as
#     cold_search.sh), median and max, and the RssAnon each prints with
#     ARTIFACT_SEARCH_REPORT_MEMORY=1; and lexical with --limit 1 (a snippet reads up to 64 KiB
#     of each hit's text, whatever the limit: this tells that cost from the search's own);
#   - which needle words (one per log and depth: ~10 KiB, ~500 KiB, ~2 MiB, ~8 MiB, last line)
#     a lexical search finds: found = the needle's log is the top hit; "in snippet" = the
#     snippet shows the needle.
# Prints one Markdown table for the limits, then the needle counts per depth.
#
# usage: Benchmarks/store_scale/long_texts.sh
#   environment: BIN (default .build/release/artifact-search), WORK (default /tmp/long-texts),
#   LIMITS ("256K 1M 256M"), RUNS (11), LOGS (number of logs, 300), SMALL (small files, 3000),
#   KEEP_STORES (1 keeps each store; by default it is deleted once measured), TABLE_ONLY (1
#   prints the table of the last run's $WORK/results.tsv again, measuring nothing).
#   The files are made once under $WORK/files (delete them to change LOGS or SMALL).
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${BIN:-.build/release/artifact-search}
WORK=${WORK:-/tmp/long-texts}
LIMITS=${LIMITS:-256K 1M 256M}
RUNS=${RUNS:-11}
LOGS=${LOGS:-300}
SMALL=${SMALL:-3000}
KEEP_STORES=${KEEP_STORES:-0}
FILES=$WORK/files

if [ ! -d "$FILES" ]; then
    python3 Benchmarks/store_scale/make_logs.py "$WORK" --files "$LOGS" --small "$SMALL"
fi
file_count=$(find "$FILES" -type f | wc -l)
file_bytes=$(find "$FILES" -type f -printf '%s\n' | awk '{s += $1} END {print s}')
echo "files: $file_count ($(awk -v b="$file_bytes" 'BEGIN {printf "%.0f", b / 1048576}') MiB) in $FILES"

# Cold-search queries, one per run (run i uses query i mod 11): words of the logs' warnings,
# errors and identifiers.
QUERIES=(
    "CUDA out of memory" "getUserById" "atomic_write_json permission denied" "NCCL timeout retrying"
    "gradient overflow loss scale" "connection reset by peer" "loss is nan aborting"
    "dataloader worker slow batch" "tool call exceeded" "checkpoint older than the config optimizer state"
    "rate limited backing off"
)

# The lower median, and the max, of numbers on stdin.
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
maximum() { sort -n | tail -1; }
kib() { du -sk "$@" 2>/dev/null | awk '{s += $1} END {print s + 0}'; }

results=$WORK/results.tsv
if [ "${TABLE_ONLY:-0}" = 1 ]; then LIMITS=""; else : > "$results"; fi
for limit in $LIMITS; do
    store=$WORK/store-$limit
    rm -rf "$store"
    echo "== $limit: ingest (load average $(cut -d' ' -f1-3 /proc/loadavg))" >&2
    /usr/bin/time -f "%e %M" -o "$WORK/time-$limit" \
        "$BIN" --store "$store" ingest "$FILES" --max-indexed-bytes "$limit" >"$WORK/ingest-$limit.out"
    read -r wall peak < "$WORK/time-$limit"
    tail -1 "$WORK/ingest-$limit.out" >&2
    # One search first commits whatever tail the ingest left (normally nothing).
    "$BIN" --store "$store" search warmup --limit 1 >/dev/null
    store_kb=$(kib "$store")
    segments_kb=$(kib "$store/index")
    sqlite_kb=$(kib "$store"/index.sqlite*)

    # lexical1: lexical with --limit 1, to tell the per-hit snippet cost from the search.
    declare -A median_ms max_ms anon_mb rss_mb
    for mode in lexical hybrid lexical1; do
        echo "== $limit: $RUNS cold $mode searches" >&2
        times=(); anon=(); rss=()
        flags=(--mode "$mode" --limit 10)
        if [ "$mode" = lexical1 ]; then flags=(--mode lexical --limit 1); fi
        for i in $(seq "$RUNS"); do
            query=${QUERIES[$(( (i - 1) % ${#QUERIES[@]} ))]}
            start=${EPOCHREALTIME/./}
            out=$( { ARTIFACT_SEARCH_REPORT_MEMORY=1 /usr/bin/time -f "%M" "$BIN" --store "$store" \
                search "$query" "${flags[@]}" >/dev/null; } 2>&1 )
            times+=("$(( ${EPOCHREALTIME/./} - start ))")
            rss+=("$(echo "$out" | tail -1)")
            kb=$(echo "$out" | sed -n 's/.*rss_anon_kb=\([0-9]*\).*/\1/p' | tail -1)
            anon+=("${kb:-0}")
        done
        median_ms[$mode]=$(printf '%s\n' "${times[@]}" | median | awk '{printf "%.0f", $1 / 1000}')
        max_ms[$mode]=$(printf '%s\n' "${times[@]}" | maximum | awk '{printf "%.0f", $1 / 1000}')
        anon_mb[$mode]=$(printf '%s\n' "${anon[@]}" | median | awk '{printf "%.1f", $1 / 1024}')
        rss_mb[$mode]=$(printf '%s\n' "${rss[@]}" | median | awk '{printf "%.0f", $1 / 1024}')
    done

    echo "== $limit: needle searches" >&2
    answers=$WORK/needles-$limit
    rm -rf "$answers"
    mkdir -p "$answers"
    tail -n +2 "$WORK/needles.tsv" | while IFS=$'\t' read -r token _ _ _; do
        "$BIN" --store "$store" search "$token" --mode lexical --limit 3 --json >"$answers/$token.json"
    done
    needles=$(python3 - "$WORK/needles.tsv" "$answers" "$limit" <<'EOF'
import json, os, sys
tsv, answers, limit = sys.argv[1], sys.argv[2], sys.argv[3]
limit_bytes = int(limit[:-1]) << {"K": 10, "M": 20, "G": 30}[limit[-1]] if limit[-1] in "KMG" else int(limit)
counts = {}
for line in open(tsv, encoding="utf-8").read().splitlines()[1:]:
    token, path, depth, offset = line.split("\t")
    hits = json.load(open(os.path.join(answers, token + ".json"), encoding="utf-8"))
    found = bool(hits) and hits[0]["labels"].get("source_path") == path
    shown = found and token in (hits[0].get("snippet") or "")
    entry = counts.setdefault(depth, [0, 0, 0, 0])
    entry[0] += 1
    entry[1] += int(offset) + len(token) <= limit_bytes
    entry[2] += found
    entry[3] += shown
order = ["tenkib", "halfmib", "twomib", "eightmib", "tail"]
print(";".join(f"{d}={counts[d][2]}/{counts[d][0]} (within limit {counts[d][1]}, in snippet {counts[d][3]})"
               for d in order if d in counts))
EOF
)
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$limit" "$wall" "$peak" \
        "$store_kb" "$segments_kb" "$sqlite_kb" "${median_ms[lexical]}" "${max_ms[lexical]}" \
        "${median_ms[hybrid]}" "${max_ms[hybrid]}" "${anon_mb[lexical]}" "${anon_mb[hybrid]}" \
        "${rss_mb[lexical]}" "${rss_mb[hybrid]}" "${median_ms[lexical1]}" "$needles" >> "$results"
    if [ "$KEEP_STORES" != 1 ]; then rm -rf "$store"; fi
done
if [ -n "$LIMITS" ]; then echo "== done (load average $(cut -d' ' -f1-3 /proc/loadavg))" >&2; fi

echo
echo "| limit | ingest | files/s | MiB/s | ingest peak RSS | store | index/ | index.sqlite | lexical median (max) | hybrid median (max) | lexical --limit 1 median | RssAnon lex / hyb | peak RSS lex / hyb |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
while IFS=$'\t' read -r limit wall peak store_kb segments_kb sqlite_kb lm lx hm hx al ah rl rh l1 _; do
    awk -v l="$limit" -v w="$wall" -v p="$peak" -v s="$store_kb" -v g="$segments_kb" -v q="$sqlite_kb" \
        -v n="$file_count" -v b="$file_bytes" -v lm="$lm" -v lx="$lx" -v hm="$hm" -v hx="$hx" \
        -v al="$al" -v ah="$ah" -v rl="$rl" -v rh="$rh" -v l1="$l1" 'BEGIN {
        printf "| %s | %.1f s | %.0f | %.1f | %.2f GiB | %.0f MiB | %.0f MiB | %.0f MiB | %d ms (%d) | %d ms (%d) | %d ms | %s / %s MiB | %s / %s MiB |\n",
            l, w, n / w, b / 1048576 / w, p / 1048576, s / 1024, g / 1024, q / 1024, lm, lx, hm, hx, l1, al, ah, rl, rh }'
done < "$results"
echo
echo "needles found by lexical search (top hit is the needle's log), per depth:"
while IFS=$'\t' read -r limit _ _ _ _ _ _ _ _ _ _ _ _ _ _ needles; do
    echo "  $limit: ${needles//;/; }"
done < "$results"
