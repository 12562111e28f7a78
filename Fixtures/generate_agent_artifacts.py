#!/usr/bin/env python3
"""Deterministic generator of ArtifactSearch's own fixture collections.

Writes, next to this script (or under --out DIR):

  agent-artifacts/corpus.jsonl     BEIR-layout retrieval collection: documents that look like
  agent-artifacts/queries.jsonl    what AI agents leave behind in tool-graph runs (logs, JSON
  agent-artifacts/qrels/test.tsv   results, code, notes, CSV, Chinese and Japanese text), the
                                   queries an agent would type, and graded judgements
                                   (2 = highly relevant, 1 = partially relevant).
  workspace/                       a small mock agent workspace (~40 real files, one binary,
                                   one Chinese) for the command-line ingest demo.

Everything is synthetic and written by hand for this project: hand-written content pools are
combined with random.Random(SEED). Only the standard library is used, nothing depends on the
clock, the locale, the platform or PYTHONHASHSEED, so running the script twice gives
byte-identical files.

The judgements are correct by construction: every judged document is written for its topic
(the TOPICS table names the documents of each query and their grade); background documents are
drawn from pools that avoid the topics' subjects, and are unjudged (= not relevant).

Usage:
  python3 Fixtures/generate_agent_artifacts.py            # (re)write Fixtures/agent-artifacts and Fixtures/workspace
  python3 Fixtures/generate_agent_artifacts.py --out DIR  # write somewhere else (e.g. to diff two runs)
  python3 Fixtures/generate_agent_artifacts.py --bm25     # also print a reference BM25 nDCG@10 (pure Python)
"""

import argparse
import json
import math
import os
import random
import re
import shutil
import sys
import textwrap
import unicodedata
from datetime import datetime, timedelta

SEED = 20240311
BASE_TIME = datetime(2024, 3, 4, 8, 0, 0)


def T(s):
    """Dedent a hand-written block and strip its surrounding blank lines."""
    return textwrap.dedent(s).strip("\n")


def jdump(obj):
    """Pretty JSON as an agent tool would save it (2-space indent, key order as written)."""
    return json.dumps(obj, indent=2, ensure_ascii=False)


# ---------------------------------------------------------------------------------------------
# Log rendering
# ---------------------------------------------------------------------------------------------
#
# A log is a list of entries:
#   (level, logger, message)   one timestamped line
#   "|text"                    a verbatim line (traceback frames, tool output)
#   ("FILL", family, n)        n background lines of a family (see FILLERS)
#   ("GAP", seconds)           jump the clock forward

def fmt_line(style, t, level, logger, msg):
    ms = t.microsecond // 1000
    if style == "py":
        return f"{t:%Y-%m-%d %H:%M:%S},{ms:03d} {level} {logger} - {msg}"
    if style == "iso":
        return f"{t:%Y-%m-%dT%H:%M:%S}.{ms:03d}Z {level.lower():<5} [{logger}] {msg}"
    if style == "agent":
        return f"[{t:%Y-%m-%d %H:%M:%S}] {logger}: {msg}"
    if style == "plain":
        return f"{t:%H:%M:%S} {level:<7} {msg}"
    raise ValueError(style)


def render_log(rng, start, entries, style="py", gap=(0.3, 45.0), state=None):
    t = start
    st = dict(FILL_STATE_DEFAULT)
    if state:
        st.update(state)
    out = []

    def tick():
        nonlocal t
        t = t + timedelta(milliseconds=int(rng.uniform(*gap) * 1000))
        return t

    for e in entries:
        if isinstance(e, str):
            assert e.startswith("|"), e
            out.append(e[1:])
        elif e[0] == "FILL":
            _, fam, n = e
            for _ in range(n):
                lvl, lg, msg = FILLERS[fam](rng, st)
                out.append(fmt_line(style, tick(), lvl, lg, msg))
        elif e[0] == "GAP":
            t = t + timedelta(seconds=e[1])
        else:
            lvl, lg, msg = e
            out.append(fmt_line(style, tick(), lvl, lg, msg))
    return "\n".join(out)


FILL_STATE_DEFAULT = {"step": 0, "epoch": 1, "loss": 3.2, "lr": 3e-4, "shard": 0, "req": 0}

# Background line pools.  They deliberately stay away from the subjects of the TOPICS below
# (no out-of-memory, no NaN, no connection resets, no cache hit rates, no p99 ...).

WEB_QUERIES = [
    "pytorch dataloader persistent_workers", "swift nio tls handshake", "serde flatten enum",
    "postgres vacuum analyze bloat", "react useEffect cleanup", "tokenizers fast vs slow",
    "arrow ipc zero copy", "duckdb parquet predicate pushdown", "faiss ivf nprobe",
    "rust tokio select cancel safety", "python asyncio taskgroup", "sentencepiece unigram",
    "numpy einsum path", "kafka consumer lag", "terraform state lock", "grpc deadline propagation",
    "lucene similarity classic", "vllm paged attention", "ray actor placement group",
    "opentelemetry span links", "protobuf oneof json", "huggingface datasets streaming",
]
AGENT_TASKS = [
    "summarize the support tickets from February", "write unit tests for the CSV exporter",
    "find recent papers on sparse retrieval", "refactor the config loader into a dataclass",
    "draft the weekly status update", "label 200 intents for the router dataset",
    "compare three vector databases on cost", "translate the onboarding guide to German",
    "extract tables from the vendor PDF", "write a migration for the events table",
    "profile the ingestion script", "review pull request 412", "triage the open GitHub issues",
    "generate synthetic QA pairs from the handbook", "clean up stale feature flags",
    "benchmark tokenizer throughput", "audit third-party licences", "plan the Q2 roadmap doc",
    "convert notebooks to scripts", "write docstrings for the metrics module",
]
FILES = [
    "src/config.py", "src/export_csv.py", "tests/test_export.py", "README.md", "docs/usage.md",
    "src/router/intents.py", "migrations/0042_events.sql", "scripts/profile_ingest.sh",
    "src/flags.py", "notebooks/analysis.ipynb", "src/metrics/__init__.py", "pyproject.toml",
]
TOOLS = ["web_search", "python_exec", "read_file", "write_file", "shell", "sql_query", "browser.fetch",
         "vector_store.query", "calendar.lookup", "github.list_issues"]
MODELS = ["gpt-4o-mini", "claude-3-haiku", "llama-3-8b-instruct", "qwen2-7b", "mistral-7b-instruct",
          "phi-3-mini"]
HTTP_PATHS = ["/v1/search", "/v1/artifacts", "/v1/artifacts/{id}", "/healthz", "/v1/embeddings",
              "/v1/runs/{id}/events", "/metrics", "/v1/sessions"]
JOBS = ["compact_segments", "refresh_stats", "export_daily_usage", "rotate_logs", "sync_labels",
        "reembed_stale", "vacuum_blobs"]


def f_train(rng, st):
    st["step"] += rng.choice([50, 100, 100, 200, 250])
    s = st["step"]
    if s // 5000 + 1 > st["epoch"]:
        st["epoch"] = s // 5000 + 1
        return ("INFO", "trainer", f"starting epoch {st['epoch']} (shuffle seed {rng.randint(1, 9999)})")
    r = rng.random()
    if r < 0.5:
        st["loss"] = max(0.35, st["loss"] * rng.uniform(0.955, 1.004))
        return ("INFO", "trainer", f"epoch {st['epoch']} step {s} loss={st['loss']:.4f} lr={st['lr']:.2e} "
                                   f"grad_norm={rng.uniform(0.25, 1.3):.3f}")
    if r < 0.62:
        return ("INFO", "trainer", f"throughput {rng.randint(9000, 31000)} tok/s, "
                                   f"{rng.uniform(8, 60):.1f} samples/s, step_time {rng.uniform(0.2, 1.9):.2f}s")
    if r < 0.72:
        st["shard"] += 1
        return ("INFO", "dataloader", f"opened shard {st['shard']:05d}/00512 ({rng.randint(150, 260)} MB, "
                                      f"{rng.randint(90, 140)}k examples)")
    if r < 0.82:
        return ("INFO", "gpu_monitor", f"gpu{rng.randint(0, 7)} util={rng.randint(71, 99)}% "
                                       f"power={rng.randint(240, 395)}W temp={rng.randint(52, 79)}C")
    if r < 0.9:
        return ("INFO", "eval", f"step {s}: val_loss={st['loss'] * rng.uniform(1.01, 1.12):.4f} "
                                f"val_ppl={math.exp(st['loss'] * 1.05):.2f}")
    if r < 0.95:
        return ("INFO", "checkpoint", f"wrote ckpt/step_{s:07d}.pt in {rng.uniform(4, 30):.1f}s")
    return ("DEBUG", "trainer", f"ema decay={rng.choice(['0.999', '0.9995', '0.9999'])} "
                                f"tokens_seen={s * rng.randint(300, 520) // 1000}M")


def f_agent(rng, st):
    r = rng.random()
    if r < 0.2:
        q = rng.choice(WEB_QUERIES)
        return ("INFO", "tool:web_search", f'query="{q}" results={rng.randint(3, 10)} '
                                           f"elapsed={rng.randint(180, 2400)}ms")
    if r < 0.33:
        return ("INFO", "tool:python_exec", f"exit_code=0 stdout_bytes={rng.randint(40, 9000)} "
                                            f"wall={rng.uniform(0.1, 12):.2f}s")
    if r < 0.45:
        f = rng.choice(FILES)
        return ("INFO", "tool:read_file", f"path={f} bytes={rng.randint(300, 48000)}")
    if r < 0.55:
        f = rng.choice(FILES)
        return ("INFO", "coder", f"edited {f} (+{rng.randint(1, 120)} -{rng.randint(0, 60)} lines)")
    if r < 0.63:
        return ("INFO", "reviewer", f"comment on {rng.choice(FILES)}: "
                                    + rng.choice(["prefer pathlib over os.path", "missing type hints",
                                                  "this loop can be a comprehension", "add a test for the empty case",
                                                  "log message should include the run id", "looks good"]))
    if r < 0.71:
        return ("INFO", "memory", f"stored artifact {rng.getrandbits(48):012x} "
                                  f"kind={rng.choice(['note', 'json', 'code', 'log', 'table'])}")
    if r < 0.78:
        return ("INFO", "critic", f"score={rng.uniform(0.4, 0.98):.2f} "
                                  + rng.choice(['"answer cites sources"', '"too verbose"', '"misses one requirement"',
                                                '"good coverage"', '"unclear final step"']))
    if r < 0.86:
        return ("INFO", "graph", f"node {rng.choice(['plan', 'search', 'draft', 'review', 'finalize'])} "
                                 f"finished in {rng.uniform(0.4, 95):.1f}s tokens_in={rng.randint(300, 12000)} "
                                 f"tokens_out={rng.randint(40, 2500)}")
    if r < 0.93:
        return ("INFO", "tool:sql_query", f"rows={rng.randint(0, 5000)} "
                                          f"elapsed={rng.randint(3, 900)}ms table={rng.choice(['events', 'tickets', 'users_daily', 'labels'])}")
    return ("DEBUG", "llm", f"model={rng.choice(MODELS)} prompt_tokens={rng.randint(200, 15000)} "
                            f"completion_tokens={rng.randint(20, 1800)} cost=${rng.uniform(0.0004, 0.09):.4f}")


def f_service(rng, st):
    r = rng.random()
    if r < 0.55:
        p = rng.choice(HTTP_PATHS).replace("{id}", f"{rng.getrandbits(32):08x}")
        m = "GET" if rng.random() < 0.7 else "POST"
        code = rng.choice([200] * 14 + [201, 204, 404])
        return ("INFO", "http", f"{m} {p} {code} {rng.randint(2, 140)}ms bytes={rng.randint(90, 60000)}")
    if r < 0.65:
        return ("INFO", "worker", f"worker-{rng.randint(1, 8)} heartbeat ok queue_depth={rng.randint(0, 40)}")
    if r < 0.74:
        return ("INFO", "scheduler", f"job {rng.choice(JOBS)} completed in {rng.uniform(0.3, 240):.1f}s")
    if r < 0.82:
        return ("INFO", "runtime", f"gc pause {rng.uniform(0.2, 18):.1f}ms heap={rng.randint(300, 1900)}MB")
    if r < 0.9:
        return ("INFO", "config", f"reloaded settings from /etc/agent/{rng.choice(['search', 'ingest', 'tools'])}.toml "
                                  f"(version {rng.randint(10, 99)})")
    if r < 0.96:
        return ("WARN", "http", f"slow request {rng.choice(HTTP_PATHS).replace('{id}', 'x')} took "
                                f"{rng.randint(800, 2900)}ms (threshold 750ms)")
    return ("INFO", "index", f"segment merge {rng.randint(2, 9)}->1 docs={rng.randint(1000, 90000)}")


def f_etl(rng, st):
    r = rng.random()
    tbl = st.get("table") if st.get("table") and rng.random() < 0.75 else \
        rng.choice(["orders", "customers", "tickets", "events", "invoices", "sessions"])
    if r < 0.3:
        dt = st.get("dt") or f"2024-03-{rng.randint(1, 28):02d}"
        return ("INFO", "extract", f"read {rng.randint(1000, 900000)} rows from s3://lake/raw/{tbl}/"
                                   f"dt={dt}/part-{rng.randint(0, 63):05d}.parquet")
    if r < 0.5:
        return ("INFO", "transform", f"{tbl}: dropped {rng.randint(0, 900)} rows with null keys, "
                                     f"{rng.randint(0, 50)} with bad dates")
    if r < 0.7:
        return ("INFO", "load", f"upserted {rng.randint(100, 200000)} rows into warehouse.{tbl} "
                                f"in {rng.uniform(0.5, 80):.1f}s")
    if r < 0.85:
        return ("INFO", "quality", f"check {rng.choice(['row_count_delta', 'unique_key', 'freshness', 'not_null'])} "
                                   f"on {tbl}: pass")
    return ("INFO", "pipeline", f"stage {rng.choice(['extract', 'transform', 'load'])} of {tbl} took "
                                f"{rng.uniform(1, 300):.1f}s")


def f_fetch(rng, st):
    st["req"] += 1
    page = st["req"] + 100
    return ("INFO", "fetcher", f"GET https://api.example-data.org/v2/records?page={page} 200 "
                               f"{rng.randint(80, 900)}ms items={rng.randint(80, 100)}")


FILLERS = {"train": f_train, "agent": f_agent, "service": f_service, "etl": f_etl, "fetch": f_fetch}


# ---------------------------------------------------------------------------------------------
# Topic documents: written for the queries, judged in TOPICS
# ---------------------------------------------------------------------------------------------

