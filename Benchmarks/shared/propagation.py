"""Propagation delay of a shared store: SAMPLES times, save a text with a fresh token on node
A, then
- on even samples, search node B for the token (lexical, the whole organisation) until the hit
  comes back: the delay is from A's 201 to B's first answer holding the hit (with A = B, the
  embedded store, it is one search);
- on odd samples, poll B's /metrics until its index holds one more document: the delay until
  B applied the save in the background, untouched by queries (PostgreSQL's notification, or
  the poll every second).
Prints one JSON line with p50/p99/max in milliseconds of each.

usage: python3 propagation.py HOST PORT_A PORT_B KEY [SAMPLES=200]
"""
import http.client, json, sys, time, uuid

host, port_a, port_b, key = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
samples = int(sys.argv[5]) if len(sys.argv) > 5 else 200
headers = {"Authorization": "Bearer " + key, "Content-Type": "application/json"}
a = http.client.HTTPConnection(host, port_a, timeout=60)
b = http.client.HTTPConnection(host, port_b, timeout=60)

def call(connection, path, body):
    for attempt in range(2):
        try:
            connection.request("POST", path, json.dumps(body), headers)
            answer = connection.getresponse()
            return answer.status, json.loads(answer.read() or b"{}")
        except (BrokenPipeError, ConnectionResetError, http.client.RemoteDisconnected):
            connection.close()  # a kept-alive connection the server closed: once more on a new one
            if attempt == 1:
                raise

def indexed(connection):
    """B's artifact_search_index_documents gauge."""
    for attempt in range(2):
        try:
            connection.request("GET", "/metrics", headers=headers)
            answer = connection.getresponse()
            text = answer.read().decode()
            break
        except (BrokenPipeError, ConnectionResetError, http.client.RemoteDisconnected):
            connection.close()
            if attempt == 1:
                raise
    for line in text.splitlines():
        if line.startswith("artifact_search_index_documents "):
            return float(line.split()[1])
    raise SystemExit("no artifact_search_index_documents in /metrics")

delays, background, searches = [], [], 0
for sample in range(samples):
    token = "tok" + uuid.uuid4().hex[:12]
    before = indexed(b) if sample % 2 else None
    status, _ = call(a, "/v1/artifacts", {"text": "propagation probe " + token, "run_id": "run-propagation"})
    assert status == 201, status
    saved = time.monotonic()
    if sample % 2:
        while indexed(b) <= before:
            time.sleep(0.001)
        background.append(((time.monotonic() - saved) * 1000, sample))
        continue
    while True:
        searches += 1
        status, found = call(b, "/v1/search", {"query": token, "mode": "lexical", "level": "org", "limit": 1, "snippets": False})
        assert status == 200, (status, found)
        if found.get("hits"):
            delays.append(((time.monotonic() - saved) * 1000, sample))
            break
def summary(timed):
    """p50/p99/max of (delay, sample) pairs, and which sample (0-based) the maximum was."""
    values = sorted(timed)
    pick = lambda q: round(values[min(len(values) - 1, int(q * len(values)))][0], 2)
    return {"p50": pick(0.5), "p99": pick(0.99), "max": round(values[-1][0], 2), "max_sample": values[-1][1]}

print(json.dumps({"samples": samples, "searches_per_sample": round(searches / len(delays), 2),
                  "search_delay_ms": summary(delays), "background_delay_ms": summary(background)}))
