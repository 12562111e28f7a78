/// Keeps the best `k` of a stream of scored candidates in a bounded binary heap.
///
/// Order: higher `score` first; equal scores are ordered by `tieBreak` (ascending — callers
/// pass the item id or a rank, so ties resolve the same way in every process).
///
/// - Complexity: O(n log k) for n insertions; O(k log k) for ``sorted()``.
public struct TopKCollector<Key: Comparable> {
    public struct Entry {
        public var score: Double
        public var ordinal: Int
        public var key: Key
    }

    public let k: Int
    /// A min-heap on rank: the worst kept entry is at index 0.
    private var heap: [Entry] = []

    public init(k: Int) {
        precondition(k >= 0)
        self.k = k
        heap.reserveCapacity(Swift.min(k, 4096))
    }

    public var count: Int { heap.count }

    /// Whether `a` ranks strictly before `b`.
    @inline(__always)
    static func ranksBefore(_ a: Entry, _ b: Entry) -> Bool {
        a.score != b.score ? a.score > b.score : a.key < b.key
    }

    /// The score a new candidate must beat to enter once the collector is full.
    public var threshold: Double? { heap.count == k ? heap.first?.score : nil }

    public mutating func insert(score: Double, ordinal: Int, key: @autoclosure () -> Key) {
        guard k > 0 else { return }
        if heap.count == k, let worst = heap.first, score < worst.score { return }
        let entry = Entry(score: score, ordinal: ordinal, key: key())
        if heap.count < k {
            heap.append(entry)
            siftUp(heap.count - 1)
        } else if Self.ranksBefore(entry, heap[0]) {
            heap[0] = entry
            siftDown(0)
        }
    }

    /// Kept entries, best first.
    public func sorted() -> [Entry] {
        heap.sorted { a, b in a.score != b.score ? a.score > b.score : a.key < b.key }
    }

    private mutating func siftUp(_ index: Int) {
        var child = index
        while child > 0 {
            let parent = (child - 1) / 2
            // The worse entry goes up.
            guard Self.ranksBefore(heap[parent], heap[child]) else { return }
            heap.swapAt(parent, child)
            child = parent
        }
    }

    private mutating func siftDown(_ index: Int) {
        var parent = index
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var worst = parent
            if left < heap.count && Self.ranksBefore(heap[worst], heap[left]) { worst = left }
            if right < heap.count && Self.ranksBefore(heap[worst], heap[right]) { worst = right }
            if worst == parent { return }
            heap.swapAt(parent, worst)
            parent = worst
        }
    }
}
