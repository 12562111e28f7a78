import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Runs blocking work on a thread of its own at the lowest CPU priority, for work a
/// long-running process does beside its requests. On Linux that is nice 19: the nice value is
/// a thread's (NPTL: `setpriority(PRIO_PROCESS, 0, …)` sets the calling thread's, see
/// setpriority(2), BUGS); elsewhere, the lowest quality of service. A commit whose merge
/// rewrites 100,000 documents takes seconds of one core, and on a thread of Swift's
/// cooperative pool (two on two cores) at normal priority it held every search behind it for
/// those seconds (Benchmarks/RESULTS.md, "a merge off the request path").
///
/// A thread per call: the work is seconds long and rare, and a thread whose priority was
/// lowered must not go back to a pool. Under full load the work still advances (nice 19 keeps
/// a share of about 1.5 % of a busy core); when the load stops it gets the core.
enum LowPriorityThread {
    static func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { (continuation: CheckedContinuation<T, Never>) in
            let thread = Thread {
                lowerCurrentThread()
                continuation.resume(returning: body())
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    private static func lowerCurrentThread() {
        #if os(Linux)
            _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 19)
        #else
            Thread.current.qualityOfService = .background
        #endif
    }
}
