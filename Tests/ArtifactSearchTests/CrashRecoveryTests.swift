import Foundation
import HybridSearch
import Testing

@testable import ArtifactSearch

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

@Suite("Crash recovery")
struct CrashRecoveryTests {
    /// The child program (`Tests/CrashChild`), built next to the test bundle by `swift test`.
    static func childProgram() throws -> URL {
        var candidates: [URL] = []
        if let executable = Bundle.main.executableURL { candidates.append(executable.deletingLastPathComponent()) }
        if let first = CommandLine.arguments.first {
            candidates.append(URL(fileURLWithPath: first).deletingLastPathComponent())
        }
        let found = candidates.map { $0.appendingPathComponent("artifact-search-crash-child") }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
        return try #require(found, "artifact-search-crash-child not found next to the tests: run swift build --build-tests")
    }

    static func loggedIDs(_ log: URL) throws -> [String] {
        let text = String(decoding: (try? Data(contentsOf: log)) ?? Data(), as: UTF8.self)
        // A line is complete only with its newline (the child may die mid-write).
        return text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
            .filter { $0.utf8.count == 26 && text.contains($0 + "\n") }
    }

    /// Deletes the child logged: returned ("-ID"), and begun but not known to have returned
    /// ("?ID" without "-ID": the kill may have landed before or after it took effect).
    static func loggedDeletes(_ log: URL) throws -> (deleted: Set<String>, uncertain: Set<String>) {
        let lines = try String(contentsOf: log, encoding: .utf8).split(separator: "\n").map(String.init)
        let done = Set(lines.filter { $0.hasPrefix("-") && $0.utf8.count == 27 }.map { String($0.dropFirst()) })
        let begun = Set(lines.filter { $0.hasPrefix("?") && $0.utf8.count == 27 }.map { String($0.dropFirst()) })
        return (done, begun.subtracting(done))
    }

    @Test(
        "A process killed (SIGKILL) while saving, deleting, committing or merging its search index leaves a store that opens, passes its integrity check and finds every returned save",
        .timeLimit(.minutes(3)))
    func killedWhileSaving() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = folder.url.appendingPathComponent("store")
        let log = URL(fileURLWithPath: store.path + ".log")
        #expect(FileManager.default.createFile(atPath: log.path, contents: nil))
        for round in 1...2 {
            let before = try Self.loggedIDs(log).count
            let child = Process()
            child.executableURL = try Self.childProgram()
            // The child runs longer than the wait below, so it is always killed, never done.
            child.arguments = [store.path, log.path, "120"]
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

            let saved = try Self.loggedIDs(log)
            #expect(saved.count >= before + 12, "round \(round): only \(saved.count - before) saves")
            let (deleted, uncertain) = try Self.loggedDeletes(log)
            #expect(!deleted.isEmpty, "round \(round): no delete returned")
            let returned = saved.filter { !deleted.contains($0) && !uncertain.contains($0) }
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
            for id in deleted { #expect(try await facade.artifact(id: id) == nil, "round \(round): \(id) came back") }
            let hits = Set(try await facade.search("crashword", limit: .max, mode: .hybrid).map(\.artifact.artifactID))
            #expect(hits.isDisjoint(with: deleted), "round \(round): a deleted artifact is found")
            // Index, search documents and backend agree (nothing half-written).
            let count = try await index.count()
            #expect(count >= returned.count)
            #expect(await facade.backend.count(corpus: "artifacts") == count)
            let found = try await facade.search("crashword", limit: .max, mode: .lexical)
            #expect(found.count == (try await facade.list(limit: .max).filter { $0.kind != "file" }.count))
        }
        // What the kills left behind (temporaries, blobs whose record never committed) goes,
        // once it counts as stale (grace 0 here), and the store is healthy; every save stays.
        let facade = try await ArtifactFacade.open(
            at: store, scope: Scope(runID: "crash"), embedder: HashedNGramEmbedder(dimension: 64),
            configuration: ArtifactFacade.Configuration(synchronizesWrites: false, staleFileGracePeriod: 0))
        try await Task.sleep(for: .milliseconds(1100))  // modification times have whole seconds here
        let report = try await facade.verify(repair: true)
        #expect(report.isHealthy, "\(report)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: store.appendingPathComponent("tmp").path).isEmpty)
        let (deleted, uncertain) = try Self.loggedDeletes(log)
        for id in try Self.loggedIDs(log) where !deleted.contains(id) && !uncertain.contains(id) {
            let artifact = try #require(try await facade.artifact(id: id))
            try await facade.verifyContent(of: artifact)
        }
    }
}
