/// A set of document ordinals (dense internal numbers) as a bitmap plus a sorted member
/// list: O(1) membership for scans, O(|set|) iteration for selective filters.
public struct OrdinalSet: Sendable, Equatable {
    public private(set) var members: [Int32]
    private var bits: [UInt64]

    /// - Parameter members: ordinals, any order, duplicates allowed.
    public init<S: Sequence>(members: S, capacity: Int) where S.Element == Int32 {
        var bits = [UInt64](repeating: 0, count: (capacity + 63) / 64)
        var list: [Int32] = []
        for ordinal in members {
            let word = Int(ordinal) >> 6
            let mask = UInt64(1) << UInt64(Int(ordinal) & 63)
            if word < bits.count && bits[word] & mask == 0 {
                bits[word] |= mask
                list.append(ordinal)
            }
        }
        list.sort()
        self.members = list
        self.bits = bits
    }

    public var count: Int { members.count }
    public var isEmpty: Bool { members.isEmpty }

    @inline(__always)
    public func contains(_ ordinal: Int) -> Bool {
        let word = ordinal >> 6
        return word < bits.count && bits[word] & (UInt64(1) << UInt64(ordinal & 63)) != 0
    }

    /// Members present in both sets.
    public func intersection(_ other: OrdinalSet) -> OrdinalSet {
        let (small, large) = count <= other.count ? (self, other) : (other, self)
        return OrdinalSet(
            members: small.members.filter { large.contains(Int($0)) }, capacity: bits.count * 64)
    }
}
