import Foundation

/// A ``SearchBackend`` for one corpus kept in a ``PersistentIndex``: opened by mapping its
/// segments — on first use, so a process that never searches or saves never maps a file —
/// and searched with the in-memory backend's exact semantics.
///
/// Writes go to the index's tail: ``upsert(_:)`` adds or replaces items, ``delete(corpus:ids:)``
/// removes them (from the tail, or by marking them deleted in their segment). Callers that
/// mirror a source of truth feed the index with ``PersistentIndex/apply(_:sequences:)``
/// instead, so the watermark follows, and call ``PersistentIndex/commit()`` to make the
/// tail a segment.
public final class PersistentSearchBackend: SearchBackend, @unchecked Sendable {
    public let corpus: String
    public let embedder: any Embedder
    public let analyzer: any Analyzer
    private let opener: @Sendable () throws(SearchError) -> PersistentIndex
    private let lock = NSLock()
    private var opened: PersistentIndex?  // guarded by `lock`

    /// A backend over an index already open.
    public convenience init(corpus: String, index: PersistentIndex) {
        self.init(corpus: corpus, analyzer: index.analyzer, embedder: index.embedder) { () throws(SearchError) in index }
        lock.withLock { opened = index }
    }

    /// A backend whose index `open` opens at first use (once it succeeds).
    /// - Parameters: analyzer, embedder: those `open` opens the index with.
    public init(
        corpus: String, analyzer: any Analyzer, embedder: any Embedder,
        opening open: @escaping @Sendable () throws(SearchError) -> PersistentIndex
    ) {
        self.corpus = corpus
        self.analyzer = analyzer
        self.embedder = embedder
        self.opener = open
    }

    /// The index, opened on the first call.
    /// - Throws: what opening throws (``SearchError/embedderMismatch(stored:current:)``,
    ///   ``SearchError/storage(path:reason:)``); the next call tries again.
    public func index() throws(SearchError) -> PersistentIndex {
        lock.lock()
        defer { lock.unlock() }
        if let opened { return opened }
        let index = try opener()
        opened = index
        return index
    }

    /// The index if it has been opened, else `nil` (nothing is opened).
    public var openedIndex: PersistentIndex? { lock.withLock { opened } }

    public func upsert(_ items: [SearchItem]) async throws(SearchError) {
        if let other = items.first(where: { $0.corpus != corpus }) {
            throw .invalidArgument("this index holds corpus \"\(corpus)\", not \"\(other.corpus)\"")
        }
        let index = try index()
        try index.add(items, watermark: index.tailWatermarkValue)
    }

    public func delete(corpus: String, ids: [String]) async {
        guard corpus == self.corpus, !ids.isEmpty else { return }
        (try? index())?.delete(ids: ids)
    }

    public func search(_ request: SearchRequest) async throws(SearchError) -> [SearchHit] {
        guard request.corpus == corpus else {
            guard request.topK >= 1 else { throw .invalidTopK(request.topK) }
            return []
        }
        // Only a search that may wait to share a whole-index dense scan (DenseScanBatcher)
        // leaves this thread; the rest — lexical, structural, and every search whose filter
        // selects a subset, an agent's usual scope — rank here, without two hand-offs
        // between threads.
        let plan = try index().plan(request)
        guard plan.mayWaitForSharedScan else { return plan.run() }
        // On a queue of its own, not the cooperative pool: it may wait for a concurrent scan,
        // and a full scan takes milliseconds.
        return await withCheckedContinuation { continuation in
            Self.searches.async { continuation.resume(returning: plan.run()) }
        }
    }

    private static let searches = DispatchQueue(label: "artifact-search.searches", qos: .userInitiated, attributes: .concurrent)

    public func count(corpus: String) async -> Int {
        corpus == self.corpus ? (try? index().count) ?? 0 : 0
    }
}
