/// A set of document ordinals (dense internal numbers) as a bitmap plus a sorted member
/// list: O(1) membership for scans, O(|set|) iteration for selective filters.
public struct OrdinalSet: Sendable, Equatable {
    public private(set) var members: [Int32]
    private var bits: [UInt64]

    /// - Parameter members: ordinals, any order, duplicates allowed; those ≥ `capacity` are dropped.
    /// - Complexity: O(n + capacity / 64): the sorted member list is read back from the bitmap.
    public init<S: Sequence>(members: S, capacity: Int) where S.Element == Int32 {
        var bits = [UInt64](repeating: 0, count: (capacity + 63) / 64)
        for ordinal in members {
            let word = Int(ordinal) >> 6
            if word < bits.count { bits[word] |= UInt64(1) << UInt64(Int(ordinal) & 63) }
        }
        var list: [Int32] = []
        list.reserveCapacity(bits.reduce(0) { $0 + $1.nonzeroBitCount })
        for (word, value) in bits.enumerated() where value != 0 {
            var remaining = value
            while remaining != 0 {
                list.append(Int32(word * 64 + remaining.trailingZeroBitCount))
                remaining &= remaining - 1
            }
        }
        self.members = list
        self.bits = bits
    }

    /// - Parameter sortedMembers: strictly increasing ordinals below `capacity` (not checked
    ///   beyond a debug assertion); kept as the member list without copying.
    /// - Complexity: O(n + capacity / 64).
    public init(sortedMembers: [Int32], capacity: Int) {
        assert(zip(sortedMembers, sortedMembers.dropFirst()).allSatisfy { $0 < $1 })
        var bits = [UInt64](repeating: 0, count: (capacity + 63) / 64)
        for ordinal in sortedMembers where Int(ordinal) < capacity {
            bits[Int(ordinal) >> 6] |= UInt64(1) << UInt64(Int(ordinal) & 63)
        }
        self.members = sortedMembers.last.map { Int($0) < capacity } ?? true
            ? sortedMembers : sortedMembers.filter { Int($0) < capacity }
        self.bits = bits
    }

    public var count: Int { members.count }
    public var isEmpty: Bool { members.isEmpty }

    @inline(__always)
    public func contains(_ ordinal: Int) -> Bool {
        let word = ordinal >> 6
        return word < bits.count && bits[word] & (UInt64(1) << UInt64(ordinal & 63)) != 0
    }

    /// Members in `range`, ascending: a slice of the member list found by binary search.
    /// - Complexity: O(log n).
    public func members(in range: Range<Int>) -> ArraySlice<Int32> {
        func lowerBound(_ value: Int) -> Int {
            var low = 0
            var high = members.count
            while low < high {
                let mid = (low + high) / 2
                if Int(members[mid]) < value { low = mid + 1 } else { high = mid }
            }
            return low
        }
        return members[lowerBound(range.lowerBound)..<lowerBound(range.upperBound)]
    }

    /// Members present in both sets.
    public func intersection(_ other: OrdinalSet) -> OrdinalSet {
        let (small, large) = count <= other.count ? (self, other) : (other, self)
        return OrdinalSet(
            sortedMembers: small.members.filter { large.contains(Int($0)) }, capacity: max(bits.count, other.bits.count) * 64)
    }
}