def build_topic_docs(rng):
    D = {}

    def doc(key, title, text):
        assert key not in D, key
        D[key] = (title, text)

    at = lambda day, h=8, m=0: datetime(2024, 3, day, h, m, rng.randint(0, 59))

    # --- q01 / q34: out of memory in the long-context phase --------------------------------
    doc("oom_log", "runs/train_run_042.log", render_log(rng, at(9, 1), [
        ("INFO", "runner", "run train_run_042 on node gpu-a100-07, 8 x A100-80GB, image agent-train:1.14.2"),
        ("INFO", "trainer", "model tinyllama-1.1b, params 1.10B, seq_len 2048, micro_batch 64, grad_accum 1"),
        ("FILL", "train", 14),
        ("INFO", "trainer", "epoch 4 step 18400 loss=1.8421 lr=2.40e-04 grad_norm=0.912"),
        ("INFO", "trainer", "entering long-context phase at step 18432: seq_len 2048 -> 4096, micro_batch stays 64"),
        ("ERROR", "trainer", "exception in training step 18432 (rank 3)"),
        "|Traceback (most recent call last):",
        '|  File "/opt/agent/train.py", line 211, in train_step',
        "|    loss = model(**batch).loss",
        '|  File "/opt/venv/lib/python3.11/site-packages/torch/nn/modules/module.py", line 1518, in _wrapped_call_impl',
        "|    return self._call_impl(*args, **kwargs)",
        '|  File "/opt/agent/model/attention.py", line 88, in forward',
        "|    scores = torch.matmul(q, k.transpose(-2, -1)) / math.sqrt(self.head_dim)",
        "|torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 4.00 GiB. GPU 3 has a total "
        "capacity of 79.15 GiB of which 1.21 GiB is free. Of the allocated memory 74.62 GiB is allocated by "
        "PyTorch, and 1.87 GiB is reserved by PyTorch but unallocated.",
        ("ERROR", "runner", "rank 3 exited with code 1; tearing down the process group"),
        ("CRITICAL", "runner", "run train_run_042 aborted after 6h41m at step 18432; last good checkpoint step_0018000"),
    ]))
    doc("oom_postmortem", "notes/oom-postmortem.md", T("""
        # Postmortem: train_run_042 died at the start of the long-context phase

        ## What happened
        At step 18432 the schedule switched from 2k to 4k token sequences but kept the micro-batch at 64.
        Attention activations grow with the square of the sequence length, so the first 4k batch asked
        for 4 GiB more than the 80 GB card had left and PyTorch raised a CUDA OOM on rank 3. The whole
        job went down with it; we lost about 25 minutes of work since the last checkpoint.

        ## Why we did not catch it
        - The memory profile was only taken during the 2k phase.
        - `max_memory_allocated` is logged every 1000 steps, never at phase boundaries.

        ## Fix
        - Halve the micro-batch to 32 and accumulate gradients over 2 steps (same effective batch).
        - Turn on gradient checkpointing for the attention blocks: ~30% slower, ~40% less activation memory.
        - Dry-run one batch at every new sequence length before the phase starts.

        TODO: fix the profiler hook so that it also fires on schedule changes.
        """))
    doc("oom_config", "configs/train_run_042.json", jdump({
        "run_id": "train_run_042",
        "model": "tinyllama-1.1b",
        "hardware": {"gpus": 8, "type": "A100-80GB"},
        "micro_batch_size": 64,
        "grad_accum_steps": 1,
        "seq_len_schedule": [{"from_step": 0, "seq_len": 2048}, {"from_step": 18432, "seq_len": 4096}],
        "gradient_checkpointing": False,
        "precision": "bf16",
        "optimizer": {"name": "adamw", "lr": 3e-4, "betas": [0.9, 0.95], "weight_decay": 0.1},
        "checkpoint_every": 1000,
    }))
    doc("train_py", "src/train.py", T('''
        """Entry point of the fine-tuning job (python -m src.train --config configs/x.json)."""
        import argparse
        import json

        import torch
        from transformers import AutoModelForCausalLM

        from checkpoint import load_latest_checkpoint, save_checkpoint
        from lr_schedule import cosine_with_warmup


        def parse_args():
            p = argparse.ArgumentParser()
            p.add_argument("--config", required=True)
            p.add_argument("--gradient-checkpointing", action="store_true",
                           help="recompute activations in the backward pass: slower, but needs far less GPU memory")
            p.add_argument("--micro-batch", type=int, default=None)
            return p.parse_args()


        def build_model(cfg, args):
            model = AutoModelForCausalLM.from_pretrained(cfg["model"], torch_dtype=torch.bfloat16)
            if args.gradient_checkpointing or cfg.get("gradient_checkpointing"):
                model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
                model.config.use_cache = False  # incompatible with checkpointed activations
            return model.cuda()


        def main():
            args = parse_args()
            cfg = json.load(open(args.config))
            model = build_model(cfg, args)
            opt = torch.optim.AdamW(model.parameters(), lr=cfg["optimizer"]["lr"])
            sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: cosine_with_warmup(s, **cfg["schedule"]))
            start = load_latest_checkpoint(model, opt, sched)
            for step in range(start, cfg["total_steps"]):
                ...
                if step % cfg["checkpoint_every"] == 0:
                    save_checkpoint(step, model, opt, sched)


        if __name__ == "__main__":
            main()
        '''))

    # --- q02 / q51: atomic JSON writes, checkpoints ---------------------------------------------
    doc("io_utils", "src/io_utils.py", T('''
        """Small file helpers shared by the agent tools."""
        import json
        import os
        import tempfile
        from pathlib import Path


        def atomic_write_json(path, obj, *, indent=2):
            """Write obj as JSON to path so that readers never see a half-written file.

            The data goes to a temporary file in the same directory, is flushed and fsync'ed,
            and is then renamed over the destination with os.replace().
            """
            path = Path(path)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    json.dump(obj, fh, indent=indent, ensure_ascii=False)
                    fh.flush()
                    os.fsync(fh.fileno())
                os.replace(tmp, path)
            except BaseException:
                os.unlink(tmp)
                raise


        def read_json(path, default=None):
            try:
                with open(path, encoding="utf-8") as fh:
                    return json.load(fh)
            except FileNotFoundError:
                return default
        '''))
    doc("checkpoint_py", "src/checkpoint.py", T('''
        """Checkpoints for long runs: save every N steps, pick up again after a preemption."""
        import os

        import torch

        from io_utils import atomic_write_json, read_json

        CKPT_DIR = os.environ.get("CKPT_DIR", "/scratch/ckpt")


        def save_checkpoint(step, model, optimizer, scheduler):
            path = os.path.join(CKPT_DIR, f"step_{step:07d}.pt")
            torch.save({"model": model.state_dict(),
                        "optimizer": optimizer.state_dict(),
                        "scheduler": scheduler.state_dict(),
                        "step": step}, path + ".partial")
            os.replace(path + ".partial", path)
            atomic_write_json(os.path.join(CKPT_DIR, "latest.json"), {"step": step, "path": path})


        def load_latest_checkpoint(model, optimizer, scheduler):
            """Return the step to resume from (0 when there is nothing to resume)."""
            meta = read_json(os.path.join(CKPT_DIR, "latest.json"))
            if meta is None:
                return 0
            state = torch.load(meta["path"], map_location="cpu")
            model.load_state_dict(state["model"])
            optimizer.load_state_dict(state["optimizer"])
            scheduler.load_state_dict(state["scheduler"])
            return state["step"] + 1
        '''))
    doc("crash_safety", "notes/crash-safety.md", T("""
        # Crash safety for tool outputs

        Agents get killed all the time (timeouts, preemption, the user pressing Ctrl-C). Rules for anything
        a later step will read back:

        1. Never open the final file with mode "w" and stream into it. A reader (or the next run) can see
           a truncated document and fail with a confusing parse error.
        2. Write to a temporary name in the same directory, flush, fsync, then rename. A rename within one
           file system is atomic on POSIX, so readers see the old file or the new one, nothing in between.
        3. For JSON results use the helper in src/io_utils.py; it does all of the above.
        4. Append-only logs are fine as they are: a torn last line is easy to skip.

        Open question: do we also need to fsync the directory after the rename? On ext4 with the default
        mount options the rename can be lost on power failure, but not on a process crash.
        """))
    doc("preempt_log", "logs/train_run_060.log", render_log(rng, at(16, 22), [
        ("INFO", "runner", "run train_run_060 on spot node g5-spot-31 (interruptible)"),
        ("FILL", "train", 9),
        ("WARNING", "runner", "received SIGTERM: spot instance reclaimed by the provider, 120 s notice"),
        ("INFO", "checkpoint", "emergency save: wrote /scratch/ckpt/step_0012000.pt (2.1 GB) in 41.3s"),
        ("INFO", "runner", "exiting with status 143 (preempted)"),
        ("GAP", 2900),
        ("INFO", "runner", "run train_run_060 restarted on spot node g5-spot-07, attempt 2"),
        ("INFO", "checkpoint", "found latest.json -> /scratch/ckpt/step_0012000.pt"),
        ("INFO", "trainer", "resuming from step 12001: restored model, optimizer and scheduler state"),
        ("INFO", "dataloader", "fast-forwarding sampler by 768064 examples"),
        ("FILL", "train", 6),
    ], state={"step": 12000, "epoch": 3, "loss": 2.05}))
    doc("preempt_note", "notes/preemption.md", T("""
        # Running on spot GPUs

        Spot nodes are ~65% cheaper but can be taken back with two minutes of warning (SIGTERM).

        - Save a checkpoint every 1000 steps and on SIGTERM; keep `latest.json` pointing at the newest one.
        - On start, the trainer calls `load_latest_checkpoint` and continues where it stopped. The data sampler
          has to be fast-forwarded too, otherwise the run sees the first shards twice.
        - Expect ~1 interruption per 14 GPU-hours in eu-west; the restart costs about 6 minutes.
        """))

    # --- q03 / q46: connection resets, retries, backoff ------------------------------------------
    tb_reset = [
        "|Traceback (most recent call last):",
        '|  File "/srv/worker/fetch.py", line 64, in fetch_page',
        "|    resp = session.get(url, timeout=30)",
        '|  File "/opt/venv/lib/python3.11/site-packages/requests/sessions.py", line 602, in get',
        '|    return self.request("GET", url, **kwargs)',
        '|  File "/usr/lib/python3.11/ssl.py", line 1296, in recv_into',
        "|    return self.read(nbytes, buffer)",
        "|ConnectionResetError: [Errno 104] Connection reset by peer",
    ]
    doc("reset_log", "logs/fetch_worker_07.log", render_log(rng, at(12, 3), [
        ("INFO", "fetcher", "worker 07 starting, 1 session, keep-alive on, page range 101-160"),
        ("FILL", "fetch", 17),
        ("WARNING", "fetcher", "GET https://api.example-data.org/v2/records?page=118 failed (attempt 1/5), retrying in 1.7s"),
        *tb_reset,
        ("WARNING", "fetcher", "GET https://api.example-data.org/v2/records?page=118 failed (attempt 2/5), retrying in 3.1s"),
        ("WARNING", "fetcher", "attempt 3/5: ConnectionResetError: [Errno 104] Connection reset by peer"),
        ("WARNING", "fetcher", "attempt 4/5: ConnectionResetError: [Errno 104] Connection reset by peer"),
        ("ERROR", "fetcher", "giving up on page 118 after 5 attempts; 17 pages done, 43 left"),
    ], style="iso"))
    doc("flaky_network", "notes/flaky-network.md", T("""
        # Flaky upstream: records API

        Since the provider moved behind a new load balancer, long-lived keep-alive connections are dropped
        after roughly 100 requests. The client sees "connection reset by peer" (errno 104) on the next read.

        What helped:
        - open a fresh session every 50 pages instead of reusing one for the whole crawl;
        - treat resets as retryable (they are, the request never reached the backend);
        - lower concurrency from 8 to 4 workers: fewer resets, same total time.

        Still open: ask the provider whether the idle timeout can be raised.
        """))
    doc("http_client", "src/http_client.py", T('''
        """HTTP helper used by the fetch workers."""
        import random
        import time

        import requests

        from backoff import backoff_delays

        RETRYABLE_EXC = (ConnectionResetError, ConnectionAbortedError, TimeoutError,
                         requests.ConnectionError, requests.Timeout)
        RETRYABLE_STATUS = {429, 500, 502, 503, 504}


        class HttpClient:
            def __init__(self, base_url, max_attempts=5, timeout=30):
                self.base_url = base_url.rstrip("/")
                self.max_attempts = max_attempts
                self.timeout = timeout
                self.session = requests.Session()

            def get_json(self, path, **params):
                url = f"{self.base_url}/{path.lstrip('/')}"
                for attempt, delay in enumerate(backoff_delays(attempts=self.max_attempts), start=1):
                    try:
                        resp = self.session.get(url, params=params, timeout=self.timeout)
                    except RETRYABLE_EXC:
                        if attempt == self.max_attempts:
                            raise
                        self.session = requests.Session()  # the old connection is dead
                        time.sleep(delay)
                        continue
                    if resp.status_code in RETRYABLE_STATUS and attempt < self.max_attempts:
                        time.sleep(float(resp.headers.get("Retry-After", delay)))
                        continue
                    resp.raise_for_status()
                    return resp.json()
        '''))
    doc("backoff_py", "src/backoff.py", T('''
        """Retry delays: capped exponential backoff with "full jitter".

        delay_n = uniform(0, min(cap, base * 2**n)). Full jitter spreads the retries of many clients
        that failed at the same moment, so they do not hammer the server again in lock-step.
        """
        import random


        def backoff_delays(base=0.5, cap=30.0, attempts=6, rng=random):
            for n in range(attempts):
                yield rng.uniform(0, min(cap, base * (2 ** n)))


        def decorrelated_jitter(base=0.5, cap=30.0, attempts=6, rng=random):
            """AWS-style variant: each delay depends on the previous one."""
            delay = base
            for _ in range(attempts):
                delay = min(cap, rng.uniform(base, delay * 3))
                yield delay
        '''))

    # --- q04 / q52: latency regression after upgrading ------------------------------------------
    doc("lat_231", "bench/latency_v2.3.1.json", jdump({
        "service": "search-api", "version": "2.3.1", "endpoint": "/v1/search",
        "load": {"rps": 400, "duration_s": 600, "requests": 240000},
        "latency_ms": {"p50": 41.2, "p90": 88.0, "p95": 131.5, "p99": 612.8, "max": 2403.1},
        "errors": {"5xx": 0, "timeouts": 12},
        "baseline": {"version": "2.2.0", "latency_ms": {"p50": 40.7, "p95": 97.9, "p99": 174.3}},
        "verdict": "REGRESSION: p99 x3.5 vs baseline, p50 unchanged",
    }))
    doc("lat_220", "bench/latency_v2.2.0.json", jdump({
        "service": "search-api", "version": "2.2.0", "endpoint": "/v1/search",
        "load": {"rps": 400, "duration_s": 600, "requests": 240000},
        "latency_ms": {"p50": 40.7, "p90": 71.3, "p95": 97.9, "p99": 174.3, "max": 811.0},
        "errors": {"5xx": 0, "timeouts": 0},
        "verdict": "ok",
    }))
    doc("lat_incident", "notes/incident-2024-03-14-search-latency.md", T("""
        # Incident 2024-03-14: slow tail on /v1/search after the 2.3.1 rollout

        **Impact:** the slowest 1% of search requests took 0.6 s instead of 0.17 s for about four hours. Median
        latency did not move, which is why the dashboards looked green.

        **Cause:** 2.3.1 replaced the eager query-cache warm-up with lazy filling. After each deploy (and after
        every pod restart) the first queries for each tenant rebuild their posting-list cache inline.

        **Mitigation:** rolled back to 2.2.0 at 14:05; tail back to normal by 14:20.

        **Follow-ups**
        - restore warm-up on startup (behind a flag);
        - alert on p99, not only on p50;
        - run the load test in CI before tagging a release.
        """))
    doc("lat_loadtest", "logs/loadtest_2024-03-14.log", T("""
        running (10m00.0s), 000/400 VUs, 240000 complete and 0 interrupted iterations
        default ✓ [======================================] 400 VUs  10m0s

             ✓ status is 200
             ✓ has results

             checks.........................: 100.00% ✓ 480000      ✗ 0
             data_received..................: 1.9 GB  3.2 MB/s
             http_req_blocked...............: avg=11µs    min=1µs     med=4µs     max=9.1ms   p(90)=7µs     p(95)=9µs
             http_req_duration..............: avg=63.4ms  min=6.2ms   med=41.2ms  max=2.4s    p(90)=88ms    p(95)=131.5ms p(99)=612.8ms
             http_reqs......................: 240000  399.98/s
             iteration_duration.............: avg=64.1ms  min=6.9ms   med=41.9ms  max=2.41s   p(90)=88.9ms  p(95)=132.2ms

        target: search-api 2.3.1 (canary) — compare with the 2.2.0 run from 03-07
        """))
    doc("changelog", "CHANGELOG.md", T("""
        # Changelog

        ## 2.3.1 — 2024-03-13
        - Query cache is filled lazily instead of being warmed on startup (faster deploys).
        - `search` accepts `created_at_min` / `created_at_max`.
        - Fixed: tags containing `:` were split in two.

        ## 2.3.0 — 2024-03-01
        - Hybrid mode (BM25 + vectors, reciprocal rank fusion) is the default.
        - New `best` command: the artifact with the highest or lowest value of a metric.
        - Dropped Python 3.8 support in the client.

        ## 2.2.0 — 2024-02-12
        - Pinning: pinned artifacts are never garbage-collected.
        - Embedder identifier is stored with the vectors.
        """))

    # --- q05: getUserById; q22: identifier splitting ----------------------------------------------
    doc("user_repo", "Sources/App/UserRepository.swift", T(r"""
        import Foundation

        struct User: Codable, Equatable, Sendable {
            let id: Int
            var name: String
            var email: String
        }

        enum RepositoryError: Error {
            case notFound(id: Int)
            case decoding(underlying: Error)
        }

        final class UserRepository: Sendable {
            private let baseURL: URL
            private let session: URLSession

            init(baseURL: URL, session: URLSession = .shared) {
                self.baseURL = baseURL
                self.session = session
            }

            /// Fetches one user; throws `RepositoryError.notFound` on 404.
            func getUserById(_ id: Int) async throws -> User {
                let url = baseURL.appendingPathComponent("users/\(id)")
                let (data, response) = try await session.data(from: url)
                if let http = response as? HTTPURLResponse, http.statusCode == 404 {
                    throw RepositoryError.notFound(id: id)
                }
                do { return try JSONDecoder().decode(User.self, from: data) }
                catch { throw RepositoryError.decoding(underlying: error) }
            }
        }
        """))
    doc("users_py", "service/api/users.py", T('''
        from fastapi import APIRouter, HTTPException

        from service.db import fetch_one

        router = APIRouter(prefix="/users")


        def get_user_by_id(user_id: int) -> dict | None:
            return fetch_one("SELECT id, name, email FROM users WHERE id = ?", (user_id,))


        @router.get("/{user_id}")
        def read_user(user_id: int):
            user = get_user_by_id(user_id)
            if user is None:
                raise HTTPException(status_code=404, detail=f"user {user_id} not found")
            return user
        '''))
    doc("users_test", "service/tests/test_users.py", T('''
        from service.api.users import get_user_by_id, read_user


        def test_known_user(db_with_users):
            assert get_user_by_id(7)["email"] == "ada@example.com"


        def test_unknown_user_is_none(db_with_users):
            assert get_user_by_id(999) is None


        def test_read_user_404(db_with_users):
            import pytest
            from fastapi import HTTPException
            with pytest.raises(HTTPException) as exc:
                read_user(999)
            assert exc.value.status_code == 404
        '''))
    doc("ident_split", "Sources/HybridSearch/Analysis/IdentifierSplitter.swift", T(r"""
        /// Splits code identifiers into their parts so that a query for `user` finds `getUserById`.
        ///
        /// snake_case and kebab-case split at the separators; camelCase and PascalCase split before an
        /// upper-case letter that follows a lower-case one, and before the last capital of an acronym
        /// (`HTTPResponse` -> `HTTP`, `Response`); digits form their own part.
        public func splitIdentifier(_ word: String) -> [String] {
            var parts: [String] = []
            var current = ""
            let chars = Array(word)
            for (i, c) in chars.enumerated() {
                if c == "_" || c == "-" {
                    if !current.isEmpty { parts.append(current); current = "" }
                    continue
                }
                if let prev = current.last {
                    let next: Character? = i + 1 < chars.count ? chars[i + 1] : nil
                    let lowerToUpper = prev.isLowercase && c.isUppercase
                    let acronymEnd = prev.isUppercase && c.isUppercase && (next?.isLowercase ?? false)
                    let digitEdge = prev.isNumber != c.isNumber
                    if lowerToUpper || acronymEnd || digitEdge {
                        parts.append(current); current = ""
                    }
                }
                current.append(c)
            }
            if !current.isEmpty { parts.append(current) }
            return parts.map { $0.lowercased() }
        }
        """))
    doc("ident_tests", "Tests/HybridSearchTests/IdentifierSplitterTests.swift", T(r"""
        import Testing
        @testable import HybridSearch

        @Suite struct IdentifierSplitterTests {
            @Test func snakeCase() {
                #expect(splitIdentifier("atomic_write_json") == ["atomic", "write", "json"])
            }
            @Test func camelCase() {
                #expect(splitIdentifier("getUserById") == ["get", "user", "by", "id"])
            }
            @Test func acronymAndDigits() {
                #expect(splitIdentifier("parseHTTPResponse2") == ["parse", "http", "response", "2"])
            }
            @Test func kebab() {
                #expect(splitIdentifier("multi-agent") == ["multi", "agent"])
            }
        }
        """))

    # --- q06: parseHTTPResponse2 -------------------------------------------------------------------
    doc("http_parser", "Sources/Net/HTTPParser.swift", T(r"""
        import Foundation

        struct HTTPResponse {
            var status: Int
            var headers: [String: String]
            var body: [UInt8]
        }

        enum HTTPParseError: Error { case truncated, badStatusLine, badChunkSize(String) }

        /// Legacy parser: Content-Length bodies only.
        func parseHTTPResponse(_ bytes: [UInt8]) throws -> HTTPResponse {
            try parseHTTPResponse2(bytes, allowChunked: false)
        }

        /// v2 parser: also understands `Transfer-Encoding: chunked`.
        func parseHTTPResponse2(_ bytes: [UInt8], allowChunked: Bool = true) throws -> HTTPResponse {
            guard let headerEnd = bytes.firstRange(of: Array("\r\n\r\n".utf8)) else { throw HTTPParseError.truncated }
            let head = String(decoding: bytes[..<headerEnd.lowerBound], as: UTF8.self)
            var lines = head.components(separatedBy: "\r\n")
            let statusParts = lines.removeFirst().split(separator: " ")
            guard statusParts.count >= 2, let status = Int(statusParts[1]) else { throw HTTPParseError.badStatusLine }
            var headers: [String: String] = [:]
            for line in lines {
                guard let colon = line.firstIndex(of: ":") else { continue }
                headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            var body = Array(bytes[headerEnd.upperBound...])
            if allowChunked, headers["transfer-encoding"] == "chunked" {
                body = try decodeChunked(body)
            }
            return HTTPResponse(status: status, headers: headers, body: body)
        }
        """))
    doc("fuzz_log", "logs/fuzz_http_parser.log", T("""
        INFO: Running with entropic power schedule (0xFF, 100).
        INFO: Seed: 3047718824
        INFO: Loaded 1 modules   (18213 inline 8-bit counters)
        #2      INITED cov: 412 ft: 413 corp: 1/1b exec/s: 0 rss: 38Mb
        #1024   pulse  cov: 988 ft: 2290 corp: 97/4411b lim: 14 exec/s: 512 rss: 41Mb
        #65536  pulse  cov: 1203 ft: 4517 corp: 311/19Kb lim: 652 exec/s: 7281 rss: 52Mb
        Fatal error: Index out of range
        #0 0x55d2c1 in $s3Net13decodeChunkedySays5UInt8VGAEKF HTTPParser.swift:142
        #1 0x55d8a7 in $s3Net17parseHTTPResponse2_12allowChunkedAA12HTTPResponseVSays5UInt8VG_SbtKF HTTPParser.swift:37
        #2 0x55e011 in fuzzTarget FuzzMain.swift:9
        ==41==ERROR: libFuzzer: deadly signal
        MS: 2 ChangeByte-InsertRepeatedBytes-; base unit: 6b1f0e9a
        artifact_prefix='./'; Test unit written to ./crash-5b9d0c3e1f2a
        note: chunk size line "ffffffff" overflows the remaining buffer; decodeChunked must check bounds
        """))

    # --- q07 / q35 / q48 / q20 / q21 / q40: retrieval evaluation -----------------------------------
    doc("zh_eval", "notes/检索评估-2024-03.md", T("""
        # 检索评估结果（2024 年 3 月）

        我们在内部的 agent-artifacts 测试集上比较了三种检索模式，评估指标为 nDCG@10、Recall@100 和 MRR@10。

        | 模式 | nDCG@10 | Recall@100 | MRR@10 |
        |---|---|---|---|
        | lexical (BM25) | 0.712 | 0.934 | 0.688 |
        | semantic（哈希 n-gram 向量） | 0.604 | 0.901 | 0.571 |
        | hybrid（RRF, k=60） | 0.748 | 0.962 | 0.719 |

        结论：混合检索在大多数查询上优于单一模式；对于中文和日文查询，必须使用字符二元组（bigram）切分，
        否则整句会被当成一个词。下一步：加入带拼写错误的查询，测试检索的鲁棒性。
        """))
    doc("zh_weekly", "reports/周报-第11周.md", T("""
        # 周报（第 11 周）

        - 完成了检索评估脚本，可以一键跑完三种模式并输出 JSON，结果已整理到 notes 目录。
        - 修复了标签中包含冒号时被拆成两个标签的问题。
        - 训练任务 train_run_042 在长上下文阶段失败，已写事故复盘。
        - 下周计划：把评估接入每晚的定时任务；整理多语言查询的测试样例。
        """))
    doc("dev_eval", "eval/retrieval_dev_split.json", jdump({
        "collection": "agent-artifacts", "split": "dev", "mode": "hybrid",
        "queries": 52,
        "metrics": {"mrr_at_10": 0.688, "ndcg_at_10": 0.741, "recall_at_100": 0.957},
        "by_query_type": {"natural_language": {"mrr_at_10": 0.61}, "identifier": {"mrr_at_10": 0.93},
                          "error_string": {"mrr_at_10": 0.88}, "cjk": {"mrr_at_10": 0.74}},
    }))
    doc("scifact_json", "eval/scifact_bm25_baseline.json", jdump({
        "dataset": "scifact", "split": "test", "queries": 300, "documents": 5183,
        "retriever": "bm25", "params": {"k1": 1.2, "b": 0.75, "stemming": False, "stopwords": False},
        "ndcg_at_10": 0.652, "recall_at_100": 0.902, "mrr_at_10": 0.617,
        "reference": {"pyserini_bm25_flat": 0.665, "bm25s": 0.662},
    }))
    doc("beir_note", "notes/beir-baselines.md", T("""
        # BEIR baselines we compare against

        Published BM25 numbers (nDCG@10): SciFact 0.665, NFCorpus 0.325, FiQA 0.236, ArguAna 0.414.
        Our first run on SciFact without stemming lands a little lower; Porter stemming should close most
        of the gap. Keep k1/b at the Lucene defaults when comparing, otherwise the numbers are not comparable.
        """))
    doc("retrieval_ideas", "notes/retrieval-ideas.md", T("""
        # Retrieval ideas (backlog)

        - **Tune BM25:** grid over k1 in {0.9, 1.2, 1.5, 2.0} and b in {0.4, 0.6, 0.75, 0.9}; short artifacts
          (tool outputs, one-line errors) may want a lower b so length normalisation does not punish them.
        - **Title boost:** filenames carry a lot of signal (`eval_results.json`); index them as their own field.
        - **Identifiers:** index `snake_case` and `camelCase` names whole *and* split into parts.
        - **CJK:** overlapping character bigrams; no dictionary needed.
        - **Fusion:** rank-based fusion of the lexical and vector lists is robust to their different score
          scales; try weights other than 1 only if the eval says so.
        - Query-side typo tolerance: measure first (misspell 10% of words), then decide.
        """))
    doc("search_config", "configs/search.json", jdump({
        "lexical": {"k1": 1.2, "b": 0.75, "stemming": "none", "stopwords": "none", "max_token_bytes": 64},
        "dense": {"embedder": "hashed-ngram-v1", "dimension": 384, "char_ngrams": [3, 4, 5]},
        "fusion": {"method": "rrf", "k": 60, "window": 100, "weights": {"lexical": 1.0, "dense": 1.0}},
        "default_mode": "auto",
    }))
    doc("bm25_grid", "results/bm25_grid.csv", "k1,b,ndcg_at_10,recall_at_100\n" + "\n".join(
        f"{k1},{b},{v:.3f},{r:.3f}" for (k1, b, v, r) in [
            (0.9, 0.4, 0.701, 0.929), (0.9, 0.75, 0.708, 0.931), (1.2, 0.4, 0.704, 0.930),
            (1.2, 0.6, 0.713, 0.934), (1.2, 0.75, 0.712, 0.934), (1.5, 0.75, 0.709, 0.933),
            (2.0, 0.75, 0.698, 0.930), (2.0, 0.9, 0.690, 0.927)]) +
        "\n# best: k1=1.2 b=0.6 (+0.001 over the Lucene defaults, within noise)")
    doc("hybrid_note", "notes/hybrid-search.md", T("""
        # How hybrid search ranks

        Each query runs twice: BM25 over the inverted index and cosine similarity over the hashed n-gram
        vectors. Their scores are not comparable (BM25 is unbounded, cosine lives in [-1, 1]), so we fuse the
        *ranks*: reciprocal rank fusion gives a document 1 / (60 + rank) from every list that returned it and
        sums the contributions. A document that is 3rd lexically and 5th by vector beats one that is 1st in
        only one list.

        Each list contributes its top max(100, top_k) candidates. Ties are broken by the better single-list
        rank, then by id, so the order is stable across runs.
        """))
    doc("fusion_py", "src/fusion.py", T('''
        """Rank fusion of several result lists (lexical, dense, ...)."""
        from collections import defaultdict


        def rrf_fuse(rankings, k=60, weights=None, top_k=10):
            """Reciprocal rank fusion.

            rankings: list of lists of doc ids, best first. Returns [(doc_id, score)], best first.
            """
            weights = weights or [1.0] * len(rankings)
            scores = defaultdict(float)
            best_rank = {}
            for w, ranking in zip(weights, rankings):
                for rank, doc_id in enumerate(ranking, start=1):
                    scores[doc_id] += w / (k + rank)
                    best_rank[doc_id] = min(rank, best_rank.get(doc_id, rank))
            order = sorted(scores, key=lambda d: (-scores[d], best_rank[d], d))
            return [(d, scores[d]) for d in order[:top_k]]


        def linear_fuse(lexical, dense, alpha=0.5):
            """Min-max normalised weighted sum; alpha weights the dense scores."""
            def norm(xs):
                lo, hi = min(xs.values()), max(xs.values())
                return {d: (s - lo) / (hi - lo) if hi > lo else 1.0 for d, s in xs.items()}
            a, b = norm(lexical), norm(dense)
            return sorted(((d, (1 - alpha) * a.get(d, 0) + alpha * b.get(d, 0)) for d in a.keys() | b.keys()),
                          key=lambda x: (-x[1], x[0]))
        '''))
    doc("lexical_baselines", "results/lexical_baselines.csv", T("""
        method,dataset,ndcg_at_10,recall_at_100,notes
        tfidf_cosine,agent-artifacts,0.587,0.871,sklearn TfidfVectorizer sublinear_tf=True
        bm25,agent-artifacts,0.712,0.934,default parameters
        bm25_title_boost,agent-artifacts,0.726,0.940,title field weight 2
        tfidf_cosine,scifact,0.571,0.861,
        bm25,scifact,0.652,0.902,no stemming
        """))
    doc("baseline_cmp", "notes/baseline-comparison.md", T("""
        # Lexical baselines: summary

        TF-IDF with cosine similarity trails BM25 by 8 to 12 points of nDCG@10 on both collections. Most of the
        gap comes from term-frequency saturation: a log that repeats "error" 300 times dominates under TF-IDF.
        BM25's k1 caps that. Boosting the title field adds another point on agent-artifacts, nothing on SciFact.
        """))

    # --- q08: Japanese OOM ---------------------------------------------------------------------------
    doc("ja_oom_log", "logs/学習ジョブ_0311.log", T("""
        2024-03-11 02:10:03 情報 学習ジョブ ft-ja-017 を開始しました（GPU 4 枚、バッチサイズ 48）
        2024-03-11 02:12:41 情報 ステップ 1200 損失 2.314 学習率 2.0e-04
        2024-03-11 02:14:17 情報 ステップ 1400 損失 2.251 学習率 2.0e-04
        2024-03-11 02:14:55 エラー GPU 2 でメモリ不足が発生しました: CUDA out of memory. Tried to allocate 2.50 GiB
        2024-03-11 02:14:56 エラー 学習ジョブ ft-ja-017 が異常終了しました（終了コード 1）
        2024-03-11 02:15:02 情報 最後のチェックポイント: ステップ 1000
        """))
    doc("ja_postmortem", "notes/障害報告-0311.md", T("""
        # 障害報告：ft-ja-017 の学習停止（3 月 11 日）

        ## 概要
        日本語データの追加学習ジョブが、開始から約 5 分で GPU のメモリ不足により停止した。

        ## 原因
        新しいデータセットに 8000 トークンを超える長い文書が含まれており、最大系列長の切り詰め設定が
        無効になっていた。その結果、一部のバッチでアクティベーションのメモリ使用量が想定の 3 倍になった。

        ## 対策
        - 最大系列長を 4096 に制限し、長い文書は分割する。
        - バッチサイズを 48 から 32 に下げ、勾配累積で補う。
        """))

    # --- q09: 3GPP TS 38.101 ---------------------------------------------------------------------
    doc("nr_note", "notes/3gpp-38.101-bands.md", T("""
        # TS 38.101-1 operating bands (summary for the RF test agent)

        3GPP TS 38.101-1 (v17.5.0) defines the NR user-equipment radio requirements for frequency range 1
        (410 MHz – 7125 MHz). Part 2 (38.101-2) covers FR2, the millimetre-wave bands.

        Bands the agent has to handle first:
        - n1 (FDD, 1920–1980 / 2110–2170 MHz), n3 (FDD, 1710–1785 / 1805–1880 MHz)
        - n28 (FDD, 703–748 / 758–803 MHz)
        - n77 (TDD, 3300–4200 MHz), n78 (TDD, 3300–3800 MHz), n79 (TDD, 4400–5000 MHz)

        Channel bandwidths for n78: 10 to 100 MHz. Maximum output power class 3: 23 dBm.
        Do not confuse with 36.101, the LTE equivalent.
        """))
    doc("nr_csv", "data/nr_bands_fr1.csv", T("""
        band,duplex,uplink_mhz,downlink_mhz,max_bw_mhz,spec
        n1,FDD,1920-1980,2110-2170,50,38.101-1
        n3,FDD,1710-1785,1805-1880,50,38.101-1
        n7,FDD,2500-2570,2620-2690,50,38.101-1
        n28,FDD,703-748,758-803,30,38.101-1
        n41,TDD,2496-2690,2496-2690,100,38.101-1
        n77,TDD,3300-4200,3300-4200,100,38.101-1
        n78,TDD,3300-3800,3300-3800,100,38.101-1
        n79,TDD,4400-5000,4400-5000,100,38.101-1
        """))

    # --- q10 / q39: native build and crash --------------------------------------------------------------
    doc("cpp_build", "logs/build_native_ext.log", T("""
        -- The CXX compiler identification is GNU 12.2.0
        -- Found Python3: /opt/venv/bin/python3.11 (found version "3.11.7")
        -- Configuring done (1.4s)
        -- Generating done (0.0s)
        [ 20%] Building CXX object CMakeFiles/hnsw_ext.dir/src/index.cpp.o
        [ 40%] Building CXX object CMakeFiles/hnsw_ext.dir/src/distance.cpp.o
        [ 60%] Building CXX object CMakeFiles/hnsw_ext.dir/src/bindings.cpp.o
        [ 80%] Linking CXX shared library libhnsw_ext.so
        /usr/bin/ld: CMakeFiles/hnsw_ext.dir/src/distance.cpp.o: in function `hnsw::dot_batch(float const*, float const*, unsigned long, unsigned long)':
        distance.cpp:(.text+0x1a4): undefined reference to `cblas_sgemv'
        /usr/bin/ld: distance.cpp:(.text+0x2f0): undefined reference to `cblas_sdot'
        collect2: error: ld returned 1 exit status
        gmake[2]: *** [CMakeFiles/hnsw_ext.dir/build.make:129: libhnsw_ext.so] Error 1
        gmake[1]: *** [CMakeFiles/Makefile2:83: CMakeFiles/hnsw_ext.dir/all] Error 2
        gmake: *** [Makefile:91: all] Error 2
        """))
    doc("build_notes", "notes/build-troubleshooting.md", T("""
        # Building the c++ extension

        - `undefined reference to cblas_*`: the BLAS library is not on the link line. Add
          `target_link_libraries(hnsw_ext PRIVATE openblas)`; with plain g++ put `-lopenblas` *after* the
          object files, the GNU linker resolves symbols left to right.
        - `fatal error: Python.h: No such file or directory`: install python3-dev.
        - Mixing clang and gcc objects works, mixing libc++ and libstdc++ does not.
        - Build with `-O2 -g` so crash backtraces have line numbers.
        """))
    doc("segv_log", "logs/hnsw_bench.log", T("""
        $ python bench/hnsw_bench.py --dim 768 --n 1000000 --ef 128
        loading vectors from data/emb_768.f32 ... 1000000 x 768 (2.9 GB)
        building index: M=16 ef_construction=200 threads=16
          25% (250000) 41.2s
          50% (500000) 88.9s
          75% (750000) 140.3s
        Fatal Python error: Segmentation fault

        Current thread 0x00007f3a2c9f8740 (most recent call first):
          File "/opt/venv/lib/python3.11/site-packages/hnsw_ext/__init__.py", line 77 in add_items
          File "/work/bench/hnsw_bench.py", line 52 in build
          File "/work/bench/hnsw_bench.py", line 88 in main
        Segmentation fault (core dumped)
        """))
    doc("segv_note", "notes/debugging-segfault.md", T("""
        # Debugging the hnsw_ext crash

        Reproduced under gdb with the debug build:

            Program received signal SIGSEGV, Segmentation fault.
            0x00007ffff5a1c2d4 in hnsw::Index::link(unsigned int, unsigned int, int) (this=0x5555...) at src/index.cpp:311
            311         neighbors[level][count++] = id;

        `count` can reach M*2 on level 0 while the buffer only holds M: an off-by-one in the level-0 capacity.
        Fix: allocate `maxM0 = 2 * M` slots for level 0. With the fix the 1M-vector build finishes (312 s).
        """))

    # --- q11 / q13 / q18: tests, retry policy, rate limits ----------------------------------------------
    doc("retry_test", "tests/test_retry_policy.py", T('''
        import time

        from retry_policy import RetryPolicy, should_retry


        def test_client_errors_are_final():
            for status in (400, 401, 403, 404, 422):
                assert not should_retry(status, attempt=1)


        def test_rate_limit_is_retried():
            assert should_retry(429, attempt=1)


        def test_backoff_respects_deadline():
            # TODO: fix flaky test: depends on the wall clock and fails on slow CI runners
            # (3 attempts instead of 4). Inject a fake clock into RetryPolicy instead of sleeping.
            policy = RetryPolicy(deadline_s=1.0, base_delay=0.1)
            start = time.monotonic()
            attempts = policy.run(lambda: (_ for _ in ()).throw(TimeoutError()), swallow=True)
            assert attempts == 4
            assert time.monotonic() - start < 1.2
        '''))
    doc("ci_log", "logs/ci_build_1873.log", T("""
        ============================= test session starts ==============================
        platform linux -- Python 3.11.7, pytest-8.0.2, pluggy-1.4.0
        rootdir: /builds/agent-tools
        plugins: rerunfailures-13.0, xdist-3.5.0
        collected 214 items

        tests/test_export.py ........................                            [ 11%]
        tests/test_io_utils.py .........                                         [ 15%]
        tests/test_retry_policy.py ..R.                                          [ 17%]
        tests/test_router.py ........................................            [ 36%]
        ...
        =================================== RERUNS ====================================
        ______________________ test_backoff_respects_deadline _________________________
        >       assert attempts == 4
        E       assert 3 == 4
        tests/test_retry_policy.py:21: AssertionError
        ================= 214 passed, 1 rerun in 48.31s ==================
        warning: test_backoff_respects_deadline failed once and passed on rerun (flaky, 6th time this week)
        """))
    doc("retry_policy", "src/retry_policy.py", T('''
        """When to retry a failed HTTP call."""
        import time
        from dataclasses import dataclass


        def should_retry(status: int, attempt: int, max_attempts: int = 5) -> bool:
            if attempt >= max_attempts:
                return False
            # Don't retry client errors: a 4xx means the request itself is wrong (bad auth, bad
            # payload, unknown id) and will fail the same way again. 429 is the exception: it is a
            # rate limit, so waiting and trying again is exactly what the server asks for.
            if 400 <= status < 500:
                return status == 429
            return status >= 500


        @dataclass
        class RetryPolicy:
            deadline_s: float = 30.0
            base_delay: float = 0.5

            def run(self, fn, swallow=False):
                start, attempts, delay = time.monotonic(), 0, self.base_delay
                while True:
                    attempts += 1
                    try:
                        fn()
                        return attempts
                    except (TimeoutError, ConnectionError):
                        if time.monotonic() - start + delay > self.deadline_s:
                            if swallow:
                                return attempts
                            raise
                        time.sleep(delay)
                        delay *= 2
        '''))
    doc("api_guidelines", "notes/api-client-guidelines.md", T("""
        # Guidelines for API clients in agent tools

        - Set a timeout on every request (connect 5 s, read 30 s). No timeout = a stuck agent.
        - Only retry idempotent requests (GET, PUT, DELETE with a key). POST only with an idempotency key.
        - Never retry 400, 401, 403, 404 or 422: the answer will not change.
        - Retry 429 and 5xx with exponential backoff and jitter; honour `Retry-After` when the server sends it.
        - Log the request id the server returns so failures can be traced on their side.
        """))
    doc("ratelimit_log", "logs/api_client_0312.log", render_log(rng, at(12, 15), [
        ("INFO", "llm_client", "batch summarize_tickets: 1800 prompts, concurrency 16, model gpt-4o-mini"),
        ("INFO", "llm_client", "progress 200/1800, 0 failures"),
        ("INFO", "llm_client", "progress 400/1800, 0 failures"),
        ("WARNING", "llm_client", "HTTP 429 Too Many Requests (tokens per minute limit reached); Retry-After: 20"),
        ("WARNING", "llm_client", "HTTP 429 Too Many Requests; Retry-After: 20; 15 requests waiting"),
        ("WARNING", "llm_client", "HTTP 429 Too Many Requests; Retry-After: 18"),
        ("INFO", "llm_client", "lowering concurrency 16 -> 6 after repeated rate limiting"),
        ("INFO", "llm_client", "progress 600/1800, 0 failures, 41 retried"),
        ("INFO", "llm_client", "progress 1800/1800 done in 27m12s, 0 failures, 63 retried"),
    ], style="py", gap=(5, 240)))
    doc("rate_limiter", "src/rate_limiter.py", T('''
        """Client-side token bucket so that a batch job stays under the provider's quota."""
        import threading
        import time


        class TokenBucket:
            def __init__(self, rate_per_s: float, capacity: float):
                self.rate = rate_per_s
                self.capacity = capacity
                self.tokens = capacity
                self.updated = time.monotonic()
                self.lock = threading.Lock()

            def acquire(self, cost: float = 1.0) -> None:
                """Block until `cost` tokens are available (e.g. cost = prompt tokens / 1000)."""
                while True:
                    with self.lock:
                        now = time.monotonic()
                        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
                        self.updated = now
                        if self.tokens >= cost:
                            self.tokens -= cost
                            return
                        wait = (cost - self.tokens) / self.rate
                    time.sleep(wait)
        '''))

    # --- q12 / q49: multi-agent design ----------------------------------------------------------------
    doc("ma_note", "notes/multi-agent-design.md", T("""
        # Multi-agent design: planner, coder, reviewer

        Three agents share one artifact store. The planner splits a request into subtasks; the coder works one
        subtask at a time; the reviewer accepts or sends back.

        ## Handoff protocol
        Every handoff carries a *task card*: goal, constraints, ids of the input artifacts, and the acceptance
        test. The receiving agent reads artifacts by id instead of getting pasted text, which keeps prompts
        small and makes every step reproducible.

        ## Coordination rules
        - Only the planner may create subtasks; the others can only finish or reject them.
        - A subtask rejected twice goes back to the planner with the reviewer's notes.
        - Agents never share a scratchpad: shared state lives in the store, scoped by session and run ids.
        """))
    doc("ma_graph", "graphs/code_review_graph.json", jdump({
        "graph_id": "code-review-v3",
        "nodes": [
            {"id": "planner", "model": "claude-3-haiku", "tools": ["read_file", "vector_store.query"]},
            {"id": "coder", "model": "gpt-4o-mini", "tools": ["read_file", "write_file", "python_exec"]},
            {"id": "reviewer", "model": "claude-3-haiku", "tools": ["read_file", "shell"]},
        ],
        "edges": [
            {"from": "planner", "to": "coder", "handoff": "task_card"},
            {"from": "coder", "to": "reviewer", "handoff": "patch_artifact"},
            {"from": "reviewer", "to": "coder", "handoff": "review_comments", "max_rounds": 2},
            {"from": "reviewer", "to": "planner", "handoff": "escalation"},
        ],
        "shared_store": {"scope": "run", "kinds": ["patch", "note", "log"]},
    }))
    doc("ma_log", "logs/agent_session_0193.log", render_log(rng, at(18, 10), [
        ("INFO", "graph", "session 0193 started graph=code-review-v3 task=\"add CSV export to the report tool\""),
        ("INFO", "planner", "decomposed the task into 4 subtasks"),
        ("INFO", "planner", "handing off subtask 1/4 to coder (task card art-7f21)"),
        ("FILL", "agent", 6),
        ("INFO", "coder", "subtask 1/4 done, patch artifact art-7f3a; handing off to reviewer"),
        ("INFO", "reviewer", "rejected art-7f3a: no test for an empty report; back to coder (round 1/2)"),
        ("FILL", "agent", 4),
        ("INFO", "reviewer", "accepted art-7f52"),
        ("INFO", "planner", "handing off subtask 2/4 to coder (task card art-7f60)"),
        ("FILL", "agent", 5),
    ], style="agent", gap=(1, 90)))
    doc("zh_ma", "notes/多智能体协作设计.md", T("""
        # 多智能体协作设计

        系统中有三个智能体：规划者、执行者和审查者。规划者负责把用户的需求拆分成子任务，并根据每个智能体的
        能力和当前负载进行任务分配；执行者一次只处理一个子任务；审查者检查结果，不合格就退回。

        任务分配规则：
        1. 需要写代码的子任务分配给执行者，需要查资料的分配给检索智能体。
        2. 同一个子任务被退回两次以上，重新交给规划者拆分。
        3. 所有中间结果都保存为工件（artifact），智能体之间只传递工件编号，不直接传递长文本。
        """))

    # --- q14: sweep, best validation accuracy --------------------------------------------------------
    sweep_rows = []
    for i, (lr, bs) in enumerate([(1e-4, 16), (1e-4, 32), (1e-4, 64), (3e-4, 16), (3e-4, 32), (3e-4, 64),
                                  (1e-3, 16), (1e-3, 32), (1e-3, 64)], start=1):
        acc = 0.913 if (lr, bs) == (3e-4, 32) else round(rng.uniform(0.861, 0.905), 3)
        sweep_rows.append(f"sweep_{i:02d},{lr:g},{bs},{acc:.3f},{rng.uniform(0.28, 0.41):.4f},{rng.randint(38, 95)}")
    doc("sweep_csv", "results/sweep_lr_bs/summary.csv",
        "run_id,lr,batch_size,val_accuracy,val_loss,minutes\n" + "\n".join(sweep_rows))
    doc("sweep_report", "notes/sweep-report-lr-bs.md", T("""
        # Learning-rate x batch-size sweep (intent classifier)

        Nine runs, 3 epochs each, same seed. The winner is **sweep_05** (lr 3e-4, batch 32) with 0.913 accuracy
        on the validation split; everything at lr 1e-3 is noisy, and batch 64 is consistently worse by about a
        point. Promoting sweep_05 to the candidate slot; its results are in eval_results.json.
        """))
    doc("eval_results", "eval_results.json", jdump({
        "run_id": "sweep_05", "model": "deberta-v3-small", "task": "intent-classification",
        "split": "validation", "examples": 4120,
        "accuracy": 0.913, "f1_macro": 0.884, "loss": 0.2917,
        "config": {"lr": 3e-4, "batch_size": 32, "epochs": 3, "seed": 17},
        "created_at": "2024-03-15T17:42:10Z",
    }))

    # --- q15: warmup -------------------------------------------------------------------------------
    doc("lr_schedule", "src/lr_schedule.py", T('''
        """Learning-rate schedules, as multipliers for torch.optim.lr_scheduler.LambdaLR."""
        import math


        def cosine_with_warmup(step, warmup_steps, total_steps, peak_lr=1.0, min_lr=0.0):
            """Multiplier for LambdaLR: linear warmup to peak_lr, then cosine decay to min_lr."""
            if step < warmup_steps:
                return peak_lr * (step + 1) / warmup_steps
            progress = min(1.0, (step - warmup_steps) / max(1, total_steps - warmup_steps))
            return min_lr + 0.5 * (peak_lr - min_lr) * (1 + math.cos(math.pi * progress))


        def inverse_sqrt(step, warmup_steps):
            step = max(step, 1)
            return min(step / warmup_steps, math.sqrt(warmup_steps / step))
        '''))
    doc("ft_config", "configs/finetune_small.json", jdump({
        "model": "tinyllama-1.1b", "dataset": "support-dialogues-v2",
        "optimizer": {"name": "adamw", "lr": 3e-4, "weight_decay": 0.01},
        "schedule": {"warmup_steps": 500, "total_steps": 20000, "min_lr": 0.1},
        "batch_size": 32, "seq_len": 2048, "total_steps": 20000, "checkpoint_every": 1000,
    }))
    doc("lr_note", "notes/lr-notes.md", T("""
        # Notes on the learning rate

        A linear ramp over the first 2–3% of the steps avoids the loss spike we saw when starting directly at
        3e-4 with AdamW (the second-moment estimates are still zero, so the first updates are huge). After the
        ramp, cosine decay down to 10% of the peak. Inverse square root is fine for very long runs.
        """))

    # --- q16 / q47: NaN loss and precision --------------------------------------------------------
    doc("nan_log", "runs/train_run_051.log", render_log(rng, at(13, 19), [
        ("INFO", "runner", "run train_run_051: fp16 mixed precision, dynamic loss scaling, lr 1e-3"),
        ("FILL", "train", 10),
        ("INFO", "trainer", "epoch 2 step 7100 loss=2.1132 lr=1.00e-03 grad_norm=3.871"),
        ("INFO", "trainer", "epoch 2 step 7200 loss=2.9460 lr=1.00e-03 grad_norm=18.204"),
        ("WARNING", "amp", "gradient overflow, skipping step, reducing loss scale to 32768.0"),
        ("WARNING", "amp", "gradient overflow, skipping step, reducing loss scale to 16384.0"),
        ("INFO", "trainer", "epoch 2 step 7300 loss=45.2217 lr=1.00e-03 grad_norm=inf"),
        ("ERROR", "trainer", "non-finite loss (nan) at step 7301; stopping (--halt-on-nan)"),
        ("INFO", "runner", "run train_run_051 stopped; last finite checkpoint step_0007000"),
    ], state={"step": 6000, "epoch": 2, "loss": 2.3, "lr": 1e-3}))
    doc("nan_note", "notes/nan-debugging.md", T("""
        # When the loss diverges

        Checklist, in the order that found the cause most often:
        1. fp16 overflow: look for "gradient overflow" warnings before the first non-finite value. bf16 has
           the range of fp32 and usually makes this go away.
        2. Learning rate too high: grad_norm climbing for a few hundred steps before the blow-up.
        3. A bad batch: empty label masks make the mean over zero tokens 0/0.
        4. log() or sqrt() of zero in a custom loss; add an epsilon.
        Keep `--halt-on-nan` on so a diverged run stops instead of burning GPU hours.
        """))
    doc("nan_config", "configs/train_run_051.json", jdump({
        "run_id": "train_run_051", "model": "tinyllama-1.1b",
        "precision": "fp16", "loss_scale": "dynamic", "initial_loss_scale": 65536,
        "optimizer": {"name": "adamw", "lr": 1e-3, "eps": 1e-8},
        "schedule": {"warmup_steps": 0, "total_steps": 30000},
        "clip_grad_norm": None, "halt_on_nan": True,
    }))
    doc("mp_note", "notes/mixed-precision.md", T("""
        # bfloat16 or float16?

        Both store 16 bits, split differently: float16 has 5 exponent and 10 mantissa bits (max ~65504), bfloat16
        has 8 exponent bits like float32 but only 7 mantissa bits. In practice:
        - bfloat16 needs no loss scaling and rarely overflows; use it on A100/H100 and TPUs.
        - float16 is faster on older cards (V100, T4), which lack bfloat16 tensor cores, but needs dynamic
          loss scaling.
        - Keep the optimizer state and the master weights in float32 in both cases.
        Our ablation: same loss curves, bfloat16 3% faster on A100, and no overflow warnings.
        """))
    doc("precision_ablation", "results/precision_ablation.json", jdump({
        "model": "tinyllama-1.1b", "gpu": "A100-80GB", "steps": 5000,
        "runs": {
            "fp16": {"final_loss": 2.031, "tokens_per_s": 29870, "overflow_skips": 37, "loss_scale_final": 8192},
            "bf16": {"final_loss": 2.028, "tokens_per_s": 30790, "overflow_skips": 0},
            "fp32": {"final_loss": 2.027, "tokens_per_s": 11420},
        },
        "conclusion": "bf16 for new runs on Ampere or newer",
    }))

    # --- q17: disk full ---------------------------------------------------------------------------
    doc("disk_log", "logs/checkpoint_save_0309.log", render_log(rng, at(9, 23), [
        ("FILL", "train", 5),
        ("INFO", "checkpoint", "saving step_0042000.pt (2.1 GB) to /scratch/ckpt"),
        ("ERROR", "checkpoint", "save failed for step 42000"),
        "|Traceback (most recent call last):",
        '|  File "/opt/agent/checkpoint.py", line 18, in save_checkpoint',
        '|    torch.save(state, path + ".partial")',
        '|  File "/opt/venv/lib/python3.11/site-packages/torch/serialization.py", line 619, in save',
        "|    with _open_zipfile_writer(f) as opened_zipfile:",
        "|OSError: [Errno 28] No space left on device: '/scratch/ckpt/step_0042000.pt.partial'",
        ("INFO", "runner", "df /scratch: size 1.8T used 1.8T avail 0 use% 100%; 41 checkpoints present"),
        ("ERROR", "runner", "aborting: cannot save checkpoints"),
    ], state={"step": 41500, "epoch": 9, "loss": 1.61}))
    doc("cleanup_sh", "scripts/cleanup_old_checkpoints.sh", T("""
        #!/usr/bin/env bash
        # Free disk space on /scratch: keep only the newest $KEEP checkpoints of every run.
        set -euo pipefail
        KEEP=${KEEP:-3}
        ROOT=${1:-/scratch/ckpt}

        for run in "$ROOT"/*/; do
            mapfile -t old < <(ls -1t "$run"step_*.pt 2>/dev/null | tail -n +$((KEEP + 1)))
            for f in "${old[@]}"; do
                echo "removing $f ($(du -h "$f" | cut -f1))"
                rm -f -- "$f"
            done
        done
        df -h "$ROOT"
        """))

    # --- q19: dedup --------------------------------------------------------------------------------
    doc("minhash_py", "src/dedup/minhash.py", T('''
        """Near-duplicate detection with MinHash signatures and LSH banding."""
        import hashlib
        import re
        from collections import defaultdict

        NUM_PERM = 128
        BANDS, ROWS = 32, 4  # 32 * 4 = 128; threshold ~ (1/32) ** (1/4) = 0.42 .. tuned to ~0.8 below


        def shingles(text, n=5):
            words = re.findall(r"\\w+", text.lower())
            return {" ".join(words[i:i + n]) for i in range(max(1, len(words) - n + 1))}


        def minhash(sh):
            sig = []
            for seed in range(NUM_PERM):
                salt = seed.to_bytes(4, "little")
                sig.append(min(int.from_bytes(hashlib.blake2b(salt + s.encode(), digest_size=8).digest(), "little")
                               for s in sh))
            return sig


        def candidate_pairs(signatures):
            buckets = defaultdict(list)
            for doc_id, sig in signatures.items():
                for b in range(BANDS):
                    buckets[(b, tuple(sig[b * ROWS:(b + 1) * ROWS]))].append(doc_id)
            pairs = set()
            for ids in buckets.values():
                for i in range(len(ids)):
                    for j in range(i + 1, len(ids)):
                        pairs.add((ids[i], ids[j]))
            return pairs
        '''))
    doc("dedup_note", "notes/dedup.md", T("""
        # Removing near-duplicates from the crawl

        Exact duplicates go first (sha256 of the normalised text). For near-duplicates — the same page with a
        different cookie banner, mirrored docs, templated release notes — we use MinHash over 5-word shingles
        with 128 permutations and LSH banding, then verify candidate pairs with the real Jaccard similarity and
        drop one document of every pair above 0.8. We keep the longest one.
        """))
    doc("dedup_stats", "results/dedup_stats.json", jdump({
        "input_docs": 1204411, "exact_duplicates": 88213, "near_duplicate_pairs": 61877,
        "near_duplicates_removed": 54102, "kept": 1062096, "jaccard_threshold": 0.8,
        "shingle_words": 5, "num_perm": 128, "wall_clock_min": 47.5,
    }))

    # --- q23 / q50: container memory, leaks ---------------------------------------------------------
    doc("k8s_log", "logs/deploy_embedder_0313.log", T("""
        $ kubectl -n search get pods -l app=embedder
        NAME                        READY   STATUS             RESTARTS       AGE
        embedder-6d9f7c5b8d-2xkqp   0/1     CrashLoopBackOff   7 (38s ago)    19m
        embedder-6d9f7c5b8d-v7m4n   1/1     Running            5 (4m ago)     19m

        $ kubectl -n search describe pod embedder-6d9f7c5b8d-2xkqp
        Containers:
          embedder:
            Image:          registry.local/embedder:0.9.2
            State:          Waiting
              Reason:       CrashLoopBackOff
            Last State:     Terminated
              Reason:       OOMKilled
              Exit Code:    137
            Limits:
              cpu:     2
              memory:  2Gi
        Events:
          Warning  BackOff  36s (x31 over 18m)  kubelet  Back-off restarting failed container
        """))
    doc("k8s_note", "notes/k8s-memory-limits.md", T("""
        # Exit code 137 on Kubernetes

        137 = 128 + 9: the container got SIGKILL. On Kubernetes that is almost always the kernel's OOM killer
        enforcing `resources.limits.memory` (the pod status says OOMKilled). The embedder loads a 1.3 GB model
        and then needs ~600 MB per concurrent batch, so a 2Gi limit dies under load.

        Fix: request 3Gi, limit 4Gi, and cap concurrent batches at 2. Check with `kubectl top pod` under load.
        """))
    doc("leak_log", "logs/agent_daemon_rss.log", T("""
        timestamp,pid,rss_mb,open_sessions,history_messages
        2024-03-18T00:00:00Z,4187,1214,12,3120
        2024-03-18T12:00:00Z,4187,2033,15,18544
        2024-03-19T00:00:00Z,4187,3170,11,34902
        2024-03-19T12:00:00Z,4187,4410,14,51377
        2024-03-20T00:00:00Z,4187,5602,13,67015
        2024-03-20T12:00:00Z,4187,6931,12,84260
        2024-03-21T00:00:00Z,4187,7829,10,99412
        # agentd has been up 3 days; RSS grows ~2.2 GB/day while open sessions stay flat
        """))
    doc("leak_note", "notes/memory-leak-tracemalloc.md", T("""
        # Why agentd grows without bound

        tracemalloc snapshot diff after 6 hours (top 3):

            agentd/session.py:88: size=3.1 GiB (+3.1 GiB), count=2170412 — self.history.append(message)
            agentd/tools.py:141: size=402 MiB (+399 MiB) — cached tool outputs keyed by call id
            json/decoder.py:353: size=77 MiB (+75 MiB)

        Closed sessions are never removed from the `sessions` dict, so their full message history stays alive
        for the life of the daemon. Fix: evict a session when it closes and cap the tool-output cache (LRU,
        10k entries). Verified: RSS flat at ~1.3 GB over 48 h.
        """))

    # --- q24: sqlite locking -----------------------------------------------------------------------
    doc("sqlite_log", "logs/indexer_worker_3.log", render_log(rng, at(19, 9), [
        ("INFO", "indexer", "worker 3 of 4 started, store=/data/artifacts/index.sqlite"),
        ("FILL", "service", 6),
        ("ERROR", "indexer", "upsert of batch 771 failed"),
        "|Traceback (most recent call last):",
        '|  File "/srv/indexer/store.py", line 57, in upsert_batch',
        '|    cur.executemany("INSERT OR REPLACE INTO docs VALUES (?, ?, ?)", rows)',
        "|sqlite3.OperationalError: database is locked",
        ("WARNING", "indexer", "retrying batch 771 in 1s (workers 1, 2 and 4 are writing too)"),
        ("ERROR", "indexer", "batch 771 failed again: database is locked"),
    ], style="iso"))
    doc("sqlite_note", "notes/sqlite-wal.md", T("""
        # SQLite with several writer processes

        The default rollback journal takes an exclusive lock for every write and makes readers wait. Settings
        that fixed our indexer:
        - `PRAGMA journal_mode=WAL;` readers no longer block the writer, nor the writer the readers;
        - `PRAGMA busy_timeout=5000;` a second writer waits up to 5 s for the lock instead of failing at once;
        - keep write transactions short: one batch per transaction, no network calls inside it;
        - `BEGIN IMMEDIATE` for read-modify-write, so the lock upgrade cannot deadlock.
        """))
    doc("db_py", "src/store/db.py", T('''
        import sqlite3


        def connect(path: str) -> sqlite3.Connection:
            conn = sqlite3.connect(path, timeout=5.0, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA busy_timeout=5000")
            conn.execute("PRAGMA synchronous=NORMAL")
            return conn


        def upsert_batch(conn, rows):
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.executemany("INSERT OR REPLACE INTO docs(id, text, meta) VALUES (?, ?, ?)", rows)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        '''))

    # --- q25: tool timeouts --------------------------------------------------------------------------
    doc("timeout_log", "logs/agent_session_0207.log", render_log(rng, at(20, 14), [
        ("INFO", "graph", 'session 0207 started graph=research-v2 task="collect pricing pages of 12 vendors"'),
        ("FILL", "agent", 7),
        ("INFO", "tool:browser.fetch", "GET https://vendor-09.example.com/pricing"),
        ("ERROR", "tool:browser.fetch", "timed out after 30.0s waiting for the tool response (limit 30s)"),
        ("WARNING", "graph", "node search: tool browser.fetch failed (timeout), 1 retry left"),
        ("ERROR", "tool:browser.fetch", "timed out after 30.0s waiting for the tool response (limit 30s)"),
        ("WARNING", "planner", "skipping vendor-09, will note it as missing in the report"),
        ("FILL", "agent", 4),
    ], style="agent", gap=(1, 60)))
    doc("tools_config", "configs/tools.json", jdump({
        "defaults": {"timeout_s": 20, "retries": 1},
        "tools": {
            "browser.fetch": {"timeout_s": 30, "retries": 1, "max_bytes": 2000000},
            "python_exec": {"timeout_s": 120, "memory_mb": 2048, "network": False},
            "web_search": {"timeout_s": 10, "results": 8},
            "shell": {"timeout_s": 60, "allow": ["ls", "cat", "grep", "git"]},
        },
    }))

    # --- q26: confusion matrix --------------------------------------------------------------------------
    labels = ["billing", "bug_report", "feature_request", "account", "other"]
    cm = [[412, 9, 3, 17, 6], [11, 388, 24, 2, 19], [4, 31, 301, 1, 22], [21, 3, 0, 355, 8], [9, 26, 30, 7, 201]]
    per = {}
    for i, lab in enumerate(labels):
        tp = cm[i][i]
        fp = sum(cm[r][i] for r in range(5)) - tp
        fn = sum(cm[i]) - tp
        p, r_ = tp / (tp + fp), tp / (tp + fn)
        per[lab] = {"precision": round(p, 3), "recall": round(r_, 3), "f1": round(2 * p * r_ / (p + r_), 3),
                    "support": sum(cm[i])}
    doc("clf_report", "eval/intent_classifier_report.json", jdump({
        "model": "intent-router-v4", "split": "test", "labels": labels,
        "per_class": per, "confusion_matrix": cm,
        "note": "rows = true label, columns = predicted label",
    }))
    doc("clf_csv", "eval/intent_classifier_per_class.csv", "label,precision,recall,f1,support\n" + "\n".join(
        f"{lab},{v['precision']},{v['recall']},{v['f1']},{v['support']}" for lab, v in per.items()))

    # --- q27: embedding dimension -------------------------------------------------------------------
    doc("dim_log", "logs/reindex_0315.log", render_log(rng, at(15, 11), [
        ("INFO", "reindex", "opening index /data/vec/artifacts (embedder=minilm-l6-v2, dim=384, 182113 vectors)"),
        ("INFO", "reindex", "embedding 5000 new artifacts with e5-base-v2"),
        ("ERROR", "reindex", "ValueError: embedding dimension mismatch: index expects 384, model 'e5-base-v2' produced 768"),
        ("INFO", "reindex", "hint: rebuild the index with --reembed-all, or keep the old model for this index"),
    ], style="iso"))
    doc("embedder_note", "notes/embedder-migration.md", T("""
        # Switching the embedding model

        MiniLM produces 384-d vectors, e5-base 768-d. Vectors from two models live in different spaces even
        when the sizes match, so mixing them in one index silently ruins the ranking. Plan:
        1. build a second index next to the old one with the new model (re-embed everything, ~40 min);
        2. compare on the eval set; 3. switch the alias; 4. drop the old index after a week.
        The index stores the embedder id and dimension, and refuses vectors from another model.
        """))

    # --- q28: merge conflict --------------------------------------------------------------------------
    doc("git_log", "logs/git_rebase_0316.txt", T("""
        $ git rebase origin/main
        Auto-merging Package.swift
        Auto-merging Package.resolved
        CONFLICT (content): Merge conflict in Package.resolved
        error: could not apply 3f9c2d1... bump swift-argument-parser to 1.3.1
        hint: Resolve all conflicts manually, mark them as resolved with
        hint: "git add/rm <conflicted_files>", then run "git rebase --continue".
        $ git status --short
        UU Package.resolved
        M  Package.swift
        """))
    doc("git_note", "notes/git-tips.md", T("""
        # Git tips for the agent workspace

        - Lockfiles (Package.resolved, poetry.lock, package-lock.json): never merge by hand. Take one side and
          regenerate: `git checkout --theirs Package.resolved && swift package resolve && git add Package.resolved`.
        - `git rebase --autostash` keeps uncommitted notes out of the way.
        - `git worktree add ../wt-review pr-412` to review a branch without touching the main checkout.
        """))

    # --- q29 / q37: deploy and rollback -----------------------------------------------------------------
    doc("deploy_sh", "scripts/deploy.sh", T("""
        #!/usr/bin/env bash
        # Build, push and roll out search-api; undo the rollout if it does not become healthy.
        set -euo pipefail
        VERSION=${1:?usage: deploy.sh VERSION}
        IMAGE=registry.local/search-api:$VERSION

        docker build -t "$IMAGE" .
        docker push "$IMAGE"
        kubectl -n search set image deployment/search-api api="$IMAGE"
        if ! kubectl -n search rollout status deployment/search-api --timeout=300s; then
            echo "rollout of $VERSION failed, rolling back" >&2
            kubectl -n search rollout undo deployment/search-api
            exit 1
        fi
        curl -fsS https://search.internal/healthz
        """))
    doc("runbook", "notes/runbook-deploy.md", T("""
        # Runbook: search-api releases

        1. Tag the release and let CI build the image.
        2. `scripts/deploy.sh 2.3.1` — it waits for the rollout and reverts on failure.
        3. Watch the latency and error dashboards for 30 minutes.

        **Rolling back by hand:** `kubectl -n search rollout undo deployment/search-api` returns to the previous
        ReplicaSet; `kubectl -n search rollout history deployment/search-api` lists the revisions, and
        `--to-revision=N` picks an older one. Write a line in #search-ops when you do it.
        """))
    doc("ja_runbook", "notes/デプロイ手順.md", T("""
        # 本番環境へのデプロイ手順

        1. リリースタグを作成し、CI でコンテナイメージをビルドする。
        2. `scripts/deploy.sh <バージョン>` を実行する。ロールアウトが失敗した場合は自動で元に戻る。
        3. デプロイ後 30 分間、レイテンシとエラー率のダッシュボードを確認する。
        4. 問題があれば `kubectl rollout undo` で直前のバージョンに戻し、チャンネルに報告する。

        注意：金曜日の夕方以降は本番環境へのデプロイを行わないこと。
        """))
    doc("ja_deploy_log", "logs/デプロイ_0321.log", T("""
        2024-03-21 10:02:11 情報 search-api 2.3.2 のデプロイを開始
        2024-03-21 10:03:40 情報 イメージのプッシュ完了 registry.local/search-api:2.3.2
        2024-03-21 10:05:58 情報 ロールアウト進行中 2/4 レプリカ更新済み
        2024-03-21 10:07:12 情報 ロールアウト完了、ヘルスチェック正常
        2024-03-21 10:37:30 情報 監視期間終了、問題なし
        """))

    # --- q30: JSON decode error -------------------------------------------------------------------
    doc("json_err_log", "logs/tool_output_parse.log", render_log(rng, at(21, 16), [
        ("INFO", "graph", "node extract: calling tool vendor_api.get_quote"),
        ("WARNING", "parser", "tool returned content-type text/html (expected application/json), 5120 bytes"),
        ("ERROR", "parser", "could not parse the tool output"),
        "|Traceback (most recent call last):",
        '|  File "/srv/agent/parse_tool_output.py", line 23, in parse_tool_output',
        "|    return json.loads(raw)",
        '|  File "/usr/lib/python3.11/json/decoder.py", line 355, in raw_decode',
        '|    raise JSONDecodeError("Expecting value", s, err.value) from None',
        "|json.decoder.JSONDecodeError: Expecting value: line 1 column 1 (char 0)",
        ("INFO", "parser", "first bytes of the output: '<!DOCTYPE html><html><head><title>502 Bad Gateway'"),
    ], style="py", gap=(0.1, 3)))
    doc("parse_tool_py", "src/parse_tool_output.py", T('''
        import json
        import re

        FENCE = re.compile(r"^```(?:json)?\\s*|\\s*```$", re.MULTILINE)


        class ToolOutputError(ValueError):
            pass


        def parse_tool_output(raw: str):
            """Parse a tool's JSON answer; LLM tools often wrap it in Markdown fences."""
            text = FENCE.sub("", raw.strip())
            if not text:
                raise ToolOutputError("empty tool output")
            if text.lstrip().startswith("<"):
                raise ToolOutputError("tool returned HTML, not JSON: " + text[:80])
            try:
                return json.loads(text)
            except json.JSONDecodeError as e:
                raise ToolOutputError(f"invalid JSON at line {e.lineno} column {e.colno}: {e.msg}") from e
        '''))

    # --- q31: normalization ---------------------------------------------------------------------------
    doc("normalize_py", "src/text/normalize.py", T('''
        import unicodedata


        def normalize(text: str) -> str:
            """Canonical form for indexing and querying.

            NFKC folds compatibility characters: full-width Ａ１ -> A1, the ligature ﬁ -> fi, ① -> 1,
            half-width katakana ｶ -> カ. casefold() is a stronger lower() (ß -> ss).
            """
            return unicodedata.normalize("NFKC", text).casefold()
        '''))
    doc("norm_note", "notes/text-normalization.md", T("""
        # Text normalisation before indexing

        Users paste identifiers from PDFs and chat apps: full-width digits (３８．１０１), ligatures (ﬁle), non-breaking
        spaces, Roman numeral characters. Without compatibility folding the query `38.101` does not find the
        document that says ３８．１０１. We apply Unicode NFKC and case folding to documents and queries alike,
        before tokenising.
        """))

    # --- q32: cache hit rate -------------------------------------------------------------------------
    rows = []
    for d in range(1, 15):
        req = rng.randint(380000, 460000)
        ratio = rng.uniform(0.89, 0.93) if d < 9 else rng.uniform(0.39, 0.46)
        rows.append(f"2024-03-{d:02d},{req},{int(req * ratio)},{ratio:.3f},{rng.randint(28, 35) if d < 9 else rng.randint(70, 88)}")
    doc("cache_csv", "metrics/cache_stats_2024-03.csv",
        "date,requests,cache_hits,hit_ratio,mean_latency_ms\n" + "\n".join(rows))
    doc("cache_note", "notes/incident-cache-eviction.md", T("""
        # Query cache: why it stopped working on March 9

        From March 9 the share of requests served from the cache fell from about 0.91 to 0.42 and mean latency
        more than doubled. The 2.3.0 client started adding a request timestamp to the cache key, so no two keys
        were ever equal again. Fix: build the key from the normalised query, filters and mode only. Added an
        alert on the ratio of cached answers.
        """))

    # --- q33: prompt A/B test ---------------------------------------------------------------------------
    doc("prompt_ab", "eval/prompt_ab_test_0318.json", jdump({
        "experiment": "summary-prompt-ab", "judge": "pairwise, gpt-4o", "pairs": 600,
        "templates": {
            "A_bullets": {"win_rate": 0.41, "avg_words": 118},
            "B_tldr_then_details": {"win_rate": 0.57, "avg_words": 142},
            "C_json_sections": {"win_rate": 0.52, "avg_words": 131},
        },
        "winner": "B_tldr_then_details", "significant": True,
    }))
    doc("prompt_note", "notes/prompt-experiments.md", T("""
        # Prompt experiments for run summaries

        We tried three templates for the end-of-run summary. Asking for a one-line TL;DR first and details after
        won the pairwise comparison; the JSON-sections template was close but produced longer summaries. The
        judge prefers longer answers a little, so we also checked a length-matched subset: same winner.
        """))

    # --- q36: Chinese DB timeout ------------------------------------------------------------------------
    doc("zh_db_log", "logs/同步任务_0320.log", T("""
        2024-03-20 03:00:00 信息 同步任务开始：订单表 → 数据仓库
        2024-03-20 03:00:12 错误 数据库连接超时（30 秒），主机 10.0.3.21:5432，重试第 1 次
        2024-03-20 03:00:44 错误 数据库连接超时（30 秒），主机 10.0.3.21:5432，重试第 2 次
        2024-03-20 03:01:16 错误 数据库连接超时（30 秒），主机 10.0.3.21:5432，重试第 3 次
        2024-03-20 03:01:16 错误 同步任务失败：无法连接到数据库
        2024-03-20 03:05:02 信息 运维确认：数据库主节点正在做备份，连接数已满
        """))
    doc("zh_db_note", "notes/数据库连接池配置.md", T("""
        # 数据库连接池配置说明

        - 连接池大小：每个服务最多 20 个连接，空闲连接 5 分钟后回收。
        - 连接超时：建立连接最多等待 10 秒，查询超时 30 秒。
        - 夜间备份期间（02:30–03:30）数据库连接数接近上限，定时同步任务应避开这个时间段。
        - 出现连接超时时，先检查连接数和慢查询，再考虑增加连接池大小。
        """))

    # --- q38: Swift concurrency ---------------------------------------------------------------------
    doc("swift_build_log", "logs/swift_build_0322.log", T("""
        Building for debugging...
        /work/Sources/Store/IndexActor.swift:41:23: warning: passing argument of non-sendable type 'IndexSnapshot' outside of actor-isolated context may introduce data races
                try await index.apply(snapshot)
                              ^
        /work/Sources/Store/Ingest.swift:27:17: error: actor-isolated property 'count' can not be referenced from a nonisolated context
                print(index.count)
                            ^
        /work/Sources/Store/IndexActor.swift:8:9: note: property declared here
            var count: Int = 0
                ^
        error: fatalError
        """))
    doc("swift_actor", "Sources/Store/IndexActor.swift", T("""
        import Foundation

        struct IndexSnapshot: Sendable {
            var ids: [String]
            var vectors: [[Float]]
        }

        actor IndexActor {
            var count: Int = 0
            private var rows: [String: [Float]] = [:]

            func apply(_ snapshot: IndexSnapshot) {
                for (id, v) in zip(snapshot.ids, snapshot.vectors) { rows[id] = v }
                count = rows.count
            }

            nonisolated func describe() -> String { "IndexActor" }
        }
        """))

    # --- q41: nightly schedule -----------------------------------------------------------------------
    doc("crontab", "scripts/crontab.txt", T("""
        # m h dom mon dow  command   (installed with: crontab scripts/crontab.txt)
        SHELL=/bin/bash
        MAILTO=""
        # 02:00 every night: search-mode evaluation, reports in /opt/agent/reports/eval/<date>/
        0 2 * * *   /opt/agent/scripts/nightly_eval.sh >> /var/log/agent/nightly_eval.log 2>&1
        30 3 * * 0  /opt/agent/scripts/cleanup_old_checkpoints.sh /scratch/ckpt
        */15 * * * * /opt/agent/bin/agentd healthcheck || systemctl restart agentd
        """))
    doc("nightly_sh", "scripts/nightly_eval.sh", T("""
        #!/usr/bin/env bash
        # Runs every night at 02:00: evaluate the three search modes and keep the JSON reports.
        set -euo pipefail
        cd /opt/agent
        OUT=reports/eval/$(date +%F)
        mkdir -p "$OUT"
        for mode in lexical semantic hybrid; do
            artifact-search eval --corpus Fixtures/agent-artifacts --mode "$mode" --json > "$OUT/$mode.json"
        done
        jq -s 'map({mode, ndcg_at_10})' "$OUT"/*.json
        """))

    # --- q42: SSL ------------------------------------------------------------------------------------
    doc("ssl_log", "logs/pip_install_0323.log", T("""
        $ pip install -r requirements.txt
        WARNING: Retrying (Retry(total=4, connect=None, read=None, redirect=None, status=None)) after connection broken by 'SSLError(SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer certificate (_ssl.c:1006)'))': /simple/numpy/
        Could not fetch URL https://pypi.org/simple/numpy/: There was a problem confirming the ssl certificate: HTTPSConnectionPool(host='pypi.org', port=443): Max retries exceeded with url: /simple/numpy/ (Caused by SSLError(SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer certificate (_ssl.c:1006)'))) - skipping
        ERROR: Could not find a version that satisfies the requirement numpy==1.26.4 (from versions: none)
        ERROR: No matching distribution found for numpy==1.26.4
        """))
    doc("proxy_note", "notes/corporate-proxy.md", T("""
        # Working behind the office proxy

        The proxy re-signs TLS traffic with the company's own root CA, which Python does not trust out of the box.
        Export the bundle once per shell:

            export SSL_CERT_FILE=/etc/ssl/certs/corp-root-ca.pem
            export REQUESTS_CA_BUNDLE=$SSL_CERT_FILE
            pip config set global.cert $SSL_CERT_FILE

        Never "fix" it with verify=False or --trusted-host; that disables verification for everything.
        """))

    # --- q43: ZeroDivisionError ---------------------------------------------------------------------
    doc("zde_log", "logs/eval_run_0324.log", render_log(rng, at(24, 10), [
        ("INFO", "eval", "evaluating intent-router-v5 on test (3650 examples, 6 labels)"),
        ("INFO", "eval", "predictions done in 41.8s"),
        ("ERROR", "eval", "metric computation failed"),
        "|Traceback (most recent call last):",
        '|  File "/srv/eval/run_eval.py", line 74, in <module>',
        "|    report = classification_report(y_true, y_pred, labels)",
        '|  File "/srv/eval/metrics.py", line 12, in classification_report',
        "|    p = precision(tp[label], fp[label])",
        '|  File "/srv/eval/metrics.py", line 4, in precision',
        "|    return tp / (tp + fp)",
        "|ZeroDivisionError: division by zero",
        ("INFO", "eval", "label 'refund_status' was never predicted (tp=0, fp=0)"),
    ], style="py", gap=(0.5, 30)))
    doc("metrics_py", "src/eval/metrics.py", T('''
        def precision(tp: int, fp: int) -> float:
            # Guard against division by zero: a label that is never predicted has tp + fp == 0.
            return tp / (tp + fp) if tp + fp else 0.0


        def recall(tp: int, fn: int) -> float:
            return tp / (tp + fn) if tp + fn else 0.0


        def f1(p: float, r: float) -> float:
            return 2 * p * r / (p + r) if p + r else 0.0


        def classification_report(y_true, y_pred, labels):
            out = {}
            for lab in labels:
                tp = sum(1 for t, p in zip(y_true, y_pred) if t == p == lab)
                fp = sum(1 for t, p in zip(y_true, y_pred) if p == lab and t != lab)
                fn = sum(1 for t, p in zip(y_true, y_pred) if t == lab and p != lab)
                pr, rc = precision(tp, fp), recall(tp, fn)
                out[lab] = {"precision": pr, "recall": rc, "f1": f1(pr, rc), "support": tp + fn}
            return out
        '''))

    # --- q44: pandas dtype warning --------------------------------------------------------------------
    doc("pandas_log", "logs/etl_customers.log", render_log(rng, at(22, 6), [
        ("FILL", "etl", 4),
        ("INFO", "extract", "reading exports/customers_2024-03-21.csv (412 MB)"),
        "|/srv/etl/load_customers.py:31: DtypeWarning: Columns (4,7) have mixed types. Specify dtype option on import or set low_memory=False.",
        "|  df = pd.read_csv(path)",
        ("WARNING", "quality", "zip_code: 18211 values parsed as float (leading zeros lost), e.g. 2134.0"),
        ("FILL", "etl", 3),
    ], style="py", gap=(0.5, 20), state={"table": "customers", "dt": "2024-03-21"}))
    doc("etl_py", "src/etl/load_customers.py", T('''
        import pandas as pd

        DTYPES = {
            "customer_id": "int64",
            "zip_code": "string",      # keep leading zeros
            "phone": "string",
            "segment": "category",
        }


        def load_customers(path):
            # Explicit dtypes: without them pandas guesses per chunk and mixes int, float and str in one column.
            df = pd.read_csv(path, dtype=DTYPES, parse_dates=["created_at"], low_memory=False)
            return df.drop_duplicates("customer_id")
        '''))

    # --- q45: feedback --------------------------------------------------------------------------------
    doc("feedback_note", "notes/feedback-summary-week11.md", T("""
        # User feedback, week 11

        312 ratings, 71% positive. Top complaints from users this week:
        1. Search misses results when the query is in Japanese (14 comments).
        2. The answer cites an artifact the user cannot open (9).
        3. Slow first search after opening the app (8) — matches the cache incident.
        Praise: the run summaries ("finally readable"), the `best` command.
        """))
    fb_comments = ["search misses Japanese results", "cannot open cited artifact", "slow first search",
                   "great summary", "summary too long", "best command is handy", "wrong run picked",
                   "search misses Japanese results", "love the tags", "slow first search"]
    fb_rows = [f"{i},{rng.choice(['thumbs_up', 'thumbs_up', 'thumbs_down'])},2024-03-{rng.randint(11, 17):02d},"
               f"\"{rng.choice(fb_comments)}\"" for i in range(1, 19)]
    doc("feedback_csv", "data/feedback_week11.csv", "id,rating,date,comment\n" + "\n".join(fb_rows))

    return D


