"""Lexical peers on a BEIR collection: bm25s, SQLite FTS5, tantivy, rank-bm25.

Without --one, runs every peer/variant in a fresh subprocess (so memory peaks don't mix)
and prints one JSON object per line. With --one SYSTEM VARIANT, measures that one:

* index build: median wall time of --runs builds (documents/s); the first build, in the
  fresh process, gives the memory figures: peak RSS growth during the build (VmHWM reset
  through /proc/self/clear_refs just before it, minus the RSS before it) and the RSS still
  held once it is built (index_rss_mb);
* queries: one untimed warm-up pass, then --runs passes over all queries one at a time
  (text in, top-100 ids out: analysis + search + top-k), medians of queries/s, p50, p99;
* batched queries/s where the library has a batch call (bm25s `retrieve` with a list);
* quality (nDCG@10, Recall@100, MRR@10) from the top 100 of the warm-up pass.

Everything is single-threaded (BLAS/OpenMP pools limited to 1, tantivy writer 1 thread,
bm25s n_threads=0). Documents that score 0 (match no query term) are not returned.
"""

from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import argparse
import gc
import re
import statistics
import sys
import time
from importlib import metadata

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import beir  # noqa: E402

import numpy as np  # noqa: E402

TOP = 100
WORD = re.compile(r"\w+")

# system -> variants; rank-bm25 is pure Python and slow, but SciFact's 300 queries fit.
JOBS = [
    ("bm25s", "plain"),
    ("bm25s", "stem"),
    ("bm25s", "default"),
    ("bm25s", "default-stem"),
    ("sqlite-fts5", "unicode61"),
    ("sqlite-fts5", "porter"),
    ("tantivy", "default"),
    ("tantivy", "en_stem"),
    ("rank-bm25", "plain"),
    ("rank-bm25", "stem"),
]


