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

    @Test("unknown modes are errors that list the modes")
    func modes() throws {
        #expect(try SearchMode(parsing: "Hybrid") == .hybrid)
        #expect(throws: SearchError.unknownMode("fuzzy")) { try SearchMode(parsing: "fuzzy") }
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
