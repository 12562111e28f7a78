import Foundation
import Testing

/// Regression tests for faults found in review.
@Suite("Review findings: command line")
struct CommandLineReviewFindingsTests {
    @Test("best filters on --graph-id and --node-id like list and search, with or without a time window")
    func bestFiltersOnGraphAndNode() throws {
        let runner = try ProgramRunner()
        defer { runner.remove() }
        try runner.write("a.json", text: "{}")
        try runner.write("b.json", text: "{}")
        _ = try runner.runOK(["ingest", "a.json", "--graph-id", "g1", "--node-id", "n1", "--metric", "acc=0.9"])
        _ = try runner.runOK(["ingest", "b.json", "--graph-id", "g2", "--node-id", "n2", "--metric", "acc=0.5"])
        for window in [[], ["--time-window", "1h"]] {
            let byNode = try runner.runOK(["best", "--metric", "acc", "--node-id", "n2", "--json"] + window)
            #expect(Self.filename(byNode) == "b.json", "\(window)")
            let byGraph = try runner.runOK(["best", "--metric", "acc", "--graph-id", "g2", "--json"] + window)
            #expect(Self.filename(byGraph) == "b.json", "\(window)")
        }
    }

    @Test("eval: an unknown --mode and a non-finite --k1 are usage errors (exit 2), never a crash")
    func evalBadOptionsAreUsageErrors() throws {
        let runner = try ProgramRunner()
        defer { runner.remove() }
        for (arguments, message) in [
            (["eval", "--corpus", "nowhere", "--mode", "fuzzy"], "unknown search mode \"fuzzy\""),
            (["eval", "--corpus", "nowhere", "--mode", "structural"], "eval ranks by query"),
            (["eval", "--corpus", "nowhere", "--k1", "inf"], "k1"),
            (["eval", "--corpus", "nowhere", "--semantic-weight", "inf"], "semantic-weight"),
        ] {
            let result = try runner.run(arguments)
            #expect(result.status == 2, "\(arguments): \(result.standardError)")
            #expect(result.standardError.contains(message), "\(arguments): \(result.standardError)")
        }
    }

    static func filename(_ result: ProgramResult) -> String? {
        guard let object = try? result.json() as? [String: Any] else { return nil }
        return (object["labels"] as? [String: Any])?["filename"] as? String
    }
}
