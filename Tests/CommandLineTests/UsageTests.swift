import Foundation
import Testing

@Suite("artifact-search usage, help and errors")
struct UsageTests {
    static let subcommands = ["ingest", "search", "list", "get", "cat", "best", "pin", "unpin", "eval"]

    @Test("--help on the program and every subcommand exits 0 with an example", arguments: [""] + subcommands)
    func help(subcommand: String) throws {
        let runner = try ProgramRunner()
        defer { runner.remove() }
        let result = try runner.run((subcommand.isEmpty ? [] : [subcommand]) + ["--help"])
        #expect(result.status == 0)
        #expect(result.standardOutput.contains("USAGE: artifact-search"))
        #expect(result.standardOutput.contains("Example"))
        #expect(result.standardError.isEmpty)
    }

    @Test(
        "bad command lines exit 2 with the reason on stderr",
        arguments: [
            (["frobnicate"], "Unexpected argument"),
            (["search", "x", "--mode", "fuzzy"], "unknown search mode \"fuzzy\""),
            (["list", "--level", "team"], "unknown level \"team\""),
            (["list", "--time-window", "7 days"], "invalid time window"),
            (["search", "x", "--time-window", "1.5h"], "invalid time window"),
            (["search", "x", "--label", "novalue"], "is not key=value"),
            (["ingest", "a.txt", "--metric", "acc=high"], "not a finite number"),
            (["search", "x", "--limit", "0"], "must be at least 1"),
            (["list", "--no-such-option"], "Unknown option"),
            (["ingest"], "give at least one file or folder"),
            (["get"], "Missing expected argument"),
            (["best", "--kind", "eval"], "Missing expected argument '--metric"),
        ])
    func usageErrors(arguments: [String], message: String) throws {
        let runner = try ProgramRunner()
        defer { runner.remove() }
        let result = try runner.run(arguments)
        #expect(result.status == 2)
        #expect(result.standardError.contains(message), "stderr: \(result.standardError)")
        #expect(result.standardOutput.isEmpty)
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

    @Test("user errors exit 1 with one line on stderr that says what to do")
    func userErrors() throws {
        let runner = try ProgramRunner()
        defer { runner.remove() }
        let noStore = try runner.run(["list"])
        #expect(noStore.status == 1)
        #expect(noStore.errorLines.count == 1)
        #expect(noStore.standardError.hasPrefix("artifact-search: error: no store at "))
        #expect(noStore.standardError.contains("ingest"))
        #expect(!FileManager.default.fileExists(atPath: runner.folder.appendingPathComponent(".artifact-search").path))

        try runner.write("a.txt", text: "alpha")
        _ = try runner.runOK(["ingest", "a.txt"])
        for arguments in [["get", "01HV3K6Z9Q8X7W5T4R3P2N1M0A"], ["cat", "nope"], ["unpin", "nope"]] {
            let result = try runner.run(arguments)
            #expect(result.status == 1, "\(arguments)")
            #expect(result.errorLines.count == 1, "\(arguments): \(result.standardError)")
            #expect(result.standardError.contains("no artifact with id"))
        }
    }

    @Test("the store comes from --store (also before the subcommand) or ARTIFACT_SEARCH_STORE")
    func storeLocation() throws {
        let runner = try ProgramRunner()
        defer { runner.remove() }
        try runner.write("a.txt", text: "alpha")
        _ = try runner.runOK(["--store", "custom", "ingest", "a.txt"])
        #expect(FileManager.default.fileExists(atPath: runner.folder.appendingPathComponent("custom/index.sqlite").path))
        #expect(try runner.runOK(["list", "--store", "custom", "--json"]).jsonObjects().count == 1)
        let viaEnvironment = try runner.run(["list", "--json"], environment: ["ARTIFACT_SEARCH_STORE": "custom"])
        #expect(viaEnvironment.status == 0)
        #expect(try viaEnvironment.jsonObjects().count == 1)
        #expect(try runner.run(["list"]).status == 1)  // ./.artifact-search does not exist
    }
}
