#!/usr/bin/env python3
"""Side-by-side Markdown tables of our engine and its peers, with the ratio ours/peer.

Reads every ``Benchmarks/out/*.jsonl`` (one JSON object per line): the peers'
(``run_peers.sh`` -> out/peers.jsonl) and ours (``run.sh`` -> out/ours.jsonl, the
``artifact-search eval --json`` objects tagged with ``"system": "artifact-search"``).
Rows with the same (system, variant, mode) are merged by taking the median of each
figure, so ours can be run several times.

    python3 Benchmarks/compare.py [--out-dir Benchmarks/out] [--ours artifact-search]
    ... | python3 Benchmarks/compare.py tag [--system artifact-search]   # tag ours

Ratios are ours/peer for every figure: above 1 is better for quality and rates, below 1
is better for latency and memory.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import statistics
import sys
from typing import Dict, List, Optional

HERE = os.path.dirname(os.path.abspath(__file__))
OURS = "artifact-search"

FIGURES = [  # key, header, higher is better
    ("ndcg_at_10", "nDCG@10", True),
    ("recall_at_100", "R@100", True),
    ("mrr_at_10", "MRR@10", True),
    ("index_docs_per_second", "build docs/s", True),
    ("queries_per_second", "q/s (1 thread)", True),
    ("batched_queries_per_second", "batched q/s", True),
    ("latency_ms_p50", "p50 ms", False),
    ("latency_ms_p99", "p99 ms", False),
    ("peak_rss_mb", "peak RSS MB", False),
    ("bytes_per_document", "bytes/doc", False),
]
MODES = ["lexical", "semantic", "hybrid"]
# A matrix smaller than this is read from the caches (this machine: 32 MiB L3), so its scan
# rate is no measure against the memory bandwidth.
CACHE_BYTES = 64 * 2**20


def load(out_dir: str) -> List[dict]:
    rows = []
    for path in sorted(glob.glob(os.path.join(out_dir, "*.jsonl"))):
        with open(path, encoding="utf-8") as f:
            for line in f:
                line = line.strip()
                if not line.startswith("{"):
                    continue
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError:
                    continue
    return rows


def merge(rows: List[dict]) -> List[dict]:
    """Median of numeric figures over rows with the same (system, variant, mode)."""
    groups: Dict[tuple, List[dict]] = {}
    for r in rows:
        key = (r.get("system"), r.get("variant") or r.get("mode"), r.get("mode"))
        groups.setdefault(key, []).append(r)
    out = []
    for (system, variant, mode), rs in groups.items():
        m = dict(rs[0])
        m["variant"] = variant
        m["merged_runs"] = len(rs)
        if len(rs) > 1:
            for k in m:
                vals = [r.get(k) for r in rs]
                nums = [v for v in vals if isinstance(v, (int, float)) and not isinstance(v, bool)]
                if nums and all(v is None or v in nums for v in vals):
                    m[k] = statistics.median(nums)
        out.append(m)
    return out


def fmt(v) -> str:
    if v is None:
        return "—"
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, int) or (isinstance(v, float) and v.is_integer() and abs(v) >= 1000):
        return f"{int(v):,}"
    if isinstance(v, float):
        a = abs(v)
        if a >= 1000:
            return f"{v:,.0f}"
        if a >= 100:
            return f"{v:.1f}"
        if a >= 1:
            return f"{v:.2f}"
        return f"{v:.4f}" if a < 0.1 else f"{v:.3f}"
    return str(v)


def ratio(ours, peer) -> Optional[float]:
    if not isinstance(ours, (int, float)) or not isinstance(peer, (int, float)) or not peer:
        return None
    return ours / peer


def mode_table(mode: str, ours: List[dict], peers: List[dict]) -> List[str]:
    lines = []
    heads = [h for _, h, _ in FIGURES]
    for o in ours or [None]:
        title = f"### {mode}"
        if o is not None:
            title += f" — ours: `{o.get('variant')}` (median of {o.get('merged_runs', 1)} run(s)); cells: peer value (ours/peer)"
        else:
            title += " — no figures of ours yet; cells: peer value"
        lines += [title, "", "| system | variant | " + " | ".join(heads) + " |",
                  "|---|---|" + "---:|" * len(heads)]
        if o is not None:
            lines.append(f"| **{OURS}** | {o.get('variant')} | " +
                         " | ".join(f"**{fmt(o.get(k))}**" for k, _, _ in FIGURES) + " |")
        for p in peers:
            cells = []
            for k, _, _ in FIGURES:
                v = p.get(k)
                r = ratio(o.get(k), v) if o is not None else None
                cells.append(fmt(v) + (f" ({r:.3g}×)" if r is not None else ""))
            lines.append(f"| {p.get('system')} | {p.get('variant')} | " + " | ".join(cells) + " |")
        lines.append("")
    return lines


def scale_table(rows: List[dict], raw: List[dict]) -> List[str]:
    """rows: merged (medians); raw: every measurement, for the best bandwidth seen (noise
    from other work on a shared machine only ever lowers a bandwidth)."""
    bw = [r for r in rows if r.get("system") == "memory"]
    best: Dict[str, float] = {}
    for r in raw:
        if r.get("system") == "memory" and isinstance(r.get("gb_per_second"), (int, float)):
            v = r.get("variant")
            best[v] = max(best.get(v, 0.0), r["gb_per_second"])
    limit = max((g for v, g in best.items() if str(v).startswith("read")), default=None)
    lines = []
    if bw:
        lines += ["### memory bandwidth (the physical limit of a scan)", "",
                  "| measure | threads | GB/s (median) | GB/s (best) |", "|---|---:|---:|---:|"]
        for r in bw:
            extra = f" (read+write traffic {fmt(r['traffic_gb_per_second'])})" if r.get("traffic_gb_per_second") else ""
            lines.append(f"| {r.get('variant')} | {r.get('threads')} | {fmt(r.get('gb_per_second'))}{extra} "
                         f"| {fmt(best.get(r.get('variant')))} |")
        lines.append("")
    scans = [r for r in rows if r.get("scan_gb_per_second") is not None]
    if scans:
        lines += ["### dense scan rate against the memory bandwidth"
                  + (f" (limit = best read seen, {limit:.1f} GB/s)" if limit else ""), "",
                  "| system | variant | matrix | single-query scan ms (median) | GB/s | share of limit | batched ms/query |",
                  "|---|---|---|---:|---:|---:|---:|"]
        for r in sorted(scans, key=lambda r: (r.get("system") != OURS, r.get("mode", ""), r.get("system", ""))):
            if r.get("mode") == "synthetic-scan":
                shape = f"{r.get('rows'):,} × {r.get('dimension')} (synthetic)"
                ms = r.get("scan_ms_median")
                bms = r.get("batched_ms_per_query")
            else:
                shape = f"{r.get('documents'):,} × {r.get('dimension')} (SciFact)"
                ms = r.get("scan_ms_p50")
                bq = r.get("batched_queries_per_second")
                bms = 1000.0 / bq if bq else None
            g = r.get("scan_gb_per_second")
            mbytes = r.get("matrix_bytes") or (r.get("documents") or 0) * (r.get("dimension") or 0) * 4
            if mbytes < CACHE_BYTES:
                share = "— (in cache)"
            else:
                share = f"{g / limit:.0%}" if limit and g else "—"
            lines.append(f"| {r.get('system')} | {r.get('variant')} | {shape} | {fmt(ms)} | {fmt(g)} | {share} | {fmt(bms)} |")
        lines.append("")
    return lines


def tag(argv: List[str]) -> int:
    ap = argparse.ArgumentParser(prog="compare.py tag", description="tag our eval JSON with a system name")
    ap.add_argument("--system", default=OURS)
    a = ap.parse_args(argv)
    # one JSON object per line or pretty-printed over several lines; other text is skipped
    text = sys.stdin.read()
    dec = json.JSONDecoder()
    n = i = 0
    while True:
        i = text.find("{", i)
        if i < 0:
            break
        try:
            obj, end = dec.raw_decode(text, i)
        except json.JSONDecodeError:
            i += 1
            continue
        i = end
        if not isinstance(obj, dict):
            continue
        obj = {"system": a.system, "variant": obj.get("variant") or obj.get("mode"), **obj}
        print(json.dumps(obj))
        n += 1
    if n == 0:
        print("compare.py tag: no JSON object on stdin", file=sys.stderr)
        return 1
    return 0


def main(argv: List[str]) -> int:
    if argv[:1] == ["tag"]:
        return tag(argv[1:])
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out-dir", default=os.path.join(HERE, "out"))
    ap.add_argument("--ours", default=OURS, help="system name of our rows")
    a = ap.parse_args(argv)
    raw = load(a.out_dir)
    rows = merge(raw)
    if not rows:
        print(f"no *.jsonl in {a.out_dir}: run Benchmarks/run.sh (or run_peers.sh) first", file=sys.stderr)
        return 1
    out = ["## ArtifactSearch vs peers", ""]
    machine = [r for r in rows if r.get("system") == "machine"]
    if machine:
        m = machine[0]
        out += [f"Machine: {m.get('cpu')}, {m.get('cores')} cores, {m.get('memory_gib')} GiB, "
                f"Python {m.get('python')}; peers: " +
                ", ".join(f"{k} {v}" for k, v in (m.get("versions") or {}).items()), ""]
    for mode in MODES:
        peers = [r for r in rows if r.get("mode") == mode and r.get("system") not in (a.ours, "machine")]
        ours = [r for r in rows if r.get("mode") == mode and r.get("system") == a.ours]
        if peers or ours:
            peers.sort(key=lambda r: (r.get("system", ""), r.get("variant", "")))
            out += mode_table(mode, ours, peers)
    out += scale_table(rows, raw)
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
