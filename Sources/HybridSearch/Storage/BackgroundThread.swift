import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Runs blocking work on a thread of its own, off Swift's cooperative pool (two threads on two
/// cores, which a commit of seconds would hold): what a long-running process does beside its
/// requests. A thread per call: the work is long and rare, and a thread whose priority was
/// lowered must not go back to a pool.
///
/// ``Priority/lowest`` is nice 19 on Linux — a thread's own (NPTL: `setpriority(PRIO_PROCESS,
/// 0, …)` sets the calling thread's, see setpriority(2), BUGS) — elsewhere the lowest quality
/// of service. Such a thread keeps about 1.5 % of a core that one busy thread also wants, and
/// less beside more: under full load it may barely advance, so give it only work that can be
/// stopped (a merge, ``SegmentMerger``), never work others wait for.
enum BackgroundThread {
    enum Priority: Sendable {
        case normal
        case lowest
    }

    static func run<T: Sendable>(priority: Priority = .normal, _ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { (continuation: CheckedContinuation<T, Never>) in
            start(priority) { continuation.resume(returning: body()) }
        }
    }

    /// ``run(priority:_:)`` for a caller that is itself on a thread of its own: blocks it
    /// until `body` returns.
    static func runAndWait<T: Sendable>(priority: Priority, _ body: @escaping @Sendable () -> T) -> T {
        let done = DispatchSemaphore(value: 0)
        let result = ResultBox<T>()
        start(priority) {
            result.value = body()
            done.signal()
        }
        done.wait()
        return result.value!
    }

    private static func start(_ priority: Priority, _ body: @escaping @Sendable () -> Void) {
        let thread = Thread {
            if priority == .lowest { lowerCurrentThread() }
            body()
        }
        thread.stackSize = 8 << 20
        thread.start()
    }

    private static func lowerCurrentThread() {
        #if os(Linux)
            _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 19)
        #else
            Thread.current.qualityOfService = .background
        #endif
    }

    /// Written by the worker before the semaphore's signal, read by the waiter after its
    /// wait: the semaphore orders the two.
    private final class ResultBox<T>: @unchecked Sendable {
        var value: T?
    }
}
