import Foundation

/// Mutual exclusion across suspension points: one `withTurn` body runs at a time, the others
/// wait (without holding a thread) and go in arrival order. An actor would not do: its methods
/// interleave at every `await`.
final class SerialGate: @unchecked Sendable {
    private let lock = NSLock()
    private var busy = false  // guarded by `lock`
    private var waiting: [CheckedContinuation<Void, Never>] = []  // guarded by `lock`

    func withTurn<T>(_ body: () async throws -> T) async throws -> T {
        await withCheckedContinuation { (turn: CheckedContinuation<Void, Never>) in
            let now: Bool = lock.withLock {
                if busy {
                    waiting.append(turn)
                    return false
                }
                busy = true
                return true
            }
            if now { turn.resume() }
        }
        defer {
            let next: CheckedContinuation<Void, Never>? = lock.withLock {
                if waiting.isEmpty {
                    busy = false
                    return nil
                }
                return waiting.removeFirst()
            }
            next?.resume()
        }
        return try await body()
    }
}
