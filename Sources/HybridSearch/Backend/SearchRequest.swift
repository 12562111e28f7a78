import Foundation

/// A query against one corpus.
public struct SearchRequest: Sendable, Hashable {
    public var corpus: String
    /// Free text; never interpreted as query syntax. Blank → empty result in query modes.
    public var query: String
    /// Number of hits wanted, ≥ 1. Fewer come back only when fewer items match.
    public var topK: Int
    public var filter: MetadataFilter
    /// A relative window `[now − window, now]` on `createdAt`, resolved when the search runs.
    /// Ignored when `filter` sets `createdAtMin` or `createdAtMax` (explicit bounds win).
    public var timeWindow: TimeWindow?
    public var mode: SearchMode
    /// Attach each leg's rank and raw score to every hit.
    public var explain: Bool
    /// The order of a structural search (ignored by the query modes). Default newest first.
    public var order: StructuralOrder
    /// Whether hits carry their items' metadata (``SearchHit/metadata``; empty when false).
    /// A caller that reads its records elsewhere saves decoding each hit's metadata.
    public var includesMetadata: Bool

    public init(
        corpus: String, query: String, topK: Int = 10, filter: MetadataFilter = .none,
        timeWindow: TimeWindow? = nil, mode: SearchMode = .auto, explain: Bool = false,
        order: StructuralOrder = .newestFirst, includesMetadata: Bool = true
    ) {
        self.order = order
        self.includesMetadata = includesMetadata
        self.timeWindow = timeWindow
        self.corpus = corpus
        self.query = query
        self.topK = topK
        self.filter = filter
        self.mode = mode
        self.explain = explain
    }
}

extension SearchRequest {
    /// `filter` with the time window applied: explicit `createdAtMin`/`createdAtMax` win;
    /// otherwise the window's `[now − window, now]`.
    public func effectiveFilter(now: Date = Date()) -> MetadataFilter {
        guard let timeWindow, filter.createdAtMin == nil, filter.createdAtMax == nil else { return filter }
        var resolved = filter
        let bounds = timeWindow.bounds(now: now)
        resolved.createdAtMin = bounds.lowerBound
        resolved.createdAtMax = bounds.upperBound
        return resolved
    }
}

/// Stores items and ranks them. Implementations apply ``MetadataFilter`` before ranking and
/// before `topK`, in both legs of hybrid search, and return identical rankings for
/// identical inputs in every process.
public protocol SearchBackend: Sendable {
    /// The embedder whose vectors the dense leg holds.
    var embedder: any Embedder { get }

    /// The analyzer of documents and queries (its identifier tags persisted ``TermCounts``).
    var analyzer: any Analyzer { get }

    /// Inserts or completely replaces items (by corpus and id).
    /// - Throws: ``SearchError/invalidVector(id:reason:)`` for NaN/∞ or wrong-length vectors;
    ///   nothing of the batch is applied then.
    func upsert(_ items: [SearchItem]) async throws(SearchError)

    /// Removes items from both legs at once. Unknown ids are ignored.
    func delete(corpus: String, ids: [String]) async

    /// Ranks the corpus for the request.
    /// - Throws: ``SearchError/invalidTopK(_:)`` when `topK < 1`.
    func search(_ request: SearchRequest) async throws(SearchError) -> [SearchHit]

    /// Number of items stored in the corpus.
    func count(corpus: String) async -> Int
}