# ---------------------------------------------------------------------------------------------
# Queries and their judgements (2 = highly relevant, 1 = partially relevant)
# ---------------------------------------------------------------------------------------------

TOPICS = [
    ("q01", "why did the training run run out of memory",
     [("oom_log", 2), ("oom_postmortem", 2), ("oom_config", 1)]),
    ("q02", "atomic_write_json",
     [("io_utils", 2), ("checkpoint_py", 1), ("crash_safety", 1)]),
    ("q03", "ConnectionResetError",
     [("reset_log", 2), ("flaky_network", 1), ("http_client", 1)]),
    ("q04", "p99 latency regression after upgrade",
     [("lat_231", 2), ("lat_incident", 2), ("lat_220", 1), ("lat_loadtest", 1)]),
    ("q05", "getUserById",
     [("user_repo", 2), ("users_py", 1), ("users_test", 1)]),
    ("q06", "parseHTTPResponse2",
     [("http_parser", 2), ("fuzz_log", 1)]),
    ("q07", "检索评估结果",
     [("zh_eval", 2), ("zh_weekly", 1)]),
    ("q08", "学習ジョブがメモリ不足で落ちた原因",
     [("ja_oom_log", 2), ("ja_postmortem", 2)]),
    ("q09", "which NR bands are defined in TS 38.101",
     [("nr_note", 2), ("nr_csv", 1)]),
    ("q10", "c++ build fails with undefined reference",
     [("cpp_build", 2), ("build_notes", 1)]),
    ("q11", "TODO: fix flaky retry test",
     [("retry_test", 2), ("ci_log", 1), ("retry_policy", 1)]),
    ("q12", "multi-agent coordination and handoff between agents",
     [("ma_note", 2), ("ma_graph", 1), ("ma_log", 1)]),
    ("q13", "don't retry on 4xx errors",
     [("retry_policy", 2), ("api_guidelines", 1), ("retry_test", 1)]),
    ("q14", "which run had the best validation accuracy in the sweep",
     [("sweep_csv", 2), ("sweep_report", 2), ("eval_results", 1)]),
    ("q15", "ramp up the learning rate at the start of training",
     [("lr_schedule", 2), ("ft_config", 1), ("lr_note", 1)]),
    ("q16", "training loss suddenly became nan",
     [("nan_log", 2), ("nan_note", 1), ("nan_config", 1)]),
    ("q17", "disk filled up while saving checkpoints",
     [("disk_log", 2), ("cleanup_sh", 1)]),
    ("q18", "getting 429 too many requests from the model API",
     [("ratelimit_log", 2), ("rate_limiter", 1), ("api_guidelines", 1), ("http_client", 1), ("retry_policy", 1)]),
    ("q19", "how do we deduplicate near-duplicate documents",
     [("minhash_py", 2), ("dedup_note", 2), ("dedup_stats", 1)]),
    ("q20", "tuning k1 and b for bm25",
     [("retrieval_ideas", 2), ("bm25_grid", 2), ("search_config", 1), ("beir_note", 1), ("scifact_json", 1)]),
    ("q21", "combine bm25 and vector rankings with rrf",
     [("hybrid_note", 2), ("fusion_py", 2), ("retrieval_ideas", 1), ("search_config", 1)]),
    ("q22", "split camelCase and snake_case identifiers into tokens",
     [("ident_split", 2), ("ident_tests", 1), ("retrieval_ideas", 1)]),
    ("q23", "embedder pod keeps getting killed on kubernetes",
     [("k8s_log", 2), ("k8s_note", 2)]),
    ("q24", "sqlite database is locked when two workers write",
     [("sqlite_log", 2), ("sqlite_note", 2), ("db_py", 1)]),
    ("q25", "timeout waiting for tool response in agent session",
     [("timeout_log", 2), ("tools_config", 1)]),
    ("q26", "confusion matrix for the intent classifier",
     [("clf_report", 2), ("clf_csv", 1)]),
    ("q27", "vectors have the wrong size after switching embedding model",
     [("dim_log", 2), ("embedder_note", 2)]),
    ("q28", "resolve merge conflict in Package.resolved",
     [("git_log", 2), ("git_note", 2)]),
    ("q29", "how to roll back a bad deployment",
     [("runbook", 2), ("deploy_sh", 2), ("ja_runbook", 1)]),
    ("q30", "JSONDecodeError Expecting value line 1 column 1",
     [("json_err_log", 2), ("parse_tool_py", 1)]),
    ("q31", "normalize full-width characters before indexing",
     [("normalize_py", 2), ("norm_note", 2)]),
    ("q32", "why did the cache hit rate drop",
     [("cache_note", 2), ("cache_csv", 2), ("lat_incident", 1)]),
    ("q33", "which summary prompt did the judge prefer",
     [("prompt_ab", 2), ("prompt_note", 1)]),
    ("q34", "turn on gradient checkpointing to cut activation memory",
     [("train_py", 2), ("oom_postmortem", 1), ("oom_config", 1)]),
    ("q35", "MRR on the dev split for retrieval",
     [("dev_eval", 2), ("zh_eval", 1)]),
    ("q36", "数据库连接超时怎么办",
     [("zh_db_log", 2), ("zh_db_note", 2)]),
    ("q37", "本番環境へのデプロイ手順を教えて",
     [("ja_runbook", 2), ("ja_deploy_log", 1)]),
    ("q38", "swift actor-isolated property error",
     [("swift_build_log", 2), ("swift_actor", 1)]),
    ("q39", "native extension crashed with SIGSEGV",
     [("segv_log", 2), ("segv_note", 2)]),
    ("q40", "compare tf-idf baseline with bm25",
     [("lexical_baselines", 2), ("baseline_cmp", 2)]),
    ("q41", "schedule the evaluation to run every night",
     [("crontab", 2), ("nightly_sh", 2)]),
    ("q42", "CERTIFICATE_VERIFY_FAILED behind the corporate proxy",
     [("ssl_log", 2), ("proxy_note", 2)]),
    ("q43", "ZeroDivisionError when computing precision",
     [("zde_log", 2), ("metrics_py", 1)]),
    ("q44", "pandas read_csv mixed types warning",
     [("pandas_log", 2), ("etl_py", 1)]),
    ("q45", "what did users complain about last week",
     [("feedback_note", 2), ("feedback_csv", 1)]),
    ("q46", "exponential backoff with jitter",
     [("backoff_py", 2), ("http_client", 1), ("api_guidelines", 1)]),
    ("q47", "should we train in bfloat16 or float16",
     [("mp_note", 2), ("precision_ablation", 2), ("nan_note", 1)]),
    ("q48", "nDCG@10 on SciFact",
     [("scifact_json", 2), ("beir_note", 1), ("lexical_baselines", 1)]),
    ("q49", "多智能体之间如何分配任务",
     [("zh_ma", 2)]),
    ("q50", "agent process memory keeps growing over days",
     [("leak_log", 2), ("leak_note", 2)]),
    ("q51", "resume training after spot instance preemption",
     [("preempt_log", 2), ("preempt_note", 2), ("checkpoint_py", 1)]),
    ("q52", "what changed in version 2.3.1",
     [("changelog", 2), ("lat_incident", 1)]),
    ("q53", "OOMKilled",
     [("k8s_log", 2), ("k8s_note", 2)]),
    ("q54", "where is latest.json written",
     [("checkpoint_py", 2), ("preempt_note", 1), ("preempt_log", 1)]),
]


