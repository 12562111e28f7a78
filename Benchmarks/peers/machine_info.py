"""One JSON line describing the machine and the peer versions (for Benchmarks/out/peers.jsonl).

Usage: machine_info.py [CALLER_OPENBLAS_CORETYPE] [CALLER_OPENBLAS_L2_SIZE]
(the values the caller had before run_peers.sh unset them for the timed commands).
"""

import os
import sys
from importlib import metadata

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import beir  # noqa: E402

import numpy  # noqa: E402,F401  (load the BLAS libraries so threadpoolctl sees them)
import faiss  # noqa: E402,F401

DISTS = ["bm25s", "PyStemmer", "tantivy", "rank-bm25", "faiss-cpu", "numpy", "scipy", "threadpoolctl"]


def main() -> int:
    import sqlite3
    caller = sys.argv[1:3] + ["", ""]
    versions = {}
    for d in DISTS:
        try:
            versions[d] = metadata.version(d)
        except metadata.PackageNotFoundError:
            versions[d] = None
    versions["sqlite"] = sqlite3.sqlite_version
    beir.emit({"system": "machine", "mode": "info", **beir.machine(),
               "caller_OPENBLAS_CORETYPE": caller[0] or None,
               "caller_OPENBLAS_L2_SIZE": caller[1] or None,
               "versions": versions, "blas": beir.blas_info()})
    return 0


if __name__ == "__main__":
    sys.exit(main())
