import Foundation
import Testing

/// Several processes on one store at once: an ingest, a second ingest, and repeated searches.
/// A search never waits for the ingests (nobody holds a lock a reader needs) and finds every
/// artifact committed before it started — whichever process committed it, and whether or not
/// it is in a segment yet.
@Suite("Concurrent processes on one store")
struct ConcurrentProcessesTests {
    /// Starts `artifact-search` with `arguments` in the runner's folder, output discarded.
    static func start(_ arguments: [String], in runner: ProgramRunner) throws -> Process {
        let process = Process()
        process.executableURL = try ProgramRunner.programURL()
        process.arguments = arguments
        process.currentDirectoryURL = runner.folder
        var variables = ProcessInfo.processInfo.environment
        variables.removeValue(forKey: "ARTIFACT_SEARCH_STORE")
        process.environment = variables
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return process
    }

    @Test("Two ingests and a searcher: every search finds everything listed before it; all saves found at the end", .timeLimit(.minutes(4)))
    func ingestWhileSearching() async throws {
        let runner = try ProgramRunner()
        defer { runner.remove() }
        for index in 0..<700 { try runner.write("a/n\(index).txt", text: "pelican report number \(index) from the first ingest") }
        for index in 0..<60 { try runner.write("c/m\(index).txt", text: "pelican note \(index) from the second ingest") }
        // The store exists before the processes race for it.
        try runner.write("seed.txt", text: "pelican seed")
        _ = try runner.runOK(["ingest", "seed.txt"])

        let first = try Self.start(["ingest", "a"], in: runner)
        let second = try Self.start(["ingest", "c"], in: runner)
        var searches = 0
        var sawPartial = false
        var previous = 0
        while first.isRunning || second.isRunning || searches < 3 {
            let listed = try runner.runOK(["list", "--limit", "100000", "--json"]).jsonObjects().compactMap { $0["artifact_id"] as? String }
            let found = try runner.runOK(["search", "pelican", "--mode", "lexical", "--limit", "10000", "--json"])
                .jsonObjects().compactMap { $0["artifact_id"] as? String }
            // Everything committed before the search started is found (read-your-writes across
            // processes), and nothing found was lost afterwards.
            #expect(Set(found).isSuperset(of: listed), "search \(searches): \(Set(listed).subtracting(found).count) missing")
            #expect(found.count >= previous)
            previous = found.count
            if listed.count > 1 && listed.count < 761 { sawPartial = true }
            searches += 1
        }
        first.waitUntilExit()
        second.waitUntilExit()
        #expect(first.terminationStatus == 0 && second.terminationStatus == 0)
        #expect(sawPartial, "no search ran while the ingests were saving")
        let all = try runner.runOK(["search", "pelican", "--mode", "hybrid", "--limit", "10000", "--json"]).jsonObjects()
        #expect(all.count == 761)
        #expect(try runner.runOK(["verify"]).standardOutput.contains("everything matches"))
    }
}
