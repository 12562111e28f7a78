import Foundation

/// One result per worker of a `DispatchQueue.concurrentPerform`, each written by its worker.
final class ResultSlots<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [Value]  // guarded by `lock`

    init(count: Int, empty: Value) { slots = Array(repeating: empty, count: count) }

    func set(_ index: Int, _ value: Value) { lock.withLock { slots[index] = value } }

    var values: [Value] { lock.withLock { slots } }
}
