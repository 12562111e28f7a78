import Foundation
import Testing

@testable import HybridSearch

/// Query strings are plain text: punctuation, SQL, FTS syntax, control, zero-width, RTL and emoji
/// characters and huge queries never throw and are never query syntax.
@Suite("Query text")
struct QueryTextTests {
    static let hostileQueries: [String] = [
        "'; DROP TABLE artifacts; --", "\" OR 1=1 --", "%", "_", "*", "%_%", "a*", "NEAR(a b)", "\"a\" OR b",
        "title:foo AND -bar", "(((", ")))", "\\", "\\\\\\", "\u{0}", "\u{200B}\u{200C}\u{200D}\u{FEFF}",
        "e\u{301}\u{301}\u{301}\u{301}", "שלום עולם", "مرحبا بالعالم", "\u{202E}gnp.exe", "🚀🔥💥",
        "👨‍👩‍👧‍👦", "ﷺ", "Ⅻ", "x\u{0}y", String(repeating: "(", count: 10_000), "\u{FFFD}\u{FFFE}",
        String(repeating: "a", count: 100_000), "drop table", "near neighbours",
    ]

    @Test("Queries full of punctuation, SQL, FTS syntax, control, zero-width, RTL and emoji never throw and stay inside the filter")
    func hostileQueryText() async throws {
        let backend = try await EngineFixture.backend()
        let filter = MetadataFilter(tags: ["even"])
        let even = Set(EngineFixture.items().filter { Int($0.metadata["n"]!.numberValue!) % 2 == 0 }.map(\.id))
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
        let backend = try await EngineFixture.backend()
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
        let backend = try await EngineFixture.backend()
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
}