# ---------------------------------------------------------------------------------------------
# Background documents: unjudged, drawn from pools that stay off the topics above
# ---------------------------------------------------------------------------------------------

PY_SNIPPETS = [
    ("jsonl", '''
def load_jsonl(path):
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def write_jsonl(path, rows):
    with open(path, "w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\\n")
'''),
    ("chunking", '''
def chunk_text(text, max_chars=1200, overlap=200):
    """Split text into overlapping windows, preferring paragraph breaks."""
    chunks, start = [], 0
    while start < len(text):
        end = min(len(text), start + max_chars)
        cut = text.rfind("\\n\\n", start, end)
        if cut <= start or end == len(text):
            cut = end
        chunks.append(text[start:cut].strip())
        start = max(cut - overlap, start + 1) if cut < len(text) else cut
    return [c for c in chunks if c]
'''),
    ("hashing", '''
def sha256_file(path, block=1 << 20):
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for buf in iter(lambda: fh.read(block), b""):
            h.update(buf)
    return h.hexdigest()
'''),
    ("dicts", '''
def flatten_dict(d, parent="", sep="."):
    items = {}
    for k, v in d.items():
        key = f"{parent}{sep}{k}" if parent else str(k)
        if isinstance(v, dict):
            items.update(flatten_dict(v, key, sep))
        else:
            items[key] = v
    return items


def deep_merge(base, override):
    out = dict(base)
    for k, v in override.items():
        out[k] = deep_merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out
'''),
    ("iterutils", '''
def batched(iterable, n):
    it = iter(iterable)
    while batch := list(itertools.islice(it, n)):
        yield batch


def group_by(rows, key):
    groups = collections.defaultdict(list)
    for row in rows:
        groups[row[key]].append(row)
    return dict(groups)
'''),
    ("timing", '''
@contextlib.contextmanager
def timed(label, log=print):
    t0 = time.perf_counter()
    try:
        yield
    finally:
        log(f"{label}: {time.perf_counter() - t0:.3f}s")
'''),
    ("slug", '''
def slugify(title, max_len=60):
    s = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    return s[:max_len].rstrip("-") or "untitled"
'''),
    ("ranking", '''
def top_k_indices(scores, k):
    """Indices of the k largest scores, best first (ties: smaller index first)."""
    return [i for _, i in heapq.nsmallest(k, ((-s, i) for i, s in enumerate(scores)))]
'''),
    ("vectors", '''
def cosine_matrix(a, b):
    a = a / np.linalg.norm(a, axis=1, keepdims=True).clip(min=1e-12)
    b = b / np.linalg.norm(b, axis=1, keepdims=True).clip(min=1e-12)
    return a @ b.T
'''),
    ("smoothing", '''
def ema(values, alpha=0.1):
    """Exponential moving average, for plotting noisy curves."""
    out, acc = [], None
    for v in values:
        acc = v if acc is None else alpha * v + (1 - alpha) * acc
        out.append(acc)
    return out
'''),
    ("durations", '''
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(text):
    m = re.fullmatch(r"\\s*(\\d+)\\s*([smhd])\\s*", text)
    if not m:
        raise ValueError(f"bad duration {text!r}; use e.g. 30s, 15m, 24h, 7d")
    return int(m.group(1)) * _UNITS[m.group(2)]
'''),
    ("redact", '''
SECRET_PATTERNS = [
    re.compile(r"sk-[A-Za-z0-9]{20,}"),
    re.compile(r"ghp_[A-Za-z0-9]{36}"),
    re.compile(r"(?i)(password|api[_-]?key)\\s*[:=]\\s*\\S+"),
]


def redact_secrets(text):
    for pat in SECRET_PATTERNS:
        text = pat.sub("[REDACTED]", text)
    return text
'''),
    ("tool_stats", '''
def tool_call_summary(events):
    """Count calls and failures per tool from a session's event list."""
    calls, failures = collections.Counter(), collections.Counter()
    for ev in events:
        if ev.get("type") == "tool_call":
            calls[ev["tool"]] += 1
            failures[ev["tool"]] += ev.get("status") != "ok"
    return {t: {"calls": n, "failures": failures[t]} for t, n in calls.most_common()}
'''),
    ("markdown", '''
def markdown_table(rows, columns):
    head = "| " + " | ".join(columns) + " |"
    sep = "|" + "|".join("---" for _ in columns) + "|"
    body = ["| " + " | ".join(str(r.get(c, "")) for c in columns) + " |" for r in rows]
    return "\\n".join([head, sep, *body])
'''),
    ("records", '''
@dataclasses.dataclass
class RunRecord:
    run_id: str
    model: str
    started_at: float
    finished_at: float | None = None
    tags: list[str] = dataclasses.field(default_factory=list)

    @property
    def duration_s(self):
        return None if self.finished_at is None else self.finished_at - self.started_at

    def to_dict(self):
        return dataclasses.asdict(self) | {"duration_s": self.duration_s}
'''),
    ("walk", '''
def walk_files(root, exts=(".py", ".md", ".json")):
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d != "node_modules")
        for name in sorted(filenames):
            if name.endswith(exts):
                yield os.path.join(dirpath, name)
'''),
    ("seeding", '''
def seed_everything(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.cuda.manual_seed_all(seed)
    os.environ["PYTHONHASHSEED"] = str(seed)
'''),
    ("strings", '''
def truncate_middle(s, limit=200, marker=" … "):
    if len(s) <= limit:
        return s
    keep = (limit - len(marker)) // 2
    return s[:keep] + marker + s[-keep:]
'''),
]
PY_IMPORTS = ["import collections", "import contextlib", "import dataclasses", "import hashlib", "import heapq",
              "import itertools", "import json", "import os", "import random", "import re", "import time",
              "import numpy as np", "import torch"]

