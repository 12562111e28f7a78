import Foundation

/// Coalesces concurrent whole-index dense scans of one snapshot into one pass over the
/// vectors (``SegmentSearch/denseRankings(_:deletions:queries:candidates:)``).
///
/// An unfiltered dense scan reads every vector — 200 MB at 100,000 × 1,024 binary16 — and is
/// bound by memory bandwidth, not arithmetic: scoring a row against 8 queries while it is in
/// cache costs about 2.2× one query, not 8× (Benchmarks/RESULTS.md). The batching is group
/// commit's: a scan that finds none running starts at once with every scan waiting for the
/// same snapshot (at most ``maximumBatch``); scans that arrive meanwhile wait for it to
/// finish and then go together. An idle index adds no latency; a busy one gets fewer, wider
/// passes. Each query's scores are the same arithmetic as alone, so batching never changes a
/// ranking.
///
/// Waiting blocks the calling thread: call it off Swift's cooperative pool
/// (``PersistentSearchBackend`` searches on a queue of its own).
final class DenseScanBatcher: @unchecked Sendable {
    /// Queries per pass: 16, or 1 when `ARTIFACT_SEARCH_DENSE_BATCH=off` (to measure the gain).
    static let maximumBatch = ProcessInfo.processInfo.environment["ARTIFACT_SEARCH_DENSE_BATCH"] == "off" ? 1 : 16

    /// Which segments and deletions a scan reads: scans of equal snapshots can share a pass.
    struct Snapshot: Equatable {
        let segments: [ObjectIdentifier]
        let deletions: [DeletedDocuments?]
    }

    private final class Job {
        let snapshot: Snapshot
        let segments: [Segment]
        let deletions: [DeletedDocuments?]
        let query: [Float]
        let topK: Int
        var result: TopKCollector<String>?  // guarded by the batcher's condition

        init(segments: [Segment], deletions: [DeletedDocuments?], query: [Float], topK: Int) {
            self.snapshot = Snapshot(segments: segments.map { ObjectIdentifier($0.bytes) }, deletions: deletions)
            self.segments = segments
            self.deletions = deletions
            self.query = query
            self.topK = topK
        }
    }

    private let condition = NSCondition()
    private var waiting: [Job] = []  // guarded by `condition`
    private var scanning = false  // guarded by `condition`
    private var passes = 0  // guarded by `condition`
    private var queriesServed = 0  // guarded by `condition`

    /// The ranking of `query` over all of `segments` (deleted documents skipped), scanned
    /// alone or with concurrent queries of the same snapshot.
    func ranking(segments: [Segment], deletions: [DeletedDocuments?], query: [Float], topK: Int) -> TopKCollector<String> {
        let job = Job(segments: segments, deletions: deletions, query: query, topK: topK)
        condition.lock()
        defer { condition.unlock() }
        waiting.append(job)
        while job.result == nil {
            if scanning {
                condition.wait()
                continue
            }
            // Lead a pass: the first waiting scan's snapshot, and every waiting scan of it.
            let lead = waiting[0]
            var batch: [Job] = []
            var rest: [Job] = []
            for candidate in waiting {
                if batch.count < Self.maximumBatch && candidate.snapshot == lead.snapshot {
                    batch.append(candidate)
                } else {
                    rest.append(candidate)
                }
            }
            waiting = rest
            scanning = true
            condition.unlock()
            let results = SegmentSearch.denseRankings(
                lead.segments, deletions: lead.deletions, queries: batch.map { ($0.query, $0.topK) }, candidates: nil)
            condition.lock()
            for (finished, result) in zip(batch, results) { finished.result = result }
            passes += 1
            queriesServed += batch.count
            scanning = false
            condition.broadcast()
        }
        return job.result!
    }

    /// Passes made and the queries they served so far (for tests and benchmarks).
    var statistics: (passes: Int, queries: Int) { condition.withLock { (passes, queriesServed) } }
}
