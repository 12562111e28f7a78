#!/usr/bin/env python3
"""Writes a folder of synthetic agent logs, large and small, for the long-text benchmark
(issue 9, item 10: how much of each text `ingest --max-indexed-bytes` should index).

Large files are training, evaluation, agent (tool call) and server logs: timestamps, step
numbers, losses, warnings, Python tracebacks, file paths, request ids and identifiers such as
`getUserById` or `atomic_write_json`. Their sizes are log-uniform between --min-size and
--max-size. Into log k go rare "needle" words at known depths (about 10 KiB, 500 KiB, 2 MiB,
8 MiB, and in the last line), each a single lower-case word found nowhere else, so a search
for it shows whether that depth was indexed. Optionally (--small) a few thousand small notes,
JSON results and configs of 1-5 KiB sit beside them, so the store is not only large logs.

Everything is drawn from one random.Random(--seed): the same arguments give the same bytes.
Writes OUT/files/logs/, OUT/files/small/ and OUT/needles.tsv (token, file, depth label, byte
offset; outside files/ so that it is not ingested). Writes nothing into the repository.

usage: make_logs.py OUT [--files N | --total SIZE] [--min-size SIZE] [--max-size SIZE]
                        [--small N] [--seed S]      (SIZE: bytes, or with K, M, G)
"""
import argparse
import math
import os
import random
import sys
import time

DEPTHS = [("tenkib", 10 * 1024), ("halfmib", 500 * 1024), ("twomib", 2 << 20), ("eightmib", 8 << 20)]

IDENTIFIERS = [
    "getUserById", "atomic_write_json", "load_checkpoint", "parseHTTPResponse", "computeAttentionMask",
    "flush_metrics_buffer", "DataLoader", "resolve_artifact_path", "fetchRemoteConfig", "apply_rotary_emb",
    "TokenizerFast", "build_vocab", "save_state_dict", "all_reduce", "scheduleRetry", "read_jsonl",
    "validateSchema", "shard_dataset", "EmbeddingCache", "compute_bleu", "run_tool_call", "openSession",
    "mergeSegments", "hash_file_sha256", "GradScaler", "clip_grad_norm_", "evaluate_batch", "writeManifest",
    "collate_fn", "ThreadPoolExecutor", "lookupOrgPolicy", "prefetch_to_device", "encode_batch",
]
MODULES = [
    "trainer", "eval", "data.loader", "torch.distributed", "agent.planner", "agent.tools", "http.server",
    "cache", "checkpoint", "tokenizer", "scheduler", "metrics", "sandbox", "retriever", "storage",
]
SOURCES = [
    "/home/agent/project/src/train.py", "/home/agent/project/src/data/loader.py",
    "/home/agent/project/src/models/transformer.py", "/usr/lib/python3.11/concurrent/futures/thread.py",
    "/opt/conda/lib/python3.11/site-packages/torch/nn/modules/module.py", "/workspace/tools/atomic_io.py",
    "/srv/api/handlers/users.py",
]
PATHS = [
    "/home/agent/project/src/train.py", "/home/agent/project/src/data/loader.py",
    "/home/agent/project/src/models/transformer.py", "/workspace/runs/{run}/metrics.json",
    "/workspace/runs/{run}/checkpoints/step_{step}.pt", "/usr/lib/python3.11/concurrent/futures/thread.py",
    "/opt/conda/lib/python3.11/site-packages/torch/nn/modules/module.py", "/workspace/tools/atomic_io.py",
    "/srv/api/handlers/users.py", "/workspace/notes/plan.md", "/tmp/scratch/{run}/batch_{n}.jsonl",
]
WARNINGS = [
    "UserWarning: torch.cuda.amp.GradScaler(args...) is deprecated. Please use torch.amp.GradScaler('cuda', args...) instead.",
    "NCCL timeout on rank {n}, retrying (attempt {a}/5)",
    "gradient overflow, skipping step, reducing loss scale to {f:.1f}",
    "dataloader worker {n} is slow: batch took {f:.1f} s (> 5 s)",
    "checkpoint {path} is older than the config; ignoring optimizer state",
    "tokenizer: sequence of {n} tokens truncated to 4096",
    "rate limited by upstream (429), backing off {a} s",
    "disk usage at {a}% on /workspace; consider gc of old runs",
    "metric 'val_loss' did not improve for {a} evaluations",
    "deprecated option --fp16 used; use --precision bf16",
]
ERRORS = [
    ("RuntimeError", "CUDA out of memory. Tried to allocate {f:.2f} GiB (GPU {a}; 39.59 GiB total capacity)"),
    ("KeyError", "'user_id' not found in record {hexid}"),
    ("TimeoutError", "tool call {hexid} exceeded 120 s"),
    ("json.decoder.JSONDecodeError", "Expecting ',' delimiter: line {a} column {n} (char {step})"),
    ("FileNotFoundError", "[Errno 2] No such file or directory: '{path}'"),
    ("ValueError", "loss is nan at step {step}; aborting"),
    ("ConnectionResetError", "[Errno 104] Connection reset by peer"),
    ("PermissionError", "[Errno 13] Permission denied: '{path}'"),
]
TOOLS = ["read_file", "write_file", "atomic_write_json", "run_shell", "search_code", "http_get", "apply_patch",
         "list_dir", "python_exec", "getUserById"]
