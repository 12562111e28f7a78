import Foundation
import Testing

@testable import HybridSearch

/// Segments plus tail plus commit points behave as one in-memory index, across reopening.
@Suite("Persistent index: commit points, tail and reopening")
struct PersistentIndexTests {
    static let embedder = HashedNGramEmbedder(dimension: 48)

    static func folder() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("persistent-index-\(UUID().uuidString)")
    }

    /// Every mode, a few filters and k: the persistent index answers as the in-memory backend.
    static func expectSameAnswers(
        _ index: PersistentIndex, _ backend: InMemorySearchBackend, seed: UInt64, _ note: String
    ) async throws {
        var random = SeededGenerator(state: seed)
        for _ in 0..<12 {
            let query = (0..<Int.random(in: 0...3, using: &random)).map { _ in SegmentedIndexTests.words.randomElement(using: &random)! }
                .joined(separator: " ")
            let filter = SegmentedIndexTests.filters(&random)
            for mode in SearchMode.allCases {
                let request = SearchRequest(corpus: "c", query: query, topK: 9, filter: filter, mode: mode, explain: true)
                #expect(try index.search(request) == (try await backend.search(request)), "\(note): \(mode) \"\(query)\" \(filter)")
            }
        }
    }

    @Test("Tail, commit, reopen, more tail, second commit: always the in-memory answers; watermark kept")
    func lifecycle() async throws {
        let url = Self.folder()
        defer { try? FileManager.default.removeItem(at: url) }
        let items = try SegmentedIndexTests.items(seed: 21, count: 180, embedder: Self.embedder)
        let backend = InMemorySearchBackend(embedder: Self.embedder)
        let directory = try FileSystemSegmentDirectory(url: url)

        let first = try PersistentIndex(directory: directory, embedder: Self.embedder)
        #expect(first.count == 0 && first.watermark == 0)
        try first.add(Array(items[0..<100]), watermark: 100)
        try await backend.upsert(Array(items[0..<100]))
        try await Self.expectSameAnswers(first, backend, seed: 1, "tail only")
        #expect(try first.commit())
        #expect(first.tailCount == 0 && first.watermark == 100 && first.segmentNames.count == 1)
        try await Self.expectSameAnswers(first, backend, seed: 2, "one segment")

        let reopened = try PersistentIndex(directory: directory, embedder: Self.embedder)
        #expect(reopened.count == 100 && reopened.watermark == 100 && reopened.tailCount == 0)
        try await Self.expectSameAnswers(reopened, backend, seed: 3, "reopened")
        try reopened.add(Array(items[100..<180]), watermark: 180)
        try await backend.upsert(Array(items[100..<180]))
        try await Self.expectSameAnswers(reopened, backend, seed: 4, "segment + tail")
        #expect(try reopened.commit())
        let files = try directory.fileNames()
        #expect(files == [CommitPoint.fileName(generation: 2), CommitPoint.segmentName(generation: 1), CommitPoint.segmentName(generation: 2)])

        let third = try PersistentIndex(directory: directory, embedder: Self.embedder)
        #expect(third.count == 180 && third.watermark == 180 && third.segmentNames.count == 2)
        try await Self.expectSameAnswers(third, backend, seed: 5, "two segments")
    }

    @Test("A tail searched between small additions, replacements and deletes is encoded in chunks and answers as the in-memory index", arguments: [31, 32])
    func tailChunks(seed: UInt64) async throws {
        let url = Self.folder()
        defer { try? FileManager.default.removeItem(at: url) }
        let items = try SegmentedIndexTests.items(seed: seed, count: 160, embedder: Self.embedder)
        let backend = InMemorySearchBackend(embedder: Self.embedder)
        let index = try PersistentIndex(directory: try FileSystemSegmentDirectory(url: url), embedder: Self.embedder)
        var random = SeededGenerator(state: seed)
        var next = 0
        var watermark: Int64 = 0
        var mostChunks = 0
        for step in 0..<60 {
            watermark += 1
            switch Int.random(in: 0..<10, using: &random) {
            case 0 where next > 0:
                // A replacement: an item saved again with another item's content.
                var replaced = items[Int.random(in: 0..<160, using: &random)]
                replaced.id = items[Int.random(in: 0..<next, using: &random)].id
                try index.add([replaced], watermark: watermark)
                try await backend.upsert([replaced])
            case 1 where next > 0:
                let id = items[Int.random(in: 0..<next, using: &random)].id
                index.delete(ids: [id], watermark: watermark)
                await backend.delete(corpus: "c", ids: [id])
            case 2 where step % 20 == 19:
                #expect(try index.commit())
            default:
                let count = min(Int.random(in: 1...4, using: &random), 160 - next)
                guard count > 0 else { continue }
                try index.add(Array(items[next..<(next + count)]), watermark: watermark)
                try await backend.upsert(Array(items[next..<(next + count)]))
                next += count
            }
            let query = SegmentedIndexTests.words.randomElement(using: &random)!
            let filter = SegmentedIndexTests.filters(&random)
            for mode in SearchMode.allCases {
                let request = SearchRequest(corpus: "c", query: query, topK: 9, filter: filter, mode: mode, explain: true)
                #expect(try index.search(request) == (try await backend.search(request)), "step \(step): \(mode) \(query) \(filter)")
            }
            mostChunks = max(mostChunks, index.tailSegmentCount)
            // Geometric chunk sizes: never more than about log₄ of the tail's length, plus one.
            #expect(index.tailSegmentCount <= 2 + Int(log(Double(max(1, index.tailCount))) / log(4.0)), "step \(step)")
        }
        #expect(mostChunks >= 2, "additions between searches were never encoded as chunks of their own")
        try await Self.expectSameAnswers(index, backend, seed: seed, "after the steps")
    }

    @Test("Concurrent searches share dense scans (DenseScanBatcher) and answer exactly as one at a time")
    func concurrentSearchesShareScans() async throws {
        let url = Self.folder()
        defer { try? FileManager.default.removeItem(at: url) }
        let items = try SegmentedIndexTests.items(seed: 31, count: 400, embedder: Self.embedder)
        let index = try PersistentIndex(directory: try FileSystemSegmentDirectory(url: url), embedder: Self.embedder)
        try index.add(Array(items[0..<300]), watermark: 300)
        #expect(try index.commit())
        try index.add(Array(items[300..<400]), watermark: 400)  // a segment and a tail
        let backend = PersistentSearchBackend(corpus: "c", index: index)
        var random = SeededGenerator(state: 77)
        let requests = (0..<48).map { number in
            let query = (0..<Int.random(in: 1...3, using: &random)).map { _ in SegmentedIndexTests.words.randomElement(using: &random)! }
                .joined(separator: " ")
            return SearchRequest(corpus: "c", query: query, topK: [1, 5, 30][number % 3], mode: number % 2 == 0 ? .semantic : .hybrid, explain: true)
        }
        var expected: [[SearchHit]] = []
        for request in requests { expected.append(try await backend.search(request)) }
        let before = index.denseScans.statistics
        let concurrent = try await withThrowingTaskGroup(of: (Int, [SearchHit]).self) { group in
            for (number, request) in requests.enumerated() {
                group.addTask { (number, try await backend.search(request)) }
            }
            var answers = [[SearchHit]](repeating: [], count: requests.count)
            for try await (number, hits) in group { answers[number] = hits }
            return answers
        }
        for number in requests.indices {
            #expect(concurrent[number] == expected[number], "request \(number): \(requests[number].query)")
        }
        let after = index.denseScans.statistics
        // Every dense leg ran through the batcher (a query of stop words only has none).
        #expect(after.queries - before.queries == expected.filter { !$0.isEmpty }.count)
        #expect(after.passes - before.passes <= requests.count)
    }

    @Test("An index of another source needs a rebuild; its own source opens it")
    func sourceProblems() throws {
        let directory = InMemorySegmentDirectory()
        let index = try PersistentIndex(directory: directory, embedder: Self.embedder, source: "records:4")
        try index.add(try SegmentedIndexTests.items(seed: 4, count: 12, embedder: Self.embedder), watermark: 12)
        #expect(try index.commit())
        #expect(try PersistentIndex(directory: directory, embedder: Self.embedder, source: "records:4").count == 12)
        for other in ["records:3", ""] {
            #expect(throws: PersistentIndex.OpenProblem.sourceChanged(stored: "records:4", current: other)) {
                try PersistentIndex(directory: directory, embedder: Self.embedder, source: other)
            }
        }
        // A commit point written without a source (older builds) is the empty source.
        let plain = InMemorySegmentDirectory()
        let unnamed = try PersistentIndex(directory: plain, embedder: Self.embedder)
        try unnamed.add(try SegmentedIndexTests.items(seed: 5, count: 3, embedder: Self.embedder), watermark: 3)
        #expect(try unnamed.commit())
        #expect(throws: PersistentIndex.OpenProblem.sourceChanged(stored: "", current: "records:4")) {
            try PersistentIndex(directory: plain, embedder: Self.embedder, source: "records:4")
        }
    }

    @Test("Another analyzer needs a rebuild; another embedder is the embedder-mismatch error; damage needs a rebuild")
    func openProblems() throws {
        let url = Self.folder()
        defer { try? FileManager.default.removeItem(at: url) }
        let directory = try FileSystemSegmentDirectory(url: url)
        let index = try PersistentIndex(directory: directory, embedder: Self.embedder)
        try index.add(try SegmentedIndexTests.items(seed: 2, count: 20, embedder: Self.embedder), watermark: 20)
        #expect(try index.commit())
        #expect(throws: PersistentIndex.OpenProblem.self) {
            try PersistentIndex(directory: directory, analyzer: StandardAnalyzer(stopWords: [], stemming: false), embedder: Self.embedder)
        }
        do {
            _ = try PersistentIndex(directory: directory, embedder: HashedNGramEmbedder(dimension: 32))
            Issue.record("another embedder opened the index")
        } catch let error as SearchError {
            guard case .embedderMismatch = error else {
                Issue.record("\(error)")
                return
            }
        }
        // A flipped byte in a vector row: opening does not checksum content sections
        // (standard verification), so it opens; the full check — `verify`, merges — names it.
        let segment = url.appendingPathComponent(CommitPoint.segmentName(generation: 1))
        let pristine = try Data(contentsOf: segment)
        var bytes = pristine
        bytes[bytes.count - 100] ^= 0x40
        try FileManager.default.removeItem(at: segment)
        try bytes.write(to: segment)
        let opened = try PersistentIndex(directory: directory, embedder: Self.embedder)
        #expect(opened.checkSegments().count == 1)
        #expect(opened.checkSegments().first?.contains("vectors") == true)
        #expect(throws: PersistentIndex.OpenProblem.self) {
            try PersistentIndex(directory: directory, embedder: Self.embedder, verification: .full)
        }
        // A flipped byte in the field lengths is found the same way; in the section table, on open.
        let lengths = try Segment(name: "s", bytes: SegmentBytes(copying: pristine), verification: .standard)
            .byteRange(of: .fieldLengths)
        bytes = pristine
        bytes[lengths.lowerBound + 5] ^= 0x40
        try FileManager.default.removeItem(at: segment)
        try bytes.write(to: segment)
        #expect(try PersistentIndex(directory: directory, embedder: Self.embedder).checkSegments().first?.contains("fieldLengths") == true)
        bytes = pristine
        bytes[64 + 8] ^= 0x01
        try FileManager.default.removeItem(at: segment)
        try bytes.write(to: segment)
        #expect(throws: PersistentIndex.OpenProblem.self) { try PersistentIndex(directory: directory, embedder: Self.embedder) }
        // A damaged commit point too.
        try Data("{}\n0000000000000000".utf8).write(to: url.appendingPathComponent(CommitPoint.fileName(generation: 9)))
        #expect(throws: PersistentIndex.OpenProblem.self) { try PersistentIndex(directory: directory, embedder: Self.embedder) }
    }

    @Test("A commit while another writer holds the lock does nothing and keeps the tail; nobody waits")
    func commitNeverWaits() throws {
        let directory = InMemorySegmentDirectory()
        let index = try PersistentIndex(directory: directory, embedder: Self.embedder)
        try index.add(try SegmentedIndexTests.items(seed: 3, count: 10, embedder: Self.embedder), watermark: 10)
        let attempted = try directory.withWriteLock { () throws(SearchError) -> Bool in try index.commit() }
        #expect(attempted == false)
        #expect(index.tailCount == 10 && index.segmentNames.isEmpty)
        #expect(try index.commit())
        #expect(index.tailCount == 0 && index.segmentNames.count == 1)
    }
}

