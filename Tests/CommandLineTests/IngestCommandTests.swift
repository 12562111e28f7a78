import Foundation
import Testing

@Suite("artifact-search ingest")
struct IngestCommandTests {
    /// A small project: two text files, a binary file, a symbolic link and an empty folder.
    static func makeProject(in runner: ProgramRunner) throws {
        try runner.write("project/notes/crash.md", text: "# Crash\nThe trainer died: CUDA out of memory at step 2000.\n")
        try runner.write("project/src/io_utils.py", text: "def atomic_write_json(path, obj):\n    pass\n")
        try runner.write("project/data/weights.bin", Data([0x00, 0x01, 0xFF, 0x00, 0x42]))
        try FileManager.default.createSymbolicLink(
            atPath: runner.folder.appendingPathComponent("project/link.md").path,
            withDestinationPath: "notes/crash.md")
        try FileManager.default.createDirectory(
            at: runner.folder.appendingPathComponent("project/empty"), withIntermediateDirectories: true)
    }

    @Test("a folder is walked recursively: files stored, binary not content-indexed, symlinks skipped")
    func ingestFolder() throws {
        let runner = try ProgramRunner()
        defer { runner.remove() }
        try Self.makeProject(in: runner)
        let result = try runner.runOK(["ingest", "project"])
        let summary = try #require(result.standardOutput.split(separator: "\n").last.map(String.init))
        #expect(summary.hasPrefix("Ingested 3 files ("))
        #expect(summary.contains("1 binary: stored, content not indexed"))
        #expect(summary.contains("files/s"))
        #expect(summary.contains("Skipped 1: 1 symbolic link."))
        // Few files: the new artifacts are listed above the summary, with their paths.
        #expect(result.standardOutput.contains("project/notes/crash.md"))
        #expect(result.standardOutput.contains("ID"))
        #expect(result.standardError.isEmpty)

        let listed = try runner.runOK(["list", "--json"]).jsonObjects()
        #expect(listed.count == 3)
        let names = Set(listed.compactMap { ($0["labels"] as? [String: Any])?["filename"] as? String })
        #expect(names == ["crash.md", "io_utils.py", "weights.bin"])
        let paths = listed.compactMap { ($0["labels"] as? [String: Any])?["source_path"] as? String }
        #expect(paths.allSatisfy { $0.hasPrefix("/") && $0.contains("/project/") })
    }

    @Test("--json prints the new artifacts on stdout and the summary on stderr; provenance is stamped")
    func ingestJSON() throws {
        let runner = try ProgramRunner()
        defer { runner.remove() }
        try runner.write("a.txt", text: "alpha")
        try runner.write("b.txt", text: "beta")
        let result = try runner.runOK([
            "ingest", "a.txt", "b.txt", "--json", "--kind", "note", "--tag", "t1", "--tag", "t2",
            "--label", "n=5", "--label", "s=\"5\"", "--label", "flag=true", "--label", "word=draft",
            "--metric", "score=0.5", "--run-id", "r1", "--session-id", "s1", "--user-id", "u1",
            "--org-id", "o1", "--client-id", "c1", "--app-id", "a1", "--graph-id", "g1", "--node-id", "n1",
        ])
        let artifacts = try result.jsonObjects()
        #expect(artifacts.count == 2)
        let first = try #require(artifacts.first)
        #expect(first["kind"] as? String == "note")
        #expect(first["tags"] as? [String] == ["t1", "t2"])
        for (key, value) in ["run_id": "r1", "session_id": "s1", "user_id": "u1", "org_id": "o1",
                             "client_id": "c1", "app_id": "a1", "graph_id": "g1", "node_id": "n1"] {
            #expect(first[key] as? String == value, "\(key)")
        }
        let labels = try #require(first["labels"] as? [String: Any])
        #expect(labels["n"] as? Double == 5)
        #expect(labels["s"] as? String == "5")
        #expect(labels["flag"] as? Bool == true)
        #expect(labels["word"] as? String == "draft")
        #expect((first["metrics"] as? [String: Any])?["score"] as? Double == 0.5)
        #expect(result.standardError.hasPrefix("Ingested 2 files"))
    }

