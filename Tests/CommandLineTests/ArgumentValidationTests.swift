import Foundation
import Testing

/// Command-line traps: names starting with `-`, negative and huge numbers, sizes that would
/// exhaust memory. Each is a usage error (exit 2) that names the real reason.
@Suite("artifact-search argument validation")
struct ArgumentValidationTests {
    static var storeFolder: String { ".artifact-search" }

    @Test("a path that looks like an option is named as an unknown option, with the way to ingest it", arguments: [
        "-q.txt", "-dash.txt", "-h.txt",
    ])
    func dashPathIsUnknownOption(name: String) throws {
        let runner = try ProgramRunner()
        defer { runner.remove() }
        try runner.write(name, text: "dash\n")
        for arguments in [["ingest", name], ["ingest", "--json", name], ["ingest", "other.txt", name]] {
            let result = try runner.run(arguments)
            #expect(result.status == 2, "\(arguments)")
            #expect(result.standardOutput.isEmpty, "\(arguments): \(result.standardOutput.prefix(200))")
            #expect(result.standardError.hasPrefix("Error: unknown option '\(name)'"), "\(arguments): \(result.standardError)")
            #expect(result.standardError.contains("use -- before it (artifact-search ingest -- \(name)) or ./\(name)"))
        }
        #expect(!FileManager.default.fileExists(atPath: runner.folder.appendingPathComponent(Self.storeFolder).path))

        let ingested = try runner.runOK(["ingest", "--json", "--", name])
        #expect(try ingested.jsonObjects().compactMap { ($0["labels"] as? [String: Any])?["filename"] as? String } == [name])
        let viaDot = try runner.runOK(["ingest", "--json", "./" + name])
        #expect(try viaDot.jsonObjects().count == 1)
    }

    @Test("a query that looks like an option is named as an unknown option; -h still asks for help")
    func dashQuery() throws {
        let runner = try ProgramRunner()
        defer { runner.remove() }
        for query in ["-foo", "-help-me"] {
            let result = try runner.run(["search", query])
            #expect(result.status == 2)
            #expect(result.standardOutput.isEmpty)
            #expect(result.standardError.hasPrefix("Error: unknown option '\(query)'"), "\(result.standardError)")
            #expect(result.standardError.contains("use -- before it (artifact-search search -- \(query))"))
        }
        for arguments in [["ingest", "-h"], ["search", "-h"], ["-h"], ["list", "--json", "-h"]] {
            let help = try runner.run(arguments)
            #expect(help.status == 0, "\(arguments)")
            #expect(help.standardOutput.contains("USAGE: artifact-search"), "\(arguments)")
        }
        let ids = try runner.run(["pin", "-x"])
        #expect(ids.status == 2)
        #expect(ids.standardError.contains("nknown option '-x'"), "\(ids.standardError)")
    }

    @Test(
        "negative, non-numeric and out-of-range values name the reason (exit 2)",
        arguments: [
            (["list", "--limit", "-1"], "must be at least 1"),
            (["list", "--limit", "0"], "must be at least 1"),
            (["list", "--limit", "99999999999999999999"], "too large"),
            (["list", "--limit", "100001"], "too large: at most 100,000"),
            (["list", "--limit", "ten"], "not a whole number"),
            (["search", "x", "--limit", "-1"], "must be at least 1"),
            (["search", "x", "--limit", "10001"], "too large: at most 10,000"),
            (["list", "--time-window", "-1d"], "cannot be negative"),
            (["search", "x", "--time-window", "-5m"], "cannot be negative"),
            (["list", "--time-window", "9223372036854775807s"], "too large"),
            (["best", "--metric", "m", "--time-window", "-1h"], "cannot be negative"),
            (["eval", "--corpus", "nowhere", "--k1", "-1"], "must be at least 0"),
            (["eval", "--corpus", "nowhere", "--b", "-0.5"], "must be at least 0"),
            (["eval", "--corpus", "nowhere", "--b", "1.5"], "too large: at most 1"),
            (["eval", "--corpus", "nowhere", "--semantic-weight", "-1"], "must be at least 0"),
            (["eval", "--corpus", "nowhere", "--query-typos", "-0.1"], "must be at least 0"),
            (["eval", "--corpus", "nowhere", "--dimension", "-5"], "must be at least 1"),
            (["eval", "--corpus", "nowhere", "--dimension", "100000000"], "too large: at most 16,384"),
            (["eval", "--corpus", "nowhere", "--rrf-window", "-1"], "must be at least 1"),
            (["eval", "--corpus", "nowhere", "--rrf-window", "100001"], "too large: at most 100,000"),
            (["eval", "--corpus", "nowhere", "--k1", "nan"], "finite"),
        ])
    func numericValues(arguments: [String], message: String) throws {
        let runner = try ProgramRunner()
        defer { runner.remove() }
        let result = try runner.run(arguments)
        #expect(result.status == 2, "\(arguments): \(result.standardError)")
        #expect(result.standardError.contains(message), "\(arguments): \(result.standardError)")
        #expect(!result.standardError.contains("Missing value"), "\(arguments): \(result.standardError)")
        #expect(result.standardOutput.isEmpty)
    }

    @Test("values inside the bounds are accepted, also in --option=value form")
    func boundsAreInclusive() throws {
        let runner = try ProgramRunner()
        defer { runner.remove() }
        try runner.write("a.txt", text: "alpha")
        _ = try runner.runOK(["ingest", "a.txt"])
        for arguments in [
            ["list", "--limit", "100000"], ["list", "--limit=1"], ["search", "alpha", "--limit", "10000"],
            ["list", "--time-window", "999999999999w"],
        ] {
            let result = try runner.run(arguments + ["--json"])
            #expect(result.status == 0, "\(arguments): \(result.standardError)")
            #expect(try result.jsonObjects().count == 1, "\(arguments)")
        }
        // A zero window is [now, now]: valid, and older artifacts fall outside it.
        #expect(try runner.runOK(["list", "--time-window", "0s", "--json"]).standardOutput == "[]\n")
    }
}
