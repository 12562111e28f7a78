#!/usr/bin/env python3
"""Cold searches of SQLite FTS5 and tantivy on the store-scale files (issue 9's peers).

Peers, pinned: Python 3.11 with its sqlite3 (SQLite 3.40.1 here; FTS5 built in) and
tantivy==0.27.0 (Benchmarks/peers/requirements.txt). Both indexes live on disk, as ours does,
so a fresh process pays what our CLI pays: open the index, search, print the hits' paths.

usage:
  peers_cold.py build FILES_DIR OUT_DIR        build both indexes once (skipped if present)
  peers_cold.py query OUT_DIR {fts5,tantivy} QUERY [--limit 10]
  peers_cold.py cold OUT_DIR RUNS              RUNS fresh `query` processes per system

`query` prints the paths on stdout and, on stderr, one line
`query_ms=<open+search> rss_anon_kb=<RssAnon> peak_kb=<VmHWM>` (RssAnon leaves out the
file-backed pages of mmapped index files, which peak RSS counts). `cold` starts each
process as `<this interpreter> -S` (see python_command for why).
"""
# Only what `query` needs is imported here: each timed process is one `query`, and argparse,
# json, re, subprocess... would add ~30 ms of imports a lean client of these peers never pays.
import os
import sys
import time

SYSTEMS = ("fts5", "tantivy")


def query_words(text):
    # The \w+ runs, lower-cased, as Benchmarks/peers/lexical_peers.py takes them (without re).
    return "".join(c if c.isalnum() or c == "_" else " " for c in text.lower()).split()


def files_under(files_dir):
    for root, dirs, names in os.walk(files_dir):
        dirs.sort()
        for name in sorted(names):
            path = os.path.abspath(os.path.join(root, name))
            with open(path, encoding="utf-8") as handle:
                yield path, handle.read()


def du_bytes(path):
    if os.path.isfile(path):
        return os.path.getsize(path)
    return sum(os.path.getsize(os.path.join(r, n)) for r, _, ns in os.walk(path) for n in ns)


def build_fts5(files_dir, target):
    import sqlite3
    con = sqlite3.connect(target)
    con.execute("CREATE VIRTUAL TABLE docs USING fts5(path UNINDEXED, body, "
                "tokenize='porter unicode61')")
    with con:
        con.executemany("INSERT INTO docs(path, body) VALUES (?, ?)", files_under(files_dir))
    # One b-tree per term instead of the insert-time segments, then drop the freed pages:
    # what a store that is searched far more often than written would keep. The content is
    # stored (FTS5's default), so the file holds the text too; tantivy's body is not stored.
    with con:
        con.execute("INSERT INTO docs(docs) VALUES ('optimize')")
    con.execute("VACUUM")
    con.close()


def build_tantivy(files_dir, target):
    import tantivy
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("path", stored=True, tokenizer_name="raw")
    sb.add_text_field("body", stored=False, tokenizer_name="en_stem")
    os.makedirs(target)
    index = tantivy.Index(sb.build(), path=target)
    # One indexing thread: the machine has two cores and the build is not what is measured.
    writer = index.writer(heap_size=256_000_000, num_threads=1)
    for path, body in files_under(files_dir):
        writer.add_document(tantivy.Document(path=path, body=body))
    writer.commit()
    writer.wait_merging_threads()


def build(files_dir, out_dir):
    import json
    import shutil
    os.makedirs(out_dir, exist_ok=True)
    manifest_path = os.path.join(out_dir, "manifest.json")
    manifest = json.load(open(manifest_path)) if os.path.exists(manifest_path) else {}
    manifest["n_files"] = sum(len(ns) for _, _, ns in os.walk(files_dir))
    manifest["files_dir"] = os.path.abspath(files_dir)
    for system, name, builder in (("fts5", "fts5.sqlite", build_fts5),
                                  ("tantivy", "tantivy", build_tantivy)):
        target = os.path.join(out_dir, name)
        if os.path.exists(target):
            note = "present, not rebuilt"
        else:
            # Build beside the target and rename, so an interrupted build is never "present".
            partial = target + ".partial"
            shutil.rmtree(partial, ignore_errors=True)
            if os.path.isfile(partial):
                os.remove(partial)
            start = time.perf_counter()
            builder(files_dir, partial)
            manifest[system + "_build_s"] = time.perf_counter() - start
            os.replace(partial, target)
            note = "built"
        seconds = manifest.get(system + "_build_s")
        took = f"{seconds:.1f} s" if seconds is not None else "unknown"
        print(f"{system}: build {took} ({note}), {du_bytes(target) / 2**20:.1f} MB on disk, "
              f"{manifest['n_files']} files")
    import importlib.metadata  # here only: its import alone takes ~50 ms
    manifest["versions"] = {"python": sys.version.split()[0],
                            "sqlite": __import__("sqlite3").sqlite_version,
                            "tantivy": importlib.metadata.version("tantivy")}
    with open(manifest_path, "w") as handle:
        json.dump(manifest, handle, indent=1)


def proc_status_kb(*keys):
    values = {}
    for line in open("/proc/self/status"):
        key, _, rest = line.partition(":")
        if key in keys:
            values[key] = int(rest.split()[0])
    return [values[k] for k in keys]


