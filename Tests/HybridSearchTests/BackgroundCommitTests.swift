import Foundation
import Testing

@testable import HybridSearch

#if canImport(Glibc)
    import Glibc
#endif

/// Work a server keeps off its request threads: its periodic commit runs on a thread of its
/// own and commits exactly what `commit()` would, its merge on another at the lowest priority
/// (`BackgroundThread`) and stoppable; a search leaves the calling thread only when it may
/// wait for a shared dense scan.
@Suite("Commits in the background, merges that give way; which searches leave the request thread")
struct BackgroundCommitTests {
    #if os(Linux)
        static func nice() -> Int32 {
            errno = 0
            return getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
        }

        @Test("Each body runs on another thread, at nice 19 when lowest; the caller's thread keeps its priority")
        func priorities() async throws {
            let before = Self.nice()
            let caller = UInt(pthread_self())
            let lowest = await BackgroundThread.run(priority: .lowest) { (Self.nice(), UInt(pthread_self())) }
            #expect(lowest.0 == 19)
            #expect(lowest.1 != caller)
            let normal = await BackgroundThread.run { (Self.nice(), UInt(pthread_self())) }
            #expect(normal.0 == before)
            #expect(normal.1 != caller)
            // The blocking form, as a commit's thread runs its merge.
            let waited = await BackgroundThread.run {
                let outer = UInt(pthread_self())
                let inner = BackgroundThread.runAndWait(priority: .lowest) { (Self.nice(), UInt(pthread_self())) }
                return (Self.nice(), outer, inner.0, inner.1)
            }
            #expect(waited.0 == before)
            #expect(waited.2 == 19)
            #expect(waited.1 != waited.3)
            #expect(Self.nice() == before)
        }
    #endif

