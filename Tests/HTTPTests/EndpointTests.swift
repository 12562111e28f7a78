import ArtifactSearch
import Crypto
import Foundation
import HybridSearch
import Testing

/// Every `/v1` route, `/healthz` and `/metrics`, through a real server on a loopback port.
@Suite("HTTP API: endpoints")
struct EndpointTests {
    @Test("POST /v1/artifacts saves text, JSON, base64 and raw bytes with their metadata; GET returns the record")
    func saveAndGet() async throws {
        try await withServer { server in
            let client = server.client
            let text = try await client.post(
                "/v1/artifacts",
                json: [
                    "text": "GPU ran out of memory", "name": "train.log", "kind": "log", "tags": ["gpu"],
                    "labels": ["split": "test", "stage": 2], "metrics": ["f1": 0.5], "pin": true, "run_id": "r1",
                    "session_id": "s1", "graph_id": "g1", "node_id": "n1", "tool_name": "trainer", "tool_version": "2.1",
                ])
            #expect(text.status == 201)
            let record = try text.object()
            let id = try #require(record["artifact_id"] as? String)
            #expect(text.headers["location"] == "/v1/artifacts/\(id)")
            #expect(record["kind"] as? String == "log")
            #expect(record["run_id"] as? String == "r1" && record["session_id"] as? String == "s1")
            #expect(record["graph_id"] as? String == "g1" && record["node_id"] as? String == "n1")
            #expect(record["tool_name"] as? String == "trainer" && record["tool_version"] as? String == "2.1")
            #expect(record["pinned"] as? Bool == true)
            #expect(record["bytes"] as? Int == 21)
            #expect((record["labels"] as? [String: Any])?["stage"] as? Int == 2)
            #expect((record["metrics"] as? [String: Any])?["f1"] as? Double == 0.5)
            #expect(record["uri"] == nil, "a server path must not reach remote clients")
            #expect(record["content_url"] as? String == "/v1/artifacts/\(id)/content")
            #expect(record["name"] as? String == "train.log", "the name MCP hits show")
            let sha = SHA256.hash(data: Data("GPU ran out of memory".utf8)).map { String(format: "%02x", $0) }.joined()
            #expect(record["sha256"] as? String == sha)

            let fetched = try await client.get("/v1/artifacts/\(id)")
            #expect(fetched.status == 200)
            #expect(try fetched.object()["artifact_id"] as? String == id)
            #expect(try fetched.object()["sha256"] as? String == sha)

            let json = try await client.post("/v1/artifacts", json: ["json": ["layers": [64, 64], "lr": 0.001], "name": "config.json"])
            #expect(json.status == 201)
            #expect(try json.object()["mime"] as? String == "application/json")
            #expect(try json.object()["kind"] as? String == "json")
            let jsonID = try #require(try json.object()["artifact_id"] as? String)
            let stored = try await client.get("/v1/artifacts/\(jsonID)/content")
            let value = try #require(try JSONSerialization.jsonObject(with: stored.body) as? [String: Any])
            #expect(value["layers"] as? [Int] == [64, 64])

            let bytes = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 1, 2, 255])
            let encoded = try await client.post("/v1/artifacts", json: ["content_base64": bytes.base64EncodedString(), "name": "x.png"])
            #expect(encoded.status == 201)
            #expect(try encoded.object()["mime"] as? String == "image/png")
            #expect(try encoded.object()["bytes"] as? Int == 12)
            #expect(try encoded.object()["kind"] as? String == "file")