HTTP = ["GET /api/v1/users/{n}", "POST /api/v1/artifacts", "GET /api/v1/runs/{run}/metrics",
        "PUT /api/v1/sessions/{hexid}", "DELETE /api/v1/cache/{hexid}", "GET /healthz"]
WORDS = ("the model loss converged after warmup while validation accuracy improved slowly and the planner "
         "retried the failing tool call with a smaller batch then wrote results to disk; agent notes say the "
         "retriever returns stale documents when the cache is cold, and the eval harness times out on long "
         "inputs because tokenization runs on a single thread; next steps: profile the loader, pin memory, "
         "reduce sequence length, compare against the baseline run and summarise the regression for review").split()
UNICODE = ["µs", "✓", "→", "—", "±"]


def parse_size(text: str) -> int:
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    if text and text[-1].upper() in units:
        return int(float(text[:-1]) * units[text[-1].upper()])
    return int(text)


def alpha(number: int) -> str:
    """A number as lower-case letters (base 26, at least three), so a needle has no digits:
    the tokenizer keeps a letters-only word whole and makes no parts shared with other needles."""
    letters = ""
    while True:
        number, digit = divmod(number, 26)
        letters = chr(97 + digit) + letters
        if number == 0 and len(letters) >= 3:
            return letters


class Log:
    """One log's generator state: clock, step, run id and a kind that weights its lines."""

    def __init__(self, rng: random.Random, kind: str, index: int):
        self.rng = rng
        self.kind = kind
        self.ms = (1_793_000_000 + rng.randrange(30_000_000)) * 1000
        self.second = -1
        self.stamp = ""
        self.step = rng.randrange(0, 50_000)
        self.run = f"run-{index:04d}-{rng.getrandbits(24):06x}"
        self.loss = 2.0 + rng.random() * 6

    def timestamp(self) -> str:
        self.ms += self.rng.choice((1, 3, 7, 12, 40, 150, 900))
        second = self.ms // 1000
        if second != self.second:
            self.second = second
            self.stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
        return f"{self.stamp}.{self.ms % 1000:03d}Z"

    def fill(self, template: str) -> str:
        r = self.rng
        return template.format(
            n=r.randrange(1, 65536), a=r.randrange(1, 100), f=r.random() * 64, step=self.step,
            run=self.run, hexid=f"{r.getrandbits(32):08x}",
            path=r.choice(PATHS).format(run=self.run, step=self.step, n=r.randrange(1000)))

    def traceback(self) -> list:
        r = self.rng
        lines = [f"{self.timestamp()} ERROR [{r.choice(MODULES)}] unhandled exception in {r.choice(IDENTIFIERS)}",
                 "Traceback (most recent call last):"]
        for _ in range(r.randrange(3, 12)):
            path = r.choice(SOURCES)
            function = r.choice(IDENTIFIERS)
            lines.append(f'  File "{path}", line {r.randrange(1, 2000)}, in {function}')
            lines.append(f"    result = {function}({r.choice(['batch', 'record', 'path', 'request', 'state'])})")
        name, message = r.choice(ERRORS)
        lines.append(f"{name}: {self.fill(message)}")
        return lines

    def line(self) -> str:
        r = self.rng
        roll = r.random()
        ts = self.timestamp()
        if self.kind == "train" and roll < 0.55 or self.kind != "train" and roll < 0.12:
            self.step += 1
            self.loss = max(0.05, self.loss * 0.99995 + (r.random() - 0.5) * 0.02)
            return (f"{ts} INFO  [trainer] step={self.step} epoch={self.step // 5000} loss={self.loss:.4f} "
                    f"lr={3e-4 * (1 - (self.step % 100000) / 1e5):.3e} grad_norm={r.random() * 4:.3f} "
                    f"tokens/s={r.randrange(20000, 90000)}")
        if self.kind == "eval" and roll < 0.55 or roll < 0.2:
            return (f"{ts} INFO  [eval] step={self.step} split={r.choice(['dev', 'test', 'heldout'])} "
                    f"eval_loss={self.loss * 1.1:.4f} accuracy={r.random():.4f} f1={r.random():.4f} "
                    f"latency={r.random() * 90:.1f}{r.choice(UNICODE)} n={r.randrange(100, 5000)}")
        if self.kind == "agent" and roll < 0.6 or roll < 0.3:
            tool = r.choice(TOOLS)
            path = r.choice(PATHS).format(run=self.run, step=self.step, n=r.randrange(1000))
            return (f"{ts} INFO  [agent.tools] tool_call id=call_{r.getrandbits(32):08x} name={tool} "
                    f"path={path} bytes={r.randrange(10, 10 ** 6)} status={r.choice(['ok', 'ok', 'ok', 'error'])} "
                    f"elapsed_ms={r.randrange(1, 20000)}")
        if self.kind == "server" and roll < 0.6 or roll < 0.38:
            route = self.fill(r.choice(HTTP))
            return (f"{ts} INFO  [http.server] {route} {r.choice([200, 200, 200, 201, 404, 500])} "
                    f"{r.random() * 300:.1f}ms request_id={r.getrandbits(64):016x} user={r.choice(IDENTIFIERS)}")
        if roll < 0.9:
            words = " ".join(r.choices(WORDS, k=r.randrange(6, 20)))
            return f"{ts} DEBUG [{r.choice(MODULES)}] {r.choice(IDENTIFIERS)}: {words}"
        if roll < 0.985:
            return f"{ts} WARNING [{r.choice(MODULES)}] {self.fill(r.choice(WARNINGS))}"
        return "\n".join(self.traceback())