SWIFT_SNIPPETS = [
    ("RunSummary", '''
struct RunSummary: Codable, Sendable {
    var runId: String
    var model: String
    var startedAt: Date
    var finishedAt: Date?
    var metrics: [String: Double]

    var duration: TimeInterval? { finishedAt.map { $0.timeIntervalSince(startedAt) } }
}
'''),
    ("ArrayChunks", '''
extension Array {
    func chunked(into size: Int) -> [[Element]] {
        precondition(size > 0)
        return stride(from: 0, to: count, by: size).map { Array(self[$0..<Swift.min($0 + size, count)]) }
    }
}
'''),
    ("Digest", '''
import Crypto

func sha256Hex(of data: Data) -> String {
    SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
}
'''),
    ("RunStatus", '''
enum RunStatus: String, Codable, CaseIterable {
    case queued, running, succeeded, failed, cancelled

    var isTerminal: Bool {
        switch self {
        case .succeeded, .failed, .cancelled: return true
        case .queued, .running: return false
        }
    }
}
'''),
    ("Formatting", '''
func formatDuration(_ seconds: Double) -> String {
    let s = Int(seconds.rounded())
    if s < 60 { return "\\(s)s" }
    if s < 3600 { return "\\(s / 60)m\\(s % 60)s" }
    return "\\(s / 3600)h\\((s % 3600) / 60)m"
}
'''),
    ("JSONLines", '''
func loadJSONLines<T: Decodable>(_ url: URL, as type: T.Type) throws -> [T] {
    let decoder = JSONDecoder()
    decoder.dateDecodingStrategy = .iso8601
    let text = try String(contentsOf: url, encoding: .utf8)
    return try text.split(separator: "\\n").map { try decoder.decode(T.self, from: Data($0.utf8)) }
}
'''),
    ("Slug", '''
extension String {
    var slug: String {
        let allowed = CharacterSet.alphanumerics
        let parts = lowercased().unicodeScalars.split { !allowed.contains($0) }
        return parts.map { String(String.UnicodeScalarView($0)) }.joined(separator: "-")
    }
}
'''),
    ("Stopwatch", '''
struct Stopwatch {
    private let start = DispatchTime.now()
    var elapsedMilliseconds: Double {
        Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1_000_000
    }
}
'''),
    ("Percentile", '''
func percentile(_ values: [Double], _ p: Double) -> Double? {
    guard !values.isEmpty else { return nil }
    let sorted = values.sorted()
    let rank = p / 100 * Double(sorted.count - 1)
    let lo = Int(rank.rounded(.down)), hi = Int(rank.rounded(.up))
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - Double(lo))
}
'''),
    ("ArtifactSink", '''
protocol ArtifactSink {
    func write(name: String, kind: String, data: Data, tags: [String]) throws -> String
}

struct DirectorySink: ArtifactSink {
    let root: URL
    func write(name: String, kind: String, data: Data, tags: [String]) throws -> String {
        let url = root.appendingPathComponent(kind).appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: url)
        return url.path
    }
}
'''),
]

