import Foundation
import HybridSearch

/// Keeps the in-memory search backend in step with the search documents persisted in the
/// index: on open it upserts every stored item with its stored vector (nothing is embedded
/// again); before each query-mode search it upserts documents committed since (e.g. by another
/// process). Upserts are idempotent, so overlapping catch-ups are harmless.
final class SearchMirror: @unchecked Sendable {
    let index: any ArtifactIndex
    let backend: any SearchBackend
    let corpus: String
    private let lock = NSLock()
    private var lastSequence: Int64 = 0  // guarded by `lock`
    private static let batchSize = 1_000

    init(index: any ArtifactIndex, backend: any SearchBackend, corpus: String) {
        self.index = index
        self.backend = backend
        self.corpus = corpus
        self.analyzerID = backend.analyzer.identifier
    }

    private let analyzerID: String

    /// Upserts every stored document newer than the last one mirrored.
    func catchUp() async throws {
        while true {
            let start = lock.withLock { lastSequence }
            let (items, last) = try await index.searchDocuments(
                corpus: corpus, after: start, limit: Self.batchSize, analyzer: analyzerID)
            if items.isEmpty { return }
            try await backend.upsert(items)
            lock.withLock { lastSequence = max(lastSequence, last) }
            if items.count < Self.batchSize { return }
        }
    }

    /// Records that the document with `sequence` was upserted directly by this process, so
    /// the next catch-up does not upsert it again when nothing else came in between.
    func noteUpserted(sequence: Int64) {
        lock.withLock {
            if sequence == lastSequence + 1 { lastSequence = sequence }
        }
    }
}
