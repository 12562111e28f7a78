/// Reciprocal rank fusion: score(d) = Σ over legs of wᵢ / (k + rankᵢ(d)), ranks from 1; a leg
/// that did not return d adds nothing. Each leg contributes its top `max(window, topK)`.
///
/// Source: G. V. Cormack, C. L. A. Clarke, S. Büttcher, "Reciprocal Rank Fusion outperforms
/// Condorcet and individual Rank Learning Methods", SIGIR 2009 (k = 60).
///
/// Scores lie in (0, (w_lexical + w_semantic) / (k + 1)].
public struct ReciprocalRankFusion: Sendable, Hashable, Codable {
    public var k: Double
    public var lexicalWeight: Double
    public var semanticWeight: Double
    /// Candidates taken from each leg (at least `topK`).
    public var window: Int

    public init(k: Double = 60, lexicalWeight: Double = 1, semanticWeight: Double = 1, window: Int = 100) {
        self.k = k
        self.lexicalWeight = lexicalWeight
        self.semanticWeight = semanticWeight
        self.window = window
    }

    public func score(_ explanation: HitExplanation) -> Double {
        var total = 0.0
        if let leg = explanation.lexical { total += lexicalWeight / (k + Double(leg.rank)) }
        if let leg = explanation.semantic { total += semanticWeight / (k + Double(leg.rank)) }
        return total
    }
}
