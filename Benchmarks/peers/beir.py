"""Shared helpers for the peer benchmarks: BEIR loading, metrics, timing, memory.

BEIR layout: ``corpus.jsonl`` (``_id``, ``title``, ``text``), ``queries.jsonl``
(``_id``, ``text``), ``qrels/test.tsv`` (header ``query-id corpus-id score``).
The collection is read in place (never copied).

Metrics follow the BEIR / pytrec_eval (trec_eval) definitions:

* nDCG@10: gain = the qrels grade (linear, as trec_eval's ``ndcg_cut``), discount
  1/log2(rank + 1) with ranks from 1; the ideal DCG is computed from the qrels of the
  query (grades sorted descending, top 10), not from the retrieved list.
* Recall@100: |relevant (grade > 0) in the top 100| / |relevant (grade > 0)|.
* MRR@10: 1 / rank of the first relevant (grade > 0) document in the top 10, else 0
  (BEIR's ``mrr`` in ``evaluate_custom``).

Every query of the qrels counts in the mean (a query with no result scores 0), and a
retrieved document whose id equals the query id is dropped first, as BEIR does (SciFact
has none). Rankings are evaluated in the order the system returns them; trec_eval would
re-sort by score and break exact ties by document id, which only matters for exact ties.
"""

from __future__ import annotations

import csv
import gc
import json
import math
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import Callable, Dict, Iterable, List, Sequence, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_CORPUS = os.path.normpath(os.path.join(HERE, "..", "..", "..", "shared", "corpora", "scifact"))


@dataclass
class Collection:
    doc_ids: List[str]
    doc_texts: List[str]          # title + " " + text
    query_ids: List[str]          # queries that have qrels, in queries.jsonl order
    query_texts: List[str]
    qrels: Dict[str, Dict[str, int]]


