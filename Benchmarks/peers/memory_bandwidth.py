"""This machine's memory bandwidth, the physical limit of a dense scan (GB = 1e9 bytes).

Measured on arrays far larger than the caches (default 2 GB read, 1 GB copy), median of
--runs runs (default 7), after one untimed warm-up:

* read, 1 thread:  np.sum over float32 (numpy's SIMD pairwise sum);
* read, 1 thread:  sdot(a, a) through numpy's OpenBLAS (each element read once);
* read, 2 threads: the same sdot with two OpenBLAS threads (all cores of this machine);
* copy, 1 thread:  np.copyto(dst, src) of 1 GB: bytes copied/s, and read+write traffic/s
  (2 x bytes; write-allocate traffic not counted).

Prints one JSON object per line: {"system": "memory", "variant": ..., "gb_per_second": ...}.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import beir  # noqa: E402

import numpy as np  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402


def timed(fn, runs: int):
    fn()
    ts = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return statistics.median(ts), ts


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--read-gb", type=float, default=2.0)
    ap.add_argument("--copy-gb", type=float, default=1.0)
    ap.add_argument("--runs", type=int, default=7)
    a = ap.parse_args()

    n = int(a.read_gb * 1e9) // 4
    x = np.empty(n, dtype=np.float32)
    x.fill(1.0)  # touch every page
    nbytes = x.nbytes
    common = {"system": "memory", "mode": "bandwidth", "runs": a.runs, "blas": beir.blas_info(),
              "numpy": np.__version__}
    rows = []
    with threadpool_limits(limits=1):
        med, ts = timed(lambda: float(np.sum(x)), a.runs)
        rows.append({"variant": "read-np.sum-1thread", "bytes": nbytes, "threads": 1,
                     "gb_per_second": round(nbytes / med / 1e9, 2)
                     , "runs_gb_per_second": [round(nbytes / t / 1e9, 2) for t in ts]})
        med, ts = timed(lambda: float(np.dot(x, x)), a.runs)
        rows.append({"variant": "read-sdot-1thread", "bytes": nbytes, "threads": 1,
                     "gb_per_second": round(nbytes / med / 1e9, 2),
                     "runs_gb_per_second": [round(nbytes / t / 1e9, 2) for t in ts]})
    with threadpool_limits(limits=os.cpu_count() or 2, user_api="blas"):
        med, ts = timed(lambda: float(np.dot(x, x)), a.runs)
        rows.append({"variant": f"read-sdot-{os.cpu_count()}threads", "bytes": nbytes,
                     "threads": os.cpu_count(),
                     "gb_per_second": round(nbytes / med / 1e9, 2),
                     "runs_gb_per_second": [round(nbytes / t / 1e9, 2) for t in ts]})
    del x
    m = int(a.copy_gb * 1e9) // 4
    src = np.empty(m, dtype=np.float32)
    src.fill(2.0)
    dst = np.empty_like(src)
    dst.fill(0.0)
    med, ts = timed(lambda: np.copyto(dst, src), a.runs)
    cb = src.nbytes
    rows.append({"variant": "copy-np.copyto-1thread", "bytes": cb, "threads": 1,
                 "gb_per_second": round(cb / med / 1e9, 2),
                 "traffic_gb_per_second": round(2 * cb / med / 1e9, 2),
                 "runs_gb_per_second": [round(cb / t / 1e9, 2) for t in ts]})
    for r in rows:
        beir.emit({"system": "memory", "variant": r.pop("variant"), **r,
                   **{k: v for k, v in common.items() if k != "system"}})
    return 0


if __name__ == "__main__":
    sys.exit(main())
