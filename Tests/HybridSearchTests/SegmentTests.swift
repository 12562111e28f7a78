import Foundation
import Testing

@testable import HybridSearch

/// Deterministic pseudo-random numbers for the property tests (SplitMix64).
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite("Segments: format, checksums and ranking equal to the in-memory index")
struct SegmentTests {
    static let vocabulary = (0..<60).map { "w\($0)" } + ["getuserbyid", "café", "日本", "alpha", "omega"]

    /// `count` documents with random terms (Zipf-ish: low word numbers more often), metadata,
    /// times and vectors.
    static func corpus(seed: UInt64, count: Int, dimension: Int) -> [SegmentDocument] {
        var random = SeededGenerator(state: seed)
        return (0..<count).map { index in
            let length = Int.random(in: 1...30, using: &random)
            let words = (0..<length).map { _ in
                vocabulary[min(vocabulary.count - 1, Int(Double(vocabulary.count) * pow(Double.random(in: 0..<1, using: &random), 2)))]
            }
            var metadata: [String: JSONValue] = ["group": .integer(Int64(index % 5)), "name": .string("doc \(index)")]
            if index % 3 == 0 { metadata["tags"] = .array([.string("red"), .string(index % 2 == 0 ? "even" : "odd")]) }
            if index % 7 == 0 { metadata["score"] = .number(Double(index) / 7) }
            let vector = (0..<dimension).map { _ in Float.random(in: -1...1, using: &random) }
            return SegmentDocument(
                id: String(format: "d%04d", index ^ 0x155), terms: TermCounts(analyzer: "test", terms: words),
                metadata: metadata, createdAt: index % 11 == 0 ? nil : 1_700_000_000 + Double(index),
                vector: dimension > 0 ? vector : nil)
        }
    }

    static func open(_ documents: [SegmentDocument], dimension: Int, name: String = "s") throws -> Segment {
        try Segment(name: name, bytes: SegmentBytes(copying: SegmentWriter.encode(documents, dimension: dimension)))
    }

    @Test("XXH64 matches the reference implementation (Python xxhash 3.5.0)")
    func xxhashReference() {
        let cases: [([UInt8], UInt64, UInt64)] = [
            ([], 0xEF46_DB37_51D8_E999, 0x782A_14FC_F8F3_4B6A),
            (Array("a".utf8), 0xD24E_C4F1_A98C_6E5B, 0xD7A2_9765_299D_191E),
            (Array("abc".utf8), 0x44BC_2CF5_AD77_0999, 0xCB54_395B_BF89_5909),
            (Array("0123456789abcdef0123456789abcdef".utf8), 0x642A_9495_8E71_E6C5, 0x291E_E7C1_6025_897E),
            (Array((0..<3).flatMap { _ in (0...255).map { UInt8($0) } }) + Array("tail".utf8), 0x2A74_DE53_0BDF_2A9F,
             0xBEE4_C5D6_839C_983B),
        ]
        for (bytes, unseeded, seeded) in cases {
            #expect(XXHash64.hash(bytes) == unseeded, "\(bytes.count) bytes")
            #expect(XXHash64.hash(bytes, seed: 1_234_567) == seeded, "\(bytes.count) bytes, seeded")
        }
    }

