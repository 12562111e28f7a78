"""Hybrid peer: RRF of bm25s (stem) and the Python hashed n-gram vectors (numpy scan).

Lexical leg: bm25s 0.3.16, method "lucene", k1=1.2, b=0.75, stopwords "en", PyStemmer
english. Dense leg: the Python replica of the default embedder at 1024 dimensions,
exact cosine scan (float32 M @ q, one thread). Fusion: score(d) = sum over legs of
w_leg / (k + rank_leg(d)), k = 60, ranks from 1, each leg contributes its top 100
(window = max(100, top_k)), a leg that did not return d adds nothing; lexical weight 1,
dense weight 1.0, 0.5, 0.3 (and 0.2, 0.1). Ties: higher fused score, then the better single-leg rank,
then the smaller id (as SPEC §5).

Prints one JSON line per dense weight: quality, and for weight 1.0 the single-query speed
(text in -> fused top-100 out: both legs + fusion) and the batched rate.
"""

from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import argparse
import gc
import statistics
import sys
import time
from importlib import metadata
from typing import Dict, List, Sequence, Tuple

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import beir  # noqa: E402
import hashed_embedder  # noqa: E402
from dense_peers import top_k  # noqa: E402

import numpy as np  # noqa: E402

K_RRF = 60
WINDOW = 100
TOP = 100
DIM = 1024
DENSE_WEIGHTS = (1.0, 0.5, 0.3, 0.2, 0.1)  # 0.2 and 0.1: extra points beyond the brief


def rrf(legs: Sequence[Tuple[Sequence[str], float]], k: int = K_RRF, top: int = TOP) -> List[str]:
    """legs: (ranked ids best first, weight). Returns fused ids best first."""
    score: Dict[str, float] = {}
    best: Dict[str, int] = {}
    for ranked, w in legs:
        for r, d in enumerate(ranked[:max(WINDOW, top)], start=1):
            score[d] = score.get(d, 0.0) + w / (k + r)
            if r < best.get(d, 1 << 62):
                best[d] = r
    order = sorted(score, key=lambda d: (-score[d], best[d], d))
    return order[:top]


def _self_test() -> None:
    # Elasticsearch docs worked example: lexical [4, 3, 2, 1], dense [3, 2, 1, 5], k = 1.
    fused = rrf([(["4", "3", "2", "1"], 1.0), (["3", "2", "1", "5"], 1.0)], k=1)
    assert fused == ["3", "2", "4", "1", "5"], fused


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", default=beir.DEFAULT_CORPUS)
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    _self_test()

    limiter = beir.single_thread()  # noqa: F841
    import bm25s
    import Stemmer

    col = beir.load_beir(a.corpus)
    ids = col.doc_ids
    n = len(ids)
    stemmer = Stemmer.Stemmer("english")

    def build():
        r = bm25s.BM25(k1=1.2, b=0.75, method="lucene")
        r.index(bm25s.tokenize(col.doc_texts, stopwords="en", stemmer=stemmer, show_progress=False),
                show_progress=False)
        e = hashed_embedder.HashedEmbedder(DIM)
        M = np.ascontiguousarray(e.embed(col.doc_texts))
        return r, e, M

    build_s, build_runs, (ret, emb, M) = beir.median_time(build, a.runs)

    def lexical(text: str) -> List[str]:
        q = bm25s.tokenize([text], stopwords="en", stemmer=stemmer, return_ids=False, show_progress=False)
        if not q[0]:
            return []
        docs, scores = ret.retrieve(q, k=WINDOW, show_progress=False, n_threads=0)
        return [ids[int(d)] for d, s in zip(docs[0], scores[0]) if s > 0]

    def dense(text: str) -> List[str]:
        v = emb.embed_one(text)
        if not v.any():
            return []
        return [ids[i] for i in top_k(M @ v, WINDOW)]

    def hybrid(text: str, w_dense: float = 1.0) -> List[str]:
        return rrf([(lexical(text), 1.0), (dense(text), w_dense)])

    lex_runs = {q: lexical(t) for q, t in zip(col.query_ids, col.query_texts)}
    den_runs = {q: dense(t) for q, t in zip(col.query_ids, col.query_texts)}
    legs_quality = {"lexical": beir.evaluate(col, lex_runs), "dense": beir.evaluate(col, den_runs)}

    timing = beir.time_queries(hybrid, col.query_texts, a.runs)

    def batched():
        qt = bm25s.tokenize(col.query_texts, stopwords="en", stemmer=stemmer, return_ids=False,
                            show_progress=False)
        docs, scores = ret.retrieve(qt, k=WINDOW, show_progress=False, n_threads=0)
        Q = emb.embed(col.query_texts)
        out = []
        for i in range(0, len(Q), 32):
            S = Q[i:i + 32] @ M.T
            for j, s in enumerate(S):
                row = i + j
                lex = [ids[int(d)] for d, x in zip(docs[row], scores[row]) if x > 0]
                den = [ids[k] for k in top_k(s, WINDOW)] if Q[row].any() else []
                out.append(rrf([(lex, 1.0), (den, 1.0)]))
        return out

    bres = batched()
    # sgemm and sgemv may round differently, so near-ties can swap: count, don't assert
    batch_same = sum(b == hybrid(t) for b, t in zip(bres, col.query_texts))
    b_s, b_runs, _ = beir.median_time(batched, a.runs)

    versions = {d: metadata.version(d) for d in ("bm25s", "PyStemmer", "numpy")}
    for w in DENSE_WEIGHTS:
        runs = {q: rrf([(lex_runs[q], 1.0), (den_runs[q], w)]) for q in col.query_ids}
        row = {"system": "bm25s+hashed-numpy-rrf", "variant": f"stem+{DIM}-dense{w:g}", "mode": "hybrid",
               **beir.evaluate(col, runs),
               "index_docs_per_second": round(n / build_s, 1),
               "queries_per_second": None, "batched_queries_per_second": None,
               "latency_ms_p50": None, "latency_ms_p99": None,
               "queries": len(col.query_ids), "documents": n,
               "rrf": {"k": K_RRF, "window": WINDOW, "weights": {"lexical": 1.0, "dense": w}},
               "legs": legs_quality, "runs": a.runs,
               "runs_index_seconds": [round(x, 3) for x in build_runs],
               "versions": versions, "threads": 1}
        if w == 1.0:
            row.update({"queries_per_second": timing["queries_per_second"],
                        "latency_ms_p50": timing["latency_ms_p50"],
                        "latency_ms_p99": timing["latency_ms_p99"],
                        "runs_queries_per_second": timing["runs_queries_per_second"],
                        "batched_queries_per_second": round(len(col.query_ids) / b_s, 1),
                        "runs_batched_queries_per_second": [round(len(col.query_ids) / x, 1) for x in b_runs],
                        "batched_rankings_identical": batch_same})
        beir.emit(row)
    return 0


if __name__ == "__main__":
    sys.exit(main())
