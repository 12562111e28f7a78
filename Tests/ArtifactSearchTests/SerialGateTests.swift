import Foundation
import Testing

@testable import ArtifactSearch

@Suite("SerialGate: one catch-up at a time")
struct SerialGateTests {
    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var inside = 0
        private(set) var most = 0
        private(set) var order: [Int] = []
        func enter(_ id: Int) { lock.withLock { inside += 1; most = max(most, inside); order.append(id) } }
        func leave() { lock.withLock { inside -= 1 } }
    }

    @Test("64 tasks through one gate: never two bodies at once, every body runs, errors reach their caller and release the gate")
    func exclusion() async throws {
        let gate = SerialGate()
        let counter = Counter()
        let failures = try await withThrowingTaskGroup(of: Bool.self) { group in
            for id in 0..<64 {
                group.addTask {
                    do {
                        try await gate.withTurn {
                            counter.enter(id)
                            try await Task.sleep(nanoseconds: 200_000)
                            counter.leave()
                            if id % 8 == 0 { throw CancellationError() }
                        }
                        return false
                    } catch {
                        return true
                    }
                }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(counter.most == 1)
        #expect(Set(counter.order) == Set(0..<64))
        #expect(failures == 8)
    }
}
