import Foundation
import Testing

@testable import HybridSearch

/// Hostile inputs against the engine: bad vectors and embedders, absurd `top_k`, query strings
/// that look like query syntax, time windows, typed filters, determinism and upsert/delete
/// equivalence.
@Suite("Adversarial: search engine")
struct EngineAdversarialTests {
    /// An embedder that misbehaves on demand: NaN, wrong dimension, wrong vector count or a
    /// throw, whenever a text contains the trigger word.
    struct HostileEmbedder: Embedder {
        enum Fault: Sendable { case nan, infinity, wrongDimension, tooFewVectors, tooManyVectors, throwing }
        struct Failure: Error {}
        let fault: Fault
        let trigger: String
        let dimension = 16
        var identifier: String { "hostile-\(fault)" }

        func embed(_ texts: [String]) throws -> [[Float]] {
            let poisoned = texts.contains { $0.contains(trigger) }
            let base = HashedNGramEmbedder(dimension: dimension)
            var vectors = texts.map { base.embed($0) }
            guard poisoned else { return vectors }
            switch fault {
            case .nan: vectors = vectors.map { v in var v = v; v[0] = .nan; return v }
            case .infinity: vectors = vectors.map { v in var v = v; v[3] = -.infinity; return v }
            case .wrongDimension: vectors = vectors.map { $0 + [1] }
            case .tooFewVectors: vectors.removeLast()
            case .tooManyVectors: vectors.append(vectors[0])
            case .throwing: throw Failure()
            }
            return vectors
        }
    }

    static let texts = [
        "alpha beta gamma", "beta gamma delta", "gamma delta epsilon", "the quick brown fox",
        "atomic_write_json writes atomically", "DROP TABLE artifacts", "wildcard expansion rules",
        "near neighbours search", "東京都の会議メモ", "café crème brûlée", "emoji 🚀 launch",
    ]

    static func items(corpus: String = "c") -> [SearchItem] {
        texts.enumerated().map { index, text in
            SearchItem(
                corpus: corpus, id: String(format: "doc-%02d", index), text: text,
                metadata: ["n": .number(Double(index)), "tags": .array(index % 2 == 0 ? ["even"] : ["odd"])],
                createdAt: 1_000 + Double(index))
        }
    }

    static func backend(dimension: Int = 64, configuration: SearchConfiguration = SearchConfiguration())
        async throws -> InMemorySearchBackend
    {
        let backend = InMemorySearchBackend(embedder: HashedNGramEmbedder(dimension: dimension), configuration: configuration)
        try await backend.upsert(items())
        return backend
    }

    static let queryModes: [SearchMode] = [.lexical, .semantic, .hybrid, .auto]

    // MARK: Vectors and embedders

