import Foundation
import Testing

/// A blank query (or one without an indexable word) in an explicit query mode matches nothing
/// and says why on standard error; `auto` and `structural` list newest first.
@Suite("artifact-search search: blank queries")
struct BlankQueryTests {
    static func twoFiles(in runner: ProgramRunner) throws {
        try runner.write("old.txt", text: "the first note")
        try runner.write("new.txt", text: "the second note")
        _ = try runner.runOK(["ingest", "old.txt"])
        _ = try runner.runOK(["ingest", "new.txt"])
    }

    @Test("a blank query in lexical, semantic or hybrid mode prints nothing ([] with --json) and says why", arguments: [
        "lexical", "semantic", "hybrid",
    ])
    func blankQueryInQueryMode(mode: String) throws {
        let runner = try ProgramRunner()
        defer { runner.remove() }
        try Self.twoFiles(in: runner)
        for query in [["   "], [""], []] {
            let human = try runner.runOK(["search"] + query + ["--mode", mode])
            #expect(human.standardOutput.isEmpty, "\(query): \(human.standardOutput)")
            #expect(human.errorLines.count == 1)
            #expect(human.standardError.contains("blank query"), "\(human.standardError)")
            #expect(human.standardError.contains("--mode \(mode)"), "\(human.standardError)")
            let json = try runner.runOK(["search"] + query + ["--mode", mode, "--json"])
            #expect(json.standardOutput == "[]\n")
            #expect(json.errorLines.count == 1)
        }
    }

    @Test("a query without an indexable word in a query mode says so", arguments: ["lexical", "semantic", "hybrid"])
    func stopWordsOnly(mode: String) throws {
        let runner = try ProgramRunner()
        defer { runner.remove() }
        try Self.twoFiles(in: runner)
        let result = try runner.runOK(["search", "the of", "--mode", mode, "--json"])
        #expect(result.standardOutput == "[]\n")
        #expect(result.errorLines.count == 1)
        #expect(result.standardError.contains("no word to search for"), "\(result.standardError)")
    }

    @Test("auto and structural with a blank query list newest first")
    func blankQueryListsNewestFirst() throws {
        let runner = try ProgramRunner()
        defer { runner.remove() }
        try Self.twoFiles(in: runner)
        for arguments in [["search", "   "], ["search", "  ", "--mode", "auto"], ["search", "", "--mode", "structural"], ["search"]] {
            let result = try runner.runOK(arguments + ["--json"])
            let names = try result.jsonObjects().compactMap { ($0["labels"] as? [String: Any])?["filename"] as? String }
            #expect(names == ["new.txt", "old.txt"], "\(arguments)")
            #expect(result.standardError.isEmpty, "\(arguments): \(result.standardError)")
        }
    }
}
