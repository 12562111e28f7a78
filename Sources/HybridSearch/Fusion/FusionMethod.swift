/// One leg's ranked list: (ordinal, raw score), best first.
public typealias RankedList = [(ordinal: Int, score: Double)]

/// A fused result with each leg's contribution.
public struct FusedCandidate: Sendable, Hashable {
    public var ordinal: Int
    public var score: Double
    public var explanation: HitExplanation
}

/// How the lexical and semantic legs are combined in `hybrid` mode.
public enum FusionMethod: Sendable, Hashable {
    case reciprocalRank(ReciprocalRankFusion)
    case linear(LinearFusion)

    /// Fuses the legs and returns the best `topK`, best first.
    ///
    /// Order: higher fused score; then the better (smaller) single-leg rank; then the smaller
    /// `key` (the item id), so rankings are identical in every process.
    public func fuse<Key: Comparable>(
        lexical: RankedList, semantic: RankedList, topK: Int, key: (Int) -> Key
    ) -> [FusedCandidate] {
        var explanations: [Int: HitExplanation] = [:]
        for (rank, entry) in lexical.enumerated() {
            explanations[entry.ordinal, default: HitExplanation()].lexical =
                HitExplanation.Leg(rank: rank + 1, score: entry.score)
        }
        for (rank, entry) in semantic.enumerated() {
            explanations[entry.ordinal, default: HitExplanation()].semantic =
                HitExplanation.Leg(rank: rank + 1, score: entry.score)
        }
        let scorer: (HitExplanation) -> Double
        switch self {
        case .reciprocalRank(let rrf):
            scorer = rrf.score
        case .linear(let linear):
            let normalizer = linear.normalizer(lexical: lexical, semantic: semantic)
            scorer = normalizer
        }
        var fused = explanations.map { ordinal, explanation in
            FusedCandidate(ordinal: ordinal, score: scorer(explanation), explanation: explanation)
        }
        let keys = Dictionary(uniqueKeysWithValues: fused.map { ($0.ordinal, key($0.ordinal)) })
        fused.sort { a, b in
            if a.score != b.score { return a.score > b.score }
            let bestA = a.explanation.bestRank
            let bestB = b.explanation.bestRank
            if bestA != bestB { return bestA < bestB }
            return keys[a.ordinal]! < keys[b.ordinal]!
        }
        return Array(fused.prefix(topK))
    }

    /// How many candidates each leg must contribute for a request of `topK`.
    public func window(topK: Int) -> Int {
        switch self {
        case .reciprocalRank(let rrf): return max(rrf.window, topK)
        case .linear(let linear): return max(linear.window, topK)
        }
    }
}

extension HitExplanation {
    /// The smaller of the legs' ranks (Int.max when neither leg ranked the item).
    var bestRank: Int { min(lexical?.rank ?? .max, semantic?.rank ?? .max) }
}
