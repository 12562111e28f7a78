"""Saves every file under FILES through a node's HTTP API (POST /v1/artifacts, JSON text),
CLIENTS threads with one keep-alive connection each; folder N becomes run run-%04d (so a run is
1 % of a 100k store, as in Benchmarks/http). Prints one JSON line: saves, seconds, saves/s,
errors. Python's standard library only.

usage: python3 ingest.py HOST PORT KEY FILES [CLIENTS=16]
"""
import http.client, json, os, sys, threading, time

host, port, key, files = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
clients = int(sys.argv[5]) if len(sys.argv) > 5 else 16
jobs = []
for index, folder in enumerate(sorted(os.listdir(files))):
    for name in sorted(os.listdir(os.path.join(files, folder))):
        jobs.append((os.path.join(files, folder, name), name, "run-%04d" % index))
lock = threading.Lock()
cursor = [0]
errors = []

def worker():
    connection = http.client.HTTPConnection(host, port, timeout=120)
    while True:
        with lock:
            if cursor[0] >= len(jobs):
                return
            path, name, run = jobs[cursor[0]]
            cursor[0] += 1
        with open(path, encoding="utf-8", errors="replace") as handle:
            body = json.dumps({"text": handle.read(), "name": name, "run_id": run})
        try:
            connection.request("POST", "/v1/artifacts", body, {"Authorization": "Bearer " + key, "Content-Type": "application/json"})
            answer = connection.getresponse()
            answer.read()
            if answer.status != 201:
                errors.append(answer.status)
        except Exception as error:  # a dropped connection: count it, reconnect
            errors.append(str(error))
            connection = http.client.HTTPConnection(host, port, timeout=120)

start = time.monotonic()
threads = [threading.Thread(target=worker) for _ in range(clients)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
elapsed = time.monotonic() - start
print(json.dumps({"saves": len(jobs), "seconds": round(elapsed, 1), "saves_per_s": round(len(jobs) / elapsed, 1),
                  "errors": len(errors), "first_error": str(errors[0]) if errors else ""}))
sys.exit(1 if errors else 0)
