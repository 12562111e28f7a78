"""Dense-leg peers: numpy (float32 M @ q) and faiss-cpu IndexFlatIP, single-threaded.

Jobs (each in a fresh subprocess unless --one is given):

* ``scifact DIM`` (DIM = 256, 1024): embed the corpus with the Python replica of the
  default hashed n-gram embedder (docs/s, median of --runs), then for numpy and faiss:
  - single query, text in -> top-100 ids out (embed + scan + top-k): queries/s, p50, p99;
  - single query from the query vector (scan + top-k): scan_ms_p50/p99, scan GB/s;
  - batched, 32 query vectors per call (numpy: one sgemm per batch; faiss: search(Q32));
  - quality (nDCG@10, Recall@100, MRR@10) of the dense leg alone.
* ``synthetic 256``: 1,000,000 x 256 float32 random rows (seed 20240601), 1 GB: median ms
  of a single-query scan (M @ q; faiss search k=100), GB/s = matrix bytes / time, and the
  batched (32) per-query time.

All BLAS / OpenMP pools are limited to one thread (threadpoolctl, faiss.omp_set_num_threads).
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

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import beir  # noqa: E402
import hashed_embedder  # noqa: E402

import numpy as np  # noqa: E402

TOP = 100
BATCH = 32
SEED = 20240601
JOBS = [["scifact", "256"], ["scifact", "1024"], ["synthetic", "256"]]


def top_k(scores: np.ndarray, k: int = TOP) -> np.ndarray:
    """Indices of the k highest scores, best first; ties: smaller index first."""
    if scores.size > k:
        part = np.argpartition(-scores, k - 1)[:k]
    else:
        part = np.arange(scores.size)
    return part[np.lexsort((part, -scores[part]))]


def faiss_module():
    import faiss
    faiss.omp_set_num_threads(1)
    return faiss


def versions() -> dict:
    out = {}
    for d in ("numpy", "faiss-cpu", "threadpoolctl"):
        try:
            out[d] = metadata.version(d)
        except metadata.PackageNotFoundError:
            out[d] = "?"
    return out


def time_scans(fn, vectors: np.ndarray, runs: int):
    """Warm-up pass, then `runs` passes of fn(v) for every row; median per-pass p50/p99 (ms)
    and queries/s."""
    for v in vectors:
        fn(v)
    p50, p99, qps = [], [], []
    pc = time.perf_counter_ns
    for _ in range(runs):
        gc.collect()
        lat = []
        start = pc()
        for v in vectors:
            t0 = pc()
            fn(v)
            lat.append((pc() - t0) / 1e6)
        qps.append(len(vectors) / ((pc() - start) / 1e9))
        p50.append(beir.percentile(lat, 50))
        p99.append(beir.percentile(lat, 99))
    return statistics.median(p50), statistics.median(p99), statistics.median(qps)


def time_batches(fn, vectors: np.ndarray, runs: int):
    """queries/s of fn(Q) over consecutive batches of BATCH rows; median of `runs` passes."""
    batches = [np.ascontiguousarray(vectors[i:i + BATCH]) for i in range(0, len(vectors), BATCH)]
    for b in batches:
        fn(b)
    qps = []
    for _ in range(runs):
        gc.collect()
        t0 = time.perf_counter()
        for b in batches:
            fn(b)
        qps.append(len(vectors) / (time.perf_counter() - t0))
    return statistics.median(qps), qps


def scifact(dim: int, corpus: str, runs: int):
    limiter = beir.single_thread()  # noqa: F841
    faiss = faiss_module()
    col = beir.load_beir(corpus)
    n = len(col.doc_texts)

    # embedding rate: a fresh embedder (empty caches) per run
    gc.collect()
    base = beir.rss_bytes()
    beir.reset_peak()
    emb_times = []
    M = None
    peak = held = 0
    for r in range(runs):
        M = e = None
        gc.collect()
        e = hashed_embedder.HashedEmbedder(dim)
        t0 = time.perf_counter()
        M = np.ascontiguousarray(e.embed(col.doc_texts), dtype=np.float32)
        emb_times.append(time.perf_counter() - t0)
        if r == 0:  # the first build, in a fresh process, gives the memory figures
            peak = max(0, beir.vm_hwm() - base)
            gc.collect()
            held = beir.rss_bytes() - base  # matrix + the embedder's feature caches
    emb_s = statistics.median(emb_times)
    docs_per_s = n / emb_s

    # query vectors: embedded once with the corpus embedder (same features, warm caches)
    Q = e.embed(col.query_texts)
    ids = col.doc_ids

    def np_search_vec(q):
        return top_k(M @ q)

    def np_search_text(t):
        return top_k(M @ e.embed_one(t))

    index = faiss.IndexFlatIP(dim)
    t0 = time.perf_counter()
    index.add(M)
    faiss_add_s = time.perf_counter() - t0
    faiss_bytes = index.ntotal * index.d * 4  # IndexFlat keeps its own float32 copy

    def fa_search_vec(q):
        return index.search(q.reshape(1, -1), TOP)[1][0]

    def fa_search_text(t):
        return index.search(e.embed_one(t).reshape(1, -1), TOP)[1][0]

    def np_batch(B):
        S = B @ M.T
        return [top_k(s) for s in S]

    def fa_batch(B):
        return index.search(B, TOP)[1]

    np_runs = {q: [ids[i] for i in np_search_vec(v)] for q, v in zip(col.query_ids, Q)}
    fa_runs = {q: [ids[i] for i in fa_search_vec(v) if i >= 0] for q, v in zip(col.query_ids, Q)}
    same_top10 = sum(np_runs[q][:10] == fa_runs[q][:10] for q in col.query_ids)
    matrix_bytes = M.nbytes
    out = []
    for system, vec_fn, text_fn, batch_fn, runs_q, build_s in (
        ("numpy", np_search_vec, np_search_text, np_batch, np_runs, emb_s),
        ("faiss-cpu", fa_search_vec, fa_search_text, fa_batch, fa_runs, emb_s + faiss_add_s),
    ):
        quality = beir.evaluate(col, runs_q)
        t50, t99, tqps = time_scans(text_fn, col.query_texts, runs)
        s50, s99, sqps = time_scans(vec_fn, Q, runs)
        bqps, bruns = time_batches(batch_fn, Q, runs)
        out.append({
            "system": system, "variant": f"hashed-{dim}" + ("-flat-ip" if system == "faiss-cpu" else "-matvec"),
            "mode": "semantic", "dimension": dim, **quality,
            "index_docs_per_second": round(n / build_s, 1),
            "embed_docs_per_second": round(docs_per_s, 1),
            "queries_per_second": round(tqps, 1),
            "latency_ms_p50": round(t50, 4), "latency_ms_p99": round(t99, 4),
            "scan_queries_per_second": round(sqps, 1),
            "scan_ms_p50": round(s50, 4), "scan_ms_p99": round(s99, 4),
            "scan_gb_per_second": round(matrix_bytes / (s50 / 1e3) / 1e9, 2),
            "batched_queries_per_second": round(bqps, 1), "batch_size": BATCH,
            "peak_rss_mb": round(peak / 2**20, 1) if system == "numpy" else None,
            "bytes_per_document": round(matrix_bytes / n),
            "index_rss_mb": round(held / 2**20, 1) if system == "numpy" else None,
            "faiss_index_bytes": faiss_bytes if system == "faiss-cpu" else None,
            "memory_note": "peak/index RSS: embedding the corpus (matrix + the Python embedder's "
                           "feature caches), first build in a fresh process; bytes_per_document: "
                           "the float32 vectors only",
            "queries": len(Q), "documents": n, "runs": runs,
            "runs_embed_seconds": [round(x, 3) for x in emb_times],
            "runs_batched_queries_per_second": [round(x, 1) for x in bruns],
            "top10_identical_to_numpy": same_top10 if system == "faiss-cpu" else None,
            "embedder": e.identifier,
            "timing": "queries_per_second/latency: query text -> embed -> scan -> top-100; "
                      "scan_*: query vector -> scan -> top-100; batched: 32 query vectors per call",
            "versions": versions(), "blas": beir.blas_info(), "threads": 1,
        })
    return out


def synthetic(dim: int, runs: int, rows: int = 1_000_000, nq: int = 32):
    limiter = beir.single_thread()  # noqa: F841
    rng = np.random.default_rng(SEED)
    M = rng.standard_normal((rows, dim), dtype=np.float32)
    Q = rng.standard_normal((nq, dim), dtype=np.float32)
    nbytes = M.nbytes
    out = []

    def med_ms(fn, items, reps):
        for it in items[:2]:
            fn(it)
        per_run = []
        for _ in range(reps):
            ts = []
            for it in items:
                t0 = time.perf_counter_ns()
                fn(it)
                ts.append((time.perf_counter_ns() - t0) / 1e6)
            per_run.append(statistics.median(ts))
        return statistics.median(per_run), per_run

    scan_ms, scan_runs = med_ms(lambda q: M @ q, list(Q), runs)
    topk_ms, _ = med_ms(lambda q: top_k(M @ q), list(Q), runs)
    batch_ms, batch_runs = med_ms(lambda B: Q @ M.T, [Q], max(runs, 5))
    batch_topk_ms, _ = med_ms(lambda B: [top_k(s) for s in B @ M.T], [Q], runs)
    common = {"mode": "synthetic-scan", "rows": rows, "dimension": dim, "matrix_bytes": nbytes,
              "seed": SEED, "batch_size": nq, "threads": 1, "versions": versions(),
              "blas": beir.blas_info()}
    out.append({"system": "numpy", "variant": f"matvec-{dim}", **common,
                "scan_ms_median": round(scan_ms, 3),
                "scan_gb_per_second": round(nbytes / (scan_ms / 1e3) / 1e9, 2),
                "scan_top100_ms_median": round(topk_ms, 3),
                "batched_ms_per_query": round(batch_ms / nq, 3),
                "batched_effective_gb_per_second": round(nbytes * nq / (batch_ms / 1e3) / 1e9, 2),
                "batched_top100_ms_per_query": round(batch_topk_ms / nq, 3),
                "runs_scan_ms": [round(x, 3) for x in scan_runs],
                "runs_batch_ms": [round(x, 3) for x in batch_runs],
                "what": "scan = M @ q (sgemv, 1M scores, no top-k); scan_top100 adds argpartition; "
                        "batched = Q(32) @ M.T (sgemm), without and with top-100 per query"})

    faiss = faiss_module()
    index = faiss.IndexFlatIP(dim)
    index.add(M)
    del M
    gc.collect()
    fs_ms, fs_runs = med_ms(lambda q: index.search(q.reshape(1, -1), TOP), list(Q), runs)
    fb_ms, fb_runs = med_ms(lambda B: index.search(B, TOP), [Q], max(runs, 5))
    out.append({"system": "faiss-cpu", "variant": f"flat-ip-{dim}", **common,
                "scan_ms_median": round(fs_ms, 3),
                "scan_gb_per_second": round(nbytes / (fs_ms / 1e3) / 1e9, 2),
                "scan_top100_ms_median": round(fs_ms, 3),
                "batched_ms_per_query": round(fb_ms / nq, 3),
                "batched_effective_gb_per_second": round(nbytes * nq / (fb_ms / 1e3) / 1e9, 2),
                "batched_top100_ms_per_query": round(fb_ms / nq, 3),
                "runs_scan_ms": [round(x, 3) for x in fs_runs],
                "runs_batch_ms": [round(x, 3) for x in fb_runs],
                "what": "IndexFlatIP.search(k=100): single query (SIMD scan + heap), "
                        "batched 32 (BLAS sgemm + heaps)"})
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", default=beir.DEFAULT_CORPUS)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--one", nargs=2, metavar=("JOB", "DIM"))
    a = ap.parse_args()
    if a.one:
        job, dim = a.one[0], int(a.one[1])
        rows = scifact(dim, a.corpus, a.runs) if job == "scifact" else synthetic(dim, a.runs)
        for r in rows:
            beir.emit(r)
        return 0
    return 1 if beir.run_children(os.path.abspath(__file__), JOBS,
                                  ["--corpus", a.corpus, "--runs", str(a.runs)]) else 0


if __name__ == "__main__":
    sys.exit(main())
