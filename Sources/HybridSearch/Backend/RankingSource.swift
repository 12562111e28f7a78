/// What one search ranks over — an in-memory corpus (``CorpusIndex``) or a set of segments
/// (``SegmentedIndex``) — addressed by ordinals of its own. Both give the same answer for
/// the same items: the request flow below is shared, so filters, modes, fusion and tie rules
/// cannot drift apart.
protocol RankingSource {
    /// The ordinals passing `filter`, `nil` meaning all (also when every item passes).
    func candidates(for filter: MetadataFilter) -> OrdinalSet?
    func lexicalRanking(terms: [String], topK: Int, candidates: OrdinalSet?) -> RankedList
    func semanticRanking(vector: [Float], topK: Int, candidates: OrdinalSet?) -> RankedList
    /// Creation time of a live ordinal (`nil` when it has none).
    func createdAt(ordinal: Int) -> Double?
    /// Global ordinal → number for every live item whose metadata `key` holds a JSON number.
    func numericValues(key: String) -> [Int32: Double]
    /// Calls `body` with each ordinal of `candidates` (every live ordinal when `nil`) and its
    /// creation time, preferably the newest first (any order ranks the same).
    func forEachNewestFirst<State>(_ candidates: OrdinalSet?, _ state: inout State, _ body: (inout State, Int, Double?) -> Void)
    /// The hit of `ordinal`, with its metadata when `metadata` (``SearchRequest/includesMetadata``).
    func hit(ordinal: Int, corpus: String, score: Double, explanation: HitExplanation?, metadata: Bool) -> SearchHit
    func id(ordinal: Int) -> String
}

/// A request made ready to rank: its resolved mode, analysed terms and query vector.
struct PreparedQuery {
    var mode: SearchMode
    var terms: [String]
    var vector: [Float]
}

enum QueryPreparation {
    /// Checks a request and resolves it; `nil` when it matches nothing (a blank query, or one
    /// without an indexable token, in a query mode).
    /// - Throws: ``SearchError/invalidTopK(_:)``, nesting past the limit, a dense mode without
    ///   a dense leg, and the embedder's errors.
    static func prepare(
        _ request: SearchRequest, analyzer: any Analyzer, embedder: any Embedder, configuration: SearchConfiguration
    ) throws(SearchError) -> PreparedQuery? {
        guard request.topK >= 1 else { throw .invalidTopK(request.topK) }
        try InMemorySearchBackend.checkNesting(request.filter.equals.values.compactMap { $0 }, what: "the filter")
        var mode = request.mode
        let blank = request.query.allSatisfy(\.isWhitespace)
        if mode == .auto { mode = blank ? .structural : .hybrid }
        var terms: [String] = []
        var vector: [Float] = []
        if mode != .structural {
            terms = analyzer.terms(in: request.query)
            guard !terms.isEmpty else { return nil }
            if mode != .lexical {
                guard configuration.denseLegEnabled else {
                    throw .invalidArgument(
                        "\(mode.rawValue) search needs the dense leg, which this backend was configured without: "
                            + "use mode lexical, or enable the dense leg (SearchConfiguration.denseLegEnabled)")
                }
                vector = try embedder.checkedEmbeddings([request.query], ids: ["query"])[0]
            }
        }
        return PreparedQuery(mode: mode, terms: terms, vector: vector)
    }
}

extension RankingSource {
    /// Ranks a prepared request: filters resolved to candidates before either leg, then the
    /// mode's ranking (hybrid: both legs' windows, the semantic floor, fusion).
    func rank(_ request: SearchRequest, query: PreparedQuery, configuration: SearchConfiguration) -> [SearchHit] {
        rank(request, query: query, configuration: configuration, candidates: candidates(for: request.effectiveFilter()))
    }

    /// ``rank(_:query:configuration:)`` with the filter already resolved (`nil`: every item).
    func rank(
        _ request: SearchRequest, query: PreparedQuery, configuration: SearchConfiguration, candidates: OrdinalSet?
    ) -> [SearchHit] {
        if let candidates, candidates.isEmpty { return [] }
        func hits(_ list: RankedList, leg: WritableKeyPath<HitExplanation, HitExplanation.Leg?>?) -> [SearchHit] {
            list.enumerated().map { rank, entry in
                var explanation: HitExplanation?
                if request.explain, let leg {
                    var value = HitExplanation()
                    value[keyPath: leg] = HitExplanation.Leg(rank: rank + 1, score: entry.score)
                    explanation = value
                }
                return hit(
                    ordinal: entry.ordinal, corpus: request.corpus, score: entry.score, explanation: explanation,
                    metadata: request.includesMetadata)
            }
        }
        switch query.mode {
        case .lexical:
            return hits(lexicalRanking(terms: query.terms, topK: request.topK, candidates: candidates), leg: \.lexical)
        case .semantic:
            return hits(semanticRanking(vector: query.vector, topK: request.topK, candidates: candidates), leg: \.semantic)
        case .structural, .auto:
            return hits(structuralRanking(topK: request.topK, candidates: candidates, order: request.order), leg: nil)
        case .hybrid:
            let fusion = configuration.fusion
            let window = fusion.window(topK: request.topK)
            let lexical = lexicalRanking(terms: query.terms, topK: window, candidates: candidates)
            let floor = configuration.hybridSemanticFloor
            var semantic = semanticRanking(vector: query.vector, topK: window, candidates: candidates)
            if floor > 0 { semantic.removeAll { $0.score < floor } }
            let fused = fusion.fuse(lexical: lexical, semantic: semantic, topK: request.topK) { id(ordinal: $0) }
            return fused.map {
                hit(
                    ordinal: $0.ordinal, corpus: request.corpus, score: $0.score,
                    explanation: request.explain ? $0.explanation : nil, metadata: request.includesMetadata)
            }
        }
    }
}
