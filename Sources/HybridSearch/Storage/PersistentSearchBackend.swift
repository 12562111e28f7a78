/// A ``SearchBackend`` for one corpus kept in a ``PersistentIndex``: opened by mapping its
/// segments, searched with the in-memory backend's exact semantics.
///
/// Writes go to the index's tail: ``upsert(_:)`` adds new items (an id already in a segment
/// cannot be replaced yet), ``delete(corpus:ids:)`` removes tail items and reports the rest
/// through ``needsRebuild``. Callers that mirror a source of truth feed the tail with
/// ``PersistentIndex/add(_:sequences:)`` instead, so the watermark follows, and call
/// ``PersistentIndex/commit()`` to make the tail a segment.
public final class PersistentSearchBackend: SearchBackend, @unchecked Sendable {
    public let corpus: String
    public let index: PersistentIndex
    private let lock = ReadWriteLock()
    private var rebuildNeeded = false  // guarded by `lock`

    public init(corpus: String, index: PersistentIndex) {
        self.corpus = corpus
        self.index = index
    }

    public var embedder: any Embedder { index.embedder }
    public var analyzer: any Analyzer { index.analyzer }

    /// Whether a delete hit items already in segments: they still rank until the index is
    /// rebuilt (``PersistentIndex/reset()`` and a new catch-up).
    public var needsRebuild: Bool { lock.withReadLock { rebuildNeeded } }

    public func upsert(_ items: [SearchItem]) async throws(SearchError) {
        if let other = items.first(where: { $0.corpus != corpus }) {
            throw .invalidArgument("this index holds corpus \"\(corpus)\", not \"\(other.corpus)\"")
        }
        try index.add(items, watermark: index.tailWatermarkValue)
    }

    public func delete(corpus: String, ids: [String]) async {
        guard corpus == self.corpus, !ids.isEmpty else { return }
        if !index.removeFromTail(ids: ids).isEmpty { lock.withWriteLock { rebuildNeeded = true } }
    }

    public func search(_ request: SearchRequest) async throws(SearchError) -> [SearchHit] {
        guard request.corpus == corpus else {
            guard request.topK >= 1 else { throw .invalidTopK(request.topK) }
            return []
        }
        return try index.search(request)
    }

    public func count(corpus: String) async -> Int {
        corpus == self.corpus ? index.count : 0
    }
}
