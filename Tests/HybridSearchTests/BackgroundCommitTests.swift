import Foundation
import Testing

@testable import HybridSearch

#if canImport(Glibc)
    import Glibc
#endif

/// Work a server keeps off its request threads: its periodic commit runs on a thread of its
/// own at the lowest priority (`LowPriorityThread`) and commits exactly what `commit()` would;
/// a search leaves the calling thread only when it may wait for a shared dense scan.
@Suite("Commits in the background; which searches leave the request thread")
struct BackgroundCommitTests {
    #if os(Linux)
        @Test("The body runs on another thread at nice 19; the caller's thread keeps its priority")
        func lowPriority() async throws {
            errno = 0
            let before = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
            let (nice, thread) = await LowPriorityThread.run { () -> (Int32, UInt) in
                (getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0), UInt(pthread_self()))
            }
            #expect(nice == 19)
            #expect(thread != UInt(pthread_self()))
            #expect(getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0) == before)
        }
    #endif

    @Test("A background commit with a merge gives the files, segments and answers of a plain commit")
    func sameAsCommit() async throws {
        let embedder = DeletesAndMergesTests.embedder
        let policy = MergePolicy(segmentsPerTier: 3, floor: 4, maximumDeletedFraction: 0.5)
        let pool = try SegmentedIndexTests.items(seed: 41, count: 60, embedder: embedder)
        var indexes: [PersistentIndex] = []
        var folders: [URL] = []
        for background in [false, true] {
            let url = PersistentIndexTests.folder()
            folders.append(url)
            let index = try PersistentIndex(directory: try FileSystemSegmentDirectory(url: url), embedder: embedder, mergePolicy: policy)
            // Three commits of 10, then one more that the policy merges with them.
            for batch in 0..<4 {
                try index.add(Array(pool[(batch * 10)..<(batch * 10 + 10)]), watermark: Int64(batch))
                index.delete(ids: [pool[batch * 3].id], watermark: Int64(batch))
                let committed = background ? try await index.commitInBackground() : try index.commit()
                #expect(committed)
                #expect(index.tailCount == 0)
            }
            indexes.append(index)
        }
        defer { for url in folders { try? FileManager.default.removeItem(at: url) } }
        #expect(indexes[0].segmentNames == indexes[1].segmentNames)
        #expect(indexes[1].segmentNames.contains { $0.hasSuffix("-merged.seg") }, "the commits merged")
        #expect(try FileSystemSegmentDirectory(url: folders[0]).fileNames().sorted() == FileSystemSegmentDirectory(url: folders[1]).fileNames().sorted())
        let deleted = Set((0..<4).map { pool[$0 * 3].id })
        var live: [String: SearchItem] = [:]
        for item in pool[0..<40] where !deleted.contains(item.id) { live[item.id] = item }
        let fresh = try await DeletesAndMergesTests.freshBuild(live)
        for (index, note) in zip(indexes, ["plain commit", "background commit"]) {
            #expect(index.count == live.count)
            try await PersistentIndexTests.expectSameAnswers(index, fresh, seed: 41, note)
        }
    }

    @Test("Only a dense leg over every item may wait for a shared scan")
    func plans() async throws {
        let url = PersistentIndexTests.folder()
        defer { try? FileManager.default.removeItem(at: url) }
        let embedder = DeletesAndMergesTests.embedder
        let index = try PersistentIndex(directory: try FileSystemSegmentDirectory(url: url), embedder: embedder)
        try index.add(try SegmentedIndexTests.items(seed: 43, count: 60, embedder: embedder), watermark: 1)
        #expect(try index.commit())
        let oneRun = MetadataFilter(equals: ["run_id": .string("run-1")])
        let cases: [(SearchMode, MetadataFilter, String, Bool)] = [
            (.hybrid, .none, "needle memory", true),
            (.semantic, .none, "needle memory", true),
            (.hybrid, oneRun, "needle memory", false),
            (.semantic, oneRun, "needle memory", false),
            (.lexical, .none, "needle memory", false),
            (.structural, .none, "", false),
            (.hybrid, .none, "   ", false),
        ]
        for (mode, filter, query, waits) in cases {
            let request = SearchRequest(corpus: "c", query: query, filter: filter, mode: mode)
            let plan = try index.plan(request)
            #expect(plan.mayWaitForSharedScan == waits, "\(mode) \(filter.equals.keys.sorted()) \"\(query)\"")
        }
        // A filtered plan ranks only its candidates.
        let hits = try index.plan(SearchRequest(corpus: "c", query: "needle memory", filter: oneRun, mode: .hybrid)).run()
        #expect(!hits.isEmpty)
        #expect(hits.allSatisfy { $0.metadata["run_id"] == .string("run-1") })
    }
}