def query(out_dir, system, text, limit):
    words = query_words(text)
    # query_ms starts after the import (open + search only); the interpreter start and the
    # import are in the wall time `cold` measures from outside.
    if system == "fts5":
        import sqlite3
        start = time.perf_counter()
        con = sqlite3.connect(f"file:{os.path.join(out_dir, 'fts5.sqlite')}?mode=ro", uri=True)
        # MATCH is AND by default; OR-ing quoted words gives the same disjunction as the others.
        expr = " OR ".join('"' + w.replace('"', '""') + '"' for w in words)
        paths = [row[0] for row in con.execute(
            "SELECT path FROM docs WHERE docs MATCH ? ORDER BY bm25(docs) LIMIT ?", (expr, limit))
        ] if words else []  # an empty MATCH is a syntax error, not "no hits"
    else:
        import tantivy
        start = time.perf_counter()
        index = tantivy.Index.open(os.path.join(out_dir, "tantivy"))
        searcher = index.searcher()
        hits = searcher.search(index.parse_query(" ".join(words), ["body"]), limit).hits
        # The stored-path fetch is part of answering, as it is for our CLI and for FTS5.
        paths = [searcher.doc(address)["path"][0] for _, address in hits]
    elapsed_ms = (time.perf_counter() - start) * 1000
    print("\n".join(paths))
    rss_anon, peak = proc_status_kb("RssAnon", "VmHWM")
    print(f"query_ms={elapsed_ms:.2f} rss_anon_kb={rss_anon} peak_kb={peak}", file=sys.stderr)


def median(values):
    # The lower median, as cold_search.sh's awk takes it.
    return sorted(values)[(len(values) + 1) // 2 - 1]


def p99(values):
    import math
    # Nearest rank: the maximum while n < 100, again as cold_search.sh reports it.
    return sorted(values)[math.ceil(len(values) * 0.99) - 1]


def python_command():
    """How each timed process starts. sys.executable, not `python3`: here `python3` is a pyenv
    shim (a shell script) that adds tens of milliseconds. -S skips site and its .pth files (on
    this machine one imports certifi: ~45 ms a process that no Python user of these peers must
    pay); PYTHONPATH still finds tantivy."""
    import importlib.util
    site = os.path.dirname(importlib.util.find_spec("tantivy").submodule_search_locations[0])
    return [sys.executable, "-S"], dict(os.environ, PYTHONPATH=site)


def run_query(python, env, out_dir, system, text):
    import subprocess
    start = time.perf_counter()
    done = subprocess.run([*python, os.path.abspath(__file__), "query", out_dir, system, text],
                          env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          check=True)
    wall = time.perf_counter() - start
    fields = dict(f.split("=") for f in done.stderr.strip().splitlines()[-1].split())
    return wall, fields, done.stdout.split()


def cold(out_dir, runs):
    import json
    import subprocess
    n = json.load(open(os.path.join(out_dir, "manifest.json")))["n_files"]
    python, env = python_command()
    for system in SYSTEMS:
        # Page cache warm, as cold_search.sh's warm-up search makes it for ours.
        run_query(python, env, out_dir, system, "warmup")
        walls, query_ms, rss_anon, peak, found = [], [], [], [], 0
        for i in range(1, runs + 1):
            unique = i * 37 % n
            text = f"microstructural white matter diffusion uniq{unique}"
            wall, fields, paths = run_query(python, env, out_dir, system, text)
            walls.append(wall)
            query_ms.append(float(fields["query_ms"]))
            rss_anon.append(int(fields["rss_anon_kb"]))
            peak.append(int(fields["peak_kb"]))
            # Whether the one file holding uniq<k> (make_corpus.py names it doc<k>.txt) ranks in
            # the top 10: not a correctness check (files with all four other words outrank it
            # under OR + BM25), a hint of whether rankings are comparable with ours.
            found += any(os.path.basename(p) == f"doc{unique:06d}.txt" for p in paths)
        print(f"{system}: wall median {median(walls):.3f} s, "
              f"p99 {p99(walls):.3f} s; "
              f"query median {median(query_ms):.1f} ms; "
              f"RssAnon median {median(rss_anon) / 1024:.0f} MB, "
              f"peak RSS median {median(peak) / 1024:.0f} MB (n={runs}); "
              f"uniq file in top 10: {found}/{runs}", flush=True)
    # The floor under every peer's wall time: the interpreter alone.
    walls = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([*python, "-c", "pass"], env=env, check=True)
        walls.append(time.perf_counter() - start)
    print(f"python start alone: wall median {median(walls):.3f} s (n={runs})")


def main():
    # `query OUT_DIR SYSTEM QUERY [--limit K]` is read by hand (argparse alone imports in ~15 ms);
    # anything else, including a malformed query, goes to argparse.
    args = sys.argv[1:]
    if len(args) in (4, 6) and args[0] == "query" and args[2] in SYSTEMS and \
            (len(args) == 4 or (args[4] == "--limit" and args[5].isdigit())):
        return query(args[1], args[2], args[3], int(args[5]) if len(args) == 6 else 10)
    import argparse
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("build")
    p.add_argument("files_dir")
    p.add_argument("out_dir")
    p = sub.add_parser("query")
    p.add_argument("out_dir")
    p.add_argument("system", choices=SYSTEMS)
    p.add_argument("query")
    p.add_argument("--limit", type=int, default=10)
    p = sub.add_parser("cold")
    p.add_argument("out_dir")
    p.add_argument("runs", type=int)
    args = parser.parse_args()
    if args.command == "build":
        build(args.files_dir, args.out_dir)
    elif args.command == "query":
        query(args.out_dir, args.system, args.query, args.limit)
    else:
        cold(args.out_dir, args.runs)


if __name__ == "__main__":
    main()
