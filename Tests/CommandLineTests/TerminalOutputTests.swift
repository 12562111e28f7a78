import Foundation
import Testing

/// Names, labels and contents reach the terminal with their control characters escaped
/// (`\e`, `\r`, `\n`, `\t`, else `\u{7}`); `--json` keeps them exact.
@Suite("artifact-search terminal output")
struct TerminalOutputTests {
    /// A file name with an ANSI colour sequence, a carriage return, a bell, DEL and a C1 CSI.
    static let hostileName = "evil\u{1B}[31mred\r\u{7}\u{7F}\u{9B}.txt"
    /// The same name as human output shows it.
    static let escapedName = #"evil\e[31mred\r\u{7}\u{7F}\u{9B}.txt"#

    /// The scalars of `text` a terminal would act on: C0 controls other than the line feed
    /// that ends lines, DEL and C1 controls.
    static func rawControls(in text: String) -> [UInt32] {
        text.unicodeScalars.map(\.value).filter { $0 < 0x20 && $0 != 0x0A || (0x7F...0x9F).contains($0) }
    }

    static func expectNoRawControls(
        _ result: ProgramResult, _ context: String, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(rawControls(in: result.standardOutput).isEmpty, "stdout of \(context)", sourceLocation: sourceLocation)
        #expect(rawControls(in: result.standardError).isEmpty, "stderr of \(context)", sourceLocation: sourceLocation)
    }

    @Test("ingest, list, search (cells and snippets), best and pin escape control characters")
    func humanOutputIsEscaped() throws {
        let runner = try ProgramRunner()
        defer { runner.remove() }
        // The content holds controls the snippet must not pass through either (C1 CSI, ESC).
        try runner.write(Self.hostileName, text: "alpha gamma \u{9B}2J delta \u{1B}[1m bold\n")
        let ingested = try runner.runOK([
            "ingest", Self.hostileName, "--kind", "k\u{7}ind", "--metric", "acc\u{1B}[0m=0.5",
        ])
        Self.expectNoRawControls(ingested, "ingest")
        #expect(ingested.standardOutput.contains(Self.escapedName))
        #expect(ingested.standardOutput.contains(#"k\u{7}ind"#))

        let listed = try runner.runOK(["list"])
        Self.expectNoRawControls(listed, "list")
        #expect(listed.standardOutput.contains(Self.escapedName))
        #expect(listed.standardOutput.contains(#"acc\e[0m=0.5"#))

        let found = try runner.runOK(["search", "gamma delta"])
        Self.expectNoRawControls(found, "search")
        #expect(found.standardOutput.contains(Self.escapedName))
        let lines = found.standardOutput.split(separator: "\n").map(String.init)
        #expect(lines.count == 3)  // header, row, snippet
        // Control characters in content become spaces in a snippet, like whitespace.
        #expect(lines.last?.trimmingCharacters(in: .whitespaces) == "alpha gamma 2J delta [1m bold", "\(lines)")

        // A directory's snippet lists its file names.
        try runner.write("bundle/" + Self.hostileName, text: "inside\n")
        _ = try runner.runOK(["ingest", "bundle", "--as-directory"])
        let newest = try runner.runOK(["search", "--mode", "structural", "--limit", "1"])
        Self.expectNoRawControls(newest, "search --mode structural")
        #expect(newest.standardOutput.contains("1 files: " + Self.escapedName))

        let best = try runner.runOK(["best", "--metric", "acc\u{1B}[0m", "--kind", "k\u{7}ind"])
        Self.expectNoRawControls(best, "best")
        #expect(best.standardOutput.contains(Self.escapedName))

        let id = try #require(try runner.runOK(["list", "--json", "--kind", "k\u{7}ind"]).jsonObjects().first?["artifact_id"] as? String)
        let pinned = try runner.runOK(["pin", id])
        Self.expectNoRawControls(pinned, "pin")
        #expect(pinned.standardOutput == "pinned \(id)  \(Self.escapedName)\n")
    }