def version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "?"


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the k best positive scores, best first (ties: smaller index first)."""
    pos = np.flatnonzero(scores > 0)
    if pos.size > k:
        part = np.argpartition(-scores[pos], k - 1)[:k]
        pos = pos[part]
    order = np.lexsort((pos, -scores[pos]))
    return pos[order]


# ------------------------------------------------------------------ peers
# Each peer: build(texts) -> index object; search(index, text) -> list of doc indices;
# optional batch(index, texts) -> list of lists.


class Bm25sPeer:
    def __init__(self, variant: str):
        import bm25s
        self.bm25s = bm25s
        stem = variant in ("stem", "default-stem")
        if stem:
            import Stemmer
            self.stemmer = Stemmer.Stemmer("english")
        else:
            self.stemmer = None
        if variant.startswith("default"):
            # Library defaults: BM25() is k1=1.5, b=0.75, method="lucene";
            # tokenize() defaults to stopwords="english" (the same list as "en").
            self.params = {"k1": 1.5, "b": 0.75, "method": "lucene", "stopwords": "english (default)"}
            self.kw = {}
            self.stop = "english"
        else:
            self.params = {"k1": 1.2, "b": 0.75, "method": "lucene", "stopwords": "en"}
            self.kw = {"k1": 1.2, "b": 0.75, "method": "lucene"}
            self.stop = "en"
        self.params["stemmer"] = "PyStemmer english (snowball)" if stem else None
        self.params["backend"] = "numpy"

    def tok(self, texts):
        return self.bm25s.tokenize(texts, stopwords=self.stop, stemmer=self.stemmer,
                                   return_ids=True, show_progress=False)

    def build(self, texts):
        r = self.bm25s.BM25(**self.kw)
        r.index(self.tok(texts), show_progress=False)
        return r

    def search(self, r, text):
        q = self.bm25s.tokenize([text], stopwords=self.stop, stemmer=self.stemmer,
                                return_ids=False, show_progress=False)
        if not q[0]:
            return []
        docs, scores = r.retrieve(q, k=TOP, show_progress=False, n_threads=0)
        return [int(d) for d, s in zip(docs[0], scores[0]) if s > 0]

    def batch(self, r, texts):
        q = self.bm25s.tokenize(texts, stopwords=self.stop, stemmer=self.stemmer,
                                return_ids=False, show_progress=False)
        docs, scores = r.retrieve(q, k=TOP, show_progress=False, n_threads=0)
        return [[int(d) for d, s in zip(dr, sr) if s > 0] for dr, sr in zip(docs, scores)]


class Fts5Peer:
    batch = None

    def __init__(self, variant: str):
        import sqlite3
        self.sqlite3 = sqlite3
        self.tokenize = {"unicode61": "unicode61", "porter": "porter unicode61"}[variant]
        self.params = {"tokenize": self.tokenize, "rank": "bm25() (k1=1.2, b=0.75 built in)",
                       "query": "query words (\\w+, lower-cased) each quoted, joined with OR",
                       "content": "stored (default)", "optimize": True,
                       "sqlite": sqlite3.sqlite_version}

    def build(self, texts):
        con = self.sqlite3.connect(":memory:")
        con.execute(f"CREATE VIRTUAL TABLE docs USING fts5(body, tokenize='{self.tokenize}')")
        with con:
            con.executemany("INSERT INTO docs(rowid, body) VALUES (?, ?)",
                            ((i, t) for i, t in enumerate(texts)))
        with con:
            con.execute("INSERT INTO docs(docs) VALUES ('optimize')")
        return con

    @staticmethod
    def match_expr(text: str) -> str:
        words = WORD.findall(text.lower())
        return " OR ".join('"' + w.replace('"', '""') + '"' for w in words)

    def search(self, con, text):
        expr = self.match_expr(text)
        if not expr:
            return []
        rows = con.execute("SELECT rowid FROM docs WHERE docs MATCH ? ORDER BY rank LIMIT ?",
                           (expr, TOP)).fetchall()
        return [r[0] for r in rows]


class TantivyPeer:
    batch = None

    def __init__(self, variant: str):
        import tantivy
        self.tantivy = tantivy
        self.tokenizer = variant  # "default" or "en_stem"
        self.params = {"tokenizer": variant, "bm25": "k1=1.2, b=0.75 (built in)",
                       "query": "query words (\\w+, lower-cased) joined by spaces (OR), parse_query",
                       "writer_threads": 1, "index": "in RAM"}

    def build(self, texts):
        tv = self.tantivy
        sb = tv.SchemaBuilder()
        sb.add_text_field("body", stored=False, tokenizer_name=self.tokenizer)
        sb.add_unsigned_field("rowid", stored=True)
        schema = sb.build()
        index = tv.Index(schema)
        w = index.writer(heap_size=256_000_000, num_threads=1)
        for i, t in enumerate(texts):
            w.add_document(tv.Document(body=t, rowid=i))
        w.commit()
        w.wait_merging_threads()
        index.reload()
        return index

    def prepare(self, index):
        """Map doc addresses to row ids once, outside the timed region (a stored-field
        fetch per hit would time the doc store, not the search)."""
        s = index.searcher()
        hits = s.search(self.tantivy.Query.all_query(), limit=s.num_docs, count=False).hits
        self.addr = {(a.segment_ord, a.doc): s.doc(a)["rowid"][0] for _, a in hits}
        self.searcher = s
        self.index = index

    def search(self, index, text):
        words = WORD.findall(text.lower())
        if not words:
            return []
        q = index.parse_query(" ".join(words), ["body"])
        hits = self.searcher.search(q, limit=TOP, count=False).hits
        addr = self.addr
        return [addr[(a.segment_ord, a.doc)] for _, a in hits]


class RankBm25Peer:
    batch = None

    def __init__(self, variant: str):
        import bm25s
        import rank_bm25
        self.bm25s = bm25s
        self.rank_bm25 = rank_bm25
        if variant == "stem":
            import Stemmer
            self.stemmer = Stemmer.Stemmer("english")
        else:
            self.stemmer = None
        self.params = {"class": "BM25Okapi", "k1": 1.2, "b": 0.75, "epsilon": 0.25,
                       "idf": "log((N-n+0.5)/(n+0.5)), negatives floored to 0.25*mean idf",
                       "tokenizer": "bm25s.tokenize, stopwords en" + (", PyStemmer english" if self.stemmer else "")}

    def tok(self, texts):
        return self.bm25s.tokenize(texts, stopwords="en", stemmer=self.stemmer,
                                   return_ids=False, show_progress=False)

    def build(self, texts):
        return self.rank_bm25.BM25Okapi(self.tok(texts), k1=1.2, b=0.75)

    def search(self, idx, text):
        q = self.tok([text])[0]
        if not q:
            return []
        return top_k(idx.get_scores(q), TOP).tolist()


PEERS = {"bm25s": Bm25sPeer, "sqlite-fts5": Fts5Peer, "tantivy": TantivyPeer, "rank-bm25": RankBm25Peer}
DISTS = {"bm25s": ["bm25s", "PyStemmer", "numpy", "scipy"], "sqlite-fts5": [],
         "tantivy": ["tantivy"], "rank-bm25": ["rank-bm25", "PyStemmer", "bm25s"]}


def measure_one(system: str, variant: str, corpus: str, runs: int) -> dict:
    limiter = beir.single_thread()  # noqa: F841  (kept alive for the whole run)
    col = beir.load_beir(corpus)
    peer = PEERS[system](variant)
    texts = col.doc_texts
    ndocs = len(texts)

    # warm the imports / lazy initialisation on a tiny build, then measure memory
    tiny = peer.build(texts[:50])
    del tiny
    gc.collect()
    base = beir.rss_bytes()
    reset_ok = beir.reset_peak()
    t0 = time.perf_counter()
    index = peer.build(texts)
    first = time.perf_counter() - t0
    peak = beir.vm_hwm()
    gc.collect()
    held = beir.rss_bytes() - base
    peak_growth = max(0, peak - base)

    build_times = [first]
    for _ in range(max(0, runs - 1)):
        del index
        gc.collect()
        t0 = time.perf_counter()
        index = peer.build(texts)
        build_times.append(time.perf_counter() - t0)
    build_s = statistics.median(build_times)

    if hasattr(peer, "prepare"):
        peer.prepare(index)

    qtexts = col.query_texts
    ids = col.doc_ids
    results = {qid: [ids[i] for i in peer.search(index, t)] for qid, t in zip(col.query_ids, qtexts)}
    quality = beir.evaluate(col, results)
    timing = beir.time_queries(lambda t: peer.search(index, t), qtexts, runs)

    batched = None
    batch_runs = []
    if peer.batch is not None:
        peer.batch(index, qtexts)  # warm-up
        for _ in range(runs):
            gc.collect()
            t0 = time.perf_counter()
            peer.batch(index, qtexts)
            batch_runs.append(len(qtexts) / (time.perf_counter() - t0))
        batched = round(statistics.median(batch_runs), 1)
        # the batch path must rank like the single path
        bres = peer.batch(index, qtexts)
        assert all([ids[i] for i in b] == results[q] for q, b in zip(col.query_ids, bres)), "batch != single"

    out = {"system": system, "variant": variant, "mode": "lexical", **quality,
           "index_docs_per_second": round(ndocs / build_s, 1),
           "queries_per_second": timing["queries_per_second"],
           "batched_queries_per_second": batched,
           "latency_ms_p50": timing["latency_ms_p50"],
           "latency_ms_p99": timing["latency_ms_p99"],
           "peak_rss_mb": round(peak_growth / 2**20, 1),
           "bytes_per_document": round(peak_growth / ndocs),
           "index_rss_mb": round(held / 2**20, 1),
           "index_bytes_per_document": round(held / ndocs),
           "queries": len(qtexts), "documents": ndocs,
           "runs": runs,
           "runs_index_seconds": [round(x, 3) for x in build_times],
           "runs_queries_per_second": timing["runs_queries_per_second"],
           "runs_batched_queries_per_second": [round(x, 1) for x in batch_runs] or None,
           "peak_reset": reset_ok,
           "params": peer.params,
           "versions": {d: version(d) for d in DISTS[system]},
           "threads": 1}
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", default=beir.DEFAULT_CORPUS)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--one", nargs=2, metavar=("SYSTEM", "VARIANT"))
    ap.add_argument("--only", action="append", default=[],
                    help="run only these systems (repeatable), e.g. --only bm25s")
    a = ap.parse_args()
    if a.one:
        beir.emit(measure_one(a.one[0], a.one[1], a.corpus, a.runs))
        return 0
    jobs = [[s, v] for s, v in JOBS if not a.only or s in a.only]
    return 1 if beir.run_children(os.path.abspath(__file__), jobs,
                                  ["--corpus", a.corpus, "--runs", str(a.runs)]) else 0


if __name__ == "__main__":
    sys.exit(main())
