import Foundation
import ProgramTestSupport
import Testing

/// Two `artifact-search serve` nodes over one shared store: the records in the test PostgreSQL
/// cluster, the bytes in moto's bucket (scripts/test-services), each node with its own folder
/// (its search index and cache). Issue 12's "done means".
@Suite("Shared store: two nodes over PostgreSQL and S3")
struct SharedStoreNodeTests {
    static let environment = ProcessInfo.processInfo.environment
    static let available =
        environment["ARTIFACT_SEARCH_TEST_POSTGRES_URL"] != nil && environment["ARTIFACT_SEARCH_TEST_S3_ENDPOINT"] != nil

    /// The two URLs of a fresh shared store (a schema and a bucket prefix of its own) and the
    /// S3 credentials as a node reads them.
    static func sharedStore() -> (arguments: [String], environment: [String: String]) {
        let name = "nodes_" + UUID().uuidString.prefix(8).lowercased()
        let database = environment["ARTIFACT_SEARCH_TEST_POSTGRES_URL"]! + "?sslmode=disable&schema=" + name
        let blobs =
            "s3://\(environment["ARTIFACT_SEARCH_TEST_S3_BUCKET"]!)/\(name)?endpoint=\(environment["ARTIFACT_SEARCH_TEST_S3_ENDPOINT"]!)"
        return (
            ["--database", database, "--blobs", blobs],
            [
                "AWS_ACCESS_KEY_ID": environment["ARTIFACT_SEARCH_TEST_S3_ACCESS_KEY"]!,
                "AWS_SECRET_ACCESS_KEY": environment["ARTIFACT_SEARCH_TEST_S3_SECRET_KEY"]!,
            ]
        )
    }

    /// A node: `serve` on a free port with the shared store's arguments and its own folder.
    static func node(
        _ folder: URL, _ shared: (arguments: [String], environment: [String: String]), keys: URL, in scratch: Scratch,
        options: [String] = []
    ) throws -> ServeProcessTests.Served {
        try ServeProcessTests.Served.start(
            ["--store", folder.path, "--keys", keys.path] + shared.arguments + options, in: scratch, environment: shared.environment)
    }

    /// A gauge's value in Prometheus text (`NAME VALUE` on a line of its own).
    static func gauge(_ name: String, in text: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(name + " ") {
            return Double(line.dropFirst(name.count + 1).trimmingCharacters(in: .whitespaces))
        }
        return nil
    }

    /// The ids of a listing's `artifacts` or a search's `hits` (each hit's `artifact`).
    static func ids(_ answer: HTTPAnswer, key: String) throws -> [String] {
        ((try answer.object()[key] as? [[String: Any]]) ?? []).compactMap { entry in
            ((entry["artifact"] as? [String: Any]) ?? entry)["artifact_id"] as? String
        }
    }

