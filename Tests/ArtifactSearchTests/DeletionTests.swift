import Foundation
import HybridSearch
import Testing

@testable import ArtifactSearch

/// `delete(ids:)` and `collectGarbage`: gone from every read and both legs at once (also for
/// another opener of the store), bytes removed only when unreferenced, pins respected by gc,
/// other organisations untouched.
@Suite("Deleting and retention")
struct DeletionTests {
    static func ids(_ results: [ArtifactSearchResult]) -> Set<String> { Set(results.map(\.artifact.artifactID)) }

    @Test("A deleted artifact vanishes from get, list and every search mode, here and in another opener; its blob goes")
    func deleteEverywhere() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let facade = try await openFacade(in: folder)
        let keep = try await facade.saveText("quarterly budget forecast spreadsheet", name: "budget.txt")
        let secret = try await facade.saveText("api token sk-live-zebracorn quarterly", name: "secret.txt")
        // Another process's view, opened before the delete, its index committed with the item.
        #expect(try await facade.commitSearchIndex())
        let other = try await openFacade(in: folder)
        for mode in [SearchMode.lexical, .semantic, .hybrid] {
            #expect(Self.ids(try await other.search("zebracorn quarterly", limit: 10, mode: mode)).contains(secret.artifactID))
        }
        let blob = try #require(facade.store.contentURL(sha256: secret.sha256!).path as String?)
        #expect(FileManager.default.fileExists(atPath: blob))

