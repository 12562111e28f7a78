import Foundation

extension Array where Element: Sendable {
    /// `map` with the elements spread over the cores (`DispatchQueue.concurrentPerform`, one
    /// work item per element; blocks until all are done); results in the elements' order.
    func concurrentMap<Result: Sendable>(_ transform: @Sendable (Element) -> Result) -> [Result] {
        let slots = ResultSlots<Result?>(count: count, empty: nil)
        DispatchQueue.concurrentPerform(iterations: count) { index in slots.set(index, transform(self[index])) }
        return slots.values.map { $0! }
    }
}

/// One result per worker of a `DispatchQueue.concurrentPerform`, each written by its worker.
private final class ResultSlots<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [Value]  // guarded by `lock`

    init(count: Int, empty: Value) { slots = Array(repeating: empty, count: count) }

    func set(_ index: Int, _ value: Value) { lock.withLock { slots[index] = value } }

    var values: [Value] { lock.withLock { slots } }
}
