import Foundation
import Testing
@testable import HybridSearch

@Suite("Search backend")
struct BackendTests {
    static let documents: [(String, String)] = [
        ("log-1", "training run ran out of memory: CUDA OOM in atomic_write_json"),
        ("code-1", "def getUserById(user_id): return db.fetch(user_id)"),
        ("note-1", "Retrieval evaluation notes: nDCG@10 improved after BM25 tuning"),
        ("note-2", "東京都の会議メモ: 検索エンジンの評価"),
        ("json-1", "{\"accuracy\": 0.913, \"loss\": 0.21, \"model\": \"multi-agent planner\"}"),
        ("todo-1", "TODO: fix the c++ build; don't forget version 38.101"),
    ]

    func makeBackend(configuration: SearchConfiguration = SearchConfiguration()) async throws -> InMemorySearchBackend {
        let backend = InMemorySearchBackend(embedder: HashedNGramEmbedder(dimension: 256), configuration: configuration)
        var items: [SearchItem] = []
        for (index, (id, text)) in Self.documents.enumerated() {
            items.append(SearchItem(
                corpus: "c", id: id, text: text,
                metadata: ["kind": .string(id.split(separator: "-")[0].description), "n": .number(Double(index)),
                           "tags": .array(index % 2 == 0 ? ["even", "all"] : ["odd", "all"])],
                createdAt: 1_000 + Double(index)))
        }
        try await backend.upsert(items)
        return backend
    }

    @Test("identifier, part and CJK queries find their documents", arguments: [
        ("atomic_write_json", "log-1"), ("atomic write", "log-1"), ("getUserById", "code-1"),
        ("user", "code-1"), ("検索", "note-2"), ("東京", "note-2"), ("multi-agent", "json-1"),
        ("c++", "todo-1"), ("38.101", "todo-1"), ("TODO: fix", "todo-1"),
    ])
    func findsDocuments(query: String, expected: String) async throws {
        let backend = try await makeBackend()
        for mode in [SearchMode.lexical, .hybrid] {
            let hits = try await backend.search(SearchRequest(corpus: "c", query: query, topK: 3, mode: mode))
            #expect(hits.first?.itemID == expected, "\(mode) \(query)")
        }
    }

    @Test("blank, stop-word-only and punctuation-only queries return nothing in query modes",
          arguments: ["", "   ", "the of and", "???", "*", "--", "\"\""])
    func emptyQueries(query: String) async throws {
        let backend = try await makeBackend()
        for mode in [SearchMode.lexical, .semantic, .hybrid] {
            #expect(try await backend.search(SearchRequest(corpus: "c", query: query, mode: mode)).isEmpty)
        }
    }

    @Test("auto: blank query is structural (newest first, score = createdAt)")
    func structural() async throws {
        let backend = try await makeBackend()
        let hits = try await backend.search(SearchRequest(corpus: "c", query: " ", topK: 3, mode: .auto))
        #expect(hits.map(\.itemID) == ["todo-1", "json-1", "note-2"])
        #expect(hits.map(\.score) == [1_005, 1_004, 1_003])
    }

