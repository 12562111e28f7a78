import Foundation
import Testing

/// `delete` and `gc` end to end: what they print, what is gone afterwards for a new process.
@Suite("artifact-search delete and gc")
struct DeleteCommandTests {
    @Test("delete checks every id first, then removes records, search hits and unshared bytes")
    func deleteCommand() throws {
        let runner = try ProgramRunner()
        defer { runner.remove() }
        try runner.write("keep.txt", text: "kept note about walruses")
        try runner.write("oops.txt", text: "leaked password hunterzebra walruses")
        var byName: [String: String] = [:]
        for record in try runner.runOK(["ingest", "keep.txt", "oops.txt", "--json"]).jsonObjects() {
            if let id = record["artifact_id"] as? String, let name = (record["labels"] as? [String: Any])?["filename"] as? String {
                byName[name] = id
            }
        }
        let keep = try #require(byName["keep.txt"])
        let oops = try #require(byName["oops.txt"])

        let refused = try runner.run(["delete", oops, "NOPE"])
        #expect(refused.status == 1 && refused.standardError.contains("nothing was deleted"), "\(refused.standardError)")
        #expect(try runner.run(["get", oops]).status == 0)
        #expect(try runner.run(["delete"]).status == 2)

        let deleted = try runner.runOK(["delete", oops, "--json"])
        let report = try #require(try deleted.json() as? [String: Any])
        #expect((report["deleted"] as? [[String: Any]])?.compactMap { $0["artifact_id"] as? String } == [oops])
        #expect((report["removed_blobs"] as? [String])?.count == 1)
        #expect(report["freed_bytes"] as? Int == "leaked password hunterzebra walruses".utf8.count)
        #expect(report["index_rewritten"] as? Bool == true)

        #expect(try runner.run(["get", oops]).status == 1)
        let hits = try runner.runOK(["search", "hunterzebra walruses", "--json"]).jsonObjects()
        #expect(hits.compactMap { $0["artifact_id"] as? String } == [keep])
        let lexical = try runner.runOK(["search", "hunterzebra", "--mode", "lexical", "--json"])
        #expect(try lexical.jsonObjects().isEmpty, "\(lexical.standardOutput) \(keep) \(oops)")
        #expect(try runner.runOK(["verify"]).standardOutput.contains("everything matches"))
        let human = try runner.runOK(["delete", keep])
        #expect(human.standardOutput.hasPrefix("deleted \(keep)"), "\(human.standardOutput)")
        #expect(human.standardOutput.contains("Deleted 1 artifact; 1 blob removed"), "\(human.standardOutput)")
    }

    @Test("gc --unpinned-older-than: nothing young, never pinned; --dry-run deletes nothing")
    func garbageCollect() throws {
        let runner = try ProgramRunner()
        defer { runner.remove() }
        try runner.write("a.txt", text: "alpha")
        try runner.write("b.txt", text: "beta")
        let ids = try runner.runOK(["ingest", "a.txt", "b.txt", "--json"]).jsonObjects().compactMap { $0["artifact_id"] as? String }
        try #require(ids.count == 2)
        _ = try runner.runOK(["pin", ids[1]])
        // Everything is younger than a day: nothing goes.
        let young = try runner.runOK(["gc", "--unpinned-older-than", "1d"])
        #expect(young.standardOutput.contains("Deleted 0 artifacts"), "\(young.standardOutput)")
        // Older than 0 s: every unpinned artifact. First a dry run.
        let dry = try runner.runOK(["gc", "--unpinned-older-than", "0s", "--dry-run", "--json"])
        let plan = try #require(try dry.json() as? [String: Any])
        #expect(plan["dry_run"] as? Bool == true && plan["pinned_kept"] as? Int == 1)
        #expect((plan["deleted"] as? [[String: Any]])?.compactMap { $0["artifact_id"] as? String } == [ids[0]])
        #expect(try runner.run(["get", ids[0]]).status == 0)
        let done = try runner.runOK(["gc", "--unpinned-older-than", "0s"])
        #expect(done.standardOutput.contains("Deleted 1 artifact") && done.standardOutput.contains("1 pinned kept"), "\(done.standardOutput)")
        #expect(try runner.run(["get", ids[0]]).status == 1)
        #expect(try runner.run(["get", ids[1]]).status == 0)
        #expect(try runner.run(["gc"]).status == 2)
        #expect(try runner.run(["gc", "--unpinned-older-than", "soon"]).status == 2)
    }
}
