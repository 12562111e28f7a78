import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite("artifact-search verify and damaged content")
struct VerifyCommandTests {
    /// The blob file of an artifact in the runner's store.
    static func blob(of id: String, in runner: ProgramRunner) throws -> URL {
        let record = try #require(try runner.runOK(["get", id]).json() as? [String: Any])
        let sha = try #require(record["sha256"] as? String)
        return runner.folder.appendingPathComponent(".artifact-search/blobs")
            .appendingPathComponent(String(sha.prefix(2))).appendingPathComponent(String(sha.dropFirst(2).prefix(2)))
            .appendingPathComponent(sha)
    }

    static func backdate(_ url: URL) throws {
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-7200)], ofItemAtPath: url.path)
    }

    @Test("cat refuses damaged bytes; verify reports damage and orphans, opening sweeps stale temporaries; --repair removes orphans, keeps the record")
    func verifyAndRepair() throws {
        let runner = try ProgramRunner()
        defer { runner.remove() }
        try runner.write("good.txt", text: "good content\n")
        try runner.write("bad.txt", text: "original content\n")
        let ingested = try runner.runOK(["ingest", "good.txt", "bad.txt", "--json"]).jsonObjects()
        let badID = try #require(ingested.first { ($0["labels"] as? [String: Any])?["filename"] as? String == "bad.txt" }?["artifact_id"] as? String)
        #expect(try runner.runOK(["verify"]).standardOutput.hasPrefix("ok: 2 artifact(s), 2 blob file(s)"))

        let blob = try Self.blob(of: badID, in: runner)
        chmod(blob.path, 0o644)
        try Data("tampered content\n".utf8).write(to: blob)
        let cat = try runner.run(["cat", badID])
        #expect(cat.status == 1)
        #expect(cat.standardOutput.isEmpty)
        #expect(cat.standardError.contains("artifact \(badID) is damaged"), "\(cat.standardError)")
        #expect(cat.standardError.contains(blob.path))

        let orphan = runner.folder.appendingPathComponent(".artifact-search/blobs/00/00/" + String(repeating: "0", count: 64))
        try FileManager.default.createDirectory(at: orphan.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data("left by a kill".utf8).write(to: orphan)
        try Self.backdate(orphan)
        let stale = runner.folder.appendingPathComponent(".artifact-search/tmp/01STALEPART.part")
        try Data(repeating: 1, count: 100).write(to: stale)
        try Self.backdate(stale)

        let report = try runner.run(["verify"])
        #expect(report.status == 1)
        #expect(report.standardOutput.contains("damaged: artifact \(badID): \(blob.path): sha256 mismatch"))
        #expect(report.standardOutput.contains("orphan blob: \(orphan.path)"))
        // Any command that opens the store for writing sweeps stale temporaries first.
        #expect(!FileManager.default.fileExists(atPath: stale.path))
        let json = try #require(try runner.run(["verify", "--json"]).json() as? [String: Any])
        #expect((json["orphan_blobs"] as? [String]) == [orphan.path])
        #expect((json["damaged_artifacts"] as? [[String: Any]])?.first?["artifact_id"] as? String == badID)

        let repair = try runner.run(["verify", "--repair"])
        #expect(repair.status == 1, "the damaged artifact cannot be repaired")
        #expect(repair.standardOutput.contains("repaired: removed orphan blob \(orphan.path)"))
        #expect(!FileManager.default.fileExists(atPath: orphan.path))
        #expect(try runner.runOK(["get", badID]).standardOutput.contains(badID), "the record stays")

        // Restoring the bytes heals it.
        try Data("original content\n".utf8).write(to: blob)
        #expect(try runner.runOK(["verify"]).standardOutput.hasPrefix("ok: 2 artifact(s)"))
        #expect(try runner.runOK(["cat", badID]).standardOutput == "original content\n")
    }

    @Test("A damaged artifact among the results does not hide the healthy ones: search shows both, the damaged one flagged")
    func searchWithDamagedResult() throws {
        let runner = try ProgramRunner()
        defer { runner.remove() }
        try runner.write("zebra.txt", text: "document about zebras\n")
        try runner.write("giraffe.txt", text: "document about giraffes\n")
        let ingested = try runner.runOK(["ingest", "zebra.txt", "giraffe.txt", "--json"]).jsonObjects()
        let zebra = try #require(ingested.first { ($0["labels"] as? [String: Any])?["filename"] as? String == "zebra.txt" }?["artifact_id"] as? String)
        let blob = try Self.blob(of: zebra, in: runner)
        try FileManager.default.removeItem(at: blob)
        try FileManager.default.createDirectory(at: blob, withIntermediateDirectories: false)
        let found = try runner.run(["search", "document", "--json", "--mode", "lexical"])
        #expect(found.status == 0, "\(found.standardError)")
        let results = try found.jsonObjects()
        #expect(results.count == 2)
        let damaged = try #require(results.first { $0["artifact_id"] as? String == zebra })
        #expect((damaged["snippet"] as? String)?.contains("damaged") == true)
        // Saving the same bytes again heals it, the folder in its place included.
        _ = try runner.runOK(["ingest", "zebra.txt"])
        #expect(try runner.runOK(["cat", zebra]).standardOutput == "document about zebras\n")
    }
}