SH_SNIPPETS = [
    ("find_large", '''
# list the 20 biggest files under the workspace
find "${1:-.}" -type f -size +50M -printf '%s\\t%p\\n' | sort -nr | head -20 | numfmt --field=1 --to=iec
'''),
    ("archive_logs", '''
# archive yesterday's logs and upload them
day=$(date -d yesterday +%F)
tar -czf "logs-$day.tar.gz" logs/*"$day"*.log
aws s3 cp "logs-$day.tar.gz" "s3://agent-archive/logs/$day/" --only-show-errors
rm -f "logs-$day.tar.gz"
'''),
    ("seeds", '''
# run the same experiment with five seeds
for seed in 11 17 23 42 99; do
    python -m experiments.run --config configs/base.json --seed "$seed" --out "results/seed_$seed"
done
'''),
    ("gpus", '''
nvidia-smi --query-gpu=index,name,utilization.gpu,memory.used,memory.total --format=csv,noheader
'''),
    ("costs", '''
# total spend of all sessions this month
jq -s 'map(.cost_usd) | add' sessions/2024-03-*/usage.json
'''),
    ("backup", '''
rsync -az --delete --exclude '.venv/' --exclude '__pycache__/' ./ backup-host:/srv/backups/agent-workspace/
'''),
    ("error_counts", '''
# which logs have the most ERROR lines
grep -c ' ERROR ' logs/*.log | sort -t: -k2 -nr | head -10
'''),
    ("venv", '''
python3.11 -m venv .venv
. .venv/bin/activate
pip install -U pip wheel
pip install -r requirements.txt -c constraints.txt
'''),
    ("git_prune", '''
# delete local branches that are already merged into main
git fetch --prune
git branch --merged main | grep -vE '^\\*|\\bmain$' | xargs -r git branch -d
'''),
]

