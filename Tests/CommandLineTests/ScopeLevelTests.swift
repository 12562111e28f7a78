import Foundation
import Testing

/// `--level scope` reads the scope id that `ingest` stamps for the same ids (SPEC §4: the
/// first present of session, user, run, org, app; else `global`); `--scope-id` names one.
@Suite("artifact-search --level scope and --scope-id")
struct ScopeLevelTests {
    /// a.txt with session s1, b.txt with run r2, c.txt with both s3 and r3, d.txt without ids.
    static func ingestFour(in runner: ProgramRunner) throws {
        for name in ["a.txt", "b.txt", "c.txt", "d.txt"] { try runner.write(name, text: name) }
        _ = try runner.runOK(["ingest", "a.txt", "--session-id", "s1"])
        _ = try runner.runOK(["ingest", "b.txt", "--run-id", "r2"])
        _ = try runner.runOK(["ingest", "c.txt", "--session-id", "s3", "--run-id", "r3"])
        _ = try runner.runOK(["ingest", "d.txt"])
    }

    static func names(_ arguments: [String], in runner: ProgramRunner) throws -> [String] {
        try runner.runOK(arguments + ["--json"]).jsonObjects().compactMap {
            ($0["labels"] as? [String: Any])?["filename"] as? String
        }
    }

    @Test("--level scope with the ids of an ingest finds exactly what that ingest saved")
    func levelScopeUsesTheIngestScopeID() throws {
        let runner = try ProgramRunner()
        defer { runner.remove() }
        try Self.ingestFour(in: runner)
        let stamped = try runner.runOK(["list", "--json"]).jsonObjects().reduce(into: [String: String]()) { map, record in
            if let name = (record["labels"] as? [String: Any])?["filename"] as? String { map[name] = record["scope_id"] as? String }
        }
        #expect(stamped == ["a.txt": "session:s1", "b.txt": "run:r2", "c.txt": "session:s3", "d.txt": "global"])

        #expect(try Self.names(["list", "--level", "scope", "--session-id", "s1"], in: runner) == ["a.txt"])
        #expect(try Self.names(["list", "--level", "scope", "--run-id", "r2"], in: runner) == ["b.txt"])
        #expect(try Self.names(["list", "--level", "scope", "--session-id", "s3", "--run-id", "r3"], in: runner) == ["c.txt"])
        #expect(try Self.names(["list", "--level", "scope"], in: runner) == ["d.txt"])
        #expect(try Self.names(["search", "", "--level", "scope", "--run-id", "r2"], in: runner) == ["b.txt"])
        #expect(try Self.names(["search", "b.txt", "--mode", "lexical", "--level", "scope", "--run-id", "r2"], in: runner) == ["b.txt"])
    }

    @Test("--scope-id names a scope id on reads (any level) and stamps it on ingest")
    func scopeIDOption() throws {
        let runner = try ProgramRunner()
        defer { runner.remove() }
        try Self.ingestFour(in: runner)
        #expect(try Self.names(["list", "--scope-id", "run:r2"], in: runner) == ["b.txt"])
        #expect(try Self.names(["list", "--level", "scope", "--scope-id", "session:s1"], in: runner) == ["a.txt"])
        #expect(try Self.names(["list", "--scope-id", "session:s3", "--run-id", "r3"], in: runner) == ["c.txt"])
        #expect(try Self.names(["list", "--scope-id", "session:s3", "--run-id", "r2"], in: runner).isEmpty)
        #expect(try Self.names(["search", "b.txt", "--scope-id", "run:r2"], in: runner) == ["b.txt"])

        try runner.write("e.txt", text: "e")
        let saved = try runner.runOK(["ingest", "e.txt", "--scope-id", "project:x", "--session-id", "s1", "--json"]).jsonObjects()
        #expect(saved.first?["scope_id"] as? String == "project:x")
        #expect(saved.first?["session_id"] as? String == "s1")
        #expect(try Self.names(["list", "--scope-id", "project:x"], in: runner) == ["e.txt"])
        #expect(try Self.names(["list", "--level", "scope", "--session-id", "s1"], in: runner) == ["a.txt"])
    }
}