    @Test("--as-directory stores a folder as one directory artifact")
    func ingestAsDirectory() throws {
        let runner = try ProgramRunner()
        defer { runner.remove() }
        try Self.makeProject(in: runner)
        let artifacts = try runner.runOK(["ingest", "project", "--as-directory", "--json"]).jsonObjects()
        #expect(artifacts.count == 1)
        let artifact = try #require(artifacts.first)
        #expect(artifact["kind"] as? String == "dir")
        #expect(artifact["mime"] as? String == "inode/directory")
        let id = try #require(artifact["artifact_id"] as? String)
        let manifest = try runner.runOK(["cat", id]).standardOutput
        #expect(manifest.contains("notes/crash.md"))
        #expect(!manifest.contains("link.md"))
        let hits = try runner.runOK(["search", "CUDA out of memory", "--json"]).jsonObjects()
        #expect(hits.first?["artifact_id"] as? String == id)
    }

    @Test("the store folder inside the ingested folder is never ingested")
    func skipsOwnStore() throws {
        let runner = try ProgramRunner()
        defer { runner.remove() }
        try runner.write("one.txt", text: "one")
        _ = try runner.runOK(["ingest", "one.txt"])
        let result = try runner.runOK(["ingest", "."])
        #expect(result.standardOutput.contains("Ingested 1 file ("))
        #expect(result.standardOutput.contains("1 store folder"))
    }

    @Test("unreadable files are reported and skipped; the run succeeds", .enabled(if: getuid() != 0, "root reads everything"))
    func unreadableFiles() throws {
        let runner = try ProgramRunner()
        defer { runner.remove() }
        try runner.write("dir/ok.txt", text: "fine")
        let secret = try runner.write("dir/secret.txt", text: "hidden")
        try FileManager.default.setAttributes([.posixPermissions: 0], ofItemAtPath: secret.path)
        let result = try runner.runOK(["ingest", "dir"])
        #expect(result.standardOutput.contains("Ingested 1 file ("))
        #expect(result.standardOutput.contains("1 unreadable"))
        #expect(result.standardError.contains("skipped \(secret.path): unreadable"))
    }

    #if os(Linux)
        @Test("a file that fails to read (even for root) is reported and skipped; the run succeeds")
        func failingRead() throws {
            let runner = try ProgramRunner()
            defer { runner.remove() }
            try runner.write("ok.txt", text: "fine")
            // Reading page 0 of a process's own memory fails with EIO.
            let result = try runner.runOK(["ingest", "/proc/self/mem", "ok.txt"])
            #expect(result.standardOutput.contains("Ingested 1 file ("))
            #expect(result.standardOutput.contains("Skipped 1: 1 unreadable."))
            #expect(result.standardError.hasPrefix("skipped /proc/self/mem: unreadable ("))
        }
    #endif

    @Test("a missing path is a user error and nothing is ingested")
    func missingPath() throws {
        let runner = try ProgramRunner()
        defer { runner.remove() }
        try runner.write("a.txt", text: "alpha")
        let result = try runner.run(["ingest", "a.txt", "does-not-exist"])
        #expect(result.status == 1)
        #expect(result.errorLines.count == 1)
        #expect(result.standardError.contains("does-not-exist"))
        // The paths are checked before the store is created.
        #expect(!FileManager.default.fileExists(atPath: runner.folder.appendingPathComponent(".artifact-search").path))
    }
}

@Suite("artifact-search ingest --skip-unchanged")
struct SkipUnchangedTests {
    @Test("re-ingesting with --skip-unchanged records only new and changed files")
    func skipUnchanged() throws {
        let runner = try ProgramRunner()
        defer { runner.remove() }
        try IngestCommandTests.makeProject(in: runner)
        _ = try runner.runOK(["ingest", "project"])
        let again = try runner.runOK(["ingest", "project", "--skip-unchanged"])
        #expect(again.standardOutput.contains("Ingested 0 files"))
        #expect(again.standardOutput.contains("3 unchanged"))

        try runner.write("project/notes/crash.md", text: "# Crash\nFixed: batch size halved.\n")
        try runner.write("project/notes/new.md", text: "A new note.\n")
        let changed = try runner.runOK(["ingest", "project", "--skip-unchanged", "--json"])
        let names = Set(try changed.jsonObjects().compactMap { ($0["labels"] as? [String: Any])?["filename"] as? String })
        #expect(names == ["crash.md", "new.md"])
        #expect(try runner.runOK(["list", "--json"]).jsonObjects().count == 5)

        // Without the flag every file is recorded again (every save is a new artifact).
        _ = try runner.runOK(["ingest", "project"])
        #expect(try runner.runOK(["list", "--json", "--limit", "100"]).jsonObjects().count == 9)
    }
}