            let raw = try await client.post(
                "/v1/artifacts", body: bytes, contentType: "application/octet-stream",
                headers: ["X-Artifact-Metadata": #"{"name":"raw.bin","kind":"blob","run_id":"r2","labels":{"k":"v"}}"#])
            #expect(raw.status == 201)
            let rawRecord = try raw.object()
            #expect(rawRecord["kind"] as? String == "blob" && rawRecord["run_id"] as? String == "r2")
            #expect(rawRecord["bytes"] as? Int == 12)
            let rawID = try #require(rawRecord["artifact_id"] as? String)
            #expect(try await client.get("/v1/artifacts/\(rawID)/content").body == bytes)
            // Raw JSON bytes are saved as bytes when the metadata header says so.
            let rawJSON = try await client.post(
                "/v1/artifacts", body: Data(#"{"a":1}"#.utf8), contentType: "application/json", headers: ["X-Artifact-Metadata": "{}"])
            #expect(rawJSON.status == 201)
            #expect(try rawJSON.object()["bytes"] as? Int == 7)
        }
    }

    @Test("GET content streams the verified bytes with Content-Type, Content-Length and ETag; If-None-Match gives 304; a directory gives its manifest and ?path= one file")
    func content() async throws {
        try await withServer(maxBodyBytes: 8 << 20) { server in
            let client = server.client
            let big = String(repeating: "0123456789abcdef", count: 200_000)  // 3.2 MB: several reads
            let saved = try await client.post("/v1/artifacts", json: ["text": big, "name": "big.txt"])
            let id = try #require(try saved.object()["artifact_id"] as? String)
            let sha = try #require(try saved.object()["sha256"] as? String)
            let answer = try await client.get("/v1/artifacts/\(id)/content")
            #expect(answer.status == 200)
            #expect(answer.body == Data(big.utf8))
            #expect(answer.headers["content-length"] == String(big.utf8.count))
            #expect(answer.headers["content-type"] == "text/plain")
            #expect(answer.headers["etag"] == "\"\(sha)\"")
            let cached = try await client.get("/v1/artifacts/\(id)/content", headers: ["If-None-Match": "\"\(sha)\""])
            #expect(cached.status == 304)
            #expect(cached.body.isEmpty)
            // RFC 9110: `*` and weak comparison also match; another tag does not.
            #expect(try await client.get("/v1/artifacts/\(id)/content", headers: ["If-None-Match": "*"]).status == 304)
            #expect(try await client.get("/v1/artifacts/\(id)/content", headers: ["If-None-Match": "\"x\", W/\"\(sha)\""]).status == 304)
            #expect(try await client.get("/v1/artifacts/\(id)/content", headers: ["If-None-Match": "\"x\""]).status == 200)

            // A directory artifact (saved through the library: the API has no directory upload).
            let folder = server.scratch.url.appendingPathComponent("dir")
            try FileManager.default.createDirectory(at: folder.appendingPathComponent("sub"), withIntermediateDirectories: true)
            try Data("alpha\n".utf8).write(to: folder.appendingPathComponent("a.txt"))
            try Data("{\"b\":2}".utf8).write(to: folder.appendingPathComponent("sub/b.json"))
            let unconfined = try await ArtifactFacade.open(at: server.scratch.url.appendingPathComponent("store"))
            let directory = try await unconfined.ingestDirectory(at: folder)
            let manifest = try await client.get("/v1/artifacts/\(directory.artifactID)/content")
            #expect(manifest.status == 200)
            #expect(manifest.headers["content-type"] == "application/json")
            #expect(manifest.text.contains("sub/b.json") && manifest.text.contains("a.txt"))
            let file = try await client.get("/v1/artifacts/\(directory.artifactID)/content?path=sub/b.json")
            #expect(file.status == 200)
            #expect(file.text == "{\"b\":2}")
            #expect(file.headers["content-type"] == "application/json")
            let missing = try await client.get("/v1/artifacts/\(directory.artifactID)/content?path=nope.txt")
            #expect(missing.status == 400)
            #expect(missing.errorType == "invalid_argument")
            let notADirectory = try await client.get("/v1/artifacts/\(id)/content?path=a.txt")
            #expect(notADirectory.status == 400)
        }
    }

    @Test("A store re-embedded under a running server: its searches and saves answer 503 embedder_switched, saying to restart it")
    func storeSwitchedUnderTheServer() async throws {
        try await withServer { server in
            let client = server.client
            #expect(try await client.post("/v1/artifacts", json: ["text": "saved before the switch"]).status == 201)
            let folder = server.scratch.url.appendingPathComponent("store")
            let small = HashedNGramEmbedder(dimension: 64)
            try await ArtifactFacade.reembed(at: folder, to: small, choice: "small")
            _ = try await ArtifactFacade.open(at: folder, embedder: small).saveText("saved after the switch, with its new vectors")
            for answer in [
                try await client.post("/v1/search", json: ["query": "switch", "level": "org"]),
                try await client.post("/v1/artifacts", json: ["text": "saved by the old server"]),
            ] {
                #expect(answer.status == 503, "\(answer.text)")
                let error = try #require(try answer.object()["error"] as? [String: Any])
                #expect(error["type"] as? String == "embedder_switched", "\(answer.text)")
                #expect((error["message"] as? String)?.contains("restarts the server") == true, "\(answer.text)")
            }
        }
    }

    @Test("A blob damaged on disk is never served: 500 content_damaged before any byte")
    func damagedContent() async throws {
        try await withServer { server in
            let saved = try await server.client.post("/v1/artifacts", json: ["text": "precious result 42"])
            let record = try saved.object()
            let id = try #require(record["artifact_id"] as? String)
            let sha = try #require(record["sha256"] as? String)
            let blob = server.facade.store.contentURL(sha256: sha)
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: blob.path)
            try Data("precious result 43".utf8).write(to: blob)
            let answer = try await server.client.get("/v1/artifacts/\(id)/content")
            #expect(answer.status == 500)
            #expect(answer.errorType == "content_damaged")
            #expect(!answer.text.contains("precious"))
            // The message names the artifact, not the server's files.
            #expect(answer.text.contains(id))
            #expect(!answer.text.contains(server.scratch.url.path) && !answer.text.contains("blobs/"), "\(answer.text)")
        }
    }

    @Test("POST /v1/search ranks with snippets, explains both legs, filters by run before ranking, pages without overlap; a blank query in an explicit mode matches nothing")
    func search() async throws {
        try await withServer { server in
            let client = server.client
            let oom = try await client.post(
                "/v1/artifacts", json: ["text": "intro line\ntraining crashed: CUDA out of memory on the GPU\nend", "name": "train.log", "run_id": "r1"])
            _ = try await client.post("/v1/artifacts", json: ["text": "budget meeting notes", "name": "notes.md", "run_id": "r1"])
            _ = try await client.post("/v1/artifacts", json: ["text": "CUDA out of memory again", "name": "other.log", "run_id": "r2"])
            let oomID = try #require(try oom.object()["artifact_id"] as? String)

            let answer = try await client.post("/v1/search", json: ["query": "CUDA memory", "run_id": "r1", "explain": true])
            #expect(answer.status == 200)
            let hits = try #require(try answer.object()["hits"] as? [[String: Any]])
            #expect(hits.count == 1, "r2's log is filtered out before ranking and the notes share no word: \(hits)")
            let hit = try #require(hits.first)
            #expect((hit["artifact"] as? [String: Any])?["artifact_id"] as? String == oomID)
            let snippet = try #require(hit["snippet"] as? String)
            #expect(snippet.contains("training crashed: CUDA out of memory on the GPU"), "\(snippet)")
            let explanation = try #require(hit["explanation"] as? [String: Any])
            #expect((explanation["lexical"] as? [String: Any])?["rank"] as? Int == 1)
            let score = try #require(hit["score"] as? Double)
            // Hybrid RRF with k = 60: first in both legs → 2 / 61 at most (1 / 61 per leg).
            #expect(score > 0 && score <= 2.0 / 61.0 + 1e-12)

            // Every run: both logs; pages of one never overlap and together equal the top 2.
            let all = try await client.post("/v1/search", json: ["query": "CUDA memory", "level": "org", "limit": 2])
            let top = try #require(try all.object()["hits"] as? [[String: Any]]).compactMap { ($0["artifact"] as? [String: Any])?["artifact_id"] as? String }
            #expect(top.count == 2)
            var paged: [String] = []
            for offset in 0..<2 {
                let page = try await client.post("/v1/search", json: ["query": "CUDA memory", "level": "org", "limit": 1, "offset": offset, "snippets": false])
                let hits = try #require(try page.object()["hits"] as? [[String: Any]])
                #expect(hits.first?["snippet"] is NSNull || hits.first?["snippet"] == nil)
                paged += hits.compactMap { ($0["artifact"] as? [String: Any])?["artifact_id"] as? String }
            }
            #expect(paged == top)

            for mode in ["lexical", "semantic", "hybrid"] {
                let blank = try await client.post("/v1/search", json: ["query": "   ", "mode": mode, "level": "org"])
                #expect(blank.status == 200)
                #expect((try blank.object()["hits"] as? [Any])?.isEmpty == true, "\(mode)")
            }
            // A blank query in auto mode lists, newest first.
            let listed = try await client.post("/v1/search", json: ["query": "", "level": "org"])
            #expect((try listed.object()["hits"] as? [Any])?.count == 3)
        }
    }

    @Test("GET /v1/artifacts lists newest first with filters, limit and offset; POST /v1/best picks by metric; pin and unpin; DELETE removes")
    func listBestPinDelete() async throws {
        try await withServer { server in
            let client = server.client
            var ids: [String] = []
            for (index, f1) in [0.3, 0.9, 0.6].enumerated() {
                let saved = try await client.post(
                    "/v1/artifacts",
                    json: ["text": "model \(index)", "kind": "model", "tags": index == 1 ? ["best", "x"] : ["x"], "metrics": ["f1": f1], "run_id": "r1",
                           "labels": ["split": index == 2 ? "test" : "dev"]])
                ids.append(try #require(try saved.object()["artifact_id"] as? String))
            }
            func listed(_ query: String) async throws -> [String] {
                let answer = try await client.get("/v1/artifacts?" + query)
                #expect(answer.status == 200, "\(query): \(answer.text)")
                return try #require(try answer.object()["artifacts"] as? [[String: Any]]).compactMap { $0["artifact_id"] as? String }
            }
            #expect(try await listed("run_id=r1") == ids.reversed())
            #expect(try await listed("run_id=r1&limit=1&offset=1") == [ids[1]])
            #expect(try await listed("run_id=r1&tag=best") == [ids[1]])
            #expect(try await listed("run_id=r1&tag=best&tag=x") == [ids[1]])
            #expect(try await listed("run_id=r1&labels=%7B%22split%22%3A%22test%22%7D") == [ids[2]])
            #expect(try await listed("run_id=r2").isEmpty)
            #expect(try await listed("kind=model&level=org").count == 3)

            let best = try await client.post("/v1/best", json: ["kind": "model", "metric": "f1", "run_id": "r1"])
            #expect((try best.object()["artifact"] as? [String: Any])?["artifact_id"] as? String == ids[1])
            let worst = try await client.post("/v1/best", json: ["kind": "model", "metric": "f1", "metric_mode": "min", "run_id": "r1"])
            #expect((try worst.object()["artifact"] as? [String: Any])?["artifact_id"] as? String == ids[0])
            let none = try await client.post("/v1/best", json: ["kind": "model", "metric": "recall", "run_id": "r1"])
            #expect(none.status == 200)
            #expect(try none.object()["artifact"] is NSNull)

            let pinned = try await client.put("/v1/artifacts/\(ids[0])/pin")
            #expect(pinned.status == 200)
            #expect(try pinned.object()["pinned"] as? Bool == true)
            #expect(try await client.get("/v1/artifacts/\(ids[0])").object()["pinned"] as? Bool == true)
            let unpinned = try await client.delete("/v1/artifacts/\(ids[0])/pin")
            #expect(try unpinned.object()["pinned"] as? Bool == false)

            let deleted = try await client.delete("/v1/artifacts/\(ids[2])")
            #expect(deleted.status == 204)
            #expect(try await client.get("/v1/artifacts/\(ids[2])").status == 404)
            #expect(try await client.get("/v1/artifacts/\(ids[2])/content").status == 404)
            #expect(try await client.delete("/v1/artifacts/\(ids[2])").status == 404)
            #expect(try await listed("run_id=r1") == [ids[1], ids[0]])
            let search = try await client.post("/v1/search", json: ["query": "model 2", "mode": "lexical", "run_id": "r1"])
            let found = try #require(try search.object()["hits"] as? [[String: Any]]).compactMap { ($0["artifact"] as? [String: Any])?["artifact_id"] as? String }
            #expect(!found.contains(ids[2]))
        }
    }

    @Test("/healthz answers without a key; /metrics counts requests by route template and reports the store")
    func healthAndMetrics() async throws {
        try await withServer(keys: [["key": "k-acme", "org_id": "acme", "write": true]]) { server in
            let health = try await server.client.get("/healthz")
            #expect(health.status == 200)
            #expect(try health.object()["status"] as? String == "ok")
            #expect(try await server.client.get("/metrics").status == 401)
            let client = server.client.with(key: "k-acme")
            let saved = try await client.post("/v1/artifacts", json: ["text": "one"])
            let id = try #require(try saved.object()["artifact_id"] as? String)
            _ = try await client.get("/v1/artifacts/\(id)")
            _ = try await client.get("/v1/artifacts/\(id)")
            _ = try await client.get("/v1/artifacts/01J00000000000000000000000")
            let metrics = try await client.get("/metrics")
            #expect(metrics.status == 200)
            #expect(metrics.headers["content-type"]?.hasPrefix("text/plain; version=0.0.4") == true)
            let text = metrics.text
            #expect(text.contains(#"artifact_search_http_requests_total{route="/v1/artifacts/{id}",method="GET",status="200"} 2"#), "\(text)")
            #expect(text.contains(#"artifact_search_http_requests_total{route="/v1/artifacts/{id}",method="GET",status="404"} 1"#))
            #expect(text.contains(#"artifact_search_http_requests_total{route="/v1/artifacts",method="POST",status="201"} 1"#))
            #expect(text.contains("artifact_search_http_request_duration_seconds_bucket{"))
            #expect(text.contains("artifact_search_artifacts 1"))
            #expect(text.contains("artifact_search_index_documents 1"))
        }
    }
}