    @Test("Saves through node A are found on node B at once; B killed and restarted, or rebuilt from an empty folder, loses nothing; organisations stay apart", .enabled(if: available))
    func twoNodes() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let keys = scratch.url.appendingPathComponent("keys.json")
        try Data(#"[{"key": "acme-key", "org_id": "acme", "write": true}, {"key": "other-key", "org_id": "other", "write": true}]"#.utf8)
            .write(to: keys)
        let shared = Self.sharedStore()
        let folderA = scratch.url.appendingPathComponent("node-a")
        let folderB = scratch.url.appendingPathComponent("node-b")
        let nodeA = try Self.node(folderA, shared, keys: keys, in: scratch)
        defer { nodeA.process.terminate() }
        var nodeB = try Self.node(folderB, shared, keys: keys, in: scratch)
        let a = LoopbackClient(port: nodeA.port, bearer: "acme-key")
        var b = LoopbackClient(port: nodeB.port, bearer: "acme-key")

        // Read-your-writes across nodes: saved on A, searched on B right after.
        let saved = try await a.post("/v1/artifacts", json: ["text": "saved on node A: the narwhal migrates north", "name": "narwhal.txt"])
        #expect(saved.status == 201, "\(saved.text)")
        let id = try #require(try saved.object()["artifact_id"] as? String)
        let found = try await b.post("/v1/search", json: ["query": "narwhal", "level": "org"])
        #expect(try Self.ids(found, key: "hits") == [id], "\(found.text)")
        let content = try await b.get("/v1/artifacts/\(id)/content")
        #expect(content.status == 200 && content.text == "saved on node A: the narwhal migrates north")
        // Another organisation sees nothing of it, on either node.
        let other = b.with(key: "other-key")
        #expect(try Self.ids(try await other.post("/v1/search", json: ["query": "narwhal", "level": "org"]), key: "hits").isEmpty)
        #expect(try await other.get("/v1/artifacts/\(id)").status == 404)
        #expect(try await a.with(key: "other-key").get("/v1/artifacts/\(id)/content").status == 404)

        // Node B killed (no shutdown, no commit); A keeps saving; B restarted catches up.
        kill(nodeB.process.processIdentifier, SIGKILL)
        nodeB.process.waitUntilExit()
        var savedIDs = [id]
        for index in 0..<20 {
            let answer = try await a.post("/v1/artifacts", json: ["text": "note \(index) about walruses", "run_id": "run-7"])
            #expect(answer.status == 201)
            savedIDs.append(try #require(try answer.object()["artifact_id"] as? String))
        }
        // Polling the change log only hourly: what reaches B's index in the background comes
        // through PostgreSQL's notifications.
        nodeB = try Self.node(folderB, shared, keys: keys, in: scratch, options: ["--catch-up-interval", "3600"])
        b = LoopbackClient(port: nodeB.port, bearer: "acme-key")
        let listed = try await b.get("/v1/artifacts?level=org&limit=100")
        #expect(Set(try Self.ids(listed, key: "artifacts")) == Set(savedIDs), "\(listed.text)")
        let walruses = try await b.post("/v1/search", json: ["query": "walruses", "level": "org", "limit": 50])
        #expect(try Self.ids(walruses, key: "hits").count == 20)
        // A node catches up in the background (notified at each commit), not only when queried:
        // saves on A reach B's index while B answers nothing but /metrics.
        for index in 0..<3 {
            #expect(try await a.post("/v1/artifacts", json: ["text": "background note \(index)"]).status == 201)
        }
        var documents = 0.0
        for _ in 0..<50 where documents < 24 {
            try await Task.sleep(nanoseconds: 200_000_000)
            documents = Self.gauge("artifact_search_index_documents", in: try await b.get("/metrics").text) ?? 0
        }
        #expect(documents == 24, "B's index holds the 21 + 3 artifacts A saved")
        // Saved on B, found on A.
        let fromB = try await b.post("/v1/artifacts", json: ["text": "saved on node B: a beluga"])
        let idB = try #require(try fromB.object()["artifact_id"] as? String)
        savedIDs += try Self.ids(try await b.get("/v1/artifacts?level=org&limit=100"), key: "artifacts").filter { !savedIDs.contains($0) && $0 != idB }
        #expect(try Self.ids(try await a.post("/v1/search", json: ["query": "beluga", "level": "org"]), key: "hits") == [idB])
        savedIDs.append(idB)
        nodeB.process.terminate()
        nodeB.process.waitUntilExit()

        // B's folder deleted: rebuilt from PostgreSQL (stored vectors, nothing embedded again)
        // and the bucket; the same rankings as A's.
        try FileManager.default.removeItem(at: folderB)
        nodeB = try Self.node(folderB, shared, keys: keys, in: scratch)
        defer { nodeB.process.terminate() }
        b = LoopbackClient(port: nodeB.port, bearer: "acme-key")
        let rebuilt = try await b.get("/v1/artifacts?level=org&limit=100")
        #expect(Set(try Self.ids(rebuilt, key: "artifacts")) == Set(savedIDs))
        let query: [String: Any] = ["query": "walruses note", "level": "org", "limit": 10, "explain": true]
        let onA = try await a.post("/v1/search", json: query)
        let onB = try await b.post("/v1/search", json: query)
        #expect(try Self.ids(onA, key: "hits") == Self.ids(onB, key: "hits"))
        let scoresA = ((try onA.object()["hits"] as? [[String: Any]]) ?? []).map { $0["score"] as? Double }
        let scoresB = ((try onB.object()["hits"] as? [[String: Any]]) ?? []).map { $0["score"] as? Double }
        #expect(scoresA == scoresB)
    }
}