NOTE_THEMES = [
    ("standup", ["notes/standup-{d}.md", "notes/sync-{d}.md"], "Stand-up {d}", [
        "Ingestion backlog is down to 1.2k items after the parser fix.",
        "Mina is pairing with the labelling vendor on the new intent taxonomy.",
        "Decision: keep the staging cluster until the end of the month, then drop it.",
        "Blocked on access to the billing export; Jon pinged the data team again.",
        "The summarizer agent now attaches the source artifact ids to every bullet.",
        "Nobody owns the flaky dashboard panel yet; raise it on Thursday.",
        "Demo for the support team moved to next Tuesday.",
        "We agreed to freeze the tool schema for two weeks so the prompts can settle.",
    ]),
    ("reading", ["notes/reading-{slug}.md", "notes/papers/{slug}.md"], "Reading notes: {topic}", [
        "The paper frames tool use as a planning problem and lets the model decide when to call an API.",
        "Ablations show most of the gain comes from the self-critique step, not from the larger model.",
        "Their evaluation uses 1,400 tasks from public repositories; results on private code may differ.",
        "Interesting idea: store intermediate observations as typed records instead of free text.",
        "Late interaction keeps one vector per token and scores with a sum of maximum similarities.",
        "Learned sparse representations expand documents with related terms before indexing.",
        "The authors release code but not the fine-tuned checkpoints.",
        "Worth trying on our setup: replay the successful trajectories as few-shot examples.",
    ]),
    ("weekly", ["reports/weekly-{d}.md", "reports/agent-summary-{d}.md"], "Weekly summary ({d})", [
        "The triage agent closed 41 tickets and escalated 6 to a human.",
        "Median session length went from 14 to 11 steps after the planner prompt change.",
        "Spend: $212 on model calls, $38 on compute for tool sandboxes.",
        "Two sessions were stopped by the step limit; both were scraping tasks with pagination.",
        "New tools this week: calendar lookup and a read-only SQL tool on the analytics replica.",
        "The code agent's patches passed CI on the first try 68% of the time (last week 61%).",
        "Users rated 84% of the answers as helpful.",
        "Next week: move the summaries to the new template and retire the old exporter.",
    ]),
    ("onboarding", ["docs/onboarding.md", "docs/getting-started-{slug}.md"], "Getting started", [
        "Clone the repository and run `make setup`; it creates the virtual environment and installs hooks.",
        "Secrets live in the vault; never put API keys in `.env` files that are committed.",
        "Every agent run writes its artifacts under `runs/<run-id>/`; do not edit them by hand.",
        "Use the staging project for experiments; production credentials are read-only for new people.",
        "Ask in #agents-help before changing a shared tool's schema.",
        "The style guide is enforced by ruff and swift-format in CI.",
        "Your first task is usually a small tool: read the existing ones in `tools/` for the pattern.",
    ]),
    ("labelling", ["docs/labelling-guidelines.md", "notes/annotation-{slug}.md"], "Labelling guidelines", [
        "Label the user's goal, not the words they use: 'my card was charged twice' is billing, not bug_report.",
        "When two labels fit, pick the one that decides which team handles the ticket.",
        "Mark a message as `other` only after reading the whole thread.",
        "Inter-annotator agreement on the pilot batch was 0.78 (Cohen's kappa).",
        "Do not correct spelling in the text field; the model has to learn from real messages.",
        "Spam and test messages get the `discard` flag and no label.",
        "Disagreements go to the weekly calibration session.",
    ]),
    ("costs", ["notes/cost-tracking-{d}.md", "reports/spend-{d}.md"], "Cost tracking", [
        "Model calls are 82% of the bill; tool sandboxes and storage share the rest.",
        "Caching system prompts cut input tokens by about a third on long sessions.",
        "The research agent is the most expensive per task because it reads whole web pages.",
        "Setting a per-session budget of $0.50 stopped three runaway sessions this month.",
        "Smaller models for the critic step saved $60 a week with no change in the ratings.",
        "Storage grows about 4 GB a week, mostly screenshots from the browser tool.",
    ]),
    ("review", ["docs/code-review-checklist.md", "notes/review-{slug}.md"], "Code review checklist", [
        "Does every new tool validate its input schema before doing anything?",
        "Are file paths resolved inside the workspace, never following user-supplied `..`?",
        "Is there a test for the empty input and for the largest input we expect?",
        "Are log messages structured and free of personal data?",
        "Does the change keep the public JSON output backward compatible?",
        "Are new dependencies pinned and licensed for commercial use?",
        "Is the behaviour documented where a user will look for it?",
    ]),
    ("memory", ["notes/agent-memory-{slug}.md", "notes/ideas-{slug}.md"], "Ideas for agent memory", [
        "Keep short-term memory in the prompt and long-term memory in the artifact store.",
        "Summaries of finished sessions are cheaper to search than their raw transcripts.",
        "Tag artifacts with the graph node that produced them, so a later run can find 'what the reviewer said'.",
        "Pinned artifacts should survive clean-up forever; everything else ages out after 90 days.",
        "Scope by user and session, so one customer's notes never show up for another.",
        "Let the agent write a short note when it learns a preference ('prefers tables over bullets').",
        "Search first, then read: an agent should not load whole folders into its context.",
    ]),
    ("roadmap", ["notes/roadmap-q2.md", "notes/planning-{slug}.md"], "Q2 planning", [
        "Goal 1: every agent output is an artifact with a kind, tags and scope ids.",
        "Goal 2: the support agent handles German and French tickets.",
        "Goal 3: halve the time to onboard a new tool.",
        "Non-goal: training our own base model.",
        "Risk: the browser tool depends on a vendor whose terms change in May.",
        "Milestone review at the end of April with the product team.",
    ]),
    ("summ_eval", ["notes/summary-eval-plan.md", "notes/eval-plan-{slug}.md"], "Evaluating run summaries", [
        "Sample 200 finished runs stratified by graph and outcome.",
        "Two raters score faithfulness, coverage and brevity on a 1–5 scale.",
        "A summary that invents a metric value fails faithfulness regardless of the other scores.",
        "Compare against the run's own artifacts, not against what the rater remembers.",
        "Report agreement between raters before comparing systems.",
        "Keep the rating interface blind to which system wrote the summary.",
    ]),
]
READING_TOPICS = ["ReAct", "Toolformer", "ColBERTv2", "SPLADE", "Reflexion", "DSPy", "Voyager", "MemGPT",
                  "Self-RAG", "Gorilla", "SWE-agent", "AutoGen"]
PEOPLE = ["Mina", "Jon", "Priya", "Luis", "Ana", "Kenji", "Wei", "Sofia", "Omar", "Lena"]

CSV_SCHEMAS = [
    ("results/runs_{n}.csv", ["run_id", "seed", "lr", "batch_size", "val_loss", "epochs"],
     lambda r, i: [f"run_{r.randint(100, 999)}", r.choice([11, 17, 23, 42]), r.choice(["1e-4", "2e-4", "5e-4"]),
                   r.choice([16, 32, 64]), f"{r.uniform(0.25, 0.6):.4f}", r.randint(2, 6)]),
    ("metrics/api_usage_{n}.csv", ["date", "requests", "errors", "p50_ms", "p95_ms"],
     lambda r, i: [f"2024-02-{i + 1:02d}", r.randint(20000, 90000), r.randint(0, 120), r.randint(18, 45),
                   r.randint(60, 140)]),
    ("data/tickets_{n}.csv", ["ticket_id", "category", "priority", "opened", "resolved_hours"],
     lambda r, i: [f"T-{r.randint(10000, 99999)}", r.choice(["billing", "bug_report", "account", "feature_request"]),
                   r.choice(["low", "normal", "high"]), f"2024-03-{r.randint(1, 28):02d}", f"{r.uniform(0.2, 96):.1f}"]),
    ("reports/code_stats_{n}.csv", ["file", "lines", "functions", "coverage_pct"],
     lambda r, i: [r.choice(FILES + ["src/router/__init__.py", "src/tools/browser.py", "src/tools/sql.py"]),
                   r.randint(20, 900), r.randint(1, 40), f"{r.uniform(35, 99):.1f}"]),
    ("metrics/tool_usage_{n}.csv", ["agent", "tool", "calls", "failures", "mean_ms"],
     lambda r, i: [r.choice(["researcher", "coder", "triage", "summarizer"]), r.choice(TOOLS), r.randint(5, 4000),
                   r.randint(0, 30), r.randint(20, 4000)]),
    ("reports/model_spend_{n}.csv", ["date", "model", "prompt_tokens", "completion_tokens", "cost_usd"],
     lambda r, i: [f"2024-03-{r.randint(1, 28):02d}", r.choice(MODELS), r.randint(10 ** 5, 9 * 10 ** 6),
                   r.randint(10 ** 4, 10 ** 6), f"{r.uniform(0.5, 90):.2f}"]),
    ("data/labels_batch_{n}.csv", ["text", "label", "annotator"],
     lambda r, i: [r.choice(["my invoice shows the wrong VAT", "app crashes when I upload a photo",
                             "please add dark mode", "can't log in after changing my email",
                             "how do I export my data", "charged twice this month", "the search is slow today",
                             "would love a Slack integration", "password reset mail never arrives"]),
                   r.choice(["billing", "bug_report", "feature_request", "account", "other"]),
                   r.choice(PEOPLE)]),
    ("metrics/gpu_hours_{n}.csv", ["node", "gpu", "util_pct", "hours", "team"],
     lambda r, i: [f"gpu-{r.choice(['a100', 'h100', 'l4'])}-{r.randint(1, 24):02d}", r.randint(0, 7),
                   r.randint(10, 99), f"{r.uniform(1, 168):.1f}", r.choice(["search", "agents", "research"])]),
]

ZH_SENTENCES = [
    "本周训练进度正常，验证集上的损失持续下降。", "代码审查中发现配置文件的路径写死了，需要改成环境变量。",
    "标注团队完成了两千条意图数据，一致性达到百分之八十。", "摘要智能体现在会在每条要点后附上来源编号。",
    "用户反馈新版界面更容易找到历史记录。", "下周计划把导出功能迁移到新的模板。",
    "成本方面，本月模型调用费用比上月下降了百分之十五。", "测试环境的集群月底下线，请提前迁移实验。",
    "浏览器工具偶尔返回空页面，已记录到问题列表。", "新同事入职后先阅读工具目录中的示例代码。",
    "会议决定：工具接口冻结两周，方便提示词稳定下来。", "日志中的个人信息需要在写入前脱敏。",
    "我们为每个运行保存配置、指标和日志三类工件。", "图表面板偶尔显示旧数据，原因还在排查。",
    "客服团队希望周二之前看到演示。", "代码智能体的补丁首次通过持续集成的比例提高到百分之六十八。",
    "存储空间每周增长约四个 GB，主要是浏览器截图。", "请在修改共享工具的参数之前先在群里说明。",
    "研究智能体阅读整页网页，因此单个任务的费用最高。", "标签冲突统一在周四的校准会上讨论。",
    "模型评估结果显示，新版本的准确率比上一版略有提升。", "缓存服务的连接偶尔超时，已经加上了重试。",
    "本周新增了三个任务模板，覆盖翻译和表格抽取。",
]
ZH_TITLES = ["notes/会议记录-{d}.md", "reports/周报-第{w}周.md", "notes/工作总结-{d}.md", "notes/团队备忘-{d}.md",
             "reports/成本分析-{d}.md", "notes/代码审查记录-{d}.md"]
ZH_HEADINGS = ["会议记录", "周报", "工作总结", "团队备忘", "成本分析", "代码审查记录"]

JA_SENTENCES = [
    "今週の学習は順調で、検証データの損失も下がり続けている。", "コードレビューで設定ファイルのパスが固定になっている箇所が見つかった。",
    "アノテーション担当が意図ラベルを千五百件追加した。", "要約エージェントは各項目に出典の番号を付けるようになった。",
    "ユーザーからは履歴が探しやすくなったという声が多い。", "来週はエクスポート機能を新しいテンプレートに移行する予定。",
    "今月のモデル利用料は先月より一割ほど減った。", "ブラウザツールが空のページを返すことがあり、課題として記録した。",
    "新しく参加した人は、まずツールのディレクトリにあるサンプルを読むこと。", "ログに含まれる個人情報は書き込む前にマスクする。",
    "ツールのスキーマは二週間凍結することで合意した。", "ダッシュボードが古いデータを表示する原因はまだ調査中。",
    "サポートチームへのデモは火曜日に延期になった。", "各実行について設定、指標、ログの三種類の成果物を保存している。",
    "ストレージは毎週およそ 4 GB 増えており、ほとんどがスクリーンショットである。",
    "GPU のメモリ使用量は 60% 前後で安定している。", "本番環境の監視ダッシュボードに新しいパネルを追加した。",
]
JA_TITLES = ["notes/議事録-{d}.md", "reports/週報-{d}.md", "notes/メモ-{d}.md", "notes/レビュー記録-{d}.md"]
JA_HEADINGS = ["議事録", "週報", "メモ", "レビュー記録"]


def pick(rng, pool, lo, hi):
    return rng.sample(pool, rng.randint(lo, min(hi, len(pool))))


def rand_day(rng):
    return datetime(2024, rng.choice([2, 3]), rng.randint(1, 28), rng.randint(0, 23), rng.randint(0, 59),
                    rng.randint(0, 59))


def build_background_docs(rng, taken_titles):
    docs = []
    titles = set(taken_titles)

    def add(title, text):
        base, n = title, 2
        while title in titles:
            stem, dot, ext = base.rpartition(".")
            title = f"{stem}_{n}.{ext}" if dot else f"{base}_{n}"
            n += 1
        titles.add(title)
        docs.append((title, text))

    # Training runs
    used = {42, 51, 60}
    for _ in range(22):
        n = rng.choice([x for x in range(1, 90) if x not in used])
        used.add(n)
        steps0 = rng.choice([0, 0, 2000, 8000, 15000])
        model = rng.choice(["tinyllama-1.1b", "deberta-v3-small", "qwen2-0.5b", "t5-base", "bert-base-uncased"])
        entries = [("INFO", "runner", f"run train_run_{n:03d} on node gpu-{rng.choice(['a100', 'h100', 'l4'])}-"
                                      f"{rng.randint(1, 24):02d}, model {model}, seed {rng.choice([11, 17, 23, 42])}"),
                   ("FILL", "train", rng.randint(10, 26))]
        end = rng.random()
        if end < 0.6:
            entries.append(("INFO", "runner", f"run train_run_{n:03d} finished: {rng.randint(1, 14)}h"
                                              f"{rng.randint(0, 59):02d}m, final checkpoint written"))
        elif end < 0.8:
            entries.append(("INFO", "runner", "stopped by user request (early stopping on val_loss plateau)"))
        add(f"runs/train_run_{n:03d}.log",
            render_log(rng, rand_day(rng), entries, state={"step": steps0, "epoch": steps0 // 5000 + 1,
                                                           "loss": rng.uniform(1.5, 3.4),
                                                           "lr": rng.choice([1e-4, 2e-4, 3e-4, 5e-5])}))

    # Agent sessions
    used = {193, 207}
    for _ in range(28):
        n = rng.choice([x for x in range(100, 400) if x not in used])
        used.add(n)
        task = rng.choice(AGENT_TASKS)
        entries = [("INFO", "graph", f'session {n:04d} started graph={rng.choice(["research-v2", "code-review-v3", "triage-v1", "writer-v2"])} '
                                     f'task="{task}"'),
                   ("INFO", "planner", f"plan has {rng.randint(2, 7)} steps"),
                   ("FILL", "agent", rng.randint(8, 22)),
                   ("INFO", "graph", f"session {n:04d} finished status={rng.choice(['succeeded'] * 5 + ['failed', 'cancelled'])} "
                                     f"steps={rng.randint(5, 40)} cost=${rng.uniform(0.01, 0.9):.2f}")]
        add(f"logs/agent_session_{n:04d}.log", render_log(rng, rand_day(rng), entries, style="agent", gap=(0.5, 50)))

    # Services
    for _ in range(14):
        svc = rng.choice(["search_api", "ingest_worker", "gateway", "embedder", "scheduler"])
        day = rand_day(rng)
        add(f"logs/{svc}_{day:%Y%m%d}.log",
            render_log(rng, day, [("INFO", "main", f"{svc} starting, version {rng.choice(['2.1.4', '2.2.0', '1.9.3'])}, "
                                                                f"{rng.randint(2, 16)} workers"),
                                            ("FILL", "service", rng.randint(12, 28))], style="iso", gap=(0.05, 20)))

    # ETL
    for _ in range(10):
        name = rng.choice(["orders", "tickets", "events", "invoices", "sessions"])
        day = rand_day(rng)
        add(f"logs/etl_{name}_{day:%Y%m%d}.log",
            render_log(rng, day, [("INFO", "pipeline", f"daily load of {name} for {day - timedelta(days=1):%Y-%m-%d} starting"),
                                  ("FILL", "etl", rng.randint(8, 20)),
                                  ("INFO", "pipeline", "all stages finished, 0 failed checks")],
                       style="py", gap=(1, 120), state={"table": name, "dt": f"{day - timedelta(days=1):%Y-%m-%d}"}))

    # JSON results
    for _ in range(25):
        fam = rng.choice(["clf", "gen", "lm", "agent", "sys"])
        obj = {"run_id": f"{fam}_{rng.randint(100, 999)}", "created_at": rand_day(rng).strftime("%Y-%m-%dT%H:%M:%SZ")}
        if fam == "clf":
            obj.update({"model": rng.choice(["deberta-v3-small", "bert-base-uncased", "roberta-base"]),
                        "dataset": rng.choice(["support-intents-v3", "sst2", "emotion", "banking77"]),
                        "split": rng.choice(["test", "validation"]),
                        "accuracy": round(rng.uniform(0.7, 0.95), 4), "f1_macro": round(rng.uniform(0.65, 0.93), 4)})
            title = f"results/{obj['dataset']}/{obj['run_id']}.json"
        elif fam == "gen":
            obj.update({"model": rng.choice(MODELS), "dataset": rng.choice(["xsum", "cnn_dailymail", "internal-faq"]),
                        "rouge_l": round(rng.uniform(0.2, 0.45), 4), "bleu": round(rng.uniform(8, 31), 2),
                        "avg_output_tokens": rng.randint(40, 180)})
            title = f"eval/summaries_{obj['dataset']}_{obj['run_id']}.json"
        elif fam == "lm":
            loss = rng.uniform(1.6, 2.9)
            obj.update({"model": rng.choice(["tinyllama-1.1b", "qwen2-0.5b"]), "tokens_seen": f"{rng.randint(2, 60)}B",
                        "eval_loss": round(loss, 4), "perplexity": round(math.exp(loss), 3)})
            title = f"results/lm/{obj['run_id']}_eval.json"
        elif fam == "agent":
            obj.update({"graph": rng.choice(["research-v2", "code-review-v3", "triage-v1"]), "tasks": rng.randint(20, 300),
                        "task_success_rate": round(rng.uniform(0.4, 0.9), 3), "avg_steps": round(rng.uniform(4, 25), 1),
                        "tool_calls_per_task": round(rng.uniform(2, 30), 1), "cost_usd": round(rng.uniform(1, 80), 2)})
            title = f"eval/agent_bench_{obj['graph']}_{obj['run_id']}.json"
        else:
            obj.update({"service": rng.choice(["embedder", "gateway", "ingest_worker"]), "qps": rng.randint(50, 2000),
                        "latency_ms": {"mean": round(rng.uniform(4, 60), 1), "p50": round(rng.uniform(3, 40), 1)},
                        "rss_mb": rng.randint(200, 3000), "cpu_cores": rng.choice([2, 4, 8])})
            title = f"bench/{obj['service']}_{obj['run_id']}.json"
        if rng.random() < 0.3:
            obj["per_seed"] = [{"seed": s, "score": round(rng.uniform(0.5, 0.95), 4)} for s in rng.sample([11, 17, 23, 42, 99], 3)]
        add(title, jdump(obj))

    # JSON configs
    for _ in range(15):
        kind = rng.choice(["train", "agent", "service"])
        if kind == "train":
            obj = {"model": rng.choice(["deberta-v3-small", "qwen2-0.5b", "t5-base"]),
                   "optimizer": {"name": rng.choice(["adamw", "lion", "sgd"]), "lr": rng.choice([1e-4, 2e-4, 5e-5]),
                                 "weight_decay": rng.choice([0.0, 0.01, 0.1])},
                   "batch_size": rng.choice([16, 32, 64]), "epochs": rng.randint(2, 10), "seed": rng.choice([11, 17, 42]),
                   "data": {"train": f"data/{rng.choice(['intents', 'faq', 'dialogues'])}/train.jsonl",
                            "validation": "data/shared/validation.jsonl"}}
            title = f"configs/{rng.choice(['base', 'experiment', 'baseline', 'ablation'])}_{rng.randint(1, 40):02d}.json"
        elif kind == "agent":
            obj = {"agent": rng.choice(["researcher", "coder", "triage", "summarizer", "writer"]), "model": rng.choice(MODELS),
                   "temperature": rng.choice([0.0, 0.2, 0.7]), "max_steps": rng.choice([10, 20, 40]),
                   "tools": sorted(rng.sample(TOOLS, 3)), "memory": {"store": "artifact-search", "top_k": rng.choice([5, 8, 12])},
                   "system_prompt": f"prompts/{rng.choice(['research', 'code', 'triage', 'summary'])}_v{rng.randint(1, 6)}.md"}
            title = f"agents/{obj['agent']}.json"
        else:
            obj = {"service": rng.choice(["gateway", "embedder", "ingest_worker"]), "port": rng.choice([8080, 8081, 9000]),
                   "workers": rng.choice([2, 4, 8]), "log_level": rng.choice(["info", "debug"]),
                   "cors": {"allow_origins": ["https://app.internal"]}, "max_body_mb": rng.choice([8, 32, 64])}
            title = f"deploy/{obj['service']}.json"
        add(title, jdump(obj))

    # Code
    for lang, count in (("py", 20), ("swift", 12), ("sh", 10)):
        pool = {"py": PY_SNIPPETS, "swift": SWIFT_SNIPPETS, "sh": SH_SNIPPETS}[lang]
        for _ in range(count):
            chosen = pick(rng, pool, 1, 2 if lang == "sh" else 3)
            body = ("\n\n\n" if lang == "py" else "\n\n").join(code.strip("\n") for _, code in chosen)
            hint = chosen[0][0]
            if lang == "py":
                imports = [i for i in PY_IMPORTS if re.search(r"(?<![\w.])" + re.escape(i.split()[-1]) + r"\.", body)]
                text = f'"""{rng.choice(["Helpers", "Utilities", "Shared helpers", "Misc tools"])} for {hint}."""\n' + \
                       ("\n".join(imports) + "\n" if imports else "") + "\n\n" + body
                title = f"{rng.choice(['src/utils', 'tools', 'lib', 'src/common'])}/{hint}.py"
            elif lang == "swift":
                text = ("import Foundation\n\n" if "import" not in body else "") + body
                title = f"Sources/{rng.choice(['Core', 'Utilities', 'Shared'])}/{hint}.swift"
            else:
                text = "#!/usr/bin/env bash\nset -euo pipefail\n\n" + body
                title = f"scripts/{hint.replace('_', '-')}.sh"
            add(title, text)

    # Markdown notes
    for _ in range(30):
        theme, title_pats, heading, sentences = rng.choice(NOTE_THEMES)
        d = rand_day(rng).strftime("%Y-%m-%d")
        topic = rng.choice(READING_TOPICS)
        slug = topic.lower().replace("-", "") if theme == "reading" else rng.choice(["v1", "v2", "draft", "team", "2024"])
        h = heading.format(d=d, topic=topic)
        lines = [f"# {h}", ""]
        lines += [f"- {s}" for s in pick(rng, sentences, 3, 6)]
        if rng.random() < 0.5:
            lines += ["", "## Action items"]
            lines += [f"- [ ] {rng.choice(PEOPLE)}: {rng.choice(['follow up with the vendor', 'update the dashboard', 'write the summary', 'schedule the review', 'share the numbers', 'clean up the old folder'])}"
                      for _ in range(rng.randint(1, 3))]
        add(rng.choice(title_pats).format(d=d, slug=slug), "\n".join(lines))

    # CSV
    for i in range(15):
        pat, cols, rowfn = rng.choice(CSV_SCHEMAS)
        rows = [",".join(str(x) for x in rowfn(rng, j)) for j in range(rng.randint(6, 18))]
        add(pat.format(n=f"{rng.randint(1, 99):02d}"), ",".join(cols) + "\n" + "\n".join(rows))

    # Chinese and Japanese
    for _ in range(12):
        k = rng.randrange(len(ZH_TITLES))
        d = rand_day(rng)
        text = f"# {ZH_HEADINGS[k]}（{d.month} 月 {d.day} 日）\n\n" + "\n".join(f"- {s}" for s in pick(rng, ZH_SENTENCES, 3, 6))
        add(ZH_TITLES[k].format(d=d.strftime("%m%d"), w=d.isocalendar()[1]), text)
    for _ in range(8):
        k = rng.randrange(len(JA_TITLES))
        d = rand_day(rng)
        text = f"# {JA_HEADINGS[k]}（{d.month} 月 {d.day} 日）\n\n" + "\n".join(f"- {s}" for s in pick(rng, JA_SENTENCES, 3, 6))
        add(JA_TITLES[k].format(d=d.strftime("%m%d")), text)

    return docs


