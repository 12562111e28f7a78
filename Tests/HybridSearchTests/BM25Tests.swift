import Foundation
import Testing
@testable import HybridSearch

@Suite("BM25")
struct BM25Tests {
    /// Three documents, no stop words or stemming, so terms are the words themselves.
    let analyzer = StandardAnalyzer(stopWords: [], stemming: false)

    @Test("scores equal the hand-computed Lucene BM25 values")
    func handComputed() throws {
        var index = InvertedIndex(parameters: BM25Parameters(k1: 1.2, b: 0.75))
        let docs = ["cat sat mat", "cat cat dog", "dog barked loudly at night"]
        for (ordinal, text) in docs.enumerated() { index.insert(ordinal: ordinal, terms: analyzer.terms(in: text)) }
        #expect(index.documentCount == 3)
        #expect(index.totalFieldLength == 11)
        #expect(index.documentFrequency(of: "cat") == 2)

        // By hand: N = 3, avgdl = 11/3.
        // idf(cat) = ln(1 + (3 - 2 + 0.5)/(2 + 0.5)) = ln(1.6)
        // doc0: tf 1, |d| 3 → norm = 1.2 (0.25 + 0.75 · 3/(11/3)) = 1.2 (0.25 + 0.613636…) = 1.036364
        //       score = ln 1.6 · 1 / (1 + 1.036364) = 0.470004 · 0.491071 = 0.230806
        // doc1: tf 2, |d| 3 → same norm → ln 1.6 · 2 / (2 + 1.036364) = 0.309583
        let idfCat = log(1.6)
        let norm3 = 1.2 * (0.25 + 0.75 * 3.0 / (11.0 / 3.0))
        #expect(abs(index.score(terms: ["cat"], ordinal: 0) - idfCat / (1 + norm3)) < 1e-12)
        #expect(abs(index.score(terms: ["cat"], ordinal: 0) - 0.230806) < 1e-6)
        #expect(abs(index.score(terms: ["cat"], ordinal: 1) - 0.309583) < 1e-6)
        #expect(index.score(terms: ["cat"], ordinal: 2) == 0)

        // "dog night": idf(dog) = ln(1.6), idf(night) = ln(1 + 2.5/1.5) = ln(2.666…)
        // doc2: |d| 5 → norm = 1.2 (0.25 + 0.75 · 5/(11/3)) = 1.527273
        //       = ln1.6/(1+1.527273) + ln(8/3)/(1+1.527273) = 0.185973 + 0.388098 = 0.574071
        let expected = (log(1.6) + log(8.0 / 3.0)) / (1 + 1.2 * (0.25 + 0.75 * 5.0 / (11.0 / 3.0)))
        #expect(abs(expected - 0.574071) < 1e-6)
        let hits = index.search(terms: ["dog", "night"], topK: 10, candidates: nil) { $0 }
        #expect(hits.map(\.ordinal) == [2, 1])
        #expect(abs(hits[0].score - expected) < 1e-12)
    }

    @Test("query terms count once; unknown terms add nothing")
    func queryTermSet() {
        var index = InvertedIndex()
        index.insert(ordinal: 0, terms: ["alpha", "beta"])
        index.insert(ordinal: 1, terms: ["beta"])
        let once = index.score(terms: ["alpha"], ordinal: 0)
        #expect(index.score(terms: ["alpha", "alpha", "zeta"], ordinal: 0) == once)
        #expect(once > 0)
    }

    @Test("k1 and b are honoured: b = 0 ignores length")
    func parameters() {
        var index = InvertedIndex(parameters: BM25Parameters(k1: 2, b: 0))
        index.insert(ordinal: 0, terms: ["x"])
        index.insert(ordinal: 1, terms: ["x", "y", "y", "y", "y", "y"])
        index.insert(ordinal: 2, terms: ["z"])
        // With b = 0 both have norm k1 = 2 and tf 1: equal scores idf · 1/3.
        let idf = log(1 + (3 - 2 + 0.5) / (2 + 0.5))
        #expect(abs(index.score(terms: ["x"], ordinal: 0) - idf / 3) < 1e-12)
        #expect(index.score(terms: ["x"], ordinal: 0) == index.score(terms: ["x"], ordinal: 1))
    }

