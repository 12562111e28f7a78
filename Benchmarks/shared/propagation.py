"""Propagation delay of a shared store: SAMPLES times, save a text with a fresh token on node
A, then search node B for the token (lexical, the whole organisation) until the hit comes back;
the delay is from A's 201 to B's first answer holding the hit. With A = B (the embedded store)
it is one search. Prints one JSON line with p50/p99/max in milliseconds.

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

delays, searches = [], 0
for _ in range(samples):
    token = "tok" + uuid.uuid4().hex[:12]
    status, _ = call(a, "/v1/artifacts", {"text": "propagation probe " + token, "run_id": "run-propagation"})
    assert status == 201, status
    saved = time.monotonic()
    while True:
        searches += 1
        status, found = call(b, "/v1/search", {"query": token, "mode": "lexical", "level": "org", "limit": 1, "snippets": False})
        assert status == 200, (status, found)
        if found.get("hits"):
            delays.append((time.monotonic() - saved) * 1000)
            break
delays.sort()
pick = lambda q: round(delays[min(len(delays) - 1, int(q * len(delays)))], 2)
print(json.dumps({"samples": samples, "searches_per_sample": round(searches / samples, 2),
                  "delay_ms": {"p50": pick(0.5), "p99": pick(0.99), "max": round(delays[-1], 2)}}))
