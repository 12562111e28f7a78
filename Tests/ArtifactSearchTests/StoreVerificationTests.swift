import Foundation
import HybridSearch
import Testing

@testable import ArtifactSearch

#if canImport(Glibc)
    import Glibc
#endif

/// `verify` / `verify(repair:)` and the sweep of stale temporaries.
@Suite("Store verification and repair")
struct StoreVerificationTests {
    static func backdate(_ url: URL, by seconds: TimeInterval) throws {
        try FileManager.default.setAttributes(
            [.modificationDate: Date().addingTimeInterval(-seconds)], ofItemAtPath: url.path)
    }

    /// A blob file nobody refers to (as a kill between rename and commit leaves), backdated.
    static func plantOrphanBlob(in store: URL, age: TimeInterval) throws -> URL {
        let scratch = store.appendingPathComponent("staging/orphan-source")
        try Data("orphan bytes".utf8).write(to: scratch)
        let blob = try FileSystemArtifactStore(rootURL: store).contentURL(
            sha256: FileSystemArtifactStore.sha256(ofFileAt: scratch))
        try FileManager.default.createDirectory(at: blob.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.moveItem(at: scratch, to: blob)
        try backdate(blob, by: age)
        return blob
    }

    @Test("A healthy store verifies clean")
    func healthy() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let facade = try await openFacade(in: folder)
        _ = try await facade.saveText("alpha")
        _ = try await facade.saveJSON(["k": 1])
        let report = try await facade.verify()
        #expect(report.isHealthy, "\(report)")
        #expect(report.artifacts == 2)
        #expect(report.blobFiles == 2)
    }

