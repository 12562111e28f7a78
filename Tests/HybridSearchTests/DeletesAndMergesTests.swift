import Foundation
import Testing

@testable import HybridSearch

/// Deletes (alive bitsets beside immutable segments), upserts across segments and merges by
/// size tiers: after any sequence of them the index ranks exactly as a fresh in-memory build
/// of the live items.
@Suite("Persistent index: deletes, upserts and merges")
struct DeletesAndMergesTests {
    static let embedder = HashedNGramEmbedder(dimension: 48)

    /// A fresh in-memory backend holding exactly `live`.
    static func freshBuild(_ live: [String: SearchItem]) async throws -> InMemorySearchBackend {
        let backend = InMemorySearchBackend(embedder: embedder)
        try await backend.upsert(live.keys.sorted().map { live[$0]! })
        return backend
    }

    @Test(
        "Seeded random upserts, deletes, commits, merges and reopenings: bit-identical to a fresh build",
        arguments: [11, 12, 13] as [UInt64])
    func randomOperations(seed: UInt64) async throws {
        let url = PersistentIndexTests.folder()
        defer { try? FileManager.default.removeItem(at: url) }
        let directory = try FileSystemSegmentDirectory(url: url)
        let policy = MergePolicy(segmentsPerTier: 3, floor: 6, maximumDeletedFraction: 0.4)
        let pool = try SegmentedIndexTests.items(seed: seed, count: 160, embedder: Self.embedder)
        var random = SeededGenerator(state: seed &* 977)
        var index = try PersistentIndex(directory: directory, embedder: Self.embedder, mergePolicy: policy)
        var live: [String: SearchItem] = [:]
        var sawMerge = false
        var sawDeletesFile = false
        for step in 0..<70 {
            let note = "seed \(seed) step \(step)"
            switch Int.random(in: 0..<10, using: &random) {
            case 0..<4:
                // New items and updates: an existing id with another item's content.
                var batch: [SearchItem] = []
                for _ in 0..<Int.random(in: 1...10, using: &random) {
                    var item = pool.randomElement(using: &random)!
                    if let other = live.keys.sorted().randomElement(using: &random), Bool.random(using: &random) {
                        item.id = other
                    }
                    batch.append(item)
                }
                try index.add(batch, watermark: Int64(step))
                for item in batch { live[item.id] = item }
            case 4..<6:
                var ids = (0..<Int.random(in: 1...6, using: &random)).compactMap { _ in live.keys.sorted().randomElement(using: &random) }
                ids.append("unknown-\(step)")
                index.delete(ids: ids, watermark: Int64(step))
                for id in ids { live[id] = nil }
            case 6..<8:
                #expect(try index.commit(expungingDeletes: Int.random(in: 0..<5, using: &random) == 0), "\(note)")
                #expect(index.tailCount == 0)
            case 8:
                // Reopen what was committed (the tail is the source of truth's to replay).
                #expect(try index.commit())
                index = try PersistentIndex(directory: directory, embedder: Self.embedder, mergePolicy: policy)
            default:
                break
            }
            let files = try directory.fileNames()
            sawMerge = sawMerge || files.contains { $0.hasSuffix("-merged.seg") }
            sawDeletesFile = sawDeletesFile || files.contains { $0.contains(".deletes-") }
            #expect(index.count == live.count, "\(note)")
            if step % 3 == 0 || step == 69 {
                try await PersistentIndexTests.expectSameAnswers(index, try await Self.freshBuild(live), seed: seed + UInt64(step), note)
            }
        }
        #expect(sawMerge, "the sequence merged segments")
        #expect(sawDeletesFile, "the sequence committed deletes")
        // Every file on disk is named by the newest commit point.
        #expect(try index.commit())
        let files = Set(try directory.fileNames())
        let reopened = try PersistentIndex(directory: directory, embedder: Self.embedder, mergePolicy: policy)
        #expect(reopened.count == live.count)
        #expect(files.filter { $0.hasPrefix("commit-") }.count == 1)
        #expect(Set(reopened.segmentNames).isSubset(of: files))
        try await PersistentIndexTests.expectSameAnswers(reopened, try await Self.freshBuild(live), seed: seed, "final reopen")
    }

