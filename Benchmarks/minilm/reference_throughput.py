#!/usr/bin/env python3
"""Reference embedding throughput of all-MiniLM-L6-v2 (sentence-transformers, CPU).

What it does
------------
Reads a BEIR-layout corpus.jsonl (one JSON object per line with "title" and
"text"), builds each passage the way sentence-transformers users embed BEIR
documents, ``title + " " + text`` (stripped; just the text when the title is
empty), and encodes all of them with

    SentenceTransformer(MODEL_FOLDER, device="cpu").encode(
        passages, batch_size=32, normalize_embeddings=True, convert_to_numpy=True)

on CPU with ``torch.set_num_threads(THREADS)`` (default 2, the project's machine
size). Truncation is the model's max_seq_length (256 tokens incl. [CLS]/[SEP]).
One untimed warm-up batch runs first; model loading is not timed. It prints
one JSON line: passages, seconds, passages_per_second, threads, batch size,
token statistics (mean token count, share truncated at 256) and versions.

Pinned versions (see requirements.txt next to this file)
--------------------------------------------------------
Python 3.11.7, sentence-transformers==6.2.0, torch==2.15.0,
transformers==5.24.0, tokenizers==0.23.3, numpy==2.4.6.

How to run
----------
    /tmp/st-venv/bin/python Benchmarks/minilm/reference_throughput.py \\
        MODEL_FOLDER CORPUS_JSONL [THREADS]

e.g. MODEL_FOLDER = the all-MiniLM-L6-v2 sentence-transformers folder,
CORPUS_JSONL = the SciFact corpus.jsonl (5,183 documents).
"""

from __future__ import annotations

import json
import platform
import sys
import time

BATCH_SIZE = 32


def load_passages(path: str) -> list[str]:
    passages = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            doc = json.loads(line)
            title = (doc.get("title") or "").strip()
            text = (doc.get("text") or "").strip()
            passages.append(f"{title} {text}".strip())
    return passages


def main(argv: list[str]) -> int:
    if len(argv) not in (3, 4):
        print(__doc__, file=sys.stderr)
        print("usage: python reference_throughput.py MODEL_FOLDER CORPUS_JSONL [THREADS]", file=sys.stderr)
        return 2
    model_folder, corpus = argv[1], argv[2]
    threads = int(argv[3]) if len(argv) == 4 else 2

    import numpy as np
    import sentence_transformers
    import tokenizers
    import torch
    import transformers
    from sentence_transformers import SentenceTransformer

    torch.set_num_threads(threads)
    passages = load_passages(corpus)
    model = SentenceTransformer(model_folder, device="cpu")
    model.eval()
    max_len = model.max_seq_length

    # Token statistics (not timed): same tokenizer call as encode.
    lengths = [len(ids) for ids in model.tokenizer(passages, truncation=True, max_length=max_len)["input_ids"]]

    # Untimed warm-up batch.
    model.encode(passages[:BATCH_SIZE], batch_size=BATCH_SIZE, normalize_embeddings=True,
                 convert_to_numpy=True, show_progress_bar=False)

    start = time.perf_counter()
    emb = model.encode(passages, batch_size=BATCH_SIZE, normalize_embeddings=True,
                       convert_to_numpy=True, show_progress_bar=False)
    seconds = time.perf_counter() - start
    assert emb.shape == (len(passages), 384), emb.shape

    print(json.dumps({
        "model": "all-MiniLM-L6-v2",
        "corpus": corpus,
        "passages": len(passages),
        "seconds": round(seconds, 3),
        "passages_per_second": round(len(passages) / seconds, 2),
        "tokens_per_second": round(sum(lengths) / seconds, 1),
        "batch_size": BATCH_SIZE,
        "torch_threads": torch.get_num_threads(),
        "device": "cpu",
        "max_seq_length": max_len,
        "mean_tokens": round(float(np.mean(lengths)), 1),
        "truncated_share": round(sum(1 for n in lengths if n >= max_len) / len(lengths), 4),
        "versions": {
            "python": platform.python_version(),
            "sentence-transformers": sentence_transformers.__version__,
            "torch": torch.__version__,
            "transformers": transformers.__version__,
            "tokenizers": tokenizers.__version__,
            "numpy": np.__version__,
        },
        "cpu": platform.processor() or platform.machine(),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