    @Test("verify reports a damaged blob, an orphan blob, a stale temporary and index mismatches; repair fixes all but the damage")
    func reportAndRepair() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let facade = try await openFacade(in: folder)
        let damaged = try await facade.saveText("will be damaged", name: "d.txt")
        let unindexed = try await facade.saveText("zebra crossing notes", name: "z.txt")
        let fine = try await facade.saveText("fine words", name: "f.txt")
        let store = facade.store.rootURL
        let blob = facade.store.contentURL(sha256: damaged.sha256!)
        chmod(blob.path, 0o644)
        try Data("WILL be damaged".utf8).write(to: blob)
        let orphan = try Self.plantOrphanBlob(in: store, age: 7200)
        let recentOrphan = try FileSystemArtifactStore(rootURL: store).contentURL(sha256: String(repeating: "ab", count: 32))
        try FileManager.default.createDirectory(at: recentOrphan.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data("in flight".utf8).write(to: recentOrphan)
        let stale = store.appendingPathComponent("tmp/01DEAD.part")
        try Data(repeating: 7, count: 1000).write(to: stale)
        try Self.backdate(stale, by: 7200)
        // The search index loses an item (as a bug or damage would) and commits that.
        let persistent = try #require(try facade.mirror.persistent())
        persistent.delete(ids: [unindexed.artifactID])
        #expect(try persistent.commit())

        let report = try await facade.verify()
        #expect(!report.isHealthy)
        #expect(report.damagedArtifacts.map(\.artifactID) == [damaged.artifactID])
        #expect(report.damagedArtifacts.first?.path == blob.path)
        #expect(report.damagedArtifacts.first?.problem.contains("sha256 mismatch") == true)
        #expect(report.orphanBlobs == [orphan.path])
        #expect(report.staleTemporaries == [stale.path])
        #expect(report.recentFiles == 1)
        #expect(report.unindexedArtifacts == [unindexed.artifactID])
        #expect(report.databaseProblems.isEmpty)
        #expect(!report.isRepairable)

        let repaired = try await facade.verify(repair: true)
        #expect(repaired.repairs == [
            "removed orphan blob \(orphan.path)", "removed stale temporary \(stale.path)",
            "rebuilt the search index from the records (3 document(s))",
        ])
        #expect(!FileManager.default.fileExists(atPath: orphan.path))
        #expect(!FileManager.default.fileExists(atPath: stale.path))
        #expect(FileManager.default.fileExists(atPath: recentOrphan.path), "a young unreferenced blob is left alone")
        // Only the damage remains; the record stays and reads of it fail.
        #expect(repaired.damagedArtifacts.map(\.artifactID) == [damaged.artifactID])
        #expect(repaired.unindexedArtifacts.isEmpty)
        #expect(repaired.orphanBlobs.isEmpty && repaired.staleTemporaries.isEmpty)
        #expect(try await facade.artifact(id: damaged.artifactID) != nil)
        await #expect(throws: ArtifactError.self) { try await facade.loadBytes(id: damaged.artifactID) }
        // The re-indexed artifact is found again, also by a fresh process's facade.
        let reopened = try await openFacade(in: folder)
        let hits = try await reopened.search("zebra", mode: .lexical)
        #expect(hits.map(\.artifact.artifactID) == [unindexed.artifactID])
        #expect(try await reopened.search("fine", mode: .lexical).map(\.artifact.artifactID) == [fine.artifactID])
    }

    @Test("Opening a store removes temporaries older than the grace period, never younger ones")
    func staleTemporariesSweptOnOpen() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        _ = try await openFacade(in: folder)
        let tmp = folder.url.appendingPathComponent("store/tmp")
        let old = tmp.appendingPathComponent("01OLD.part")
        let young = tmp.appendingPathComponent("01YOUNG.part")
        try Data(repeating: 1, count: 4096).write(to: old)
        try Data(repeating: 2, count: 4096).write(to: young)
        try Self.backdate(old, by: 3 * 3600)
        _ = try await openFacade(in: folder)
        #expect(!FileManager.default.fileExists(atPath: old.path))
        #expect(FileManager.default.fileExists(atPath: young.path))
    }

    @Test("While a save holds the writer lease, nothing is swept and repair waits; afterwards both proceed")
    func leaseBlocksMaintenance() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let facade = try await openFacade(in: folder)
        let stale = facade.store.rootURL.appendingPathComponent("tmp/01STALE.part")
        try Data(repeating: 3, count: 10).write(to: stale)
        try Self.backdate(stale, by: 7200)
        let maintenance = try #require(facade.store as? any StoreMaintenance)
        let (swept, exclusive) = try await facade.store.withWriteLease { () async throws -> ([StoreFile], Bool?) in
            let swept = try await maintenance.sweepStaleTemporaries(olderThan: 3600)
            let exclusive = try await maintenance.withExclusiveMaintenance(timeout: 0.2) { true }
            return (swept, exclusive)
        }
        #expect(swept.isEmpty)
        #expect(exclusive == nil)
        #expect(FileManager.default.fileExists(atPath: stale.path))
        #expect(try await maintenance.sweepStaleTemporaries(olderThan: 3600).map(\.url.path) == [stale.path])
    }

    @Test("A tmp folder replaced by a symbolic link is never swept; only the store's own temporaries are")
    func symlinkedTmpNotSwept() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        _ = try await openFacade(in: folder)
        let store = folder.url.appendingPathComponent("store")
        let victim = folder.url.appendingPathComponent("victim")
        let important = try folder.file("victim/important.txt", text: "keep me")
        let oldPart = try folder.file("victim/01OLD.part", text: "x")
        for file in [important, oldPart] { try Self.backdate(file, by: 3 * 3600) }
        try FileManager.default.removeItem(at: store.appendingPathComponent("tmp"))
        try FileManager.default.createSymbolicLink(at: store.appendingPathComponent("tmp"), withDestinationURL: victim)
        _ = try await openFacade(in: folder)
        #expect(FileManager.default.fileExists(atPath: important.path))
        #expect(FileManager.default.fileExists(atPath: oldPart.path))
        // In the real folder, a stale foreign file is left alone too; only *.part/*.dir/*.stale go.
        try FileManager.default.removeItem(at: store.appendingPathComponent("tmp"))
        try FileManager.default.createDirectory(at: store.appendingPathComponent("tmp"), withIntermediateDirectories: false)
        let foreign = try folder.file("store/tmp/notes.txt", text: "not ours")
        let part = try folder.file("store/tmp/01OLD.part", text: "ours")
        for file in [foreign, part] { try Self.backdate(file, by: 3 * 3600) }
        _ = try await openFacade(in: folder)
        #expect(FileManager.default.fileExists(atPath: foreign.path))
        #expect(!FileManager.default.fileExists(atPath: part.path))
    }

    @Test("A stray file in the blob tree is reported and removed by repair, leaving a healthy store")
    func strayFileRepaired() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let facade = try await openFacade(in: folder)
        _ = try await facade.saveText("alpha")
        let stray = try folder.file("store/blobs/.DS_Store", text: "finder")
        try Self.backdate(stray, by: 7200)
        #expect(try await facade.verify().strayFiles == [stray.path])
        let repaired = try await facade.verify(repair: true)
        #expect(repaired.repairs == ["removed stray file \(stray.path)"])
        #expect(repaired.isHealthy, "\(repaired)")
    }

    @Test("verify while saves are committing reports no false orphans or unindexed artifacts")
    func verifyDuringSaves() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let facade = try await openFacade(in: folder, synchronizesWrites: false)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for index in 0..<150 { _ = try await facade.saveText("concurrent note \(index)") }
            }
            group.addTask {
                for _ in 0..<15 {
                    let report = try await facade.verify()
                    #expect(report.unindexedArtifacts.isEmpty, "\(report)")
                    #expect(report.damagedArtifacts.isEmpty)
                }
            }
            try await group.waitForAll()
        }
        #expect(try await facade.verify().isHealthy)
    }

    /// The root page of a database object, read with Python's sqlite3 (what a user's tool would
    /// see); nil when python3 is missing.
    static func rootPage(of name: String, in database: URL) throws -> Int? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", "-c",
            "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(c.execute(\"select rootpage from sqlite_master where name=?\", (sys.argv[2],)).fetchone()[0]); c.close()",
            database.path, name,
        ]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return Int(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    @Test(
        "A damaged index b-tree is reported, not thrown, and repair rebuilds it to a healthy store",
        arguments: [[0x0A, 0x00, 0x00, 0x00, 0x07, 0x0F, 0xFF, 0x00], [UInt8](repeating: 0, count: 8), [UInt8](repeating: 0xFF, count: 8)])
    func damagedIndexPage(pattern: [UInt8]) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = folder.url.appendingPathComponent("store")
        var ids: [String] = []
        do {
            let facade = try await ArtifactFacade.open(at: store, embedder: HashedNGramEmbedder(dimension: 16))
            for index in 0..<40 { ids.append(try await facade.saveText("note \(index)").artifactID) }
        }
        let database = store.appendingPathComponent("index.sqlite")
        guard let page = try Self.rootPage(of: "artifacts_by_time", in: database) else { return }  // no python3
        let handle = try FileHandle(forUpdating: database)
        try handle.seek(toOffset: UInt64((page - 1) * 4096))
        try handle.write(contentsOf: Data(pattern))
        try handle.close()
        let facade = try await ArtifactFacade.open(at: store, embedder: HashedNGramEmbedder(dimension: 16))
        let report = try await facade.verify()
        #expect(!report.databaseProblems.isEmpty)
        #expect(!report.isHealthy)
        let repaired = try await facade.verify(repair: true)
        #expect(repaired.repairs.first == "rebuilt the database (REINDEX, VACUUM)", "\(repaired.repairs)")
        #expect(repaired.isHealthy, "\(repaired)")
        #expect(try await facade.list(limit: 100).count == 40)
    }
}