    /// Two commits of 10 items (one deleted each), a third batch in the tail: the next
    /// commit's policy (three segments a tier) merges all three segments. Returns the index,
    /// its folder, the pool.
    static func indexBeforeMerge(seed: UInt64) throws -> (PersistentIndex, URL, [SearchItem]) {
        let embedder = DeletesAndMergesTests.embedder
        let policy = MergePolicy(segmentsPerTier: 3, floor: 4, maximumDeletedFraction: 0.5)
        let pool = try SegmentedIndexTests.items(seed: seed, count: 60, embedder: embedder)
        let url = PersistentIndexTests.folder()
        let index = try PersistentIndex(directory: try FileSystemSegmentDirectory(url: url), embedder: embedder, mergePolicy: policy)
        for batch in 0..<3 {
            try index.add(Array(pool[(batch * 10)..<(batch * 10 + 10)]), watermark: Int64(batch))
            index.delete(ids: [pool[batch * 3].id], watermark: Int64(batch))
            if batch < 2 { #expect(try index.commit()) }
        }
        #expect(index.segmentNames.count == 2)
        #expect(!index.segmentNames.contains { $0.hasSuffix("-merged.seg") })
        return (index, url, pool)
    }

    /// What `items` minus the deleted ids answer, built afresh in memory.
    static func expectAnswers(_ index: PersistentIndex, _ items: ArraySlice<SearchItem>, deleted: Set<String>, seed: UInt64, _ note: String) async throws {
        var live: [String: SearchItem] = [:]
        for item in items where !deleted.contains(item.id) { live[item.id] = item }
        #expect(index.count == live.count, "\(note)")
        try await PersistentIndexTests.expectSameAnswers(index, try await DeletesAndMergesTests.freshBuild(live), seed: seed, note)
    }

    @Test("stopMerging: a commit that would merge writes the tail and deletes without merging; after resumeMerging the next commit merges")
    func stopMerging() async throws {
        let (index, url, pool) = try Self.indexBeforeMerge(seed: 47)
        defer { try? FileManager.default.removeItem(at: url) }
        let deleted = Set((0..<3).map { pool[$0 * 3].id })
        index.stopMerging()
        #expect(try await index.commitInBackground())
        #expect(index.tailCount == 0)
        #expect(index.segmentNames.count == 3, "the tail is a segment; nothing merged")
        #expect(!index.segmentNames.contains { $0.hasSuffix("-merged.seg") })
        try await Self.expectAnswers(index, pool[0..<30], deleted: deleted, seed: 47, "merging stopped")

        // resumeMerging: this index merges again at its next commit with work.
        index.resumeMerging()
        try index.add(Array(pool[40..<41]), watermark: 8)
        #expect(try index.commit())
        #expect(index.segmentNames.contains { $0.hasSuffix("-merged.seg") })
        try await Self.expectAnswers(index, pool[0..<30] + pool[40..<41], deleted: deleted, seed: 47, "merging resumed")
    }

    @Test("stopMerging does not stop an expunge: a commit expunging deletes still rewrites the segments that hold them")
    func expungeNotStopped() async throws {
        let (index, url, pool) = try Self.indexBeforeMerge(seed: 61)
        defer { try? FileManager.default.removeItem(at: url) }
        index.stopMerging()
        index.delete(ids: [pool[15].id], watermark: 4)
        #expect(try index.commit(expungingDeletes: true))
        #expect(index.segmentNames.contains { $0.hasSuffix("-merged.seg") }, "the segments with deletes were rewritten")
        let deleted = Set((0..<3).map { pool[$0 * 3].id } + [pool[15].id])
        try await Self.expectAnswers(index, pool[0..<30], deleted: deleted, seed: 61, "expunged while merging stopped")
    }

    @Test("A background merge gives way when that many documents change while it runs; the changes stay in the tail and the next commit merges")
    func mergeGivesWay() async throws {
        let (index, url, pool) = try Self.indexBeforeMerge(seed: 53)
        defer { try? FileManager.default.removeItem(at: url) }
        let deleted = Set((0..<3).map { pool[$0 * 3].id })
        // Three changes arrive as the merge starts, on the merging thread, before its first check.
        index.backgroundMergeChangeLimit = 3
        let late = Array(pool[30..<33])
        index.backgroundMergeWillStart = { [index] in try? index.add(late, watermark: 5) }
        #expect(try await index.commitInBackground())
        index.backgroundMergeWillStart = nil
        #expect(index.tailCount == 3, "what changed during the commit stays for the next one")
        #expect(index.segmentNames.count == 3)
        #expect(!index.segmentNames.contains { $0.hasSuffix("-merged.seg") })
        try await Self.expectAnswers(index, pool[0..<33], deleted: deleted, seed: 53, "merge gave way")

        // Fewer changes than the limit: the merge completes.
        index.backgroundMergeChangeLimit = 4_096
        #expect(try await index.commitInBackground())
        #expect(index.tailCount == 0)
        #expect(index.segmentNames.contains { $0.hasSuffix("-merged.seg") })
        try await Self.expectAnswers(index, pool[0..<33], deleted: deleted, seed: 53, "merged next time")
    }

    @Test("SegmentMerger stops when asked, at its first check and midway; never asked to stop, it writes the same bytes")
    func mergerStops() throws {
        let analyzer = StandardAnalyzer()
        let items = try SegmentedIndexTests.items(seed: 59, count: 3 * SegmentMerger.checkInterval, embedder: DeletesAndMergesTests.embedder)
        // Ids of their own: the generator's repeat past a thousand.
        let documents = items.enumerated().map { number, item in
            SegmentDocument(
                id: "d\(number)", terms: TermCounts(analyzer: analyzer.identifier, terms: analyzer.terms(in: item.text)),
                metadata: item.metadata, createdAt: item.createdAt, vector: item.vector)
        }
        let half = documents.count / 2
        let inputs = [
            (try Segment(name: "a", bytes: SegmentBytes(copying: SegmentWriter.encode(Array(documents[..<half]), dimension: 48))), DeletedDocuments?.none),
            (try Segment(name: "b", bytes: SegmentBytes(copying: SegmentWriter.encode(Array(documents[half...]), dimension: 48))), DeletedDocuments?.none),
        ]
        let whole = try SegmentMerger.merge(inputs, dimension: 48)
        #expect(whole == (try SegmentWriter.encode(documents, dimension: 48)))
        #expect(try SegmentMerger.merge(inputs, dimension: 48) { true } == nil)
        // Asked once per input's verification, then every checkInterval documents: stop at the 4th.
        var calls = 0
        let midway = try SegmentMerger.merge(inputs, dimension: 48) {
            calls += 1
            return calls >= 4
        }
        #expect(midway == nil)
        #expect(calls == 4)
        var asked = 0
        let unstopped = try SegmentMerger.merge(inputs, dimension: 48) {
            asked += 1
            return false
        }
        #expect(unstopped == whole)
        #expect(asked > 2 + documents.count / SegmentMerger.checkInterval, "asked in both passes")
    }

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
