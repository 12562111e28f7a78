import Foundation
import Testing

@Suite("artifact-search labels: JSON values, nesting and grammar")
struct LabelNestingCommandTests {
    static func nested(_ depth: Int) -> String {
        String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
    }

    @Test("A label nested to the documented limit (500) saves and every --json output still works; 501 is refused")
    func labelAtLimit() throws {
        let runner = try ProgramRunner()
        defer { runner.remove() }
        try runner.write("f.txt", text: "hello deep label\n")
        _ = try runner.runOK(["ingest", "f.txt", "--label", "k=\(Self.nested(500))"])
        #expect(try runner.runOK(["list", "--json"]).jsonObjects().count == 1)
        #expect(try runner.runOK(["search", "hello", "--json"]).jsonObjects().count == 1)
        let refused = try runner.run(["ingest", "f.txt", "--label", "k=\(Self.nested(501))"])
        #expect(refused.status == 1)
        #expect(refused.standardError.contains("more than 500 levels"), "\(refused.standardError.prefix(300))")
        #expect(refused.errorLines.count == 1)
    }

    @Test("A label value with a trailing comma is not JSON, so it is kept as the string given")
    func trailingCommaIsString() throws {
        let runner = try ProgramRunner()
        defer { runner.remove() }
        try runner.write("f.txt", text: "x\n")
        let saved = try #require(try runner.runOK(["ingest", "f.txt", "--label", "k=[1,2,]", "--json"]).jsonObjects().first)
        #expect((saved["labels"] as? [String: Any])?["k"] as? String == "[1,2,]")
    }

    @Test("--max-indexed-bytes -1 names the real reason; --store before an unknown subcommand names the subcommand")
    func usageMessages() throws {
        let runner = try ProgramRunner()
        defer { runner.remove() }
        try runner.write("f.txt", text: "x\n")
        let negative = try runner.run(["ingest", "f.txt", "--max-indexed-bytes", "-1"])
        #expect(negative.status == 2)
        #expect(negative.standardError.contains("must be at least 0"), "\(negative.standardError)")
        let bogus = try runner.run(["--store", "/tmp/nowhere", "bogus"])
        #expect(bogus.status == 2)
        #expect(bogus.standardError.contains("bogus"), "\(bogus.standardError)")
        #expect(!bogus.standardError.contains("Unknown option '--store'"))
    }
}