    @Test("What is written reads back: ids, field lengths, times, metadata, normalised binary16 vectors, postings, metadata postings")
    func roundTrip() throws {
        let documents = Self.corpus(seed: 7, count: 300, dimension: 24)
        let segment = try Self.open(documents, dimension: 24)
        #expect(segment.documentCount == 300)
        #expect(segment.totalFieldLength == documents.reduce(0) { $0 + $1.terms.fieldLength })
        for (ordinal, document) in documents.enumerated() {
            #expect(segment.id(ordinal) == document.id)
            #expect(segment.fieldLength(ordinal) == document.terms.fieldLength)
            #expect(segment.createdAt(ordinal) == document.createdAt)
            #expect(try segment.metadata(ordinal) == document.metadata)
            // Binary16 rows: the normalised vector rounded, exactly what the in-memory index keeps.
            #expect(
                segment.vector(ordinal).map { Float(Float16(bitPattern: $0)) }
                    == DenseIndex.halfPrecisionRounded(DenseIndex.normalized(document.vector!)))
        }
        // Postings per term equal the brute-force inversion.
        var expected: [String: [(Int, Int32)]] = [:]
        for (ordinal, document) in documents.enumerated() {
            for (term, count) in zip(document.terms.terms, document.terms.counts) { expected[term, default: []].append((ordinal, count)) }
        }
        #expect(segment.termCount == expected.count)
        for (term, list) in expected {
            let index = try #require(segment.termIndex(of: term), "\(term)")
            #expect(segment.term(at: index) == term)
            let postings = segment.postings(termIndex: index)
            #expect(postings.map(\.ordinal) == list.map(\.0), "\(term)")
            #expect(postings.map(\.termFrequency) == list.map(\.1), "\(term)")
        }
        #expect(segment.termIndex(of: "absent") == nil)
        // Metadata postings equal the reference filter.
        for value: JSONValue in [0, 3, .number(3.0), "0", .string("doc 12"), .number(2)] {
            for key in ["group", "name", "score"] {
                let filter = MetadataFilter(equals: [key: value])
                let brute = documents.indices.filter { filter.matches(metadata: documents[$0].metadata, createdAt: nil) }
                #expect(segment.ordinals(key: key, value: value).map(Int.init) == brute, "\(key)=\(value)")
            }
        }
        for tag in ["red", "even", "odd", "blue"] {
            let brute = documents.indices.filter { MetadataFilter(tags: [tag]).matches(metadata: documents[$0].metadata, createdAt: nil) }
            #expect(segment.ordinals(tag: tag).map(Int.init) == brute, "\(tag)")
        }
    }

    @Test("BM25 over any split into segments equals the in-memory inverted index: same ids, bit-identical scores", arguments: [1, 2, 3, 4, 5])
    func lexicalEquivalence(seed: UInt64) throws {
        var random = SeededGenerator(state: seed &* 977)
        let documents = Self.corpus(seed: seed, count: 240, dimension: 0)
        var index = InvertedIndex()
        for (ordinal, document) in documents.enumerated() { index.insert(ordinal: ordinal, counts: document.terms) }
        // Random split points: 1 to 5 segments, some possibly empty.
        let cuts = (0..<Int.random(in: 0...4, using: &random)).map { _ in Int.random(in: 0...documents.count, using: &random) }.sorted()
        var segments: [Segment] = []
        var start = 0
        for cut in cuts + [documents.count] {
            segments.append(try Self.open(Array(documents[start..<cut]), dimension: 0, name: "s\(segments.count)"))
            start = cut
        }
        for _ in 0..<25 {
            let terms = (0..<Int.random(in: 1...4, using: &random)).map { _ in Self.vocabulary.randomElement(using: &random)! }
            for k in [1, 10, 1_000] {
                let memory = index.search(terms: terms, topK: k, candidates: nil) { documents[$0].id }
                let segmented = SegmentSearch.lexical(segments, terms: terms, topK: k)
                #expect(segmented.map(\.id) == memory.map { documents[$0.ordinal].id }, "\(terms) k=\(k) cuts=\(cuts)")
                #expect(segmented.map(\.score) == memory.map(\.score), "\(terms) k=\(k) cuts=\(cuts)")
                // Restricted to candidates (a filter): sparse ones take the galloping
                // intersection with postings, dense ones walk the postings.
                for density in [0.03, 0.5, 1] {
                    let members = (0..<documents.count).filter { _ in Double.random(in: 0..<1, using: &random) < density }
                    let candidates = OrdinalSet(sortedMembers: members.map { Int32($0) }, capacity: documents.count)
                    let expected = index.search(terms: terms, topK: k, candidates: candidates) { documents[$0].id }
                    let found = SegmentSearch.lexicalRanking(
                        segments, deletions: [], terms: terms, parameters: BM25Parameters(), topK: k, candidates: candidates
                    ).sorted()
                    #expect(found.map(\.ordinal) == expected.map(\.ordinal), "\(terms) k=\(k) density=\(density) cuts=\(cuts)")
                    #expect(found.map(\.score) == expected.map(\.score), "\(terms) k=\(k) density=\(density) cuts=\(cuts)")
                }
            }
        }
    }

    @Test("Intersecting members with postings: every common ordinal once, in order, from either side; damaged lists stay in bounds")
    func postingIntersection() {
        var random = SeededGenerator(state: 4_242)
        for trial in 0..<300 {
            let base = Int.random(in: 0...50, using: &random)
            let size = Int.random(in: 1...400, using: &random)
            let memberDensity = [0.01, 0.1, 0.9][trial % 3]
            let postingDensity = [0.02, 0.3, 1][(trial / 3) % 3]
            let members = (0..<size).filter { _ in Double.random(in: 0..<1, using: &random) < memberDensity }
            var ordinals = (0..<size).filter { _ in Double.random(in: 0..<1, using: &random) < postingDensity }
            let damaged = trial % 10 == 9
            if damaged { ordinals = ordinals.shuffled(using: &random) + [Int(UInt32.max)] }
            let pairs = ordinals.flatMap { [UInt32($0), UInt32($0 % 7 + 1)] }
            let rows = ArraySlice(members.map { Int32(base + $0) })
            var found: [(row: Int, ordinal: Int, frequency: Int32)] = []
            pairs.withUnsafeBufferPointer { buffer in
                let postings = SegmentPostings(base: buffer.baseAddress ?? UnsafePointer(bitPattern: 8)!, count: ordinals.count)
                SegmentSearch.intersect(rows, postings, base: base) { row, posting in
                    found.append((row, posting.ordinal, posting.termFrequency))
                }
            }
            // Every match is a member with its posting's frequency, whatever the damage.
            for match in found {
                #expect(members[match.row] == match.ordinal)
                #expect(match.frequency == Int32(match.ordinal % 7 + 1))
            }
            if !damaged {
                let common = members.filter(Set(ordinals).contains)
                #expect(found.map(\.ordinal) == common, "trial \(trial): \(members.count) members, \(ordinals.count) postings")
            }
        }
    }

    @Test("Cosine over segments equals the in-memory dense index: same ids, bit-identical scores")
    func denseEquivalence() throws {
        let dimension = 32
        let documents = Self.corpus(seed: 11, count: 200, dimension: dimension)
        var dense = DenseIndex(dimension: dimension)
        for (ordinal, document) in documents.enumerated() { dense.set(ordinal: ordinal, vector: document.vector!) }
        let segments = [
            try Self.open(Array(documents[0..<70]), dimension: dimension, name: "a"),
            try Self.open(Array(documents[70..<200]), dimension: dimension, name: "b"),
        ]
        var random = SeededGenerator(state: 99)
        for _ in 0..<10 {
            let query = (0..<dimension).map { _ in Float.random(in: -1...1, using: &random) }
            let memory = dense.search(query: query, topK: 15, candidates: nil) { documents[$0].id }
            let segmented = SegmentSearch.dense(segments, query: query, topK: 15)
            #expect(segmented.map(\.id) == memory.map { documents[$0.ordinal].id })
            #expect(segmented.map(\.score) == memory.map(\.score))
        }
    }

    @Test("A batch of dense queries in one pass ranks each exactly as alone (ids and scores bit for bit), with deletions, candidates and different k")
    func batchedDenseScan() throws {
        let dimension = 40  // not a multiple of 32: the kernel's 8-wide and scalar tails run too
        let documents = Self.corpus(seed: 12, count: 300, dimension: dimension)
        let segments = [
            try Self.open(Array(documents[0..<120]), dimension: dimension, name: "a"),
            try Self.open(Array(documents[120..<300]), dimension: dimension, name: "b"),
        ]
        var deleted = DeletedDocuments(documentCount: 120)
        for ordinal in [3, 50, 119] { _ = deleted.insert(ordinal) }
        let deletions: [DeletedDocuments?] = [deleted, nil]
        func entries(_ collector: TopKCollector<String>) -> [String] {
            collector.sorted().map { "\($0.ordinal) \($0.key) \($0.score.bitPattern)" }
        }
        var random = SeededGenerator(state: 5)
        let queries = (0..<11).map { index in
            ((0..<dimension).map { _ in Float.random(in: -1...1, using: &random) }, [1, 7, 25, 400][index % 4])
        }
        let candidates = OrdinalSet(members: (0..<300).filter { $0 % 3 != 0 }.map { Int32($0) }, capacity: 300)
        for filter in [nil, candidates] {
            let batched = SegmentSearch.denseRankings(segments, deletions: deletions, queries: queries, candidates: filter)
            #expect(batched.count == queries.count)
            for (index, query) in queries.enumerated() {
                let alone = SegmentSearch.denseRanking(segments, deletions: deletions, query: query.0, topK: query.1, candidates: filter)
                #expect(entries(batched[index]) == entries(alone), "query \(index), k \(query.1)")
                #expect(!entries(alone).isEmpty)
            }
        }
        // A query with k = 0 or no vector gets an empty ranking and does not disturb the others.
        let mixed = SegmentSearch.denseRankings(segments, deletions: [], queries: [(queries[0].0, 0), (queries[1].0, 5)], candidates: nil)
        #expect(entries(mixed[0]).isEmpty)
        #expect(entries(mixed[1]) == entries(SegmentSearch.denseRanking(segments, deletions: [], query: queries[1].0, topK: 5, candidates: nil)))
    }

    /// The error opening `data` as a segment gives, or nil when it opens.
    static func openError(_ data: Data, verification: Segment.Verification) -> SearchError? {
        do {
            _ = try Segment(name: "seg", bytes: SegmentBytes(copying: data), verification: verification)
            return nil
        } catch {
            return error
        }
    }

    @Test("A flipped byte anywhere is detected on a full open, in header and section table on a standard open; a wrong version or magic on any open")
    func damageDetected() throws {
        let documents = Self.corpus(seed: 3, count: 40, dimension: 8)
        let data = try SegmentWriter.encode(documents, dimension: 8)
        #expect(Self.openError(data, verification: .full) == nil)
        var random = SeededGenerator(state: 5)
        for _ in 0..<60 {
            let offset = Int.random(in: 0..<data.count, using: &random)
            var damaged = data
            damaged[offset] ^= 0xFF
            #expect(Self.openError(damaged, verification: .full) != nil, "byte \(offset)")
        }
        // Standard verification: header and section table are checked, no section's contents
        // (a full check finds those).
        let opened = try Segment(name: "s", bytes: SegmentBytes(copying: data), verification: .standard)
        for _ in 0..<20 {
            let offset = Int.random(in: 0..<(64 + 12 * 32), using: &random)
            var damaged = data
            damaged[offset] ^= 0xFF
            #expect(Self.openError(damaged, verification: .standard) != nil, "byte \(offset)")
        }
        for kind in SegmentFormat.Section.allCases {
            let range = opened.byteRange(of: kind)
            guard !range.isEmpty else { continue }
            var damaged = data
            damaged[range.lowerBound + range.count / 2] ^= 0x01
            #expect(Self.openError(damaged, verification: .full) != nil, "\(kind)")
        }
        // A newer and older format versions (1 had no id order, 2 f32 vectors) are refused, as
        // "another format".
        for version: UInt8 in [4, 2, 1] {
            var other = data
            other[8] = version
            let versionError = Self.openError(other, verification: .standard)
            #expect(String(describing: versionError).contains("format version \(version)"))
        }
        #expect(Self.openError(Data("not a segment".utf8), verification: .standard) != nil)
        #expect(Self.openError(data.prefix(200), verification: .standard) != nil)
        // The in-memory directory's own damage helper is detected too.
        let directory = InMemorySegmentDirectory()
        try directory.write("seg", data)
        directory.corrupt("seg", at: data.count - 1)
        let stored = try directory.read("seg")
        #expect(Self.openError(withExtendedLifetime(stored) { Data(stored.buffer) }, verification: .full) != nil)
    }

    @Test("Damaged section contents, opened without their checksums, never crash a read: every search mode, filter, id lookup and metadata read stays in bounds, and the full check names the damage")
    func damagedContentsStayInBounds() throws {
        let dimension = 8
        let documents = Self.corpus(seed: 11, count: 120, dimension: dimension)
        let data = try SegmentWriter.encode(documents, dimension: dimension)
        let tableEnd = 64 + 12 * 32
        let embedder = HashedNGramEmbedder(dimension: dimension)
        let analyzer = StandardAnalyzer(stopWords: [], stemming: false)
        let filters = [
            MetadataFilter.none, MetadataFilter(equals: ["group": .integer(2)]), MetadataFilter(tags: ["red"]),
            MetadataFilter(createdAtMin: 1_700_000_010, createdAtMax: 1_700_000_090),
        ]
        var random = SeededGenerator(state: 17)
        var opened = 0
        for trial in 0..<90 {
            var damaged = data
            // A few flipped bytes, or a run of 0xFF (huge offsets and counts), past the table.
            if trial % 3 == 0 {
                let start = Int.random(in: tableEnd..<(data.count - 8), using: &random)
                for offset in start..<(start + 8) { damaged[offset] = 0xFF }
            } else {
                for _ in 0..<Int.random(in: 1...4, using: &random) {
                    damaged[Int.random(in: tableEnd..<data.count, using: &random)] ^= UInt8.random(in: 1...255, using: &random)
                }
            }
            guard let segment = try? Segment(name: "s", bytes: SegmentBytes(copying: damaged), verification: .standard) else {
                continue
            }
            opened += 1
            #expect(throws: SearchError.self) { try segment.verifyChecksums() }
            let index = SegmentedIndex(segments: [segment], analyzer: analyzer, embedder: embedder)
            for mode in [SearchMode.lexical, .semantic, .hybrid, .structural] {
                for filter in filters {
                    let hits = try index.search(SearchRequest(corpus: "c", query: "w1 w3 alpha café", topK: 7, filter: filter, mode: mode))
                    #expect(hits.count <= 7)
                }
            }
            for ordinal in 0..<segment.documentCount {
                _ = segment.ordinal(ofID: segment.id(ordinal))
                _ = try? segment.metadata(ordinal)
                _ = segment.createdAt(ordinal)
            }
            for index in 0..<segment.termCount { _ = segment.postings(termIndex: index).count }
        }
        // Damage past the table is not looked for on a standard open: most trials open.
        #expect(opened > 60)
    }

    @Test("The writer refuses duplicate ids and vectors of the wrong size or with NaN")
    func writerValidates() {
        let terms = TermCounts(analyzer: "t", terms: ["a"])
        #expect(throws: SearchError.self) {
            try SegmentWriter.encode([SegmentDocument(id: "x", terms: terms), SegmentDocument(id: "x", terms: terms)], dimension: 0)
        }
        #expect(throws: SearchError.self) {
            try SegmentWriter.encode([SegmentDocument(id: "x", terms: terms, vector: [1, 2])], dimension: 3)
        }
        #expect(throws: SearchError.self) {
            try SegmentWriter.encode([SegmentDocument(id: "x", terms: terms, vector: [1, .nan, 0])], dimension: 3)
        }
    }

    @Test("A folder directory writes atomically (no temporary left), maps files back, lists and removes them")
    func fileSystemDirectory() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("segment-tests-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let directory = try FileSystemSegmentDirectory(url: folder)
        let documents = Self.corpus(seed: 9, count: 50, dimension: 16)
        try directory.write("seg-1", SegmentWriter.encode(documents, dimension: 16))
        try directory.write("meta", Data("x".utf8))
        #expect(try directory.fileNames() == ["meta", "seg-1"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == ["meta", "seg-1"])
        let segment = try Segment(name: "seg-1", bytes: directory.read("seg-1"))
        #expect(segment.id(49) == documents[49].id)
        #expect(Int(bitPattern: segment.vector(0).baseAddress!) % 64 == 0, "vector rows are aligned in a mapping")
        try directory.remove("meta")
        try directory.remove("meta")
        #expect(try directory.fileNames() == ["seg-1"])
        #expect(throws: SearchError.self) { try directory.write("../escape", Data()) }
    }
}
