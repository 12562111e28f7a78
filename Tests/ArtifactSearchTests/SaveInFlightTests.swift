import Foundation
import HybridSearch
import Testing

@testable import ArtifactSearch

/// A search's catch-up can read a save's record after it commits and before the save puts
/// its search document in the index (`SearchMirror.recorded`). It then takes the document the
/// save built (`SearchMirror.preparing`) instead of reading the blob and analysing it again —
/// but only for the very record and vector the save built it from.
@Suite("A catch-up that reads a save in flight")
struct SaveInFlightTests {
    /// A record of `facade`'s scope for text content `content`, and the search document a save
    /// would build for it from `indexedText` (which a test makes differ from the blob's).
    static func draft(_ facade: ArtifactFacade, content: String, indexedText: String, pin: Bool = false) async throws
        -> (Artifact, SearchItem)
    {
        let stored = try await facade.store.storeData(Data(content.utf8))
        let artifact = facade.makeArtifact(
            ArtifactFacade.Draft(
                kind: "note", labels: [:], metrics: [:], tags: [], name: "in-flight.txt", pin: pin, mime: "text/plain",
                sha256: stored.sha256, bytes: stored.size, uri: stored.url.absoluteString),
            at: Date())
        let item = try await facade.searchItems(for: [(artifact, indexedText)])[0]
        return (artifact, item)
    }

    /// A word of letters only, one per `n` (digits would split an identifier into parts).
    static func word(_ n: Int) -> String {
        let letters = Array("abcdefghijklmnopqrstuvwxyz")
        return "kw\(letters[n / 26])\(letters[n % 26])q"
    }

    /// A store with one note (so its index is open) and a save of "quartz granite basalt"
    /// whose document (indexed as "preparedmarker quartz") is registered, its record not yet.
    static func saveInFlight(in folder: TemporaryFolder) async throws -> (ArtifactFacade, Artifact, SearchItem) {
        let facade = try await openFacade(in: folder)
        _ = try await facade.saveText("an earlier note opens the index")
        let (artifact, item) = try await draft(facade, content: "quartz granite basalt", indexedText: "preparedmarker quartz")
        facade.mirror.preparing([(artifact, item)])
        return (facade, artifact, item)
    }

    static func hits(_ facade: ArtifactFacade, _ query: String) async throws -> [String] {
        try await facade.search(query, mode: .lexical).map(\.artifact.artifactID)
    }

    @Test("The save's document is used for its own record, and dropped once the save settles")
    func preparedDocumentUsed() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let (facade, artifact, item) = try await Self.saveInFlight(in: folder)
        guard case .inserted = try await facade.index.insert(artifact, vector: facade.storedVector(item)) else {
            Issue.record("not inserted")
            return
        }
        // The search's catch-up reads the record before the save's `recorded`.
        #expect(try await Self.hits(facade, "preparedmarker") == [artifact.artifactID])
        #expect(try await Self.hits(facade, "granite").isEmpty, "the blob was not read again")
        facade.mirror.settled([artifact.artifactID])
        // A rebuild from the records reads the blob (the save's own text would agree with it;
        // this test's differs on purpose).
        let copy = try folder.subfolderForRebuild(of: facade)
        defer { copy.remove() }
        let reopened = try await openFacade(in: copy)
        #expect(try await Self.hits(reopened, "granite") == [artifact.artifactID])
    }

    @Test("A record that is not the one the save built (pinned meanwhile) is rebuilt from its blob")
    func otherRecordRebuilt() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let (facade, artifact, item) = try await Self.saveInFlight(in: folder)
        var pinned = artifact
        pinned.pinned = true
        _ = try await facade.index.insert(pinned, vector: facade.storedVector(item))
        #expect(try await Self.hits(facade, "preparedmarker").isEmpty)
        #expect(try await Self.hits(facade, "granite") == [artifact.artifactID])
        facade.mirror.settled([artifact.artifactID])
    }

    @Test("Concurrent saves and searches in one process: every save is found, once, by its own words")
    func concurrentSavesFound() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let facade = try await openFacade(in: folder, synchronizesWrites: false)
        _ = try await facade.saveText("an earlier note opens the index")
        let ids = try await withThrowingTaskGroup(of: String?.self) { group in
            for n in 0..<48 {
                group.addTask {
                    if n % 2 == 0 { return try await facade.saveText("inflight \(Self.word(n)) words").artifactID }
                    _ = try await facade.search("inflight words", limit: 50, mode: .lexical)
                    return nil
                }
            }
            return try await group.reduce(into: [String: Int]()) { found, id in
                if let id { found[id, default: 0] += 1 }
            }
        }
        #expect(ids.count == 24)
        for n in stride(from: 0, to: 48, by: 2) {
            let hits = try await Self.hits(facade, Self.word(n))
            #expect(hits.count == 1, "\(Self.word(n))")
        }
        #expect(try await facade.search("inflight words", limit: 100, mode: .lexical).count == 24)
    }
}

extension TemporaryFolder {
    /// `facade`'s store folder with its search index removed, in a copy: opening it rebuilds
    /// the index from the records and blobs.
    func subfolderForRebuild(of facade: ArtifactFacade) throws -> TemporaryFolder {
        let copy = try TemporaryFolder()
        let store = copy.url.appendingPathComponent("store")
        try FileManager.default.copyItem(at: url.appendingPathComponent("store"), to: store)
        try FileManager.default.removeItem(at: store.appendingPathComponent("index"))
        return copy
    }
}
