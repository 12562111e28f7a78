import Foundation
import Testing

@testable import HybridSearch

/// The segment-backed index answers every request exactly like the in-memory backend.
@Suite("Segmented index: the in-memory backend's answers, whatever the split")
struct SegmentedIndexTests {
    static let words = [
        "alpha", "beta", "gamma", "delta", "needle", "haystack", "getUserById", "atomic_write_json", "crash",
        "memory", "gpu", "retry", "backoff", "café", "日本語", "the", "of", "results", "eval", "training",
    ]

    /// Items with text, metadata (typed values, tags, nulls), times and embedder vectors.
    static func items(seed: UInt64, count: Int, embedder: HashedNGramEmbedder) throws -> [SearchItem] {
        var random = SeededGenerator(state: seed)
        return try (0..<count).map { index in
            let text = (0..<Int.random(in: 1...12, using: &random)).map { _ in words.randomElement(using: &random)! }
                .joined(separator: " ")
            var metadata: [String: JSONValue] = [
                "group": .integer(Int64(index % 4)), "run_id": .string("run-\(index % 3)"),
            ]
            if index % 5 == 0 { metadata["flag"] = .null }
            if index % 2 == 0 { metadata["tags"] = .array([.string("even")] + (index % 6 == 0 ? [.string("six")] : [])) }
            if index % 9 == 0 { metadata["score"] = .number(0.5) }
            // A number to order by: ties, integers and doubles, some missing, some not numbers.
            switch index % 7 {
            case 0: break
            case 1: metadata["rank"] = .string("7")
            case 2: metadata["rank"] = .integer(Int64(index % 5))
            default: metadata["rank"] = .number(Double(index % 13) / 4 - 1)
            }
            return SearchItem(
                corpus: "c", id: String(format: "i%03d", (index * 37) % 1000), text: text, metadata: metadata,
                createdAt: index % 10 == 3 ? nil : 1_000 + Double(index % 50),
                vector: try embedder.checkedEmbeddings([text], ids: ["x"])[0])
        }
    }

    static func filters(_ random: inout SeededGenerator) -> MetadataFilter {
        var filter = MetadataFilter()
        switch Int.random(in: 0..<12, using: &random) {
        case 0: break
        case 1: filter.equals["group"] = .integer(Int64.random(in: 0..<4, using: &random))
        case 2: filter.equals["group"] = .array([.number(1), .integer(3)])
        case 3: filter.tags = ["even"]
        case 4: filter.tags = ["even", "six"]
        case 5: filter.equals["flag"] = .null
        case 6:
            filter.createdAtMin = 1_010
            filter.createdAtMax = 1_030
        // Two or more conditions: segments build only the shortest posting list and test the
        // others' membership (MetadataIndex's probe) — the same set as intersecting them all.
        case 8:
            filter.equals["group"] = .array([.integer(0), .integer(2)])
            filter.tags = ["even"]
        case 9:
            filter.equals["run_id"] = .string("run-\(Int.random(in: 0..<3, using: &random))")
            filter.equals["group"] = .integer(Int64.random(in: 0..<4, using: &random))
            filter.tags = ["even"]
            filter.createdAtMin = 1_005
        case 10:
            filter.equals["group"] = .array([])
            filter.tags = ["even"]
        case 11:
            filter.equals["run_id"] = .string("run-2")
            filter.equals["flag"] = .null
            filter.equals["score"] = .number(.nan)
        default:
            filter.equals["run_id"] = .string("run-1")
            filter.equals["score"] = .number(0.5)
        }
        return filter
    }

    @Test("Random requests over random splits: identical hits (ids, scores, metadata, explanations)", arguments: [1, 2, 3])
    func equalsInMemoryBackend(seed: UInt64) async throws {
        let embedder = HashedNGramEmbedder(dimension: 64)
        let analyzer = StandardAnalyzer()
        let items = try Self.items(seed: seed, count: 220, embedder: embedder)
        let backend = InMemorySearchBackend(embedder: embedder, analyzer: analyzer)
        try await backend.upsert(items)
        var random = SeededGenerator(state: seed &* 31)
        let cuts = (0..<Int.random(in: 0...4, using: &random)).map { _ in Int.random(in: 0...items.count, using: &random) }.sorted()
        var segments: [Segment] = []
        var start = 0
        for cut in cuts + [items.count] {
            let documents = items[start..<cut].map { item in
                SegmentDocument(
                    id: item.id, terms: TermCounts(analyzer: analyzer.identifier, terms: analyzer.terms(in: item.text)),
                    metadata: item.metadata, createdAt: item.createdAt, vector: item.vector)
            }
            segments.append(
                try Segment(name: "s\(segments.count)", bytes: SegmentBytes(copying: SegmentWriter.encode(documents, dimension: 64))))
            start = cut
        }
        let index = SegmentedIndex(segments: segments, analyzer: analyzer, embedder: embedder)
        #expect(index.count == items.count)
        for _ in 0..<40 {
            let query = (0..<Int.random(in: 0...3, using: &random)).map { _ in Self.words.randomElement(using: &random)! }
                .joined(separator: " ")
            let filter = Self.filters(&random)
            let orders: [StructuralOrder] = [
                .newestFirst, .number(key: "rank", descending: true, excludingMissing: false),
                .number(key: "rank", descending: false, excludingMissing: true),
            ]
            for mode in SearchMode.allCases {
                for k in [1, 7, 300] {
                    for order in mode == .structural ? orders : [.newestFirst] {
                        let request = SearchRequest(
                            corpus: "c", query: query, topK: k, filter: filter, mode: mode, explain: true, order: order)
                        let expected = try await backend.search(request)
                        let found = try index.search(request)
                        #expect(found == expected, "\(mode) \(order) \"\(query)\" k=\(k) \(filter) cuts=\(cuts)")
                        // Without metadata: the same hits, nothing decoded.
                        var bare = request
                        bare.includesMetadata = false
                        let withoutMetadata = try index.search(bare)
                        #expect(withoutMetadata.map(\.itemID) == expected.map(\.itemID))
                        #expect(withoutMetadata.map(\.score) == expected.map(\.score))
                        #expect(withoutMetadata.allSatisfy { $0.metadata.isEmpty })
                    }
                }
            }
        }
    }
}
