#!/usr/bin/env bash
# The side-by-side benchmark (issue 5): our engine, then its peers, then the comparison,
# in one run on the same machine and the same collection. Not for CI (refuses when CI=true).
#
#   bash Benchmarks/run.sh                 # all of it
#   SKIP_OURS=1 bash Benchmarks/run.sh     # peers + comparison only
#   SKIP_PEERS=1 bash Benchmarks/run.sh    # ours + comparison (reuses out/peers.jsonl)
#
# Environment: CORPUS (default ../shared/corpora/scifact), RUNS (default 3: our eval is run
# RUNS times per mode and compare.py takes medians), PYTHON (default python3).
# Output: Benchmarks/out/ours.jsonl, Benchmarks/out/peers.jsonl, Benchmarks/out/compare.md.
set -euo pipefail

if [ "${CI:-}" = "true" ]; then
  echo "run.sh: benchmarks do not run in CI" >&2
  exit 0
fi

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
export CORPUS=${CORPUS:-$(cd "$ROOT/.." && pwd)/shared/corpora/scifact}
export RUNS=${RUNS:-3}
PY=${PYTHON:-python3}
mkdir -p "$HERE/out"

# ---- HOOK: our engine -------------------------------------------------------------------
# `artifact-search eval --json` prints one JSON object (ndcg_at_10, recall_at_100,
# mrr_at_10, index_docs_per_second, queries_per_second, latency_ms_p50, latency_ms_p99,
# queries, documents, mode); compare.py tag adds "system": "artifact-search".
run_ours() {
  local tmp="$HERE/out/ours.jsonl.partial"
  (cd "$ROOT" && swift build -c release --product artifact-search) >&2
  : > "$tmp"
  for mode in lexical semantic hybrid; do
    for _ in $(seq "$RUNS"); do
      (cd "$ROOT" && swift run -c release --skip-build artifact-search eval \
          --corpus "$CORPUS" --mode "$mode" --json) | "$PY" "$HERE/compare.py" tag >> "$tmp"
    done
  done
  mv "$tmp" "$HERE/out/ours.jsonl"
}
# -----------------------------------------------------------------------------------------

if [ -z "${SKIP_OURS:-}" ]; then
  run_ours
fi
if [ -z "${SKIP_PEERS:-}" ]; then
  bash "$HERE/run_peers.sh"
fi
"$PY" "$HERE/compare.py" --out-dir "$HERE/out" | tee "$HERE/out/compare.md"
