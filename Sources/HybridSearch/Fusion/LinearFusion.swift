/// Convex combination of min-max normalised leg scores, offered for comparison with RRF:
/// score(d) = (1 − alpha) · norm_lex(d) + alpha · norm_sem(d), where norm maps a leg's
/// candidate scores linearly onto [0, 1] (all 1 when the leg's scores are equal) and a leg
/// that did not return d adds 0. Scores lie in [0, 1].
public struct LinearFusion: Sendable, Hashable, Codable {
    /// Weight of the semantic leg in [0, 1].
    public var alpha: Double
    public var window: Int

    public init(alpha: Double = 0.3, window: Int = 100) {
        self.alpha = alpha
        self.window = window
    }

    func normalizer(lexical: RankedList, semantic: RankedList) -> (HitExplanation) -> Double {
        let lexicalRange = Self.range(lexical)
        let semanticRange = Self.range(semantic)
        let alpha = alpha
        return { explanation in
            var total = 0.0
            if let leg = explanation.lexical {
                total += (1 - alpha) * Self.normalize(leg.score, lexicalRange)
            }
            if let leg = explanation.semantic {
                total += alpha * Self.normalize(leg.score, semanticRange)
            }
            return total
        }
    }

    private static func range(_ list: RankedList) -> (low: Double, high: Double) {
        let scores = list.map(\.score)
        return (scores.min() ?? 0, scores.max() ?? 0)
    }

    private static func normalize(_ value: Double, _ range: (low: Double, high: Double)) -> Double {
        range.high > range.low ? (value - range.low) / (range.high - range.low) : 1
    }
}
