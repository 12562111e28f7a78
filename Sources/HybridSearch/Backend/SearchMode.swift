/// How a query is ranked.
public enum SearchMode: String, Sendable, Hashable, Codable, CaseIterable {
    /// BM25 over the inverted index.
    case lexical
    /// Cosine similarity of embeddings, exact scan.
    case semantic
    /// Both legs fused (reciprocal rank fusion by default).
    case hybrid
    /// Ignores the query: newest first, score = `createdAt` in seconds.
    case structural
    /// `structural` for a blank query, else `hybrid`.
    case auto

    /// Parses a user-supplied mode name; throws ``SearchError/unknownMode(_:)`` otherwise.
    public init(parsing text: String) throws(SearchError) {
        guard let mode = SearchMode(rawValue: text.lowercased()) else { throw .unknownMode(text) }
        self = mode
    }
}
