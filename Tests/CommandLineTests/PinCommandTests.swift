import Foundation
import Testing

/// `pin` and `unpin` check every id before changing anything.
@Suite("artifact-search pin and unpin")
struct PinCommandTests {
    /// Ingests two files; returns their ids.
    static func twoArtifacts(in runner: ProgramRunner) throws -> (String, String) {
        try runner.write("a.txt", text: "alpha")
        try runner.write("b.txt", text: "beta")
        let ids = try runner.runOK(["ingest", "a.txt", "b.txt", "--json"]).jsonObjects().compactMap { $0["artifact_id"] as? String }
        try #require(ids.count == 2)
        return (ids[0], ids[1])
    }

    static func isPinned(_ id: String, in runner: ProgramRunner) throws -> Bool? {
        (try runner.runOK(["get", id, "--json"]).json() as? [String: Any])?["pinned"] as? Bool
    }

    @Test("an unknown id among known ones pins nothing and names every unknown id")
    func unknownIDPinsNothing() throws {
        let runner = try ProgramRunner()
        defer { runner.remove() }
        let (first, second) = try Self.twoArtifacts(in: runner)
        let result = try runner.run(["pin", first, "NOPE1", second, "NOPE2"])
        #expect(result.status == 1)
        #expect(result.standardOutput.isEmpty)
        #expect(result.errorLines.count == 1)
        #expect(result.standardError.contains("\"NOPE1\", \"NOPE2\""), "\(result.standardError)")
        #expect(result.standardError.contains("nothing was pinned"), "\(result.standardError)")
        #expect(!result.standardError.contains(first))
        #expect(try Self.isPinned(first, in: runner) == false)
        #expect(try Self.isPinned(second, in: runner) == false)

        let both = try runner.runOK(["pin", first, second])
        #expect(both.standardOutput.split(separator: "\n").map { String($0.prefix(33)) } == ["pinned \(first)", "pinned \(second)"])
        #expect(try Self.isPinned(first, in: runner) == true)
        #expect(try Self.isPinned(second, in: runner) == true)
    }

    @Test("unpin with an unknown id unpins nothing")
    func unknownIDUnpinsNothing() throws {
        let runner = try ProgramRunner()
        defer { runner.remove() }
        let (first, second) = try Self.twoArtifacts(in: runner)
        _ = try runner.runOK(["pin", first, second])
        let result = try runner.run(["unpin", first, "NOPE", second, "--json"])
        #expect(result.status == 1)
        #expect(result.standardOutput.isEmpty)
        #expect(result.errorLines.count == 1)
        #expect(result.standardError.contains("\"NOPE\""))
        #expect(result.standardError.contains("nothing was unpinned"), "\(result.standardError)")
        #expect(try Self.isPinned(first, in: runner) == true)
        #expect(try Self.isPinned(second, in: runner) == true)
    }

    @Test("an id given twice is updated and printed once")
    func repeatedID() throws {
        let runner = try ProgramRunner()
        defer { runner.remove() }
        let (first, _) = try Self.twoArtifacts(in: runner)
        let result = try runner.runOK(["pin", first, first, "--json"])
        #expect(try result.jsonObjects().compactMap { $0["artifact_id"] as? String } == [first])
    }
}
