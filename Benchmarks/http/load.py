"""Closed-loop HTTP load on `artifact-search serve` (issue 10's benchmark): CLIENTS threads,
each with one keep-alive connection, for SECONDS; each request is a hybrid search (90 %) or a
save (10 %). Then every acknowledged save is fetched back by id.

Mixes:
  filtered   — searches restricted to one run (run-0000 … run-0099: about 1 % of a 100k store)
  unfiltered — searches over the whole organisation (the dense leg scans every vector)

Queries are SciFact's test queries; a save is a SciFact-like sentence with a unique token, in
a random run. Latencies are measured around each request (time.perf_counter), per kind.

usage: python3 load.py URL KEY MIX [--clients 16] [--seconds 60] [--runs 100] [--queries FILE]
Prints one JSON line (medians, p99, throughput, errors, saves missing afterwards) and exits 1
if any request failed or any acknowledged save is missing.
Standard library only (Python 3.11).
"""

import argparse
import http.client
import json
import random
import statistics
import sys
import threading
import time
import urllib.parse


def percentile(values, p):
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


class Client:
    def __init__(self, url, key):
        parsed = urllib.parse.urlparse(url)
        self.host, self.port = parsed.hostname, parsed.port
        self.headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
        self.connection = http.client.HTTPConnection(self.host, self.port, timeout=60)

    def request(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        for attempt in range(2):
            try:
                self.connection.request(method, path, body=data, headers=self.headers)
                response = self.connection.getresponse()
                return response.status, response.read()
            except (http.client.HTTPException, ConnectionError):
                self.connection.close()
                self.connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
                if attempt == 1:
                    raise


def worker(index, args, queries, deadline, results):
    rng = random.Random(index)
    client = Client(args.url, args.key)
    searches, saves, errors, saved = [], [], [], []
    step = 0
    while time.perf_counter() < deadline:
        step += 1
        run = f"run-{rng.randrange(args.runs):04d}"
        if rng.random() < 0.1:
            token = f"loadtoken{index}x{step}"
            body = {"text": f"{rng.choice(queries)} {token}", "name": f"load-{index}-{step}.txt", "run_id": run}
            start = time.perf_counter()
            status, payload = client.request("POST", "/v1/artifacts", body)
            saves.append(time.perf_counter() - start)
            if status == 201:
                saved.append(json.loads(payload)["artifact_id"])
            else:
                errors.append((status, payload[:200]))
        else:
            body = {"query": rng.choice(queries), "limit": 10}
            if args.mix == "filtered":
                body["run_id"] = run
            else:
                body["level"] = "org"
            start = time.perf_counter()
            status, payload = client.request("POST", "/v1/search", body)
            searches.append(time.perf_counter() - start)
            if status != 200:
                errors.append((status, payload[:200]))
    results[index] = (searches, saves, errors, saved)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("key")
    parser.add_argument("mix", choices=["filtered", "unfiltered"])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--queries", default="../shared/corpora/scifact/queries.jsonl")
    args = parser.parse_args()
    with open(args.queries) as handle:
        queries = [json.loads(line)["text"] for line in handle if line.strip()]

    results = [None] * args.clients
    deadline = time.perf_counter() + args.seconds
    threads = [threading.Thread(target=worker, args=(i, args, queries, deadline, results)) for i in range(args.clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    searches = [x for r in results for x in r[0]]
    saves = [x for r in results for x in r[1]]
    errors = [x for r in results for x in r[2]]
    saved = [x for r in results for x in r[3]]

    # Every acknowledged save must be there afterwards.
    checker = Client(args.url, args.key)
    missing = [i for i in saved if checker.request("GET", f"/v1/artifacts/{i}")[0] != 200]

    def ms(value):
        return None if value is None else round(value * 1000, 2)

    report = {
        "mix": args.mix, "clients": args.clients, "seconds": round(elapsed, 1),
        "searches": len(searches), "saves": len(saves), "requests_per_s": round((len(searches) + len(saves)) / elapsed, 1),
        "searches_per_s": round(len(searches) / elapsed, 1),
        "search_ms": {"p50": ms(percentile(searches, 50)), "p90": ms(percentile(searches, 90)), "p99": ms(percentile(searches, 99)), "max": ms(max(searches, default=None))},
        "save_ms": {"p50": ms(percentile(saves, 50)), "p90": ms(percentile(saves, 90)), "p99": ms(percentile(saves, 99)), "max": ms(max(saves, default=None))},
        "errors": len(errors), "first_errors": [f"{s} {p!r}" for s, p in errors[:3]],
        "acknowledged_saves": len(saved), "missing_after": len(missing),
    }
    print(json.dumps(report))
    sys.exit(1 if errors or missing else 0)


if __name__ == "__main__":
    main()
