#!/usr/bin/env python3
"""An OpenAI-compatible embeddings server for the tests (standard library only).

POST /v1/embeddings answers each input with a 16-number vector: for each UTF-8 byte b at
position k of the input, component (b + k) mod 16 gains 1 (FakeEmbeddingServer.vector in
Swift computes the same), listing the results in reverse order (clients must order them by
`index`). Each request first takes the next scripted behaviour (POST /control/script with a
JSON list), then answers normally; GET /control/requests returns what every request carried.

Runs in a process of its own with a thread per connection, so the tests' own threads never
serve it. Prints "PORT <n>" once listening on 127.0.0.1 (port 0: any free one), and exits when
its standard input ends (the test process closed it, or died).

usage: fake_embedding_server.py
"""
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
SCRIPT = []
RECEIVED = []


def vector(text):
    values = [0.0] * 16
    for position, byte in enumerate(text.encode("utf-8")):
        values[(byte + position) % 16] += 1.0
    return values


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send_json(self, status, text, headers=None):
        body = text.encode("utf-8")
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test)

    def read_body(self):
        return self.rfile.read(int(self.headers.get("Content-Length", "0")))

    def do_GET(self):
        if self.path == "/control/requests":
            with LOCK:
                self.send_json(200, json.dumps(RECEIVED))
        else:
            self.send_json(404, '{"error": {"message": "not found"}}')

    def do_POST(self):
        body = self.read_body()
        if self.path == "/control/script":
            with LOCK:
                SCRIPT.extend(json.loads(body))
            self.send_json(200, "{}")
            return
        if self.path != "/v1/embeddings":
            self.send_json(404, '{"error": {"message": "not found"}}')
            return
        try:
            request = json.loads(body)
            model, inputs = request["model"], request["input"]
            assert isinstance(model, str) and isinstance(inputs, list) and all(isinstance(i, str) for i in inputs)
        except Exception:
            self.send_json(400, '{"error": {"message": "body must be {model, input: [strings]}"}}')
            return
        with LOCK:
            RECEIVED.append({
                "authorization": self.headers.get("Authorization"), "model": model, "inputs": inputs,
                "encoding_format": request.get("encoding_format"),
            })
            behaviour = SCRIPT[0] if SCRIPT and "html" in SCRIPT[0] else (SCRIPT.pop(0) if SCRIPT else {})
        vectors = [vector(text) for text in inputs]
        indices = list(range(len(inputs)))
        if "html" in behaviour:
            page = "<html><body><h1>%d</h1><p>the gateway is down</p></body></html>" % behaviour["html"]
            body = page.encode("utf-8")
            try:
                self.send_response(behaviour["html"])
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass
            return
        if "status" in behaviour:
            headers = {"Retry-After": behaviour["retry_after"]} if "retry_after" in behaviour else {}
            message = json.dumps({"error": {"message": behaviour["message"], "type": "test"}})
            self.send_json(behaviour["status"], message, headers)
            return
        if "slow" in behaviour:
            time.sleep(behaviour["slow"])
        if behaviour.get("drop_last"):
            vectors.pop()
            indices.pop()
        if behaviour.get("overflow"):
            vectors[0][0] = 1e39
        if behaviour.get("nan_literal"):
            self.send_json(200, '{"object": "list", "data": [{"object": "embedding", "index": 0, "embedding": [NaN]}]}')
            return
        if behaviour.get("duplicate_index"):
            indices[-1] = 0
        if behaviour.get("longer_vectors"):
            vectors = [v + [0.0] for v in vectors]
        data = [{"object": "embedding", "index": i, "embedding": v} for i, v in reversed(list(zip(indices, vectors)))]
        self.send_json(200, json.dumps({"object": "list", "model": model, "data": data,
                                        "usage": {"prompt_tokens": 1, "total_tokens": 1}}))


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print(f"PORT {server.server_address[1]}", flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sys.stdin.buffer.read()
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main())
