/// A set of query-term indices for ``SnippetExtractor``: the first 64 in one machine word (no
/// allocation: a snippet tests every word of a text), any beyond in a `Set`.
struct TermSet: Equatable {
    private var bits: UInt64 = 0
    private var overflow: Set<Int>? = nil

    var isEmpty: Bool { bits == 0 && (overflow?.isEmpty ?? true) }
    var count: Int { bits.nonzeroBitCount + (overflow?.count ?? 0) }

    mutating func insert(_ index: Int) {
        if index < 64 {
            bits |= 1 << UInt64(index)
        } else {
            overflow = (overflow ?? []).union([index])
        }
    }

    mutating func formUnion(_ other: TermSet) {
        bits |= other.bits
        if let more = other.overflow { overflow = (overflow ?? []).union(more) }
    }
}
