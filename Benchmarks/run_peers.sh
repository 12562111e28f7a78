#!/usr/bin/env bash
# Runs every peer benchmark once and writes Benchmarks/out/peers.jsonl (one JSON object a
# line): machine info, memory bandwidth, lexical peers, dense peers, the hybrid peer.
# Not for CI (it refuses to run when CI=true). Takes about 3 minutes per repeat on 2 cores.
#
#   pip install -r Benchmarks/peers/requirements.txt
#   bash Benchmarks/run_peers.sh            # CORPUS=..., RUNS=3, REPEAT=1, PYTHON=python3
#
# RUNS = timed passes inside each measurement (medians); REPEAT = how many times the whole
# suite runs, one after the other (compare.py takes the median over the repeats, which
# steadies the speed figures on a shared machine; quality is deterministic).
#
# The collection is read in place (default ../shared/corpora/scifact beside the repo).
# OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE, if set on this machine, are unset for the timed
# commands only (they slow a current numpy); each row records the BLAS kernel in use.
set -euo pipefail

if [ "${CI:-}" = "true" ]; then
  echo "run_peers.sh: benchmarks do not run in CI" >&2
  exit 0
fi

HERE=$(cd "$(dirname "$0")" && pwd)
CORPUS=${CORPUS:-$(cd "$HERE/../.." && pwd)/shared/corpora/scifact}
RUNS=${RUNS:-3}
REPEAT=${REPEAT:-1}
PY=${PYTHON:-python3}
OUT_DIR=$HERE/out
OUT=$OUT_DIR/peers.jsonl
TMP=$OUT.partial

for f in corpus.jsonl queries.jsonl qrels/test.tsv; do
  [ -f "$CORPUS/$f" ] || { echo "run_peers.sh: $CORPUS/$f not found (set CORPUS=...)" >&2; exit 1; }
done
"$PY" -c 'import bm25s, Stemmer, tantivy, rank_bm25, faiss, threadpoolctl, numpy' 2>/dev/null || {
  echo "run_peers.sh: peers missing: pip install -r $HERE/peers/requirements.txt" >&2
  exit 1
}

mkdir -p "$OUT_DIR"
: > "$TMP"
timed() { env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$PY" "$@"; }
step() { echo "[$(date +%H:%M:%S)] $*" >&2; }

step "machine"
timed "$HERE/peers/machine_info.py" "${OPENBLAS_CORETYPE:-}" "${OPENBLAS_L2_SIZE:-}" >> "$TMP"
step "self-test of the hashed embedder replica"
"$PY" "$HERE/peers/hashed_embedder.py" >&2
for rep in $(seq "$REPEAT"); do
  step "repeat $rep/$REPEAT: memory bandwidth"
  timed "$HERE/peers/memory_bandwidth.py" >> "$TMP"
  step "repeat $rep/$REPEAT: lexical peers (a fresh process each)"
  timed "$HERE/peers/lexical_peers.py" --corpus "$CORPUS" --runs "$RUNS" >> "$TMP"
  step "repeat $rep/$REPEAT: dense peers"
  timed "$HERE/peers/dense_peers.py" --corpus "$CORPUS" --runs "$RUNS" >> "$TMP"
  step "repeat $rep/$REPEAT: hybrid peer"
  timed "$HERE/peers/hybrid_peer.py" --corpus "$CORPUS" --runs "$RUNS" >> "$TMP"
done

mv "$TMP" "$OUT"
step "wrote $OUT ($(wc -l < "$OUT") rows)"