def write_log(path: str, size: int, rng: random.Random, index: int, needles: list) -> list:
    """Writes one log of about `size` bytes; returns (token, depth label, offset) of its needles."""
    log = Log(rng, rng.choice(["train", "train", "eval", "agent", "server"]), index)
    pending = [(label, offset) for label, offset in DEPTHS if offset < size - 4096]
    placed = []
    written = 0
    chunk = []
    chunk_bytes = 0
    with open(path, "wb") as handle:
        while written + chunk_bytes < size - 200:
            if pending and written + chunk_bytes >= pending[0][1]:
                label, _ = pending.pop(0)
                token = f"needle{alpha(index)}{label}"
                placed.append((token, label, written + chunk_bytes))
                text = f"{log.timestamp()} WARNING [probe] rare marker {token} seen in shard {rng.randrange(100)}"
            else:
                text = log.line()
            data = (text + "\n").encode()
            chunk.append(data)
            chunk_bytes += len(data)
            if chunk_bytes >= 1 << 20:
                handle.write(b"".join(chunk))
                written += chunk_bytes
                chunk, chunk_bytes = [], 0
        token = f"needle{alpha(index)}tail"
        last = f"{log.timestamp()} ERROR [trainer] run {log.run} ended: {token} (exit status 1)\n".encode()
        placed.append((token, "tail", written + chunk_bytes))
        chunk.append(last)
        handle.write(b"".join(chunk))
    needles.extend((token, path, label, offset) for token, label, offset in placed)
    return placed