    @Test("top_k below 1 is an error; above the matches returns all matches")
    func topK() async throws {
        let backend = try await makeBackend()
        await #expect(throws: SearchError.invalidTopK(0)) {
            try await backend.search(SearchRequest(corpus: "c", query: "memory", topK: 0))
        }
        let all = try await backend.search(SearchRequest(corpus: "c", query: "user", topK: 1_000_000, mode: .lexical))
        #expect(all.map(\.itemID) == ["code-1"])
    }

    @Test("top_k 0, negative and Int.min are errors in every mode; Int.max returns every match")
    func absurdTopK() async throws {
        let backend = try await EngineFixture.backend()
        for mode in SearchMode.allCases {
            for k in [0, -1, Int.min] {
                await #expect(throws: SearchError.invalidTopK(k)) {
                    try await backend.search(SearchRequest(corpus: "c", query: "gamma", topK: k, mode: mode))
                }
            }
            let all = try await backend.search(SearchRequest(corpus: "c", query: "gamma", topK: .max, mode: mode))
            switch mode {
            case .lexical: #expect(Set(all.map(\.itemID)) == ["doc-00", "doc-01", "doc-02"])
            case .hybrid, .auto:
                // Hybrid matches = lexical matches ∪ semantic neighbours at or above the floor.
                let semantic = try await backend.search(SearchRequest(corpus: "c", query: "gamma", topK: .max, mode: .semantic))
                let floor = SearchConfiguration.defaultHybridSemanticFloor
                let expected = Set(["doc-00", "doc-01", "doc-02"]).union(semantic.filter { $0.score >= floor }.map(\.itemID))
                #expect(Set(all.map(\.itemID)) == expected, "\(mode)")
            default: #expect(all.count == EngineFixture.texts.count, "\(mode)")
            }
            #expect(Set(all.map(\.itemID)).count == all.count, "\(mode): an id twice")
        }
    }

    @Test("filters: typed equality, any-of lists, tags all-of, nil ignored, time bounds")
    func filters() async throws {
        let backend = try await makeBackend()
        func ids(_ filter: MetadataFilter) async throws -> Set<String> {
            Set(try await backend.search(SearchRequest(corpus: "c", query: "", topK: 100, filter: filter, mode: .structural)).map(\.itemID))
        }
        #expect(try await ids(MetadataFilter(equals: ["n": 2])) == ["note-1"])
        #expect(try await ids(MetadataFilter(equals: ["n": "2"])).isEmpty)
        #expect(try await ids(MetadataFilter(equals: ["kind": ["note", "json"]])) == ["note-1", "note-2", "json-1"])
        #expect(try await ids(MetadataFilter(equals: ["kind": "Note"])).isEmpty)
        #expect(try await ids(MetadataFilter(equals: ["kind": nil])).count == 6)
        #expect(try await ids(MetadataFilter(tags: ["even", "all"])) == ["log-1", "note-1", "json-1"])
        #expect(try await ids(MetadataFilter(tags: ["even", "odd"])).isEmpty)
        #expect(try await ids(MetadataFilter(createdAtMin: 1_001, createdAtMax: 1_002)) == ["code-1", "note-1"])
    }

    @Test("filtered top-k equals the unfiltered ranking restricted to the filter, never short")
    func filteredTopKIsPrefix() async throws {
        var random = SplitMix64(seed: 3)
        let words = ["alpha", "beta", "gamma", "delta", "omega", "sigma", "kappa", "lambda"]
        var items: [SearchItem] = []
        for i in 0..<400 {
            let text = (0..<8).map { _ in words[Int(random.next() % 8)] }.joined(separator: " ")
            items.append(SearchItem(corpus: "p", id: String(format: "item-%03d", i), text: text,
                                    metadata: ["bucket": .number(Double(i % 7))], createdAt: Double(i)))
        }
        for kernel in [DenseIndex.ScanKernel.simd, .blas] {
            let backend = InMemorySearchBackend(
                embedder: HashedNGramEmbedder(dimension: 64), configuration: SearchConfiguration(scanKernel: kernel))
            try await backend.upsert(items)
            for mode in [SearchMode.lexical, .semantic, .hybrid] {
                let filter = MetadataFilter(equals: ["bucket": [1, 4]])
                let everything = try await backend.search(SearchRequest(corpus: "p", query: "gamma omega", topK: 400, mode: mode))
                let restricted = everything.filter { filter.matches(metadata: $0.metadata, createdAt: $0.createdAt) }
                for k in [1, 5, 20, 60] {
                    let filtered = try await backend.search(
                        SearchRequest(corpus: "p", query: "gamma omega", topK: k, filter: filter, mode: mode))
                    #expect(filtered.count == min(k, restricted.count))
                    if mode != .hybrid {
                        #expect(filtered.map(\.itemID) == restricted.prefix(k).map(\.itemID), "\(mode) k=\(k)")
                        #expect(filtered.map(\.score) == restricted.prefix(k).map(\.score))
                    }
                }
                // Top-k is a prefix of a larger top-k.
                let small = try await backend.search(SearchRequest(corpus: "p", query: "gamma omega", topK: 10, filter: filter, mode: mode))
                let large = try await backend.search(SearchRequest(corpus: "p", query: "gamma omega", topK: 50, filter: filter, mode: mode))
                #expect(small.map(\.itemID) == large.prefix(10).map(\.itemID))
            }
        }
    }

    @Test("a filter matching only one old item still finds it with top_k 1")
    func selectiveFilter() async throws {
        let backend = InMemorySearchBackend(embedder: HashedNGramEmbedder(dimension: 64))
        var items = (0..<200).map { SearchItem(corpus: "s", id: "i\($0)", text: "report number \($0)", metadata: ["run": "r1"], createdAt: Double($0)) }
        items[3].metadata["run"] = "r2"
        try await backend.upsert(items)
        for mode in SearchMode.allCases {
            let hits = try await backend.search(
                SearchRequest(corpus: "s", query: mode == .structural ? "" : "report", topK: 1,
                              filter: MetadataFilter(equals: ["run": "r2"]), mode: mode))
            #expect(hits.map(\.itemID) == ["i3"], "\(mode)")
        }
    }

    @Test("upsert replaces completely; delete removes from both legs; incremental equals rebuild")
    func incremental() async throws {
        var random = SplitMix64(seed: 5)
        let words = (0..<30).map { "w\($0)x" }
        func text() -> String { (0..<6).map { _ in words[Int(random.next() % 30)] }.joined(separator: " ") }
        let incremental = InMemorySearchBackend(embedder: HashedNGramEmbedder(dimension: 32))
        var live: [String: String] = [:]
        for _ in 0..<300 {
            let id = "d\(random.next() % 60)"
            if live[id] != nil && random.next() % 3 == 0 {
                await incremental.delete(corpus: "x", ids: [id])
                live[id] = nil
            } else {
                let body = text()
                try await incremental.upsert([SearchItem(corpus: "x", id: id, text: body)])
                live[id] = body
            }
        }
        let fresh = InMemorySearchBackend(embedder: HashedNGramEmbedder(dimension: 32))
        try await fresh.upsert(live.keys.sorted().map { SearchItem(corpus: "x", id: $0, text: live[$0]!) })
        #expect(await incremental.count(corpus: "x") == live.count)
        for _ in 0..<20 {
            let query = text()
            for mode in [SearchMode.lexical, .semantic, .hybrid] {
                let a = try await incremental.search(SearchRequest(corpus: "x", query: query, topK: 15, mode: mode))
                let b = try await fresh.search(SearchRequest(corpus: "x", query: query, topK: 15, mode: mode))
                #expect(a.map(\.itemID) == b.map(\.itemID))
                #expect(a.map(\.score) == b.map(\.score))
            }
        }
        // A replaced item's old text no longer matches, and ids never repeat.
        try await incremental.upsert([SearchItem(corpus: "x", id: "d1", text: "zebra")])
        try await incremental.upsert([SearchItem(corpus: "x", id: "d1", text: "giraffe")])
        #expect(try await incremental.search(SearchRequest(corpus: "x", query: "zebra", mode: .lexical)).isEmpty)
        let giraffe = try await incremental.search(SearchRequest(corpus: "x", query: "giraffe", topK: 100, mode: .hybrid))
        #expect(giraffe.filter { $0.itemID == "d1" }.count == 1)
        #expect(giraffe.first?.itemID == "d1")
        await incremental.delete(corpus: "x", ids: ["d1"])
        #expect(try await incremental.search(SearchRequest(corpus: "x", query: "giraffe", topK: 100, mode: .hybrid)).allSatisfy { $0.itemID != "d1" })
    }

    static func rankingSignature(_ hits: [SearchHit]) -> [String] {
        hits.map { "\($0.itemID)=\($0.score.bitPattern)" }
    }

    @Test("After random upserts and deletes, every mode ranks exactly as a backend built from scratch")
    func upsertDeleteEquivalence() async throws {
        var generator = SplitMix64(seed: 42)
        let vocabulary = ["alpha", "beta", "gamma", "delta", "echo", "fox", "golf", "hotel", "india", "json", "kilo"]
        func randomText() -> String {
            (0..<Int(generator.next() % 6 + 1)).map { _ in vocabulary[Int(generator.next() % UInt64(vocabulary.count))] }
                .joined(separator: " ")
        }
        let incremental = InMemorySearchBackend(embedder: HashedNGramEmbedder(dimension: 32))
        var live: [String: SearchItem] = [:]
        for step in 0..<400 {
            let id = "id-\(generator.next() % 60)"
            if generator.next() % 3 == 0 {
                await incremental.delete(corpus: "c", ids: [id, "never-existed"])
                live[id] = nil
            } else {
                let item = SearchItem(
                    corpus: "c", id: id, text: randomText(),
                    metadata: ["group": .number(Double(generator.next() % 3)),
                               "tags": .array(generator.next() % 2 == 0 ? ["t"] : [])],
                    createdAt: Double(step % 50))
                try await incremental.upsert([item])
                live[id] = item
            }
        }
        let rebuilt = InMemorySearchBackend(embedder: HashedNGramEmbedder(dimension: 32))
        try await rebuilt.upsert(live.values.sorted { $0.id < $1.id })
        #expect(await incremental.count(corpus: "c") == live.count)
        let filters = [
            MetadataFilter.none, MetadataFilter(equals: ["group": .number(1)]), MetadataFilter(tags: ["t"]),
            MetadataFilter(createdAtMin: 10, createdAtMax: 30),
        ]
        for query in ["alpha", "gamma delta", "kilo json fox", "", "zulu"] {
            for mode in SearchMode.allCases {
                for filter in filters {
                    for k in [1, 5, 1_000] {
                        let request = SearchRequest(corpus: "c", query: query, topK: k, filter: filter, mode: mode)
                        let left = try await incremental.search(request)
                        let right = try await rebuilt.search(request)
                        #expect(Self.rankingSignature(left) == Self.rankingSignature(right), "\(mode) \(query) \(filter) k=\(k)")
                    }
                }
            }
        }
        // A deleted id never comes back; an upserted text replaces the old one completely.
        let old = SearchItem(corpus: "c", id: "swap", text: "uniqueoldword")
        try await incremental.upsert([old])
        try await incremental.upsert([SearchItem(corpus: "c", id: "swap", text: "uniquenewword")])
        #expect(try await incremental.search(SearchRequest(corpus: "c", query: "uniqueoldword", mode: .lexical)).isEmpty)
        #expect(try await incremental.search(SearchRequest(corpus: "c", query: "uniquenewword", mode: .lexical)).map(\.itemID) == ["swap"])
    }

    @Test("hybrid hits explain themselves; identical inputs give identical rankings")
    func explainAndDeterminism() async throws {
        let a = try await makeBackend()
        let b = try await makeBackend()
        let request = SearchRequest(corpus: "c", query: "memory evaluation json", topK: 6, mode: .hybrid, explain: true)
        let first = try await a.search(request)
        let second = try await b.search(request)
        #expect(first == second)
        let top = try #require(first.first)
        let explanation = try #require(top.explanation)
        let rrf = ReciprocalRankFusion(semanticWeight: SearchConfiguration.defaultSemanticWeight)
        #expect(abs(rrf.score(explanation) - top.score) < 1e-12)
        #expect(explanation.lexical != nil || explanation.semantic != nil)
    }

    @Test("Two backends fed the same items in different orders give bit-identical rankings; ties break by id (structural: the larger first)")
    func determinismAndTies() async throws {
        var items = EngineFixture.items()
        // Exact duplicates under different ids: every leg ties them.
        for suffix in ["z", "a", "m"] {
            items.append(SearchItem(corpus: "c", id: "dup-\(suffix)", text: "duplicate twin text", createdAt: 5))
        }
        let a = InMemorySearchBackend(embedder: HashedNGramEmbedder(dimension: 64))
        let b = InMemorySearchBackend(embedder: HashedNGramEmbedder(dimension: 64))
        try await a.upsert(items)
        for item in items.reversed() { try await b.upsert([item]) }
        for query in ["gamma delta", "duplicate twin", "fox", "", "cafe", "東京"] {
            for mode in SearchMode.allCases {
                for k in [1, 2, 3, 100] {
                    let request = SearchRequest(corpus: "c", query: query, topK: k, mode: mode)
                    let left = try await a.search(request)
                    let right = try await b.search(request)
                    #expect(Self.rankingSignature(left) == Self.rankingSignature(right), "\(mode) \(query) k=\(k)")
                }
            }
        }
        for mode in [SearchMode.lexical, .semantic, .hybrid, .structural] {
            let hits = try await a.search(SearchRequest(
                corpus: "c", query: "duplicate twin", topK: 3,
                filter: MetadataFilter(createdAtMin: 5, createdAtMax: 5), mode: mode))
            // Query modes break ties by the smaller id; structural (newest first) by the larger,
            // as ids that grow with time put the later save first.
            #expect(hits.map(\.itemID) == (mode == .structural ? ["dup-z", "dup-m", "dup-a"] : ["dup-a", "dup-m", "dup-z"]), "\(mode)")
        }
    }

    @Test("Structural orders, worked example: newest first with ties to the larger id; by a number, largest or smallest first, missing last or left out, ties newest first")
    func structuralOrders() async throws {
        let backend = InMemorySearchBackend(embedder: HashedNGramEmbedder(dimension: 16))
        // (id, createdAt, f1)
        let rows: [(String, Double?, JSONValue?)] = [
            ("a", 10, .number(0.5)), ("b", 20, .number(0.9)), ("c", 20, .number(0.5)), ("d", 30, nil),
            ("e", nil, .integer(1)), ("f", 20, .string("0.99")), ("g", 5, .number(0.9)),
        ]
        try await backend.upsert(rows.map { id, time, f1 in
            SearchItem(corpus: "c", id: id, text: "row \(id)", metadata: f1.map { ["metric.f1": $0] } ?? [:], createdAt: time)
        })
        func order(_ order: StructuralOrder, k: Int = 10) async throws -> [String] {
            try await backend.search(SearchRequest(corpus: "c", query: "", topK: k, mode: .structural, order: order)).map(\.itemID)
        }
        // 30; 20 ×3 → larger id first (f, c, b); 10; 5; no time last.
        #expect(try await order(.newestFirst) == ["d", "f", "c", "b", "a", "g", "e"])
        // 1 (e); 0.9: b (20) before g (5); 0.5: c (20) before a (10); then without a number
        // ("0.99" is a string): newest first.
        #expect(try await order(.number(key: "metric.f1", descending: true, excludingMissing: false)) == ["e", "b", "g", "c", "a", "d", "f"])
        #expect(try await order(.number(key: "metric.f1", descending: false, excludingMissing: true)) == ["c", "a", "b", "g", "e"])
        #expect(try await order(.number(key: "metric.f1", descending: true, excludingMissing: true), k: 2) == ["e", "b"])
        let scored = try await backend.search(
            SearchRequest(corpus: "c", query: "", topK: 2, mode: .structural, order: .number(key: "metric.f1", descending: false, excludingMissing: true)))
        #expect(scored.map(\.score) == [0.5, 0.5])
    }

    @Test("NaN vectors are rejected and nothing of the batch is applied")
    func rejectsNaN() async throws {
        let backend = InMemorySearchBackend(embedder: HashedNGramEmbedder(dimension: 4))
        await #expect(throws: SearchError.self) {
            try await backend.upsert([
                SearchItem(corpus: "v", id: "ok", text: "fine"),
                SearchItem(corpus: "v", id: "bad", text: "x", vector: [.nan, 0, 0, 0]),
            ])
        }
        #expect(await backend.count(corpus: "v") == 0)
    }

    @Test("time window grammar", arguments: [
        ("30s", 30.0), ("15m", 900), ("24h", 86_400), ("7d", 604_800), ("2w", 1_209_600), (" 7 d ", 604_800), ("0h", 0),
    ])
    func timeWindows(text: String, seconds: Double) throws {
        #expect(try TimeWindow(parsing: text).seconds == seconds)
    }

    @Test("invalid time windows name the accepted forms",
          arguments: ["7 days", "1.5h", "-1d", "last_24_hours", "", "h", "7", "7y", "1e3s", "٣d"])
    func invalidTimeWindows(text: String) {
        #expect(throws: SearchError.invalidTimeWindow(text)) { try TimeWindow(parsing: text) }
        #expect(SearchError.invalidTimeWindow(text).description.contains("7d"))
    }

    @Test("a time window keeps [now − window, now] inclusive")
    func windowBounds() async throws {
        let now = Date(timeIntervalSince1970: 10_000)
        let bounds = try TimeWindow(parsing: "1h").bounds(now: now)
        #expect(bounds == 6_400...10_000)
        let filter = MetadataFilter(createdAtMin: bounds.lowerBound, createdAtMax: bounds.upperBound)
        #expect(filter.matches(metadata: [:], createdAt: 6_400))
        #expect(!filter.matches(metadata: [:], createdAt: 10_000 - 7_200))
        #expect(!filter.matches(metadata: [:], createdAt: nil))
    }

    @Test(
        "Time windows: whole number + s/m/h/d/w with optional spaces; anything else is an error naming the forms",
        arguments: [
            ("0s", 0.0), (" 7d", 604_800), ("7d ", 604_800), (" 7 d ", 604_800), ("30s", 30), ("15m", 900),
            ("24h", 86_400), ("2w", 1_209_600), ("007d", 604_800), ("999999999999w", 604_799_999_999_395_200),
        ] as [(String, Double)])
    func validWindows(text: String, seconds: Double) throws {
        let window = try TimeWindow(parsing: text)
        #expect(window.seconds == seconds)
        let bounds = window.bounds(now: Date(timeIntervalSince1970: 2_000_000_000))
        #expect(bounds.upperBound == 2_000_000_000)
        #expect(bounds.lowerBound.isFinite)
    }

    @Test(
        "Invalid time windows throw invalidTimeWindow",
        arguments: [
            "", " ", "d", "7", "7 days", "1.5h", "-1d", "+1d", "last_24_hours", "99999999999999w", "7D", "7dd",
            "٧d", "７d", "1e3s", "0x10s", "1_000s", "7d\n", "∞d", "NaNs", "1 2d", "7 w w",
        ])
    func invalidWindows(text: String) {
        #expect(throws: SearchError.invalidTimeWindow(text)) { try TimeWindow(parsing: text) }
        #expect(SearchError.invalidTimeWindow(text).description.contains("30s"))
    }

    @Test(
        "A zero-width space is not a space in a time window")
    func zeroWidthSpaceInWindow() {
        let text = "7\u{200B}d"
        #expect(throws: SearchError.invalidTimeWindow(text)) { try TimeWindow(parsing: text) }
    }

    @Test("A 0s window keeps an item stamped exactly now; inclusive at both ends")
    func zeroWindowInclusive() async throws {
        let backend = InMemorySearchBackend(embedder: HashedNGramEmbedder(dimension: 16))
        try await backend.upsert([
            SearchItem(corpus: "c", id: "now", text: "alpha", createdAt: 500),
            SearchItem(corpus: "c", id: "before", text: "alpha", createdAt: 499.999),
            SearchItem(corpus: "c", id: "untimed", text: "alpha"),
        ])
        let bounds = try TimeWindow(parsing: "0s").bounds(now: Date(timeIntervalSince1970: 500))
        let filter = MetadataFilter(createdAtMin: bounds.lowerBound, createdAtMax: bounds.upperBound)
        for mode in SearchMode.allCases {
            let hits = try await backend.search(SearchRequest(corpus: "c", query: "alpha", filter: filter, mode: mode))
            #expect(hits.map(\.itemID) == ["now"], "\(mode)")
        }
    }

    @Test("TimeWindow(seconds:) with a negative or NaN length gives an empty-width window at now, never a trap")
    func negativeWindowDoesNotTrap() {
        let now = Date(timeIntervalSince1970: 1_000)
        for seconds in [-1.0, -.infinity, .nan] {
            let bounds = TimeWindow(seconds: seconds).bounds(now: now)
            #expect(bounds == 1_000...1_000, "\(seconds)")
        }
        #expect(TimeWindow(seconds: 60).bounds(now: now) == 940...1_000)
    }

    @Test("unknown modes are errors that list the modes")
    func modes() throws {
        #expect(try SearchMode(parsing: "Hybrid") == .hybrid)
        #expect(throws: SearchError.unknownMode("fuzzy")) { try SearchMode(parsing: "fuzzy") }
    }

    @Test("Concurrent upserts, deletes and searches: no crash, no duplicate hit, final count exact")
    func concurrentUse() async throws {
        let backend = InMemorySearchBackend(embedder: HashedNGramEmbedder(dimension: 32))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<4 {
                group.addTask {
                    for index in 0..<150 {
                        let id = "w\(worker)-\(index)"
                        try await backend.upsert([SearchItem(corpus: "c", id: id, text: "shared text \(index)", createdAt: Double(index))])
                        if index % 3 == 0 { await backend.delete(corpus: "c", ids: [id]) }
                    }
                }
                group.addTask {
                    for _ in 0..<60 {
                        for mode in [SearchMode.hybrid, .structural] {
                            let hits = try await backend.search(SearchRequest(corpus: "c", query: "shared", topK: 20, mode: mode))
                            #expect(Set(hits.map(\.itemID)).count == hits.count)
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(await backend.count(corpus: "c") == 4 * 100)
    }
}

@Suite("Search backend time windows")
struct BackendTimeWindowTests {
    @Test("a request's time window keeps [now − window, now]; explicit bounds win over it")
    func requestTimeWindow() async throws {
        let backend = InMemorySearchBackend(embedder: HashedNGramEmbedder(dimension: 16))
        let now = Date().timeIntervalSince1970
        try await backend.upsert([
            SearchItem(corpus: "t", id: "fresh", text: "report", createdAt: now - 60),
            SearchItem(corpus: "t", id: "old", text: "report", createdAt: now - 7_200),
            SearchItem(corpus: "t", id: "undated", text: "report"),
        ])
        let window = try TimeWindow(parsing: "1h")
        let recent = try await backend.search(
            SearchRequest(corpus: "t", query: "report", topK: 10, timeWindow: window, mode: .lexical))
        #expect(recent.map(\.itemID) == ["fresh"])
        let explicit = try await backend.search(
            SearchRequest(corpus: "t", query: "report", topK: 10,
                          filter: MetadataFilter(createdAtMin: now - 10_000), timeWindow: window, mode: .lexical))
        #expect(Set(explicit.map(\.itemID)) == ["fresh", "old"])
        let request = SearchRequest(corpus: "t", query: "", timeWindow: window)
        let resolved = request.effectiveFilter(now: Date(timeIntervalSince1970: 10_000))
        #expect(resolved.createdAtMin == 6_400 && resolved.createdAtMax == 10_000)
    }
}

@Suite("Hybrid semantic floor")
struct HybridFloorTests {
    static let texts = [
        "retrieval evaluation results with nDCG and recall",
        "training run crashed: CUDA out of memory",
        "notes on the deployment rollback procedure",
    ]

    func backend(floor: Double) async throws -> InMemorySearchBackend {
        let backend = InMemorySearchBackend(
            embedder: HashedNGramEmbedder(dimension: 256),
            configuration: SearchConfiguration(hybridSemanticFloor: floor))
        try await backend.upsert(Self.texts.enumerated().map { SearchItem(corpus: "f", id: "d\($0.offset)", text: $0.element) })
        return backend
    }

    @Test("a query sharing nothing with the corpus returns nothing in hybrid mode; semantic still returns neighbours")
    func nonsense() async throws {
        let floored = try await backend(floor: SearchConfiguration.defaultHybridSemanticFloor)
        #expect(try await floored.search(SearchRequest(corpus: "f", query: "xyzzy plugh", mode: .hybrid)).isEmpty)
        #expect(try await floored.search(SearchRequest(corpus: "f", query: "xyzzy plugh", mode: .semantic)).count == 3)
        let unfloored = try await backend(floor: 0)
        #expect(try await unfloored.search(SearchRequest(corpus: "f", query: "xyzzy plugh", mode: .hybrid)).count == 3)
    }

    @Test("a misspelled query is still rescued by the semantic leg above the floor")
    func typo() async throws {
        let floored = try await backend(floor: SearchConfiguration.defaultHybridSemanticFloor)
        let hits = try await floored.search(SearchRequest(corpus: "f", query: "retreival evalution", mode: .hybrid, explain: true))
        #expect(hits.first?.itemID == "d0")
        #expect(hits.first?.explanation?.lexical == nil)
        #expect((hits.first?.explanation?.semantic?.score ?? 0) >= SearchConfiguration.defaultHybridSemanticFloor)
        #expect(hits.allSatisfy { ($0.explanation?.semantic?.score ?? 1) >= SearchConfiguration.defaultHybridSemanticFloor })
    }
}