    @Test("A vector with NaN or ∞ is rejected with invalidVector and nothing of its batch is applied")
    func nonFiniteVectorsRejected() async throws {
        let backend = InMemorySearchBackend(embedder: HashedNGramEmbedder(dimension: 8))
        for bad in [Float.nan, .infinity, -.infinity, .signalingNaN] {
            var vector = [Float](repeating: 0.5, count: 8)
            vector[5] = bad
            let batch = [
                SearchItem(corpus: "c", id: "good", text: "fine text"),
                SearchItem(corpus: "c", id: "bad", text: "bad text", vector: vector),
            ]
            do {
                try await backend.upsert(batch)
                Issue.record("a vector with \(bad) was accepted")
            } catch {
                guard case .invalidVector(let id, _) = error else {
                    Issue.record("expected invalidVector, got \(error)")
                    continue
                }
                #expect(id == "bad")
            }
            #expect(await backend.count(corpus: "c") == 0)
        }
        // Wrong length: a dimension error, nothing applied.
        await #expect(throws: SearchError.dimensionMismatch(expected: 8, actual: 3)) {
            try await backend.upsert([SearchItem(corpus: "c", id: "short", text: "x", vector: [1, 2, 3])])
        }
        #expect(await backend.count(corpus: "c") == 0)
    }

    @Test(
        "An embedder returning NaN, ∞, the wrong dimension or the wrong number of vectors, or throwing, is a typed error; nothing is applied",
        arguments: [
            HostileEmbedder.Fault.nan, .infinity, .wrongDimension, .tooFewVectors, .tooManyVectors, .throwing,
        ])
    func hostileEmbedder(fault: HostileEmbedder.Fault) async throws {
        let backend = InMemorySearchBackend(embedder: HostileEmbedder(fault: fault, trigger: "poison"))
        try await backend.upsert([SearchItem(corpus: "c", id: "ok", text: "harmless words")])
        let batch = (0..<3).map { SearchItem(corpus: "c", id: "p\($0)", text: $0 == 1 ? "poison pill" : "plain \($0)") }
        do {
            try await backend.upsert(batch)
            Issue.record("\(fault): the batch was accepted")
        } catch {
            switch (fault, error) {
            case (.nan, .invalidVector), (.infinity, .invalidVector), (.wrongDimension, .dimensionMismatch),
                (.tooFewVectors, .invalidArgument), (.tooManyVectors, .invalidArgument), (.throwing, .invalidArgument):
                break
            default: Issue.record("\(fault): unexpected error \(error)")
            }
        }
        #expect(await backend.count(corpus: "c") == 1)
        // A poisoned query is a typed error too (semantic/hybrid embed the query); lexical works.
        for mode in [SearchMode.semantic, .hybrid] {
            do {
                let hits = try await backend.search(SearchRequest(corpus: "c", query: "poison words", mode: mode))
                if fault != .tooManyVectors { Issue.record("\(fault) \(mode): poisoned query answered \(hits)") }
            } catch {
                #expect(!error.description.isEmpty)
            }
        }
        let lexical = try await backend.search(SearchRequest(corpus: "c", query: "poison words", mode: .lexical))
        #expect(lexical.map(\.itemID) == ["ok"])
    }

    @Test(
        "A finite vector of tiny (subnormal) or huge magnitude never scores NaN or ∞")
    func extremeMagnitudeVectors() async throws {
        let dimension = 8
        let backend = InMemorySearchBackend(embedder: HashedNGramEmbedder(dimension: dimension))
        var tiny = [Float](repeating: 0, count: dimension)
        tiny[0] = .leastNonzeroMagnitude
        let huge = [Float](repeating: .greatestFiniteMagnitude, count: dimension)
        var unit = [Float](repeating: 0, count: dimension)
        unit[0] = 1
        try await backend.upsert([
            SearchItem(corpus: "c", id: "tiny", text: "alpha", vector: tiny),
            SearchItem(corpus: "c", id: "huge", text: "alpha", vector: huge),
            SearchItem(corpus: "c", id: "unit", text: "alpha", vector: unit),
        ])
        for kernel in [DenseIndex.ScanKernel.simd, .blas] {
            var index = DenseIndex(dimension: dimension, kernel: kernel)
            index.set(ordinal: 0, vector: tiny)
            index.set(ordinal: 1, vector: huge)
            let hits = index.search(query: unit, topK: 2, candidates: nil) { $0 }
            #expect(hits.allSatisfy { $0.score.isFinite }, "\(kernel): \(hits)")
            // The tiny vector points along the first axis: cosine with the unit query is 1.
            #expect(hits.first?.ordinal == 0, "\(kernel): \(hits)")
        }
        let hits = try await backend.search(SearchRequest(corpus: "c", query: "alpha", topK: 3, mode: .semantic))
        #expect(hits.count == 3)
        #expect(hits.allSatisfy { $0.score.isFinite && abs($0.score) <= 1.0001 }, "\(hits.map(\.score))")
    }

    @Test("An all-zero vector scores exactly 0, in both kernels")
    func zeroVectorScoresZero() {
        for kernel in [DenseIndex.ScanKernel.simd, .blas] {
            var index = DenseIndex(dimension: 4, kernel: kernel)
            index.set(ordinal: 0, vector: [0, 0, 0, 0])
            index.set(ordinal: 1, vector: [1, 0, 0, 0])
            let hits = index.search(query: [0, 0, 0, 0], topK: 2, candidates: nil) { $0 }
            #expect(hits.map(\.score) == [0, 0], "\(kernel)")
            #expect(hits.map(\.ordinal) == [0, 1], "\(kernel): ties by key")
        }
    }

    // MARK: top_k

    @Test("top_k 0, negative and Int.min are errors in every mode; Int.max returns every match")
    func absurdTopK() async throws {
        let backend = try await Self.backend()
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
            default: #expect(all.count == Self.texts.count, "\(mode)")
            }
            #expect(Set(all.map(\.itemID)).count == all.count, "\(mode): an id twice")
        }
    }

    // MARK: Hostile query text

    static let hostileQueries: [String] = [
        "'; DROP TABLE artifacts; --", "\" OR 1=1 --", "%", "_", "*", "%_%", "a*", "NEAR(a b)", "\"a\" OR b",
        "title:foo AND -bar", "(((", ")))", "\\", "\\\\\\", "\u{0}", "\u{200B}\u{200C}\u{200D}\u{FEFF}",
        "e\u{301}\u{301}\u{301}\u{301}", "שלום עולם", "مرحبا بالعالم", "\u{202E}gnp.exe", "🚀🔥💥",
        "👨‍👩‍👧‍👦", "ﷺ", "Ⅻ", "x\u{0}y", String(repeating: "(", count: 10_000), "\u{FFFD}\u{FFFE}",
        String(repeating: "a", count: 100_000), "drop table", "near neighbours",
    ]

    @Test("Queries full of punctuation, SQL, FTS syntax, control, zero-width, RTL and emoji never throw and stay inside the filter")
    func hostileQueryText() async throws {
        let backend = try await Self.backend()
        let filter = MetadataFilter(tags: ["even"])
        let even = Set(Self.items().filter { Int($0.metadata["n"]!.numberValue!) % 2 == 0 }.map(\.id))
        for query in Self.hostileQueries {
            for mode in SearchMode.allCases {
                let hits = try await backend.search(SearchRequest(corpus: "c", query: query, topK: 50, filter: filter, mode: mode))
                #expect(Set(hits.map(\.itemID)).isSubset(of: even), "\(mode) \(query.prefix(20))")
                #expect(hits.allSatisfy { $0.score.isFinite }, "\(mode) \(query.prefix(20))")
                #expect(Set(hits.map(\.itemID)).count == hits.count)
            }
        }
    }

    @Test("Query syntax is plain text: a* is not a prefix query, NEAR/OR are words, SQL is words")
    func querySyntaxIsText() async throws {
        let backend = try await Self.backend()
        func lexical(_ query: String) async throws -> [String] {
            try await backend.search(SearchRequest(corpus: "c", query: query, topK: 20, mode: .lexical)).map(\.itemID)
        }
        #expect(try await lexical("wild*") == [])  // "wildcard" is not matched by a prefix
        #expect(try await lexical("gam*") == [])
        #expect(try await lexical("NEAR(neighbours x)") == ["doc-07"])
        #expect(try await lexical("'; DROP TABLE artifacts; --") == ["doc-05"])
        #expect(try await lexical("\"alpha\" OR delta").sorted() == ["doc-00", "doc-01", "doc-02"])
        // Zero-width joiners, combining marks and compatibility forms are normalised, not syntax.
        #expect(try await lexical("CAFÉ").contains("doc-09"))
        #expect(try await lexical("cafe\u{301}").contains("doc-09"))
        #expect(try await lexical("ＡＬＰＨＡ") == ["doc-00"])  // full-width → NFKC
        #expect(try await lexical("東京") == ["doc-08"])
    }

    @Test("A 1 MB query is answered (bounded) in every mode")
    func hugeQuery() async throws {
        let backend = try await Self.backend()
        var words: [String] = []
        var size = 0
        var n = 0
        while size < 1 << 20 {
            let word = n % 97 == 0 ? "gamma" : "w\(n)x"
            words.append(word)
            size += word.utf8.count + 1
            n += 1
        }
        let query = words.joined(separator: " ")
        let start = Date()
        for mode in [SearchMode.lexical, .hybrid] {
            let hits = try await backend.search(SearchRequest(corpus: "c", query: query, topK: 5, mode: mode))
            #expect(hits.first.map { ["doc-00", "doc-01", "doc-02"].contains($0.itemID) } == true, "\(mode)")
        }
        #expect(Date().timeIntervalSince(start) < 30)
    }

    // MARK: Time windows

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

    // MARK: Typed filters

    static let typedValues: [(String, JSONValue)] = [
        ("string5", .string("5")), ("number5", .number(5)), ("number5.5", .number(5.5)), ("true", .bool(true)),
        ("false", .bool(false)), ("one", .number(1)), ("zero", .number(0)), ("string1", .string("1")),
        ("null", .null), ("stringTrue", .string("true")), ("stringNull", .string("null")),
        ("array", .array([.number(5)])), ("object", .object(["a": .number(5)])), ("negZero", .number(-0.0)),
        ("big", .number(1e300)), ("comma", .string("a,b")),
    ]

    @Test("Typed filters: \"5\" ≠ 5 = 5.0 ≠ true ≠ 1 ≠ null, in every mode, and the index agrees with matches()")
    func typedFilters() async throws {
        let backend = InMemorySearchBackend(embedder: HashedNGramEmbedder(dimension: 16))
        let items = Self.typedValues.map { id, value in
            SearchItem(corpus: "c", id: id, text: "common word \(id)", metadata: ["v": value], createdAt: 1)
        }
        try await backend.upsert(items + [SearchItem(corpus: "c", id: "missing", text: "common word", createdAt: 1)])
        let filters: [JSONValue] = Self.typedValues.map(\.1) + [
            .number(5.0), .array([.string("5"), .bool(true)]), .array([]), .array([.array([.number(5)])]),
            .string("a"), .string("a,b"), .number(0.0),
        ]
        for wanted in filters {
            let filter = MetadataFilter(equals: ["v": wanted])
            let reference = Set(items.filter { filter.matches(metadata: $0.metadata, createdAt: $0.createdAt) }.map(\.id))
            for mode in SearchMode.allCases {
                let hits = try await backend.search(
                    SearchRequest(corpus: "c", query: "common word", topK: 100, filter: filter, mode: mode))
                #expect(Set(hits.map(\.itemID)) == reference, "\(mode) \(wanted)")
            }
        }
        func ids(_ wanted: JSONValue) async throws -> Set<String> {
            Set(try await backend.search(
                SearchRequest(corpus: "c", query: "", topK: 100, filter: MetadataFilter(equals: ["v": wanted]), mode: .structural)
            ).map(\.itemID))
        }
        #expect(try await ids(.string("5")) == ["string5"])
        #expect(try await ids(.number(5.0)) == ["number5"])
        #expect(try await ids(.bool(true)) == ["true"])
        #expect(try await ids(.number(1)) == ["one"])
        #expect(try await ids(.null) == ["null"])
        #expect(try await ids(.number(0)) == ["zero", "negZero"])
        #expect(try await ids(.string("a")) == [])
        // nil = ignore the key: everything, including the item without it.
        let ignore = try await backend.search(SearchRequest(
            corpus: "c", query: "", topK: 100, filter: MetadataFilter(equals: ["v": nil]), mode: .structural))
        #expect(ignore.count == items.count + 1)
    }

    @Test("Tags: ALL-of, exact, a comma is part of a tag, no wildcards")
    func tagFilters() async throws {
        let backend = InMemorySearchBackend(embedder: HashedNGramEmbedder(dimension: 16))
        try await backend.upsert([
            SearchItem(corpus: "c", id: "comma", text: "word", metadata: ["tags": ["a,b"]]),
            SearchItem(corpus: "c", id: "both", text: "word", metadata: ["tags": ["a", "b"]]),
            SearchItem(corpus: "c", id: "percent", text: "word", metadata: ["tags": ["%"]]),
        ])
        func ids(_ tags: [String]) async throws -> Set<String> {
            Set(try await backend.search(SearchRequest(
                corpus: "c", query: "word", topK: 10, filter: MetadataFilter(tags: tags), mode: .hybrid)).map(\.itemID))
        }
        #expect(try await ids(["a"]) == ["both"])
        #expect(try await ids(["a,b"]) == ["comma"])
        #expect(try await ids(["a", "b"]) == ["both"])
        #expect(try await ids(["a", "a,b"]) == [])
        #expect(try await ids(["%"]) == ["percent"])
        #expect(try await ids(["*"]) == [])
        #expect(try await ids(["A"]) == [])
    }

    @Test(
        "Non-finite metadata numbers do not collide with null in the metadata index")
    func nonFiniteMetadataVsNull() async throws {
        let backend = InMemorySearchBackend(embedder: HashedNGramEmbedder(dimension: 16))
        let items = [
            SearchItem(corpus: "c", id: "inf", text: "word", metadata: ["v": .number(.infinity)]),
            SearchItem(corpus: "c", id: "null", text: "word", metadata: ["v": .null]),
        ]
        try await backend.upsert(items)
        for wanted in [JSONValue.null, .number(.infinity), .number(-.infinity)] {
            let filter = MetadataFilter(equals: ["v": wanted])
            let reference = Set(items.filter { filter.matches(metadata: $0.metadata, createdAt: nil) }.map(\.id))
            let hits = try await backend.search(SearchRequest(corpus: "c", query: "word", filter: filter, mode: .lexical))
            #expect(Set(hits.map(\.itemID)) == reference, "\(wanted)")
        }
    }

    @Test(
        "Canonically equivalent strings (NFC vs NFD) are treated alike by tags, label values and matches()")
    func canonicalEquivalence() async throws {
        let nfc = "caf\u{E9}"
        let nfd = "cafe\u{301}"
        let backend = InMemorySearchBackend(embedder: HashedNGramEmbedder(dimension: 16))
        let item = SearchItem(corpus: "c", id: "x", text: "word", metadata: ["tags": [.string(nfc)], "v": .string(nfc)])
        try await backend.upsert([item])
        let byTag = MetadataFilter(tags: [nfd])
        let byValue = MetadataFilter(equals: ["v": .string(nfd)])
        let tagHits = try await backend.search(SearchRequest(corpus: "c", query: "word", filter: byTag, mode: .lexical))
        let valueHits = try await backend.search(SearchRequest(corpus: "c", query: "word", filter: byValue, mode: .lexical))
        // Whichever rule is chosen, tags and label values must follow the same one, and the
        // index must agree with the reference predicate.
        #expect(tagHits.count == valueHits.count)
        #expect(valueHits.isEmpty == !byValue.matches(metadata: item.metadata, createdAt: nil))
        #expect(tagHits.isEmpty == !byTag.matches(metadata: item.metadata, createdAt: nil))
    }

    // MARK: Determinism, ties, upsert/delete equivalence, never short

    static func rankingSignature(_ hits: [SearchHit]) -> [String] {
        hits.map { "\($0.itemID)=\($0.score.bitPattern)" }
    }

    @Test("Two backends fed the same items in different orders give bit-identical rankings; ties break by id")
    func determinismAndTies() async throws {
        var items = Self.items()
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
            #expect(hits.map(\.itemID) == ["dup-a", "dup-m", "dup-z"], "\(mode)")
        }
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

    @Test("Filtered top-k is never short while more matches exist, even with an RRF window smaller than the matches")
    func neverShort() async throws {
        for fusion in [
            FusionMethod.reciprocalRank(ReciprocalRankFusion(window: 1)),
            .linear(LinearFusion(alpha: 0.5, window: 1)), .reciprocalRank(ReciprocalRankFusion()),
        ] {
            let backend = InMemorySearchBackend(
                embedder: HashedNGramEmbedder(dimension: 32), configuration: SearchConfiguration(fusion: fusion))
            // 300 items; "needle" in every 7th; group = index % 5.
            var items: [SearchItem] = []
            for index in 0..<300 {
                let text: String = index % 7 == 0 ? "needle haystack \(index)" : "haystack \(index)"
                let metadata: [String: JSONValue] = ["group": .number(Double(index % 5))]
                items.append(SearchItem(
                    corpus: "c", id: String(format: "i%03d", index), text: text, metadata: metadata,
                    createdAt: Double(index)))
            }
            try await backend.upsert(items)
            let filter = MetadataFilter(equals: ["group": .number(3)])
            let matching = items.filter { filter.matches(metadata: $0.metadata, createdAt: $0.createdAt) }
            let lexicalMatches = matching.filter { $0.text.contains("needle") }
            for k in [1, 2, 5, 8, 9, 25, 59, 60, 61, 500] {
                // Hybrid matches = lexical matches ∪ semantic neighbours at or above the floor.
                let semantic = try await backend.search(
                    SearchRequest(corpus: "c", query: "needle", topK: 1_000, filter: filter, mode: .semantic))
                let hybridMatches = Set(lexicalMatches.map(\.id)).union(
                    semantic.filter { $0.score >= SearchConfiguration.defaultHybridSemanticFloor }.map(\.itemID))
                for mode in SearchMode.allCases {
                    let hits = try await backend.search(
                        SearchRequest(corpus: "c", query: "needle", topK: k, filter: filter, mode: mode))
                    let expected: Int
                    switch mode {
                    case .lexical: expected = min(k, lexicalMatches.count)
                    case .hybrid, .auto: expected = min(k, hybridMatches.count)
                    default: expected = min(k, matching.count)
                    }
                    #expect(hits.count == expected, "\(fusion) \(mode) k=\(k)")
                    #expect(hits.allSatisfy { filter.matches(metadata: $0.metadata, createdAt: $0.createdAt) })
                }
                // Lexical ranking equals the brute-force BM25 order restricted to the filter:
                // Lucene IDF over the whole corpus (statistics never depend on the filter),
                // k1 1.2, b 0.75, ties by id.
                let lexical = try await backend.search(
                    SearchRequest(corpus: "c", query: "needle", topK: k, filter: filter, mode: .lexical))
                let analyzer = StandardAnalyzer()
                let lengths = items.map { Double(analyzer.terms(in: $0.text).count) }
                let averageLength = lengths.reduce(0, +) / Double(items.count)
                let documentFrequency = Double(items.filter { $0.text.contains("needle") }.count)
                let idf = log(1 + (Double(items.count) - documentFrequency + 0.5) / (documentFrequency + 0.5))
                let expected = lexicalMatches.map { item -> (id: String, score: Double) in
                    let length = Double(analyzer.terms(in: item.text).count)
                    let tf = Double(analyzer.terms(in: item.text).filter { $0 == "needl" || $0 == "needle" }.count)
                    // Lucene 8+ form: idf · tf / (tf + k1 (1 − b + b · dl/avgdl)), no (k1 + 1) factor.
                    let score = idf * tf / (tf + 1.2 * (0.25 + 0.75 * length / averageLength))
                    return (item.id, score)
                }.sorted { $0.score != $1.score ? $0.score > $1.score : $0.id < $1.id }.prefix(k)
                #expect(lexical.map(\.itemID) == expected.map(\.id), "\(fusion) k=\(k)")
                for (hit, want) in zip(lexical, expected) {
                    #expect(abs(hit.score - want.score) <= 1e-5 * want.score, "\(hit.itemID): \(hit.score) vs \(want.score)")
                }
            }
        }
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