# ---------------------------------------------------------------------------------------------
# The mock workspace
# ---------------------------------------------------------------------------------------------

# workspace path -> key of a topic document whose text it reuses
WORKSPACE_FROM_TOPICS = [
    ("runs/run-002/train.log", "oom_log"),
    ("runs/run-002/config.json", "oom_config"),
    ("runs/run-002/postmortem.md", "oom_postmortem"),
    ("runs/run-003/train.log", "nan_log"),
    ("runs/run-003/config.json", "nan_config"),
    ("runs/run-004/retrieval_eval.json", "dev_eval"),
    ("runs/run-004/bm25_grid.csv", "bm25_grid"),
    ("notes/retrieval-ideas.md", "retrieval_ideas"),
    ("notes/hybrid-search.md", "hybrid_note"),
    ("notes/crash-safety.md", "crash_safety"),
    ("notes/multi-agent-design.md", "ma_note"),
    ("notes/retrieval-eval-zh.md", "zh_eval"),
    ("notes/sweep-report.md", "sweep_report"),
    ("notes/feedback-week11.md", "feedback_note"),
    ("src/io_utils.py", "io_utils"),
    ("src/checkpoint.py", "checkpoint_py"),
    ("src/http_client.py", "http_client"),
    ("src/backoff.py", "backoff_py"),
    ("src/retry_policy.py", "retry_policy"),
    ("src/fusion.py", "fusion_py"),
    ("src/metrics.py", "metrics_py"),
    ("src/IdentifierSplitter.swift", "ident_split"),
    ("src/UserRepository.swift", "user_repo"),
    ("src/HTTPParser.swift", "http_parser"),
    ("scripts/deploy.sh", "deploy_sh"),
    ("scripts/nightly_eval.sh", "nightly_sh"),
    ("logs/agent_session_0193.log", "ma_log"),
    ("logs/fetch_worker_07.log", "reset_log"),
    ("logs/api_client_0312.log", "ratelimit_log"),
    ("data/sweep_summary.csv", "sweep_csv"),
    ("data/nr_bands_fr1.csv", "nr_csv"),
    ("results/eval_results.json", "eval_results"),
    ("results/latency_v2.3.1.json", "lat_231"),
]


def build_workspace(rng, topic_docs):
    files = {}
    for path, key in WORKSPACE_FROM_TOPICS:
        files[path] = topic_docs[key][1]

    # run-001: a healthy run
    files["runs/run-001/train.log"] = render_log(rng, datetime(2024, 3, 5, 9, 12, 4), [
        ("INFO", "runner", "run run-001 on node gpu-a100-03, model deberta-v3-small, seed 17"),
        ("FILL", "train", 24),
        ("INFO", "runner", "run run-001 finished: 1h52m, final checkpoint written"),
    ], state={"loss": 1.2, "lr": 3e-4})
    files["runs/run-001/config.json"] = jdump({
        "run_id": "run-001", "model": "deberta-v3-small", "task": "intent-classification",
        "optimizer": {"name": "adamw", "lr": 3e-4, "weight_decay": 0.01},
        "batch_size": 32, "epochs": 3, "seed": 17, "precision": "bf16",
    })
    files["runs/run-001/metrics.json"] = jdump({
        "run_id": "run-001", "split": "validation", "accuracy": 0.913, "f1_macro": 0.884,
        "loss": 0.2917, "examples": 4120, "wall_clock_s": 6731,
    })
    files["runs/run-001/stdout.txt"] = T("""
        Loading dataset support-intents-v3 ... 41,200 train / 4,120 validation examples
        Epoch 1/3: 100%|██████████| 1288/1288 [37:02<00:00,  1.73s/it, loss=0.512]
        Epoch 2/3: 100%|██████████| 1288/1288 [37:10<00:00,  1.73s/it, loss=0.331]
        Epoch 3/3: 100%|██████████| 1288/1288 [36:58<00:00,  1.72s/it, loss=0.287]
        validation accuracy 0.913, macro F1 0.884
        saved metrics to runs/run-001/metrics.json
        """)

    # run-004: a retrieval evaluation
    qrows = ["query_id,type,ndcg_at_10,recall_at_100"]
    for i, (qid, text, _) in enumerate(TOPICS[:20]):
        qtype = "cjk" if re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", text) else (
            "identifier" if re.fullmatch(r"[A-Za-z_0-9]+", text) else "natural_language")
        qrows.append(f"{qid},{qtype},{rng.uniform(0.35, 1.0):.3f},{rng.choice([1.0, 1.0, 1.0, 0.667, 0.5]):.3f}")
    files["runs/run-004/per_query.csv"] = "\n".join(qrows)

    files["notes/todo.txt"] = T("""
        TODO list (agent workspace)

        - TODO: fix the profiler hook in train.py (see runs/run-002/postmortem.md)
        - don't rerun run-003 before lowering the lr; it will diverge again
        - check the c++ extension build on the new image (undefined reference to cblas_sgemv last time)
        - multi-agent: write down the handoff rules for the reviewer
        - RF agent: add the TS 38.101 band table for n77/n78
        - NOT urgent: clean up data/embeddings.bin
        """)
    files["notes/meeting-2024-03-12.md"] = T("""
        # Sync 2024-03-12

        - run-002 died in the long-context phase (CUDA OOM); postmortem in runs/run-002/postmortem.md.
        - run-001 is the new candidate: 0.913 validation accuracy.
        - Retrieval eval (run-004): hybrid 0.741 nDCG@10 on the dev split, lexical a little lower.
        - Priya: look at the retry test that keeps failing on CI.
        - Next sync on Thursday.
        """)

    # one binary file: a float32 vector dump with a small header (deliberately not valid UTF-8)
    import struct
    blob = b"AEMB\x01\x00\xff\xfe" + b"".join(struct.pack("<f", rng.gauss(0.0, 0.2)) for _ in range(254))
    assert len(blob) == 1024
    files["data/embeddings.bin"] = blob
    return files


# ---------------------------------------------------------------------------------------------
# Assembly, writing and validation
# ---------------------------------------------------------------------------------------------

def build(rng):
    topic_docs = build_topic_docs(rng)
    judged = {k for _, _, rels in TOPICS for k, _ in rels}
    missing = judged - topic_docs.keys()
    assert not missing, f"TOPICS name unknown documents: {sorted(missing)}"
    orphans = topic_docs.keys() - judged
    assert not orphans, f"topic documents no query judges: {sorted(orphans)}"

    titles = [t for t, _ in topic_docs.values()]
    assert len(set(titles)) == len(titles), "duplicate titles among topic documents"
    background = build_background_docs(rng, titles)

    entries = [(key, title, text) for key, (title, text) in topic_docs.items()]
    entries += [(None, title, text) for title, text in background]
    rng.shuffle(entries)
    key_to_id, corpus = {}, []
    for i, (key, title, text) in enumerate(entries, start=1):
        doc_id = f"art-{i:04d}"
        if key:
            key_to_id[key] = doc_id
        corpus.append({"_id": doc_id, "title": title, "text": text})

    queries = [{"_id": qid, "text": text} for qid, text, _ in TOPICS]
    qrels = []
    for qid, _, rels in TOPICS:
        for key, grade in sorted(rels, key=lambda kg: (-kg[1], key_to_id[kg[0]])):
            qrels.append((qid, key_to_id[key], grade))

    workspace = build_workspace(rng, topic_docs)
    return corpus, queries, qrels, workspace


def write_text(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if not text.endswith("\n"):
        text += "\n"
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)


def write_all(out, corpus, queries, qrels, workspace):
    coll = os.path.join(out, "agent-artifacts")
    ws = os.path.join(out, "workspace")
    for d in (coll, ws):  # both folders are entirely generated by this script
        if os.path.isdir(d):
            shutil.rmtree(d)
    write_text(os.path.join(coll, "corpus.jsonl"),
               "".join(json.dumps(d, ensure_ascii=False) + "\n" for d in corpus))
    write_text(os.path.join(coll, "queries.jsonl"),
               "".join(json.dumps(q, ensure_ascii=False) + "\n" for q in queries))
    write_text(os.path.join(coll, "qrels", "test.tsv"),
               "query-id\tcorpus-id\tscore\n" + "".join(f"{q}\t{d}\t{g}\n" for q, d, g in qrels))
    for rel in sorted(workspace):
        data = workspace[rel]
        path = os.path.join(ws, *rel.split("/"))
        if isinstance(data, bytes):
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as fh:
                fh.write(data)
        else:
            write_text(path, data)


def read_jsonl(path):
    with open(path, "rb") as fh:
        raw = fh.read()
    text = raw.decode("utf-8")  # strict: raises on invalid UTF-8
    assert text.endswith("\n") and "\r" not in text, f"{path}: LF line endings and a final newline expected"
    rows = []
    for n, line in enumerate(text.split("\n")[:-1], start=1):
        obj = json.loads(line)
        assert isinstance(obj, dict), f"{path}:{n}: not an object"
        rows.append(obj)
    return rows


def validate(out):
    """Re-read the written collection and check the BEIR invariants; returns a summary dict."""
    coll = os.path.join(out, "agent-artifacts")
    corpus = read_jsonl(os.path.join(coll, "corpus.jsonl"))
    queries = read_jsonl(os.path.join(coll, "queries.jsonl"))
    doc_ids = [d["_id"] for d in corpus]
    q_ids = [q["_id"] for q in queries]
    for d in corpus:
        assert set(d) == {"_id", "title", "text"}, d.get("_id")
        assert all(isinstance(d[k], str) and d[k].strip() for k in d), d["_id"]
    for q in queries:
        assert set(q) == {"_id", "text"} and all(isinstance(q[k], str) and q[k].strip() for k in q), q
    assert len(set(doc_ids)) == len(doc_ids), "duplicate document ids"
    assert len(set(q_ids)) == len(q_ids), "duplicate query ids"
    assert len({d["title"] for d in corpus}) == len(corpus), "duplicate titles"

    with open(os.path.join(coll, "qrels", "test.tsv"), "rb") as fh:
        lines = fh.read().decode("utf-8").split("\n")
    assert lines[0] == "query-id\tcorpus-id\tscore" and lines[-1] == "", "qrels header / final newline"
    doc_set, q_set = set(doc_ids), set(q_ids)
    pairs, per_query = set(), {}
    for n, line in enumerate(lines[1:-1], start=2):
        q, d, g = line.split("\t")
        assert q in q_set, f"qrels line {n}: unknown query {q}"
        assert d in doc_set, f"qrels line {n}: unknown document {d}"
        assert g in ("1", "2"), f"qrels line {n}: gain {g} not in {{1, 2}}"
        assert (q, d) not in pairs, f"qrels line {n}: duplicate pair"
        pairs.add((q, d))
        per_query.setdefault(q, []).append(int(g))
    for q in q_ids:
        gains = per_query.get(q, [])
        assert 1 <= len(gains) <= 6, f"query {q} has {len(gains)} judged documents"
        assert 2 in gains, f"query {q} has no highly relevant document"
    assert 300 <= len(corpus) <= 400, len(corpus)
    assert 40 <= len(queries) <= 60, len(queries)

    ws = os.path.join(out, "workspace")
    ws_files, binary = [], []
    for dirpath, dirnames, filenames in os.walk(ws):
        dirnames.sort()
        for f in sorted(filenames):
            p = os.path.join(dirpath, f)
            ws_files.append(p)
            try:
                open(p, "rb").read().decode("utf-8")
            except UnicodeDecodeError:
                binary.append(os.path.relpath(p, ws))
    assert binary == ["data/embeddings.bin"], binary

    size = sum(os.path.getsize(os.path.join(dp, f)) for dp, _, fs in os.walk(out) for f in fs
               if os.path.join(dp, f).startswith((coll, ws)))
    assert size < 900_000, f"generated fixtures are {size} bytes"
    return {"documents": len(corpus), "queries": len(queries), "qrels": len(pairs),
            "gain2": sum(g == 2 for gs in per_query.values() for g in gs),
            "gain1": sum(g == 1 for gs in per_query.values() for g in gs),
            "workspace_files": len(ws_files), "bytes": size}


# ---------------------------------------------------------------------------------------------
# Reference BM25 (pure Python) to check that the collection is neither trivial nor hopeless
# ---------------------------------------------------------------------------------------------

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_WORD = re.compile(r"[^\W_]+(?:_+[^\W_]+)*")
_CJK_RUN = re.compile(f"[{_CJK}]+|[^{_CJK}]+")
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+|[^\W\d_A-Za-z]+")


def analyze(text):
    """Approximation of SPEC §5: NFKC, split on non-alphanumerics, identifiers whole and in parts,
    CJK as overlapping bigrams, case folding; no stop words, no stemming."""
    out = []
    for m in _WORD.finditer(unicodedata.normalize("NFKC", text)):
        for seg in _CJK_RUN.findall(m.group()):
            if re.match(f"[{_CJK}]", seg):
                out += [seg] if len(seg) == 1 else [seg[i:i + 2] for i in range(len(seg) - 1)]
                continue
            parts = [p for chunk in seg.split("_") if chunk for p in _CAMEL.findall(chunk)]
            out.append(seg.strip("_").casefold())
            if len(parts) > 1:
                out += [p.casefold() for p in parts]
    return [t for t in out if len(t.encode()) <= 64]


def bm25_run(corpus, queries, k1=1.2, b=0.75):
    docs = {d["_id"]: analyze(d["title"] + "\n" + d["text"]) for d in corpus}
    n = len(docs)
    avgdl = sum(map(len, docs.values())) / n
    df, tfs = {}, {}
    for did, toks in docs.items():
        tf = {}
        for t in toks:
            tf[t] = tf.get(t, 0) + 1
        tfs[did] = tf
        for t in tf:
            df[t] = df.get(t, 0) + 1
    run = {}
    for q in queries:
        terms = analyze(q["text"])
        scores = {}
        for did, tf in tfs.items():
            s, dl = 0.0, len(docs[did])
            for t in terms:
                f = tf.get(t)
                if f:
                    idf = math.log(1 + (n - df[t] + 0.5) / (df[t] + 0.5))
                    s += idf * f * (k1 + 1) / (f + k1 * (1 - b + b * dl / avgdl))
            if s > 0:
                scores[did] = s
        run[q["_id"]] = sorted(scores, key=lambda d: (-scores[d], d))
    return run


def ndcg_at_10(run, qrels):
    rel = {}
    for q, d, g in qrels:
        rel.setdefault(q, {})[d] = g
    per = {}
    for q, gains in rel.items():
        dcg = sum(gains.get(d, 0) / math.log2(i + 2) for i, d in enumerate(run.get(q, [])[:10]))
        ideal = sum(g / math.log2(i + 2) for i, g in enumerate(sorted(gains.values(), reverse=True)[:10]))
        per[q] = dcg / ideal
    return sum(per.values()) / len(per), per


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=os.path.dirname(os.path.abspath(__file__)),
                    help="folder that receives agent-artifacts/ and workspace/ (default: next to this script)")
    ap.add_argument("--bm25", action="store_true", help="print a reference BM25 nDCG@10 (linear gains)")
    args = ap.parse_args(argv)

    rng = random.Random(SEED)
    corpus, queries, qrels, workspace = build(rng)
    write_all(args.out, corpus, queries, qrels, workspace)
    summary = validate(args.out)
    print("wrote {documents} documents, {queries} queries, {qrels} judgements "
          "({gain2} with gain 2, {gain1} with gain 1), {workspace_files} workspace files, "
          "{bytes} bytes in total".format(**summary))
    if args.bm25:
        run = bm25_run(corpus, queries)
        mean, per = ndcg_at_10(run, qrels)
        print(f"reference BM25 (k1=1.2, b=0.75, title+text) nDCG@10 = {mean:.3f}")
        for q in queries:
            print(f"  {q['_id']}  {per[q['_id']]:.3f}  {q['text']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
