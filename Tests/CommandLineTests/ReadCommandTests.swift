import Foundation
import Testing

@Suite("artifact-search search, list, get, cat, best, pin")
struct ReadCommandTests {
    @Test("search after ingest (separate processes) finds the file, with snippet, score and explanation")
    func searchFindsIngestedFiles() throws {
        let runner = try ProgramRunner()
        defer { runner.remove() }
        try IngestCommandTests.makeProject(in: runner)
        _ = try runner.runOK(["ingest", "project"])

        let human = try runner.runOK(["search", "out of memory"])
        let lines = human.standardOutput.split(separator: "\n").map(String.init)
        let header = try #require(lines.first)
        for column in ["#", "SCORE", "ID", "NAME", "KIND", "AGE"] { #expect(header.contains(column)) }
        #expect(lines[1].contains("project/notes/crash.md"))
        #expect(lines[1].contains("file"))
        #expect(lines[1].contains("just now") || lines[1].contains("s ago"))
        // The snippet line: whitespace collapsed, around the match, at most ~100 characters.
        #expect(lines[2].contains("CUDA out of memory at step 2000."))
        #expect(lines[2].trimmingCharacters(in: .whitespaces).count <= 102)

        let json = try runner.runOK(["search", "atomic_write_json", "--json", "--explain"]).jsonObjects()
        let top = try #require(json.first)
        #expect((top["labels"] as? [String: Any])?["filename"] as? String == "io_utils.py")
        #expect(top["score"] is Double)
        #expect((top["snippet"] as? String)?.contains("def atomic_write_json(path, obj):") == true)
        let explanation = try #require(top["explanation"] as? [String: Any])
        #expect((explanation["lexical"] as? [String: Any])?["rank"] as? Int == 1)
        #expect((explanation["lexical"] as? [String: Any])?["score"] is Double)

        let explained = try runner.runOK(["search", "atomic_write_json", "--explain", "--mode", "hybrid"])
        #expect(explained.standardOutput.contains("LEXICAL"))
        #expect(explained.standardOutput.contains("SEMANTIC"))
        #expect(explained.standardOutput.contains("#1 "))

        // Lexical, semantic and structural modes all answer; a typo still finds the file.
        for mode in ["lexical", "semantic", "structural", "auto"] {
            #expect(try runner.runOK(["search", "memory", "--mode", mode, "--json"]).jsonObjects().count >= 1)
        }
        let typo = try runner.runOK(["search", "atomik_write_jsno", "--mode", "semantic", "--json", "--limit", "1"])
        #expect((try typo.jsonObjects().first?["labels"] as? [String: Any])?["filename"] as? String == "io_utils.py")
        let none = try runner.runOK(["search", "zebra quokka", "--mode", "lexical"])
        #expect(none.standardOutput.hasPrefix("No artifacts match"))
        #expect(try runner.runOK(["search", "the of and", "--json"]).standardOutput == "[]\n")
    }

    @Test("get prints the record as JSON; cat writes the bytes unchanged")
    func getAndCat() throws {
        let runner = try ProgramRunner()
        defer { runner.remove() }
        let bytes = Data((0..<256).map { UInt8($0) } + Array("tail\n".utf8))
        try runner.write("blob.bin", bytes)
        let id = try #require(try runner.runOK(["ingest", "blob.bin", "--json"]).jsonObjects().first?["artifact_id"] as? String)

        let record = try runner.runOK(["get", id])
        #expect(record.standardOutput.contains("\n  \"artifact_id\" : \"\(id)\""))  // indented
        let decoded = try #require(try record.json() as? [String: Any])
        #expect(decoded["bytes"] as? Int == bytes.count)
        let compact = try runner.runOK(["get", id, "--json"])
        #expect(compact.standardOutput.split(separator: "\n").count == 1)

        let process = Process()
        process.executableURL = try ProgramRunner.programURL()
        process.arguments = ["cat", id]
        process.currentDirectoryURL = runner.folder
        let output = runner.folder.appendingPathComponent("restored.bin")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        let handle = try FileHandle(forWritingTo: output)
        process.standardOutput = handle
        try process.run()
        process.waitUntilExit()
        try handle.close()
        #expect(process.terminationStatus == 0)
        #expect(try Data(contentsOf: output) == bytes)
    }

    @Test("best picks the highest or lowest metric; none is a user error")
    func best() throws {
        let runner = try ProgramRunner()
        defer { runner.remove() }
        try runner.write("run1.json", text: "{\"acc\": 0.91}")
        try runner.write("run2.json", text: "{\"acc\": 0.95}")
        try runner.write("other.json", text: "{}")
        _ = try runner.runOK(["ingest", "run1.json", "--kind", "eval", "--metric", "acc=0.91", "--metric", "loss=0.3"])
        _ = try runner.runOK(["ingest", "run2.json", "--kind", "eval", "--metric", "acc=0.95", "--metric", "loss=0.4"])
        _ = try runner.runOK(["ingest", "other.json", "--kind", "eval"])

        let max = try runner.runOK(["best", "--kind", "eval", "--metric", "acc", "--max"])
        #expect(max.standardOutput.contains("run2.json"))
        #expect(max.standardOutput.contains("acc=0.95"))
        let min = try #require(try runner.runOK(["best", "--kind", "eval", "--metric", "loss", "--min", "--json"]).json() as? [String: Any])
        #expect((min["labels"] as? [String: Any])?["filename"] as? String == "run1.json")
        let windowed = try runner.runOK(["best", "--metric", "acc", "--time-window", "1h", "--json"])
        #expect((try windowed.json() as? [String: Any])?["labels"].flatMap { ($0 as? [String: Any])?["filename"] as? String } == "run2.json")

        let missing = try runner.run(["best", "--kind", "eval", "--metric", "f1"])
        #expect(missing.status == 1)
        #expect(missing.errorLines.count == 1)
        #expect(missing.standardError.contains("f1"))
        #expect(missing.standardOutput.isEmpty)
    }

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

    @Test("pin and unpin change the record; list shows pins")
    func pinAndUnpin() throws {
        let runner = try ProgramRunner()
        defer { runner.remove() }
        try runner.write("keep.txt", text: "keep me")
        let id = try #require(try runner.runOK(["ingest", "keep.txt", "--json"]).jsonObjects().first?["artifact_id"] as? String)
        let pinned = try runner.runOK(["pin", id])
        #expect(pinned.standardOutput.hasPrefix("pinned \(id)"))
        #expect((try runner.runOK(["get", id]).json() as? [String: Any])?["pinned"] as? Bool == true)
        #expect(try runner.runOK(["list"]).standardOutput.contains("PINNED"))
        let unpinned = try runner.runOK(["unpin", id, "--json"]).jsonObjects()
        #expect(unpinned.first?["pinned"] as? Bool == false)
        let unknown = try runner.run(["pin", "01NOPE"])
        #expect(unknown.status == 1)
        #expect(unknown.errorLines.count == 1)
    }

    @Test("list: newest first, levels, scope ids, kind, tags, typed labels, limit")
    func listWithLevels() throws {
        let runner = try ProgramRunner()
        defer { runner.remove() }
        try runner.write("a.txt", text: "a")
        try runner.write("b.txt", text: "b")
        try runner.write("c.txt", text: "c")
        _ = try runner.runOK(["ingest", "a.txt", "--run-id", "r1", "--session-id", "s1", "--user-id", "u1", "--label", "n=5"])
        _ = try runner.runOK(["ingest", "b.txt", "--run-id", "r2", "--session-id", "s1", "--user-id", "u1", "--tag", "x"])
        _ = try runner.runOK(["ingest", "c.txt", "--run-id", "r3", "--session-id", "s2", "--user-id", "u2", "--kind", "log"])

        func names(_ arguments: [String]) throws -> [String] {
            try runner.runOK(["list", "--json"] + arguments).jsonObjects().compactMap {
                ($0["labels"] as? [String: Any])?["filename"] as? String
            }
        }
        #expect(try names([]) == ["c.txt", "b.txt", "a.txt"])  // no ids: everything, newest first
        #expect(try names(["--run-id", "r1"]) == ["a.txt"])  // level run (default)
        #expect(try names(["--level", "session", "--session-id", "s1"]) == ["b.txt", "a.txt"])
        #expect(try names(["--level", "user", "--user-id", "u2"]) == ["c.txt"])
        #expect(try names(["--level", "session", "--run-id", "r1"]).count == 3)  // no session id: no filter
        #expect(try names(["--kind", "log"]) == ["c.txt"])
        #expect(try names(["--tag", "x"]) == ["b.txt"])
        #expect(try names(["--label", "n=5"]) == ["a.txt"])
        #expect(try names(["--label", "n=\"5\""]).isEmpty)  // typed: "5" is not 5
        #expect(try names(["--limit", "2"]) == ["c.txt", "b.txt"])
        #expect(try names(["--org-id", "other"]).isEmpty)

        let table = try runner.runOK(["list"]).standardOutput.split(separator: "\n").map(String.init)
        #expect(table.count == 4)
        for column in ["ID", "NAME", "KIND", "SIZE", "AGE"] { #expect(table[0].contains(column)) }
        // Aligned: every row starts its NAME cell at the header's NAME column.
        let nameColumn = try #require(table[0].range(of: "NAME")).lowerBound.utf16Offset(in: table[0])
        for row in table.dropFirst() {
            #expect(Array(row)[nameColumn...].starts(with: Array("c.txt")) || Array(row)[nameColumn...].starts(with: Array("b.txt"))
                || Array(row)[nameColumn...].starts(with: Array("a.txt")))
        }
        // Search sees the same scopes.
        let scoped = try runner.runOK(["search", "", "--level", "session", "--session-id", "s2", "--json"]).jsonObjects()
        #expect(scoped.count == 1)
    }

    @Test("time windows keep only recent artifacts")
    func timeWindows() throws {
        let runner = try ProgramRunner()
        defer { runner.remove() }
        try runner.write("old.txt", text: "quarterly report draft")
        try runner.write("new.txt", text: "quarterly report final")
        _ = try runner.runOK(["ingest", "old.txt"])
        // old.txt is then ≥ 6 s old; new.txt stays under the 4 s window for the (few, short)
        // commands below even on a loaded machine.
        Thread.sleep(forTimeInterval: 6)
        _ = try runner.runOK(["ingest", "new.txt"])
        func names(_ arguments: [String]) throws -> [String] {
            try runner.runOK(arguments + ["--json"]).jsonObjects().compactMap {
                ($0["labels"] as? [String: Any])?["filename"] as? String
            }
        }
        #expect(try names(["list", "--time-window", "4s"]) == ["new.txt"])
        #expect(try names(["list", "--time-window", "1h"]) == ["new.txt", "old.txt"])
        #expect(try names(["search", "quarterly report", "--time-window", "4s"]) == ["new.txt"])
        #expect(Set(try names(["search", "quarterly report", "--time-window", " 1 d "])) == ["new.txt", "old.txt"])
    }

    static func filename(_ result: ProgramResult) -> String? {
        guard let object = try? result.json() as? [String: Any] else { return nil }
        return (object["labels"] as? [String: Any])?["filename"] as? String
    }
}
