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

/// A store written by the previous release — schema v3: artifacts with filter columns and
/// side tables, search documents holding a copy of the text, analysed terms and the vector —
/// opens: the schema migrates to v4 (one record and its vector per artifact), the old index
/// folder is dropped and rebuilt from the records and the blobs, and it ranks, lists and
/// picks the best exactly as before without embedding any document.
@Suite("Store migration from the previous release")
struct StoreMigrationTests {
    static let queries = ["budget forecast", "gpu memory crash", "retry backoff policy", "notes"]

    static func answers(_ facade: ArtifactFacade) async throws -> [[String]] {
        var all: [[String]] = []
        for query in queries {
            for mode in [SearchMode.lexical, .semantic, .hybrid] {
                all.append(try await facade.search(query, limit: 10, mode: mode).map { "\($0.artifact.artifactID) \($0.score ?? -1)" })
            }
        }
        all.append(try await facade.list(limit: 100).map(\.artifactID))
        all.append(try await facade.list(tags: ["odd"], limit: 100).map(\.artifactID))
        all.append([try await facade.best(metric: "f1")?.artifactID ?? "none"])
        all.append([try await facade.best(metric: "f1", metricMode: .min)?.artifactID ?? "none"])
        return all
    }

    /// Rewrites the store's database as the previous release wrote it (schema v3), from what
    /// the current one holds: the same artifacts, their text, terms and vectors.
    static func downgradeToSchema3(_ facade: ArtifactFacade, store: URL) async throws {
        let database = store.appendingPathComponent("index.sqlite")
        let current = try DatabaseQueue(path: database.path)
        let rows = try await current.read { db in
            try Row.fetchAll(db, sql: "SELECT artifact_id, record, pinned, vector, embedder FROM records ORDER BY sequence")
                .map { row -> (String, String, Bool, Data?, String?) in (row[0], row[1], row[2], row[3], row[4]) }
        }
        try current.close()
        let analyzer = StandardAnalyzer()
        let old = store.appendingPathComponent("v3.sqlite")
        let queue = try DatabaseQueue(path: old.path)
        try IndexSchema.migrator.migrate(queue, upTo: "v3")
        for (id, record, pinned, vector, embedder) in rows {
            let artifact = try SQLiteArtifactIndex.decode(record: record, pinned: pinned)
            var built = try await facade.mirror.items.item(for: artifact)
            built.metadata = built.metadata.filter { !$0.key.hasPrefix(ArtifactMetadataKey.metricPrefix) }
            let item = built
            let terms = TermCounts(analyzer: analyzer.identifier, terms: analyzer.terms(in: item.text))
            try await queue.write { db in
                try db.execute(
                    sql: "INSERT INTO artifacts (artifact_id, created_at, run_id, kind, mime, sha256, bytes, pinned, record) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    arguments: [
                        id, item.createdAt, artifact.runID, artifact.kind, artifact.mime, artifact.sha256, artifact.bytes, pinned, record,
                    ])
                for tag in artifact.tags {
                    try db.execute(sql: "INSERT INTO artifact_tags (artifact_id, tag) VALUES (?, ?)", arguments: [id, tag])
                }
                for (name, value) in artifact.metrics {
                    try db.execute(sql: "INSERT INTO artifact_metrics (artifact_id, name, value) VALUES (?, ?, ?)", arguments: [id, name, value])
                }
                try db.execute(
                    sql: "INSERT INTO search_documents (corpus, item_id, text, metadata, created_at, vector, terms, analyzer) VALUES ('artifacts', ?, ?, ?, ?, ?, ?, ?)",
                    arguments: [
                        id, item.text, JSONValue.object(item.metadata).canonicalJSON, item.createdAt, vector, terms.encoded(),
                        analyzer.identifier,
                    ])
                if let embedder {
                    try db.execute(
                        sql: "INSERT OR REPLACE INTO store_info (key, value) VALUES ('embedder.identifier', ?), ('embedder.dimension', ?)",
                        arguments: [embedder, String((vector?.count ?? 0) / 4)])
                }
            }
        }
        try queue.close()
        removeDatabase(at: database)
        try FileManager.default.moveItem(at: old, to: database)
    }

    @Test("schema v3 (text, terms and filter columns in SQLite): migrated to records with vectors, index rebuilt from the blobs without embedding, identical answers")
    func previousRelease() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let words = ["budget", "forecast", "gpu", "memory", "crash", "retry", "backoff", "policy", "notes", "daily"]
        let source = folder.url.appendingPathComponent("tracked.txt")
        try Data("gpu budget notes of a tracked file".utf8).write(to: source)
        var before: [[String]] = []
        do {
            let facade = try await openFacade(in: folder)
            for index in 0..<40 {
                let text = (0..<6).map { words[($0 * 7 + index * 3) % words.count] }.joined(separator: " ") + " item\(index)"
                _ = try await facade.saveText(
                    text, metrics: index % 3 == 0 ? ["f1": Double(index % 11) / 10] : [:], tags: index % 2 == 1 ? ["odd"] : [],
                    name: "n\(index).txt")
            }
            let tracked = try await facade.saveFileIfChanged(
                at: source, unchangedLabels: ["source_path": .string(source.path)], labels: ["source_path": .string(source.path)])
            #expect(tracked != nil)
            #expect(try await facade.commitSearchIndex())
            before = try await Self.answers(facade)
            try await Self.downgradeToSchema3(facade, store: folder.url.appendingPathComponent("store"))
        }

        let embedder = CountingEmbedder()
        let reopened = try await openFacade(in: folder, embedder: embedder)
        let index = try #require(reopened.index as? SQLiteArtifactIndex)
        #expect(try await index.schemaVersion == 4)
        #expect(index.upgradedFromVersion == 3)
        let after = try await Self.answers(reopened)
        #expect(after == before)
        // Only the queries were embedded (one per semantic or hybrid search), no document.
        #expect(embedder.count == Self.queries.count * 2)
        // The unchanged-file condition survived: the tracked file is still "unchanged".
        #expect(try await reopened.saveFileIfChanged(
                at: source, unchangedLabels: ["source_path": .string(source.path)], labels: ["source_path": .string(source.path)]) == nil)
        // The rebuilt index was committed: the next opener maps it and answers the same.
        _ = try await reopened.commitSearchIndex()
        let third = try await openFacade(in: folder, embedder: CountingEmbedder())
        #expect(try await Self.answers(third) == before)
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
