import ArtifactSearch
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A store another user owns: reads work read-only, writes fail clearly.
@Suite("artifact-search on a store this user cannot write")
struct ReadOnlyStoreCommandTests {
    /// Runs as root with `setpriv` available, and `nobody` can run the built program.
    static var canRunAsNobody: Bool {
        guard getuid() == 0, FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv"),
            let program = try? ProgramRunner.programURL()
        else { return false }
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
        probe.arguments = ["--reuid=65534", "--regid=65534", "--clear-groups", program.path, "--help"]
        probe.standardOutput = FileHandle.nullDevice
        probe.standardError = FileHandle.nullDevice
        guard (try? probe.run()) != nil else { return false }
        probe.waitUntilExit()
        return probe.terminationStatus == 0
    }

    /// Runs the program as `nobody` in the runner's folder.
    static func runAsNobody(_ runner: ProgramRunner, _ arguments: [String]) throws -> ProgramResult {
        let program = try ProgramRunner.programURL()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
        process.arguments = ["--reuid=65534", "--regid=65534", "--clear-groups", program.path] + arguments
        process.currentDirectoryURL = runner.folder
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "ARTIFACT_SEARCH_STORE")
        environment["HOME"] = "/tmp"
        process.environment = environment
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return ProgramResult(
            status: process.terminationStatus, standardOutput: String(decoding: out, as: UTF8.self),
            standardError: String(decoding: err, as: UTF8.self))
    }

    @Test("list, search, get, cat and verify work; ingest and pin fail with a clear message; nothing is written",
          .enabled(if: canRunAsNobody))
    func readOnlyForAnotherUser() throws {
        let runner = try ProgramRunner()
        defer { runner.remove() }
        try runner.write("notes/osprey.txt", text: "the osprey nests by the lake\n")
        let id = try #require(try runner.runOK(["ingest", "notes", "--json"]).jsonObjects().first?["artifact_id"] as? String)
        // Owned by root, mode 755/644: nobody may read, not write.
        let store = runner.folder.appendingPathComponent(".artifact-search")
        let before = try FileManager.default.contentsOfDirectory(atPath: store.path).sorted()

        let list = try Self.runAsNobody(runner, ["list", "--json"])
        #expect(list.status == 0, "\(list.standardError)")
        #expect(list.standardOutput.contains(id))
        let search = try Self.runAsNobody(runner, ["search", "osprey", "--json"])
        #expect(search.status == 0, "\(search.standardError)")
        #expect(search.standardOutput.contains(id))
        #expect(try Self.runAsNobody(runner, ["cat", id]).standardOutput == "the osprey nests by the lake\n")
        #expect(try Self.runAsNobody(runner, ["get", id]).status == 0)
        #expect(try Self.runAsNobody(runner, ["verify"]).status == 0)

        try runner.write("more.txt", text: "more\n")
        for arguments in [["ingest", "more.txt"], ["pin", id]] {
            let refused = try Self.runAsNobody(runner, arguments)
            #expect(refused.status == 1, "\(arguments)")
            #expect(refused.standardError.contains("read-only"), "\(refused.standardError)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: store.path).sorted() == before)
    }

    @Test("A read-only store whose last writes are still in its WAL, without a readable -shm, is refused rather than read stale",
          .enabled(if: canRunAsNobody))
    func walWithoutSharedMemory() async throws {
        let runner = try ProgramRunner()
        defer { runner.remove() }
        try runner.write("one.txt", text: "first\n")
        _ = try runner.runOK(["ingest", "one.txt"])
        // Keep a connection open (so the WAL is not folded back) and commit more in it.
        let store = runner.folder.appendingPathComponent(".artifact-search")
        let facade = try await ArtifactFacade.open(at: store)
        _ = try await facade.saveText("second, only in the WAL")
        let wal = store.appendingPathComponent("index.sqlite-wal")
        #expect(((try FileManager.default.attributesOfItem(atPath: wal.path))[.size] as? Int ?? 0) > 0)
        try FileManager.default.removeItem(at: store.appendingPathComponent("index.sqlite-shm"))
        let list = try Self.runAsNobody(runner, ["list", "--json"])
        #expect(list.status == 1)
        #expect(list.standardError.contains("index.sqlite-wal"), "\(list.standardError)")
        _ = facade
    }
}
