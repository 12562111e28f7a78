import Foundation
import HybridSearch
import Testing

@testable import ArtifactSearch

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The environment variable that turns ``CrashChildWorker`` into a saving loop: the store
/// folder path. Unset (in every normal run) the worker test returns at once.
private let crashChildVariable = "ARTIFACT_SEARCH_CRASH_CHILD_STORE"

/// Runs inside a child process spawned by ``CrashRecoveryTests``: saves artifacts (texts,
/// larger blobs, folders) in a loop and appends each id to `<store>.log` after its save
/// returned, until killed (or 15 s have passed).
@Suite("Crash child worker")
struct CrashChildWorker {
    @Test("saving loop of the crash test (does nothing unless spawned by it)")
    func savingLoop() async throws {
        guard let path = ProcessInfo.processInfo.environment[crashChildVariable] else { return }
        let store = URL(fileURLWithPath: path)
        let facade = try await ArtifactFacade.open(
            at: store, scope: Scope(runID: "crash"), embedder: HashedNGramEmbedder(dimension: 64),
            configuration: ArtifactFacade.Configuration(synchronizesWrites: false))
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: path + ".log"))
        try log.seekToEnd()
        let start = Date()
        var index = 0
        while Date().timeIntervalSince(start) < 15 {
            let artifact: Artifact
            switch index % 4 {
            case 0:
                artifact = try await facade.saveData(
                    Data(repeating: UInt8(index % 251), count: 200_000 + index), name: "blob\(index).bin")
            case 1:
                let staged = try facade.stageDirectory()
                for file in 0..<3 {
                    try Data("folder \(index) file \(file) crashword".utf8)
                        .write(to: staged.appendingPathComponent("f\(file).txt"))
                }
                artifact = try await facade.ingestDirectory(at: staged)
            default:
                artifact = try await facade.saveText("crash note \(index) crashword", labels: ["i": .number(Double(index))])
            }
            // The save returned: record it (a write(2), which survives SIGKILL).
            try log.write(contentsOf: Data((artifact.artifactID + "\n").utf8))
            index += 1
        }
    }
}

@Suite("Crash recovery")
struct CrashRecoveryTests {
    /// The test binary itself (Linux: `/proc/self/exe`), to be spawned as the child.
    static var executable: URL {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    }

    static func loggedIDs(_ log: URL) throws -> [String] {
        let text = String(decoding: (try? Data(contentsOf: log)) ?? Data(), as: UTF8.self)
        // A line is complete only with its newline (the child may die mid-write).
        return text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
            .filter { $0.utf8.count == 26 && text.contains($0 + "\n") }
    }

    @Test(
        "A process killed (SIGKILL) while saving leaves a store that opens, passes its integrity check and holds every returned save",
        .enabled(if: FileManager.default.fileExists(atPath: "/proc/self/exe")), .timeLimit(.minutes(1)))
    func killedWhileSaving() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = folder.url.appendingPathComponent("store")
        let log = URL(fileURLWithPath: store.path + ".log")
        #expect(FileManager.default.createFile(atPath: log.path, contents: nil))
        for round in 1...2 {
            let before = try Self.loggedIDs(log).count
            let child = Process()
            child.executableURL = Self.executable
            child.arguments = ["--testing-library", "swift-testing", "--filter", "CrashChildWorker"]
            var environment = ProcessInfo.processInfo.environment
            environment[crashChildVariable] = store.path
            child.environment = environment
            child.standardOutput = FileHandle.nullDevice
            child.standardError = FileHandle.nullDevice
            try child.run()
            // Let it save a few artifacts, then kill it at an arbitrary point.
            let deadline = Date().addingTimeInterval(20)
            while try Self.loggedIDs(log).count < before + 12 + round * 5, Date() < deadline, child.isRunning {
                try await Task.sleep(for: .milliseconds(20))
            }
            try await Task.sleep(for: .milliseconds(7 * round))
            kill(child.processIdentifier, SIGKILL)
            child.waitUntilExit()
            #expect(child.terminationReason == .uncaughtSignal, "round \(round): the child ended by itself")

            let returned = try Self.loggedIDs(log)
            #expect(returned.count >= before + 12, "round \(round): only \(returned.count - before) saves")
            let facade = try await ArtifactFacade.open(
                at: store, scope: Scope(runID: "crash"), embedder: HashedNGramEmbedder(dimension: 64),
                configuration: ArtifactFacade.Configuration(synchronizesWrites: false))
            let index = try #require(facade.index as? SQLiteArtifactIndex)
            #expect(try await index.checkIntegrity(), "round \(round)")
            for id in returned {
                let artifact = try #require(try await facade.artifact(id: id), "round \(round): lost \(id)")
                if artifact.isDirectory {
                    let local = try await facade.asLocalDirectory(artifact)
                    #expect(try treeContents(of: local).count == 3)
                } else {
                    let bytes = try await facade.loadBytes(id: id)
                    #expect(bytes.count == artifact.bytes)
                }
            }
            // Index, search documents and backend agree (nothing half-written).
            let count = try await index.count()
            #expect(count >= returned.count)
            #expect(await facade.backend.count(corpus: "artifacts") == count)
            let found = try await facade.search("crashword", limit: .max, mode: .lexical)
            #expect(found.count == (try await facade.list(limit: .max).filter { $0.kind != "file" }.count))
        }
    }
}