extension PersistentIndexTests {
    @Test("An index fed by sequence numbers whose commit finds a newer one maps it and empties its tail; catching up restores it")
    func reloadsNewerCommit() async throws {
        let url = Self.folder()
        defer { try? FileManager.default.removeItem(at: url) }
        let directory = try FileSystemSegmentDirectory(url: url)
        let items = try SegmentedIndexTests.items(seed: 31, count: 60, embedder: Self.embedder)
        let sequences = (1...60).map(Int64.init)
        // The "source of truth": items 1...60 in sequence order.
        let slow = try PersistentIndex(directory: directory, embedder: Self.embedder)
        let other = try PersistentIndex(directory: directory, embedder: Self.embedder)
        try slow.add(Array(items[0..<20]), sequences: Array(sequences[0..<20]))
        // Another process commits the first 40 changes first.
        try other.add(Array(items[0..<40]), sequences: Array(sequences[0..<40]))
        #expect(try other.commit())
        // The slow writer cannot commit over it; it maps that commit instead.
        #expect(try slow.commit() == false)
        #expect(slow.watermark == 40 && slow.tailCount == 0 && slow.tailWatermarkValue == 40 && slow.count == 40)
        // Its next catch-up from the new watermark brings the rest, and its commit now lands.
        try slow.add(Array(items[40...]), sequences: Array(sequences[40...]))
        #expect(try slow.commit())
        let backend = InMemorySearchBackend(embedder: Self.embedder)
        try await backend.upsert(items)
        try await Self.expectSameAnswers(slow, backend, seed: 8, "after reload and catch-up")
        // A tail holding items without sequence numbers is never dropped.
        let third = try PersistentIndex(directory: directory, embedder: Self.embedder)
        try third.add([SearchItem(corpus: "c", id: "loose", text: "alpha", vector: items[0].vector)], watermark: 0)
        let fourth = try PersistentIndex(directory: directory, embedder: Self.embedder)
        try fourth.add([SearchItem(corpus: "c", id: "later", text: "beta", vector: items[1].vector)], sequences: [61])
        #expect(try fourth.commit())
        #expect(try third.commit() == false)
        #expect(third.tailCount == 1)
    }
}
