/// How a structural search (``SearchMode/structural``: filters only, no query) orders the
/// items that pass its filter.
///
/// Ties — and the items that lack the number, when they are kept — go newest first (larger
/// `createdAt`), then by the larger id (ids that grow with time put the later save first);
/// items without a creation time come after those with one.
public enum StructuralOrder: Sendable, Hashable {
    /// Newest `createdAt` first. Each hit's score is its `createdAt` (0 when it has none).
    case newestFirst
    /// By the number stored under metadata `key` (a JSON number; any other value counts as
    /// missing): largest first when `descending`, else smallest first. Items without it come
    /// after all that have it, or are left out when `excludingMissing`. Each hit's score is
    /// its number (0 when it has none).
    case number(key: String, descending: Bool, excludingMissing: Bool)
}

/// The tie order of a structural ranking, as a ``TopKCollector`` key (smaller ranks first):
/// newer first, then the larger id.
struct StructuralTieKey: Comparable {
    var createdAt: Double  // −∞ when absent
    var id: String

    static func < (a: StructuralTieKey, b: StructuralTieKey) -> Bool {
        a.createdAt != b.createdAt ? a.createdAt > b.createdAt : a.id > b.id
    }
}

extension RankingSource {
    /// The structural ranking of `candidates` (every live item when `nil`) in `order`: one
    /// implementation for every ranking source, over its `createdAt`, ids and numbers.
    /// - Complexity: O(candidates × log topK), plus the postings of `key` for a number order.
    func structuralRanking(topK: Int, candidates: OrdinalSet?, order: StructuralOrder) -> RankedList {
        var collector = TopKCollector<StructuralTieKey>(k: topK)
        let byNumber: Bool
        let numbers: [Int32: Double]
        let descending: Bool
        let excludingMissing: Bool
        if case .number(let key, let wantsDescending, let excludes) = order {
            (byNumber, numbers, descending, excludingMissing) = (true, numericValues(key: key), wantsDescending, excludes)
        } else {
            (byNumber, numbers, descending, excludingMissing) = (false, [:], true, false)
        }
        // The collector is passed in, not captured: a captured `var` is checked for exclusive
        // access at run time on every visit, which cost more than the visit itself.
        func visit(_ collector: inout TopKCollector<StructuralTieKey>, _ ordinal: Int, _ createdAt: Double?) {
            let time = createdAt ?? -.infinity
            var score = time
            if byNumber {
                if let value = numbers[Int32(ordinal)] {
                    score = descending ? value : -value
                } else if excludingMissing {
                    return
                } else {
                    score = -.infinity
                }
            }
            collector.insert(score: score, ordinal: ordinal, key: StructuralTieKey(createdAt: time, id: id(ordinal: ordinal)))
        }
        // Newest last is the usual order of ordinals (saves append): visited from the end, the
        // first k fill the collector and almost every older item is then turned away by one
        // comparison, before its id is read. The order of visits does not change the result.
        if byNumber && excludingMissing {
            // Only items holding the number can rank (`numericValues` holds live items only).
            for ordinal in numbers.keys where candidates?.contains(Int(ordinal)) ?? true {
                visit(&collector, Int(ordinal), createdAt(ordinal: Int(ordinal)))
            }
        } else {
            forEachNewestFirst(candidates, &collector, visit)
        }
        return collector.sorted().map { entry in
            if byNumber { return (entry.ordinal, numbers[Int32(entry.ordinal)] ?? 0) }
            return (entry.ordinal, entry.score.isFinite ? entry.score : 0)
        }
    }
}
