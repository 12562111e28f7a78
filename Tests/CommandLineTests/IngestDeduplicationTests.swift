import Foundation
import Testing

/// One `ingest` records each file once, however often and however it is named, in the order
/// of its first mention.
@Suite("artifact-search ingest: one artifact per file")
struct IngestDeduplicationTests {
    static func sourcePaths(_ result: ProgramResult) throws -> [String] {
        try result.jsonObjects().map { try #require(($0["labels"] as? [String: Any])?["source_path"] as? String) }
    }

    @Test("a file named several times (directly, through its folder, with .., through a linked parent) is saved once")
    func sameFileNamedSeveralTimes() throws {
        let runner = try ProgramRunner()
        defer { runner.remove() }
        try runner.write("f.txt", text: "top\n")
        try runner.write("dir/f.txt", text: "inner\n")
        try runner.write("dir/g.txt", text: "other\n")
        try FileManager.default.createSymbolicLink(
            atPath: runner.folder.appendingPathComponent("dir-link").path, withDestinationPath: "dir")
        let result = try runner.runOK([
            "ingest", "f.txt", "f.txt", "dir", "./dir/../dir/f.txt", "dir-link/g.txt", "dir", "--json",
        ])
        let root = runner.folder.standardizedFileURL.path
        #expect(try Self.sourcePaths(result) == [root + "/f.txt", root + "/dir/f.txt", root + "/dir/g.txt"])
        #expect(result.standardError.hasPrefix("Ingested 3 files ("), "\(result.standardError)")
        #expect(try runner.runOK(["list", "--json"]).jsonObjects().count == 3)
    }

    @Test("a folder inside another named folder is walked once")
    func nestedFolders() throws {
        let runner = try ProgramRunner()
        defer { runner.remove() }
        try runner.write("a/b/one.txt", text: "one\n")
        try runner.write("a/two.txt", text: "two\n")
        let result = try runner.runOK(["ingest", "a/b", "a", "--json"])
        let root = runner.folder.standardizedFileURL.path
        #expect(try Self.sourcePaths(result) == [root + "/a/b/one.txt", root + "/a/two.txt"])
    }

    @Test("--as-directory saves a folder named twice once")
    func directoryNamedTwice() throws {
        let runner = try ProgramRunner()
        defer { runner.remove() }
        try runner.write("a/one.txt", text: "one\n")
        let result = try runner.runOK(["ingest", "a", "./a/", "--as-directory", "--json"])
        #expect(try result.jsonObjects().count == 1)
    }
}