    @Test("--json keeps the exact name (real JSON escapes, no raw control bytes)")
    func jsonIsExact() throws {
        let runner = try ProgramRunner()
        defer { runner.remove() }
        try runner.write(Self.hostileName, text: "alpha gamma\n")
        let ingested = try runner.runOK(["ingest", Self.hostileName, "--json"])
        for result in [
            ingested, try runner.runOK(["list", "--json"]), try runner.runOK(["search", "gamma", "--json"]),
        ] {
            Self.expectNoRawControls(result, "--json")
            let artifact = try #require(try result.jsonObjects().first)
            let labels = try #require(artifact["labels"] as? [String: Any])
            #expect(labels["filename"] as? String == Self.hostileName)
            #expect((labels["source_path"] as? String)?.hasSuffix("/" + Self.hostileName) == true)
        }
        let id = try #require(try ingested.jsonObjects().first?["artifact_id"] as? String)
        let record = try runner.runOK(["get", id])
        Self.expectNoRawControls(record, "get")
        let decoded = try #require(try record.json() as? [String: Any])
        #expect((decoded["labels"] as? [String: Any])?["filename"] as? String == Self.hostileName)
    }

    @Test("error messages escape control characters and stay on one line")
    func errorsAreEscaped() throws {
        let runner = try ProgramRunner()
        defer { runner.remove() }
        let missing = try runner.run(["ingest", "missing\u{1B}[31m\r\nfile"])
        #expect(missing.status == 1)
        Self.expectNoRawControls(missing, "ingest of a missing path")
        #expect(missing.errorLines.count == 1)
        #expect(missing.standardError.contains(#"missing\e[31m\r\nfile"#))

        try runner.write("a.txt", text: "alpha")
        _ = try runner.runOK(["ingest", "a.txt"])
        let unknown = try runner.run(["pin", "NOPE\u{1B}]0;title\u{7}"])
        #expect(unknown.status == 1)
        Self.expectNoRawControls(unknown, "pin of an unknown id")
        #expect(unknown.errorLines.count == 1)
        #expect(unknown.standardError.contains(#"NOPE\e]0;title\u{7}"#))

        let badLabel = try runner.run(["list", "--label", "no\u{1B}value"])
        #expect(badLabel.status == 2)
        Self.expectNoRawControls(badLabel, "a bad --label")
        #expect(badLabel.standardError.contains(#"no\evalue"#))

        // No digits in the query: the store's path (a UUID) would match them.
        let noMatch = try runner.runOK(["search", "zebra\u{1B}[Kquokka", "--mode", "lexical"])
        Self.expectNoRawControls(noMatch, "search without matches")
        #expect(noMatch.standardOutput.hasPrefix(#"No artifacts match "zebra\e[Kquokka""#))
    }

    @Test("a query without matches is shortened to 80 characters in the message, on one line")
    func longQueryIsShortened() throws {
        let runner = try ProgramRunner()
        defer { runner.remove() }
        try runner.write("a.txt", text: "alpha")
        _ = try runner.runOK(["ingest", "a.txt"])
        let query = String(repeating: "zebra quokka\n", count: 7_700)  // ≈ 100 KB
        let result = try runner.runOK(["search", query, "--mode", "lexical"])
        let expected = "No artifacts match \"" + TerminalOutputTests.escapedPrefix(of: query) + "…\":"
        #expect(result.standardOutput.hasPrefix(expected), "\(result.standardOutput.prefix(300))")
        #expect(result.standardOutput.split(separator: "\n").count == 1)
        #expect(result.standardOutput.utf8.count < 300)
        #expect(result.standardError.isEmpty)
    }

    /// The first 80 characters of `text` with line feeds shown as `\n`.
    static func escapedPrefix(of text: String) -> String {
        String(text.prefix(80)).replacingOccurrences(of: "\n", with: #"\n"#)
    }
}
