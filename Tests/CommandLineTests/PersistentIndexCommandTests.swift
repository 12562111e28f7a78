import Foundation
import Testing

@Suite("artifact-search and the persistent search index")
struct PersistentIndexCommandTests {
    static func indexFiles(_ runner: ProgramRunner) throws -> [String] {
        let folder = runner.folder.appendingPathComponent(".artifact-search/index")
        return try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { !$0.hasPrefix(".") }.sorted()
    }

    @Test("ingest commits a segment; later saves are found from the tail and committed by the next search; a deleted or damaged index folder is rebuilt")
    func lifecycle() throws {
        let runner = try ProgramRunner()
        defer { runner.remove() }
        try runner.write("a/one.txt", text: "the osprey nests by the lake\n")
        try runner.write("a/two.txt", text: "kestrels hover over the field\n")
        _ = try runner.runOK(["ingest", "a"])
        let afterIngest = try Self.indexFiles(runner)
        #expect(afterIngest.filter { $0.hasPrefix("commit-") }.count == 1, "\(afterIngest)")
        #expect(afterIngest.filter { $0.hasPrefix("segment-") }.count == 1, "\(afterIngest)")
        #expect(try runner.runOK(["search", "osprey", "--json", "--mode", "lexical"]).jsonObjects().count == 1)

        // Saved by another process after the commit: found (tail), then committed by that search.
        try runner.write("b/three.txt", text: "an osprey dives for fish\n")
        _ = try runner.runOK(["ingest", "b"])
        #expect(try runner.runOK(["search", "osprey", "--json", "--mode", "lexical"]).jsonObjects().count == 2)
        #expect(try Self.indexFiles(runner).filter { $0.hasPrefix("segment-") }.count == 2)

        // The index is derived data: without it (a store written before it existed), or damaged,
        // every search answers the same and the folder is written again.
        let index = runner.folder.appendingPathComponent(".artifact-search/index")
        let expected = try runner.runOK(["search", "osprey kestrel", "--json"]).jsonObjects().map { $0["artifact_id"] as? String }
        try FileManager.default.removeItem(at: index)
        #expect(try runner.runOK(["search", "osprey kestrel", "--json"]).jsonObjects().map { $0["artifact_id"] as? String } == expected)
        let segment = try #require(try Self.indexFiles(runner).first { $0.hasPrefix("segment-") })
        let url = index.appendingPathComponent(segment)
        let pristine = try Data(contentsOf: url)
        // Damage in the header is found on open: the index is rebuilt.
        var bytes = pristine
        bytes[30] ^= 0x55
        try FileManager.default.removeItem(at: url)
        try bytes.write(to: url)
        #expect(try runner.runOK(["search", "osprey kestrel", "--json"]).jsonObjects().map { $0["artifact_id"] as? String } == expected)
        #expect(try runner.runOK(["verify"]).standardOutput.hasPrefix("ok: 3 artifact(s)"))
        // Damage inside a section is not looked for on open (reads stay in bounds); verify
        // names it and verify --repair rebuilds the index.
        let rebuilt = try #require(try Self.indexFiles(runner).first { $0.hasPrefix("segment-") })
        let rebuiltURL = index.appendingPathComponent(rebuilt)
        bytes = try Data(contentsOf: rebuiltURL)
        bytes[bytes.count - 3] ^= 0x55
        try FileManager.default.removeItem(at: rebuiltURL)
        try bytes.write(to: rebuiltURL)
        #expect(try runner.run(["search", "osprey kestrel", "--json"]).status == 0)
        let damaged = try runner.run(["verify"])
        #expect(damaged.status == 1, "\(damaged.standardOutput)")
        #expect(damaged.standardOutput.contains(rebuilt), "\(damaged.standardOutput)")
        _ = try runner.runOK(["verify", "--repair"])
        #expect(try runner.runOK(["verify"]).standardOutput.hasPrefix("ok: 3 artifact(s)"))
        #expect(try runner.runOK(["search", "osprey kestrel", "--json"]).jsonObjects().map { $0["artifact_id"] as? String } == expected)
    }
}
