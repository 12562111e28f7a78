#!/usr/bin/env bash
# Embedding throughput, side by side in one run: the native sentence embedder
# (`hybrid-bench embed`, release) and sentence-transformers on CPU PyTorch
# (reference_throughput.py, versions pinned in requirements.txt), on the same passages of a
# BEIR corpus (title + " " + text), all-MiniLM-L6-v2 from the same model folder, 2 threads.
#
# usage: Benchmarks/minilm/throughput.sh [BEIR_FOLDER] [VENV]
#   BEIR_FOLDER   default ../shared/corpora/scifact (its corpus.jsonl)
#   VENV          a virtual environment with requirements.txt installed (default /tmp/st-venv;
#                 made when missing: several GB, PyPI's torch pulls CUDA packages)
# The model: scripts/fetch-model minilm (its default folder, or $ARTIFACT_SEARCH_MODELS).
set -euo pipefail
cd "$(dirname "$0")/../.."
CORPUS=${1:-../shared/corpora/scifact}
VENV=${2:-/tmp/st-venv}
scripts/fetch-model minilm
MODEL="${ARTIFACT_SEARCH_MODELS:-${XDG_CACHE_HOME:-$HOME/.cache}/artifact-search/models}/all-MiniLM-L6-v2"
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q -r Benchmarks/minilm/requirements.txt
fi
swift build -c release --product hybrid-bench
BIN="$(swift build -c release --show-bin-path)/hybrid-bench"
echo "ours:"
"$BIN" embed --corpus "$CORPUS" --embedder "minilm:$MODEL"
echo "sentence-transformers (CPU PyTorch, 2 threads):"
"$VENV/bin/python" Benchmarks/minilm/reference_throughput.py "$MODEL" "$CORPUS/corpus.jsonl" 2
