import Foundation

/// Which segments a commit merges: size tiers, as Lucene's `TieredMergePolicy` in miniature.
///
/// A segment's tier is ⌊log_f(live documents / floor)⌋ (0 for segments at or below `floor`),
/// `f` = ``segmentsPerTier``. When a tier holds ``segmentsPerTier`` segments, its smallest
/// ``segmentsPerTier`` are merged into one (of the next tier), lowest tier first, so a store
/// of n documents keeps O(f · log_f(n / floor)) segments and each document is rewritten
/// O(log_f(n / floor)) times. A segment whose deleted share reaches
/// ``maximumDeletedFraction`` is rewritten on its own, dropping its deleted documents.
/// Deterministic: the same segments give the same choice.
public struct MergePolicy: Sendable, Hashable {
    /// Segments per tier before they merge (≥ 2).
    public var segmentsPerTier: Int
    /// Live documents up to which a segment is in tier 0.
    public var floor: Int
    /// Deleted share (0…1] at which a segment is rewritten.
    public var maximumDeletedFraction: Double

    public init(segmentsPerTier: Int = 10, floor: Int = 1_000, maximumDeletedFraction: Double = 0.5) {
        self.segmentsPerTier = max(2, segmentsPerTier)
        self.floor = max(1, floor)
        self.maximumDeletedFraction = maximumDeletedFraction
    }

    /// Never merges (for tests and measurements of the unmerged layout).
    public static let never = MergePolicy(segmentsPerTier: Int.max, floor: 1, maximumDeletedFraction: .infinity)

    func tier(_ live: Int) -> Int {
        var tier = 0
        var bound = floor
        while live > bound, bound <= Int.max / segmentsPerTier {
            bound *= segmentsPerTier
            tier += 1
        }
        return tier
    }

    /// Positions (ascending) of the segments to merge into one, or `[]`.
    /// - Parameter segments: each segment's document count and deleted count, in index order.
    public func selection(_ segments: [(documents: Int, deleted: Int)]) -> [Int] {
        var byTier: [Int: [Int]] = [:]
        for (position, segment) in segments.enumerated() {
            byTier[tier(segment.documents - segment.deleted), default: []].append(position)
        }
        for tier in byTier.keys.sorted() {
            let members = byTier[tier]!
            guard members.count >= segmentsPerTier else { continue }
            let smallest = members.sorted {
                (segments[$0].documents - segments[$0].deleted, $0) < (segments[$1].documents - segments[$1].deleted, $1)
            }
            return Array(smallest.prefix(segmentsPerTier)).sorted()
        }
        for (position, segment) in segments.enumerated()
        where segment.deleted > 0 && Double(segment.deleted) >= maximumDeletedFraction * Double(segment.documents) {
            return [position]
        }
        return []
    }
}