    @Test("A delete hides an item at once, survives commit and reopen, and expunging rewrites the segment without it")
    func deleteLifecycle() async throws {
        let url = PersistentIndexTests.folder()
        defer { try? FileManager.default.removeItem(at: url) }
        let directory = try FileSystemSegmentDirectory(url: url)
        let items = try SegmentedIndexTests.items(seed: 5, count: 40, embedder: Self.embedder)
        let index = try PersistentIndex(directory: directory, embedder: Self.embedder, mergePolicy: .never)
        try index.add(items, watermark: 40)
        #expect(try index.commit())
        let victim = items[7].id
        let request = SearchRequest(corpus: "c", query: items[7].text, topK: 40, mode: .lexical)
        #expect(try index.search(request).contains { $0.itemID == victim })
        index.delete(ids: [victim], watermark: 41)
        #expect(try !index.search(request).contains { $0.itemID == victim })
        #expect(index.count == 39)
        #expect(try index.commit())
        let deletes = CommitPoint.deletesName(segment: CommitPoint.segmentName(generation: 1), generation: 2)
        #expect(try directory.fileNames().contains(deletes))
        let reopened = try PersistentIndex(directory: directory, embedder: Self.embedder, mergePolicy: .never)
        #expect(reopened.count == 39 && reopened.watermark == 41)
        #expect(try !reopened.search(request).contains { $0.itemID == victim })
        // Expunged: one new segment without the item; no deletes file left.
        #expect(try reopened.commit(expungingDeletes: true))
        #expect(reopened.segmentNames == [CommitPoint.mergedSegmentName(generation: 3)])
        #expect(try !directory.fileNames().contains { $0.contains(".deletes-") })
        let merged = try Segment(name: "m", bytes: directory.read(CommitPoint.mergedSegmentName(generation: 3)))
        #expect(merged.documentCount == 39 && merged.ordinal(ofID: victim) == nil)
        var live = Dictionary(uniqueKeysWithValues: items.map { ($0.id, $0) })
        live[victim] = nil
        try await PersistentIndexTests.expectSameAnswers(reopened, try await Self.freshBuild(live), seed: 9, "expunged")
    }

    @Test("Deletes file: round trip; damage, a count mismatch or bits past the end are refused")
    func deletesFile() throws {
        var set = DeletedDocuments(documentCount: 70)
        #expect(set.insert(3) && set.insert(69) && !set.insert(3) && !set.insert(70))
        #expect(set.count == 2 && set.ordinals == [3, 69])
        let data = set.encoded()
        #expect(data.count == 24 + 16 + 8)
        let decoded = try DeletedDocuments(decoding: SegmentBytes(copying: data), name: "d", documentCount: 70)
        #expect(decoded == set)
        #expect(throws: SearchError.self) { try DeletedDocuments(decoding: SegmentBytes(copying: data), name: "d", documentCount: 71) }
        for offset in [0, 9, 13, 17, 24, 35, data.count - 1] {
            var damaged = data
            damaged[offset] ^= 0x01
            #expect(throws: SearchError.self, "byte \(offset)") {
                try DeletedDocuments(decoding: SegmentBytes(copying: damaged), name: "d", documentCount: 70)
            }
        }
    }

    @Test("Merge policy: ten of a tier merge, smallest first; heavy deletes rewrite one segment; nothing otherwise")
    func mergePolicy() {
        let policy = MergePolicy()  // 10 per tier, floor 1,000, 50 % deleted
        #expect(policy.tier(1) == 0 && policy.tier(1_000) == 0 && policy.tier(1_001) == 1 && policy.tier(10_001) == 2)
        let nine = Array(repeating: (documents: 500, deleted: 0), count: 9)
        #expect(policy.selection(nine).isEmpty)
        // Eleven tier-0 segments: the ten smallest (ties by position) merge.
        var eleven = nine + [(documents: 20, deleted: 0), (documents: 900, deleted: 0)]
        #expect(policy.selection(eleven) == Array(0..<10))
        // A big segment is in its own tier and is left alone.
        eleven[10] = (documents: 50_000, deleted: 0)
        #expect(policy.selection(eleven) == Array(0..<10))
        // Half deleted: rewritten on its own.
        #expect(policy.selection([(documents: 4_000, deleted: 1_000), (documents: 4_000, deleted: 2_000)]) == [1])
        #expect(MergePolicy.never.selection(eleven).isEmpty)
    }

    @Test("A merged segment holds what a fresh segment of the live documents holds: same terms, postings, ids, rows")
    func mergerMatchesWriter() throws {
        let analyzer = StandardAnalyzer()
        let items = try SegmentedIndexTests.items(seed: 8, count: 90, embedder: Self.embedder)
        let documents = items.map { item in
            SegmentDocument(
                id: item.id, terms: TermCounts(analyzer: analyzer.identifier, terms: analyzer.terms(in: item.text)),
                metadata: item.metadata, createdAt: item.createdAt, vector: item.vector)
        }
        let first = try Segment(name: "a", bytes: SegmentBytes(copying: SegmentWriter.encode(Array(documents[0..<50]), dimension: 48)))
        let second = try Segment(name: "b", bytes: SegmentBytes(copying: SegmentWriter.encode(Array(documents[50...]), dimension: 48)))
        var gone = DeletedDocuments(documentCount: 50)
        for ordinal in stride(from: 0, to: 50, by: 3) { gone.insert(ordinal) }
        let merged = try SegmentMerger.merge([(first, gone), (second, nil)], dimension: 48)
        let survivors = documents.enumerated().filter { $0.offset >= 50 || $0.offset % 3 != 0 }.map(\.element)
        // Bit for bit the file a writer makes of the survivors in the same order.
        #expect(merged == (try SegmentWriter.encode(survivors, dimension: 48)))
    }
}
