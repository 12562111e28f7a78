/// A ``SearchBackend`` for one corpus kept in a ``PersistentIndex``: opened by mapping its
/// segments, searched with the in-memory backend's exact semantics.
///
/// Writes go to the index's tail: ``upsert(_:)`` adds or replaces items, ``delete(corpus:ids:)``
/// removes them (from the tail, or by marking them deleted in their segment). Callers that
/// mirror a source of truth feed the index with ``PersistentIndex/apply(_:sequences:)``
/// instead, so the watermark follows, and call ``PersistentIndex/commit()`` to make the
/// tail a segment.
public final class PersistentSearchBackend: SearchBackend, @unchecked Sendable {
    public let corpus: String
    public let index: PersistentIndex

    public init(corpus: String, index: PersistentIndex) {
        self.corpus = corpus
        self.index = index
    }

    public var embedder: any Embedder { index.embedder }
    public var analyzer: any Analyzer { index.analyzer }

    public func upsert(_ items: [SearchItem]) async throws(SearchError) {
        if let other = items.first(where: { $0.corpus != corpus }) {
            throw .invalidArgument("this index holds corpus \"\(corpus)\", not \"\(other.corpus)\"")
        }
        try index.add(items, watermark: index.tailWatermarkValue)
    }

    public func delete(corpus: String, ids: [String]) async {
        guard corpus == self.corpus, !ids.isEmpty else { return }
        index.delete(ids: ids)
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
