import Foundation

/// One searchable item of a corpus: the unit the backend stores, filters and ranks.
public struct SearchItem: Sendable, Hashable {
    /// The collection the item belongs to; searches never cross corpora.
    public var corpus: String
    /// Unique within `corpus`. Upserting an existing id replaces the item completely.
    public var id: String
    /// The text analysed for BM25 and embedded for the dense leg.
    public var text: String
    /// Typed metadata used by filters. The key `tags` holds an array of strings and is
    /// filtered ALL-of (see ``MetadataFilter``).
    public var metadata: [String: JSONValue]
    /// Creation time in seconds since 1970-01-01 UTC; `nil` never matches a time filter.
    public var createdAt: Double?
    /// A precomputed embedding (length = the backend embedder's dimension), or `nil` to let
    /// the backend embed `text`. Stores that persist vectors pass them back on open so
    /// nothing is embedded twice.
    public var vector: [Float]?
    /// Precomputed analysis of `text`, or `nil` to let the backend analyse it. Used only when
    /// its ``TermCounts/analyzer`` equals the backend's analyzer identifier; then `text` may
    /// be empty. Stores pass persisted terms back on open so nothing is analysed twice.
    public var terms: TermCounts?

    public init(
        corpus: String, id: String, text: String, metadata: [String: JSONValue] = [:],
        createdAt: Double? = nil, vector: [Float]? = nil, terms: TermCounts? = nil
    ) {
        self.terms = terms
        self.corpus = corpus
        self.id = id
        self.text = text
        self.metadata = metadata
        self.createdAt = createdAt
        self.vector = vector
    }
}

/// One ranked result.
public struct SearchHit: Sendable, Hashable {
    public var itemID: String
    public var corpus: String
    /// Mode-dependent: BM25 score (≥ 0) for `lexical`, cosine similarity in [-1, 1] for
    /// `semantic`, the fused score for `hybrid` (RRF: in (0, Σ wᵢ/(k+1)]), `createdAt` in
    /// seconds for `structural`.
    public var score: Double
    public var metadata: [String: JSONValue]
    public var createdAt: Double?
    /// Each leg's 1-based rank and raw score, when the request asked for an explanation.
    public var explanation: HitExplanation?

    public init(
        itemID: String, corpus: String, score: Double, metadata: [String: JSONValue],
        createdAt: Double?, explanation: HitExplanation? = nil
    ) {
        self.itemID = itemID
        self.corpus = corpus
        self.score = score
        self.metadata = metadata
        self.createdAt = createdAt
        self.explanation = explanation
    }
}

/// Why an item ranked where it did: each leg's contribution.
public struct HitExplanation: Sendable, Hashable, Codable {
    public struct Leg: Sendable, Hashable, Codable {
        /// 1-based rank within the leg's filtered candidate list.
        public var rank: Int
        /// The leg's raw score (BM25 or cosine).
        public var score: Double

        public init(rank: Int, score: Double) {
            self.rank = rank
            self.score = score
        }
    }
    /// `nil` when the lexical leg did not return the item within its window.
    public var lexical: Leg?
    /// `nil` when the semantic leg did not return the item within its window.
    public var semantic: Leg?

    public init(lexical: Leg? = nil, semantic: Leg? = nil) {
        self.lexical = lexical
        self.semantic = semantic
    }
}
