import Foundation
import Testing

@testable import HybridSearch

/// Metadata filters are applied before ranking: typed equality, exact ALL-of tags, canonical
/// equivalence, and a filtered top-k that is never short while more matches exist.
@Suite("Filters before ranking")
struct FilterTests {
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
}
