import Foundation
import GRDB
import HybridSearch
import Testing

@testable import ArtifactSearch

/// An embedder that counts the texts it embeds (and otherwise is the hashed n-gram one).
final class CountingEmbedder: Embedder, @unchecked Sendable {
    let base = HashedNGramEmbedder()
    private let lock = NSLock()
    private var embedded = 0

    var identifier: String { base.identifier }
    var dimension: Int { base.dimension }
    var count: Int { lock.withLock { embedded } }

    func embed(_ texts: [String]) throws -> [[Float]] {
        lock.withLock { embedded += texts.count }
        return base.embed(texts)
    }
}

/// A store written by the previous release — schema v2 (no tombstones), segments of format
/// v1 — opens: the schema migrates, the index is rebuilt from SQLite's stored vectors and
/// terms, and it ranks exactly as before without embedding any document.
@Suite("Store migration from the previous release")
struct StoreMigrationTests {
    static let queries = ["budget forecast", "gpu memory crash", "retry backoff policy", "notes"]

    static func rankings(_ facade: ArtifactFacade) async throws -> [[String]] {
        var all: [[String]] = []
        for query in queries {
            for mode in [SearchMode.lexical, .semantic, .hybrid] {
                all.append(try await facade.search(query, limit: 10, mode: mode).map { "\($0.artifact.artifactID) \($0.score ?? -1)" })
            }
        }
        return all
    }

    @Test("schema v2 + v1 segments: migrated, rebuilt without embedding, identical rankings and scores")
    func previousRelease() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let words = ["budget", "forecast", "gpu", "memory", "crash", "retry", "backoff", "policy", "notes", "daily"]
        var before: [[String]] = []
        do {
            let facade = try await openFacade(in: folder)
            for index in 0..<40 {
                let text = (0..<6).map { words[($0 * 7 + index * 3) % words.count] }.joined(separator: " ") + " item\(index)"
                _ = try await facade.saveText(text, name: "n\(index).txt")
            }
            #expect(try await facade.commitSearchIndex())
            before = try await Self.rankings(facade)
        }
        // Turn the store into the previous release's: no tombstone table, schema version 2,
        // segment files of format version 1.
        let store = folder.url.appendingPathComponent("store")
        let database = try DatabaseQueue(path: store.appendingPathComponent("index.sqlite").path)
        try await database.write { db in
            try db.execute(sql: "DROP TABLE search_tombstones")
            try db.execute(sql: "DROP TABLE pending_content_removals")
            try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = 'v3'")
            try db.execute(sql: "PRAGMA user_version = 2")
        }
        try database.close()
        let indexFolder = store.appendingPathComponent("index")
        var segments = 0
        for name in try FileManager.default.contentsOfDirectory(atPath: indexFolder.path) where name.hasSuffix(".seg") {
            let url = indexFolder.appendingPathComponent(name)
            var bytes = try Data(contentsOf: url)
            bytes[8] = 1
            try bytes.write(to: url)
            segments += 1
        }
        #expect(segments == 1)

        let embedder = CountingEmbedder()
        let reopened = try await openFacade(in: folder, embedder: embedder)
        let index = try #require(reopened.index as? SQLiteArtifactIndex)
        #expect(try await index.schemaVersion == 3)
        let after = try await Self.rankings(reopened)
        #expect(after == before)
        // Only the queries were embedded (one per semantic or hybrid search), no document.
        #expect(embedder.count == Self.queries.count * 2)
        // The rebuilt index was committed in the current format: the next opener maps it.
        #expect(try await reopened.commitSearchIndex())
        let third = try await openFacade(in: folder, embedder: CountingEmbedder())
        #expect(try await Self.rankings(third) == before)
        #expect(try await third.verify().isHealthy)
    }
}

/// Final reporting of a collected progress sequence (closures run on the caller's task).
final class ProgressLog: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [(Int, Int)] = []
    func append(_ done: Int, _ total: Int) { lock.withLock { entries.append((done, total)) } }
    var all: [(Int, Int)] { lock.withLock { entries } }
}

@Suite("Rebuilding the search index with progress")
struct IndexRebuildProgressTests {
    @Test("A store without its index folder rebuilds it in prepareSearchIndex, reporting progress, and commits it")
    func rebuildWithProgress() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        do {
            let facade = try await openFacade(in: folder)
            for index in 0..<30 { _ = try await facade.saveText("note \(index) about herons", name: "n\(index).txt") }
        }
        let indexFolder = folder.url.appendingPathComponent("store/index")
        try FileManager.default.removeItem(at: indexFolder)
        // As the command line opens a store: the index catches up at the first search.
        func lazyFacade() async throws -> ArtifactFacade {
            try await ArtifactFacade.open(
                at: folder.url.appendingPathComponent("store"), scope: Scope(runID: "run-1"),
                configuration: ArtifactFacade.Configuration(preloadsSearchBackend: false))
        }
        let facade = try await lazyFacade()
        let log = ProgressLog()
        #expect(try await facade.prepareSearchIndex(progressThreshold: 10) { log.append($0, $1) } == 30)
        #expect(log.all.first.map { $0 == (0, 30) } == true)
        #expect(log.all.last.map { $0 == (30, 30) } == true)
        #expect(log.all.allSatisfy { $0.1 == 30 && $0.0 <= 30 })
        #expect(try FileManager.default.contentsOfDirectory(atPath: indexFolder.path).contains { $0.hasSuffix(".seg") })
        // Nothing left to read: no progress, nothing read.
        let quiet = ProgressLog()
        #expect(try await facade.prepareSearchIndex(progressThreshold: 10) { quiet.append($0, $1) } == 0)
        #expect(quiet.all.isEmpty)
        #expect(try await facade.search("herons", limit: 50, mode: .lexical).count == 30)
        // Below the threshold a rebuild is silent.
        try FileManager.default.removeItem(at: indexFolder)
        let small = try await lazyFacade()
        let silent = ProgressLog()
        #expect(try await small.prepareSearchIndex(progressThreshold: 1_000) { silent.append($0, $1) } == 30)
        #expect(silent.all.isEmpty)
    }
}