    @Test("after random inserts and removals, scores equal a fresh build bit for bit")
    func incrementalEqualsRebuild() {
        var random = SplitMix64(seed: 7)
        let vocabulary = (0..<40).map { "t\($0)" }
        func randomDoc() -> [String] {
            (0..<Int(random.next() % 12 + 1)).map { _ in vocabulary[Int(random.next() % 40)] }
        }
        var live: [Int: [String]] = [:]
        var incremental = InvertedIndex()
        for step in 0..<600 {
            let ordinal = Int(random.next() % 80)
            if live[ordinal] != nil && random.next() % 3 == 0 {
                incremental.remove(ordinal: ordinal)
                live[ordinal] = nil
            } else {
                if live[ordinal] != nil { incremental.remove(ordinal: ordinal) }
                let doc = randomDoc()
                incremental.insert(ordinal: ordinal, terms: doc)
                live[ordinal] = doc
            }
            _ = step
        }
        var fresh = InvertedIndex()
        for ordinal in live.keys.sorted() { fresh.insert(ordinal: ordinal, terms: live[ordinal]!) }
        #expect(incremental.documentCount == fresh.documentCount)
        #expect(incremental.totalFieldLength == fresh.totalFieldLength)
        for _ in 0..<30 {
            let query = Array(randomDoc().prefix(3))
            let a = incremental.search(terms: query, topK: 20, candidates: nil) { $0 }
            let b = fresh.search(terms: query, topK: 20, candidates: nil) { $0 }
            #expect(a.map(\.ordinal) == b.map(\.ordinal))
            #expect(a.map(\.score) == b.map(\.score))
        }
    }

    @Test("document-at-a-time over candidates gives the same scores as term-at-a-time")
    func strategiesAgree() {
        var random = SplitMix64(seed: 11)
        var index = InvertedIndex()
        for ordinal in 0..<500 {
            index.insert(ordinal: ordinal, terms: (0..<20).map { _ in "w\(random.next() % 50)" })
        }
        let query = ["w1", "w2", "w3", "w4"]
        let few = OrdinalSet(members: [3, 17, 250, 499].map { Int32($0) }, capacity: 500)
        let selective = index.search(terms: query, topK: 10, candidates: few) { $0 }
        let all = index.search(terms: query, topK: 500, candidates: nil) { $0 }
        let restricted = all.filter { few.contains($0.ordinal) }
        #expect(selective.map(\.ordinal) == restricted.map(\.ordinal))
        #expect(selective.map(\.score) == restricted.map(\.score))
    }
}

@Suite("Term counts")
struct TermCountsTests {
    @Test("counting, encoding and decoding round-trip; malformed bytes decode to nil")
    func roundTrip() throws {
        let counts = TermCounts(analyzer: "a1", terms: ["b", "a", "b", "c_d", "b"])
        #expect(counts.terms == ["a", "b", "c_d"])
        #expect(counts.counts == [1, 3, 1])
        #expect(counts.fieldLength == 5)
        let decoded = try #require(TermCounts(analyzer: "a1", decoding: counts.encoded()))
        #expect(decoded == counts)
        #expect(TermCounts(analyzer: "a1", decoding: Data("a\u{1F}2".utf8)) == nil)  // no record end
        #expect(TermCounts(analyzer: "a1", decoding: Data("a\u{1F}x\u{1E}".utf8)) == nil)
        #expect(TermCounts(analyzer: "a1", decoding: Data("b\u{1F}1\u{1E}a\u{1F}1\u{1E}".utf8)) == nil)  // unsorted
        #expect(TermCounts(analyzer: "a1", decoding: Data()) == TermCounts(analyzer: "a1", terms: []))
    }

    @Test("inserting counts scores exactly like inserting the term list")
    func countsEqualTerms() {
        let docs = [["x", "y", "x"], ["y", "z"], ["x", "z", "z", "w"]]
        var fromTerms = InvertedIndex()
        var fromCounts = InvertedIndex()
        for (ordinal, doc) in docs.enumerated() {
            fromTerms.insert(ordinal: ordinal, terms: doc)
            fromCounts.insert(ordinal: ordinal, counts: TermCounts(analyzer: "", terms: doc))
        }
        #expect(fromTerms.totalFieldLength == fromCounts.totalFieldLength)
        for query in [["x"], ["z", "y"], ["w", "x", "q"]] {
            let a = fromTerms.search(terms: query, topK: 3, candidates: nil) { $0 }
            let b = fromCounts.search(terms: query, topK: 3, candidates: nil) { $0 }
            #expect(a.map(\.ordinal) == b.map(\.ordinal))
            #expect(a.map(\.score) == b.map(\.score))
        }
    }

    @Test("the backend uses precomputed terms of its own analyzer and ignores others'")
    func backendUsesOwnTerms() async throws {
        let backend = InMemorySearchBackend(embedder: HashedNGramEmbedder(dimension: 16))
        let analyzer = backend.analyzer.identifier
        try await backend.upsert([
            SearchItem(corpus: "c", id: "own", text: "", vector: [Float](repeating: 0, count: 16),
                       terms: TermCounts(analyzer: analyzer, terms: ["zebra"])),
            SearchItem(corpus: "c", id: "foreign", text: "giraffe",
                       terms: TermCounts(analyzer: "other", terms: ["zebra"])),
        ])
        let zebra = try await backend.search(SearchRequest(corpus: "c", query: "zebra", mode: .lexical))
        #expect(zebra.map(\.itemID) == ["own"])
        let giraffe = try await backend.search(SearchRequest(corpus: "c", query: "giraffe", mode: .lexical))
        #expect(giraffe.map(\.itemID) == ["foreign"])
    }
}