def load_beir(folder: str = DEFAULT_CORPUS, split: str = "test") -> Collection:
    doc_ids: List[str] = []
    doc_texts: List[str] = []
    with open(os.path.join(folder, "corpus.jsonl"), encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            d = json.loads(line)
            doc_ids.append(str(d["_id"]))
            doc_texts.append((d.get("title") or "") + " " + (d.get("text") or ""))
    qrels: Dict[str, Dict[str, int]] = {}
    with open(os.path.join(folder, "qrels", f"{split}.tsv"), encoding="utf-8", newline="") as f:
        reader = csv.reader(f, delimiter="\t")
        header = next(reader)
        if header[0] != "query-id":  # no header line: keep the first row
            qrels.setdefault(header[0], {})[header[1]] = int(header[2])
        for row in reader:
            if len(row) < 3:
                continue
            qrels.setdefault(row[0], {})[row[1]] = int(row[2])
    query_ids: List[str] = []
    query_texts: List[str] = []
    with open(os.path.join(folder, "queries.jsonl"), encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            q = json.loads(line)
            if str(q["_id"]) in qrels:
                query_ids.append(str(q["_id"]))
                query_texts.append(q["text"])
    return Collection(doc_ids, doc_texts, query_ids, query_texts, qrels)


# ---------------------------------------------------------------- metrics

def ndcg_at_k(ranked: Sequence[str], rel: Dict[str, int], k: int = 10) -> float:
    dcg = 0.0
    for i, d in enumerate(ranked[:k]):
        g = rel.get(d, 0)
        if g > 0:
            dcg += g / math.log2(i + 2)
    ideal = sorted((g for g in rel.values() if g > 0), reverse=True)[:k]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg > 0 else 0.0


def recall_at_k(ranked: Sequence[str], rel: Dict[str, int], k: int = 100) -> float:
    relevant = {d for d, g in rel.items() if g > 0}
    if not relevant:
        return 0.0
    return len(relevant.intersection(ranked[:k])) / len(relevant)


def mrr_at_k(ranked: Sequence[str], rel: Dict[str, int], k: int = 10) -> float:
    for i, d in enumerate(ranked[:k]):
        if rel.get(d, 0) > 0:
            return 1.0 / (i + 1)
    return 0.0


def evaluate(col: Collection, runs: Dict[str, Sequence[str]]) -> Dict[str, float]:
    """runs: query id -> ranked document ids (best first). Mean over every qrels query."""
    n = nd = rc = mr = 0.0
    for qid in col.query_ids:
        rel = col.qrels[qid]
        ranked = [d for d in runs.get(qid, []) if d != qid]
        nd += ndcg_at_k(ranked, rel, 10)
        rc += recall_at_k(ranked, rel, 100)
        mr += mrr_at_k(ranked, rel, 10)
        n += 1
    return {
        "ndcg_at_10": round(nd / n, 5),
        "recall_at_100": round(rc / n, 5),
        "mrr_at_10": round(mr / n, 5),
    }


# ---------------------------------------------------------------- timing

def percentile(values: Sequence[float], p: float) -> float:
    """Linear-interpolated percentile (numpy's default method)."""
    xs = sorted(values)
    if not xs:
        return float("nan")
    pos = (len(xs) - 1) * p / 100.0
    lo = math.floor(pos)
    hi = math.ceil(pos)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def time_queries(search: Callable[[str], object], texts: Sequence[str], runs: int) -> Dict[str, object]:
    """One untimed warm-up pass, then `runs` timed passes over all queries, one at a time.

    Returns medians over the passes of queries/s, p50 and p99 latency (ms), and the raw
    per-pass figures.
    """
    for t in texts:
        search(t)
    qps, p50, p99 = [], [], []
    pc = time.perf_counter_ns
    for _ in range(runs):
        lat = []
        gc.collect()
        gc_was = gc.isenabled()
        gc.disable()
        start = pc()
        for t in texts:
            t0 = pc()
            search(t)
            lat.append((pc() - t0) / 1e6)
        wall = (pc() - start) / 1e9
        if gc_was:
            gc.enable()
        qps.append(len(texts) / wall)
        p50.append(percentile(lat, 50))
        p99.append(percentile(lat, 99))
    return {
        "queries_per_second": round(statistics.median(qps), 1),
        "latency_ms_p50": round(statistics.median(p50), 4),
        "latency_ms_p99": round(statistics.median(p99), 4),
        "runs_queries_per_second": [round(x, 1) for x in qps],
    }


def median_time(fn: Callable[[], object], runs: int) -> Tuple[float, List[float], object]:
    """Median wall seconds of `runs` calls; returns (median, all, last result)."""
    times = []
    out = None
    for _ in range(runs):
        out = None
        gc.collect()
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), times, out


# ---------------------------------------------------------------- memory

def rss_bytes() -> int:
    """Current resident set size of this process (from /proc, no psutil needed)."""
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE")


def peak_rss_bytes() -> int:
    """Peak resident set size of this process so far (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def reset_peak() -> bool:
    """Reset this process's peak RSS (VmHWM) to the current RSS (Linux >= 4.0)."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def vm_hwm() -> int:
    """Peak RSS since the last reset_peak() (or process start)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return peak_rss_bytes()


# ---------------------------------------------------------------- environment

def single_thread():
    """Limit every BLAS / OpenMP pool of this process to one thread (threadpoolctl)."""
    from threadpoolctl import threadpool_limits
    return threadpool_limits(limits=1)


def blas_info() -> List[Dict[str, object]]:
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return []
    keep = ("internal_api", "prefix", "version", "architecture", "num_threads", "threading_layer")
    return [{k: i.get(k) for k in keep} for i in threadpool_info()]


def machine() -> Dict[str, object]:
    cpu = ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = 0
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal"):
                    mem = int(line.split()[1]) * 1024
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(mem / 2**30, 1),
        "python": platform.python_version(),
        "kernel": platform.release(),
        "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"),
        "OPENBLAS_L2_SIZE": os.environ.get("OPENBLAS_L2_SIZE"),
    }


def emit(obj: Dict[str, object]) -> None:
    print(json.dumps(obj, sort_keys=False), flush=True)


def run_children(script: str, jobs: Iterable[List[str]], extra: List[str]) -> int:
    """Run `python script --one JOB... extra` in a fresh process per job (peaks don't mix);
    forward each child's JSON lines to stdout. Returns the number of failed jobs."""
    failed = 0
    for job in jobs:
        cmd = [sys.executable, script, "--one", *job, *extra]
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True)
        sys.stdout.write(proc.stdout)
        sys.stdout.flush()
        if proc.returncode != 0:
            failed += 1
            print(f"peer job failed ({proc.returncode}): {' '.join(job)}", file=sys.stderr)
    return failed