        let report = try await facade.delete(ids: [secret.artifactID])
        #expect(report.deleted.map(\.artifactID) == [secret.artifactID])
        #expect(report.removedContent == [secret.sha256!] && report.freedBytes == secret.bytes)
        #expect(report.indexRewritten)
        #expect(!FileManager.default.fileExists(atPath: blob))
        for viewer in [facade, other] {
            #expect(try await viewer.artifact(id: secret.artifactID) == nil)
            #expect(try await viewer.list(limit: 10).map(\.artifactID) == [keep.artifactID])
            for mode in [SearchMode.lexical, .semantic, .hybrid, .auto] {
                let found = Self.ids(try await viewer.search("zebracorn quarterly", limit: 10, mode: mode))
                #expect(!found.contains(secret.artifactID), "\(mode)")
            }
            #expect(Self.ids(try await viewer.search("quarterly", limit: 10, mode: .lexical)) == [keep.artifactID])
        }
        // The term is gone from the index files too, not only hidden.
        let indexFolder = folder.url.appendingPathComponent("store/index")
        for name in try FileManager.default.contentsOfDirectory(atPath: indexFolder.path) {
            let bytes = try Data(contentsOf: indexFolder.appendingPathComponent(name))
            #expect(bytes.range(of: Data("zebracorn".utf8)) == nil, "\(name)")
        }
        // A fresh opener agrees, and the store verifies healthy.
        let third = try await openFacade(in: folder)
        #expect(try await third.search("zebracorn", limit: 10, mode: .lexical).isEmpty)
        #expect(try await third.verify().isHealthy)
        await #expect(throws: ArtifactError.self) { try await facade.loadBytes(id: secret.artifactID) }
    }

    @Test("Bytes shared with another artifact stay until the last one is deleted; a directory's files too")
    func sharedBytes() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let facade = try await openFacade(in: folder)
        let first = try await facade.saveText("same bytes", name: "a.txt")
        let second = try await facade.saveText("same bytes", name: "b.txt")
        let tree = folder.url.appendingPathComponent("tree")
        try FileManager.default.createDirectory(at: tree, withIntermediateDirectories: true)
        try Data("same bytes".utf8).write(to: tree.appendingPathComponent("inner.txt"))
        let directory = try await facade.ingestDirectory(at: tree, cleanup: false)
        let blob = facade.store.contentURL(sha256: first.sha256!).path

        var report = try await facade.delete(ids: [first.artifactID])
        #expect(report.removedContent.isEmpty && report.sharedContent == 1)
        #expect(FileManager.default.fileExists(atPath: blob))
        report = try await facade.delete(ids: [second.artifactID])
        #expect(report.removedContent.isEmpty, "the directory's file has the same bytes")
        report = try await facade.delete(ids: [directory.artifactID])
        #expect(Set(report.removedContent) == [first.sha256!, directory.sha256!])
        #expect(!FileManager.default.fileExists(atPath: blob))
        #expect(try blobFiles(in: folder.url.appendingPathComponent("store")).isEmpty)
        #expect(try await facade.verify().isHealthy)
    }

    @Test("Another organisation's id, or an unknown one, is not found and nothing is deleted", arguments: StoreBackend.available)
    func otherOrganisation(backend: StoreBackend) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let acme = try await openFacade(in: folder, backend: backend, scope: Scope(orgID: "acme", runID: "r"))
        let globex = acme.scoped(to: Scope(orgID: "globex", runID: "r"))
        let theirs = try await globex.saveText("globex plans", name: "plans.txt")
        let ours = try await acme.saveText("acme plans", name: "plans.txt")
        for ids in [[theirs.artifactID], [ours.artifactID, theirs.artifactID], [ours.artifactID, "NOPE"]] {
            await #expect(throws: ArtifactError.notFound(id: ids.last!)) { try await acme.delete(ids: ids) }
        }
        #expect(try await acme.artifact(id: ours.artifactID) != nil)
        #expect(try await globex.artifact(id: theirs.artifactID) != nil)
        #expect(try await acme.delete(ids: [ours.artifactID]).deleted.count == 1)
        #expect(try await globex.artifact(id: theirs.artifactID) != nil)
    }

    @Test("gc deletes unpinned artifacts older than the cutoff in scope, never pinned ones; a dry run deletes nothing", arguments: StoreBackend.available)
    func garbageCollection(backend: StoreBackend) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let clock = TestClock()
        let facade = try await openFacade(in: folder, backend: backend, clock: clock)
        let old = try await facade.saveText("old scratch", kind: "scratch", name: "old.txt")
        let oldReport = try await facade.saveText("old report", kind: "report", name: "report.txt")
        let pinned = try await facade.saveText("old but pinned", kind: "scratch", name: "keep.txt", pin: true)
        let otherRun = try await facade.scoped(to: Scope(runID: "run-2")).saveText("old other run", kind: "scratch")
        clock.advance(by: 40 * 86_400)
        let fresh = try await facade.saveText("fresh scratch", kind: "scratch", name: "new.txt")
        let cutoff = clock.now.addingTimeInterval(-30 * 86_400)

        let dry = try await facade.collectGarbage(olderThan: cutoff, kind: "scratch", level: .run, dryRun: true)
        #expect(dry.dryRun && dry.deleted.map(\.artifactID) == [old.artifactID] && dry.pinnedKept == 1)
        #expect(try await facade.artifact(id: old.artifactID) != nil)

        let report = try await facade.collectGarbage(olderThan: cutoff, kind: "scratch", level: .run)
        #expect(report.deleted.map(\.artifactID) == [old.artifactID] && report.pinnedKept == 1)
        for kept in [oldReport, pinned, otherRun, fresh] { #expect(try await facade.artifact(id: kept.artifactID) != nil) }
        // Org level, any kind: the rest of the old unpinned ones.
        let all = try await facade.collectGarbage(olderThan: cutoff, level: .org)
        #expect(Set(all.deleted.map(\.artifactID)) == [oldReport.artifactID, otherRun.artifactID])
        #expect(Set(try await facade.list(level: .org, limit: 10).map(\.artifactID)) == [pinned.artifactID, fresh.artifactID])
        #expect(try await facade.verify().isHealthy)
    }

    @Test("A store whose index lags the deletes (another process deleted) replays the tombstones on open", arguments: StoreBackend.available)
    func tombstonesReplay(backend: StoreBackend) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let facade = try await openFacade(in: folder, backend: backend)
        var saved: [Artifact] = []
        for index in 0..<12 { saved.append(try await facade.saveText("note number \(index) about kiwis", name: "n\(index).txt")) }
        #expect(try await facade.commitSearchIndex())
        // Delete through the records only (as a process whose index commit lost the race).
        let gone = [saved[2].artifactID, saved[9].artifactID]
        _ = try await facade.index.delete(ids: gone, pendingContent: [])
        let reopened = try await openFacade(in: folder, backend: backend)
        let found = Self.ids(try await reopened.search("kiwis", limit: 20, mode: .lexical))
        #expect(found == Set(saved.map(\.artifactID)).subtracting(gone))
        // The reopened index commits the deletes; the next opener maps them.
        #expect(try await reopened.commitSearchIndex())
        let third = try await openFacade(in: folder, backend: backend)
        #expect(Self.ids(try await third.search("kiwis", limit: 20, mode: .hybrid)) == found)
    }

    @Test("A delete killed before it removed the bytes leaves a record: verify reports it, repair (or the next delete) finishes it")
    func unfinishedRemoval() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let facade = try await openFacade(in: folder)
        let secret = try await facade.saveText("secret bytes", name: "secret.txt")
        let other = try await facade.saveText("other bytes", name: "other.txt")
        let blob = facade.store.contentURL(sha256: secret.sha256!).path
        // The records go, the process "dies" before removing the blob.
        _ = try await facade.index.delete(ids: [secret.artifactID], pendingContent: [secret.sha256!])
        #expect(FileManager.default.fileExists(atPath: blob))
        let report = try await facade.verify()
        #expect(report.unfinishedContentRemovals == [secret.sha256!] && !report.isHealthy)
        #expect(report.orphanBlobs.isEmpty, "a recorded removal is not reported twice")
        let repaired = try await facade.verify(repair: true)
        #expect(repaired.isHealthy, "\(repaired)")
        #expect(!FileManager.default.fileExists(atPath: blob))
        // The next delete finishes a pending removal too.
        let third = try await facade.saveText("third bytes", name: "third.txt")
        let thirdBlob = facade.store.contentURL(sha256: third.sha256!).path
        _ = try await facade.index.delete(ids: [third.artifactID], pendingContent: [third.sha256!])
        let next = try await facade.delete(ids: [other.artifactID])
        #expect(Set(next.removedContent) == [third.sha256!, other.sha256!])
        #expect(!FileManager.default.fileExists(atPath: thirdBlob))
        #expect(try await facade.verify().isHealthy)
    }

    @Test("A pin made after gc chose its candidates wins: the delete's transaction keeps pinned artifacts", arguments: StoreBackend.available)
    func pinDuringCollection(backend: StoreBackend) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let facade = try await openFacade(in: folder, backend: backend)
        let keep = try await facade.saveText("pinned while gc runs", name: "keep.txt")
        let go = try await facade.saveText("collected", name: "go.txt")
        // gc's candidates were both (unpinned when listed); the pin lands before the delete.
        _ = try await facade.pin(keep.artifactID)
        let report = try await facade.delete(ids: [keep.artifactID, go.artifactID], exceptPinned: true)
        #expect(report.deleted.map(\.artifactID) == [go.artifactID])
        #expect(report.pinnedKept == 1 && report.alreadyDeleted.isEmpty)
        #expect(try await facade.artifact(id: keep.artifactID)?.pinned == true)
        #expect(try await facade.loadText(id: keep.artifactID) == "pinned while gc runs")
        #expect(try await facade.verify().isHealthy)
    }

    @Test("An index built from other records (the database replaced or restored from an older backup) is rebuilt, not trusted")
    func indexAheadOfRecords() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        do {
            let facade = try await openFacade(in: folder)
            for index in 0..<3 { _ = try await facade.saveText("old note \(index) quince", name: "old\(index).txt") }
            #expect(try await facade.commitSearchIndex())
        }
        let store = folder.url.appendingPathComponent("store")
        removeDatabase(at: store.appendingPathComponent("index.sqlite"))
        let facade = try await openFacade(in: folder)
        let fresh = try await facade.saveText("fresh quince", name: "fresh.txt")
        #expect(try await facade.list().map(\.artifactID) == [fresh.artifactID])
        #expect(try await facade.search("quince", mode: .lexical).map(\.artifact.artifactID) == [fresh.artifactID])
        let reopened = try await openFacade(in: folder)
        #expect(try await reopened.list().map(\.artifactID) == [fresh.artifactID])
        #expect(try await reopened.verify().isHealthy)
    }
}
