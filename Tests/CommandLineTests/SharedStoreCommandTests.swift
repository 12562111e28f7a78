import Foundation
import Testing

/// The command line on a shared store (`--database`, `--blobs`): the test PostgreSQL cluster
/// and moto (scripts/test-services), each test in a schema and a bucket prefix of its own.
@Suite("artifact-search on a shared store")
struct SharedStoreCommandTests {
    static let environment = ProcessInfo.processInfo.environment
    static let available =
        environment["ARTIFACT_SEARCH_TEST_POSTGRES_URL"] != nil && environment["ARTIFACT_SEARCH_TEST_S3_ENDPOINT"] != nil

    static func shared() -> (database: String, blobs: String, environment: [String: String]) {
        let name = "cli_" + UUID().uuidString.prefix(8).lowercased()
        return (
            environment["ARTIFACT_SEARCH_TEST_POSTGRES_URL"]! + "?sslmode=disable&schema=" + name,
            "s3://\(environment["ARTIFACT_SEARCH_TEST_S3_BUCKET"]!)/\(name)?endpoint=\(environment["ARTIFACT_SEARCH_TEST_S3_ENDPOINT"]!)",
            [
                "AWS_ACCESS_KEY_ID": environment["ARTIFACT_SEARCH_TEST_S3_ACCESS_KEY"]!,
                "AWS_SECRET_ACCESS_KEY": environment["ARTIFACT_SEARCH_TEST_S3_SECRET_KEY"]!,
            ]
        )
    }

    @Test("ingest, search, cat and verify through two node folders; copy the shared store into a folder and search it there", .enabled(if: available))
    func sharedStore() throws {
        let runner = try ProgramRunner()
        defer { runner.remove() }
        let (database, blobs, credentials) = Self.shared()
        let store = ["--database", database, "--blobs", blobs]
        try runner.write("notes/oom.txt", text: "CUDA out of memory at step 4000\n")
        try runner.write("notes/plan.md", text: "# Plan\nlower the batch size\n")
        let ingested = try runner.run(["ingest", "notes", "--store", "node-a", "--json"] + store, environment: credentials)
        #expect(ingested.status == 0, "\(ingested.standardError)")
        let ids = try ingested.jsonObjects().compactMap { $0["artifact_id"] as? String }
        #expect(ids.count == 2)
        // Another node's folder, empty: it catches up from PostgreSQL and reads the bytes from the bucket.
        let found = try runner.run(["search", "out of memory", "--store", "node-b", "--level", "org", "--json"] + store, environment: credentials)
        #expect(found.status == 0, "\(found.standardError)")
        #expect(found.standardOutput.contains("oom.txt"), "\(found.standardOutput)")
        let oom = try #require(
            try ingested.jsonObjects().first { ($0["labels"] as? [String: Any])?["filename"] as? String == "oom.txt" }?["artifact_id"] as? String)
        let cat = try runner.run(["cat", oom, "--store", "node-b"] + store, environment: credentials)
        #expect(cat.standardOutput == "CUDA out of memory at step 4000\n", "\(cat.standardError)")
        let verified = try runner.run(["verify", "--store", "node-b"] + store, environment: credentials)
        #expect(verified.status == 0 && verified.standardOutput.hasPrefix("ok: 2 artifact(s)"), "\(verified.standardOutput)\(verified.standardError)")

        let copied = try runner.run(["copy", "--store", "node-a", "--to-store", "backup", "--json"] + store, environment: credentials)
        #expect(copied.status == 0, "\(copied.standardError)")
        let report = try #require(try copied.json() as? [String: Any])
        #expect(report["copied"] as? Int == 2)
        let local = try runner.runOK(["search", "batch size", "--store", "backup", "--level", "org", "--json"])
        #expect(local.standardOutput.contains("plan.md"))

        // --database without --blobs, and a bad URL, are user errors that say what to give.
        let lonely = try runner.run(["list", "--store", "node-c", "--database", database])
        #expect(lonely.status == 1 && lonely.standardError.contains("--blobs"), "\(lonely.standardError)")
        let bad = try runner.run(["list", "--store", "node-c", "--database", "mysql://x@h/db", "--blobs", blobs], environment: credentials)
        #expect(bad.status == 1 && bad.standardError.contains("postgres://"), "\(bad.standardError)")
    }

    @Test(
        "reembed --embedder minilm on a shared store: run from one node, another node then searches with MiniLM's scores without the flag; back to hashed from that node",
        .enabled(
            if: available && (StoreEmbedderCommandTests.modelInstalled || StoreEmbedderCommandTests.required),
            "needs the test servers and the model (the README's test command sets up both)"))
    func sharedReembed() throws {
        let runner = try ProgramRunner()
        defer { runner.remove() }
        let (database, blobs, credentials) = Self.shared()
        let store = ["--database", database, "--blobs", blobs]
        try StoreEmbedderCommandTests.writeFiles(runner)
        _ = try runner.runOK(["ingest", "docs", "--store", "node-a"] + store, environment: credentials)
        let search = ["search", "--json", "--mode", "hybrid", StoreEmbedderCommandTests.query] + store
        let hashed = try StoreEmbedderCommandTests.scores(try runner.runOK(search + ["--store", "node-b"], environment: credentials))
        let switched = try runner.runOK(["reembed", "--embedder", "minilm", "--store", "node-a"] + store, environment: credentials)
        let count = StoreEmbedderCommandTests.files.count
        #expect(switched.standardError.contains("re-embedded \(count) of \(count) artifacts with minilm"), "\(switched.standardError)")
        // Node B's folder holds a hashed index: it is rebuilt from the MiniLM vectors.
        let onB = try StoreEmbedderCommandTests.scores(try runner.runOK(search + ["--store", "node-b"], environment: credentials))
        #expect(onB != hashed)
        #expect(onB == (try StoreEmbedderCommandTests.scores(try runner.runOK(search + ["--store", "node-a"], environment: credentials))))
        _ = try runner.runOK(["reembed", "--embedder", "hashed", "--store", "node-b"] + store, environment: credentials)
        #expect(try StoreEmbedderCommandTests.scores(try runner.runOK(search + ["--store", "node-a"], environment: credentials)) == hashed)
    }
}