def write_small(path: str, rng: random.Random, index: int) -> None:
    """A note, JSON result or config of 1-5 KiB."""
    target = rng.randrange(1024, 5 * 1024)
    kind = index % 3
    if kind == 0:
        parts = [f"# Notes on {rng.choice(IDENTIFIERS)} ({index})\n\n"]
        while sum(map(len, parts)) < target:
            parts.append(" ".join(rng.choices(WORDS, k=rng.randrange(10, 30))).capitalize() + ".\n")
            if rng.random() < 0.3:
                parts.append(f"\n- see `{rng.choice(PATHS)}` and `{rng.choice(IDENTIFIERS)}`\n\n")
        text = "".join(parts)
    elif kind == 1:
        rows = []
        while sum(map(len, rows)) < target:
            rows.append(f'    {{"step": {rng.randrange(100000)}, "accuracy": {rng.random():.4f}, '
                        f'"loss": {rng.random() * 3:.4f}, "split": "{rng.choice(["dev", "test"])}"}}')
        text = f'{{"run": "run-{index:05d}", "metric": "accuracy", "rows": [\n' + ",\n".join(rows) + "\n]}\n"
    else:
        lines = [f"# config for run-{index:05d}"]
        while sum(map(len, lines)) < target:
            lines.append(f"{rng.choice(MODULES).replace('.', '_')}.{rng.choice(IDENTIFIERS).lower()}: "
                         f"{rng.choice([rng.randrange(1, 4096), round(rng.random(), 4), 'true', 'false'])}")
        text = "\n".join(lines) + "\n"
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out")
    parser.add_argument("--files", type=int, default=200, help="number of logs (default 200)")
    parser.add_argument("--total", type=parse_size, help="draw logs until their sizes reach this (overrides --files)")
    parser.add_argument("--min-size", type=parse_size, default=100 << 10, help="smallest log (default 100K)")
    parser.add_argument("--max-size", type=parse_size, default=16 << 20, help="largest log (default 16M)")
    parser.add_argument("--small", type=int, default=0, help="also this many small files of 1-5 KiB")
    parser.add_argument("--seed", type=int, default=9010)
    args = parser.parse_args()

    rng = random.Random(args.seed)
    low, high = math.log(args.min_size), math.log(args.max_size)
    sizes = []
    while (len(sizes) < args.files) if args.total is None else (sum(sizes) < args.total):
        sizes.append(int(math.exp(rng.uniform(low, high))))

    logs = os.path.join(args.out, "files", "logs")
    os.makedirs(logs, exist_ok=True)
    needles = []
    for index, size in enumerate(sizes):
        write_log(os.path.join(logs, f"log{index:04d}.log"), size, rng, index, needles)
    if args.small:
        small = os.path.join(args.out, "files", "small")
        for index in range(args.small):
            folder = os.path.join(small, f"{index // 1000:03d}")
            if index % 1000 == 0:
                os.makedirs(folder, exist_ok=True)
            extension = (".md", ".json", ".yaml")[index % 3]
            write_small(os.path.join(folder, f"note{index:05d}{extension}"), rng, index)
    with open(os.path.join(args.out, "needles.tsv"), "w", encoding="utf-8") as handle:
        handle.write("token\tfile\tdepth\toffset\n")
        for token, path, label, offset in needles:
            handle.write(f"{token}\t{os.path.abspath(path)}\t{label}\t{offset}\n")
    print(f"{len(sizes)} logs, {sum(sizes) / 2 ** 20:.0f} MiB, {len(needles)} needles; "
          f"{args.small} small files -> {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
