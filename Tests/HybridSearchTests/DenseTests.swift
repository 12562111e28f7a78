import CBLAS
import Testing
@testable import HybridSearch

@Suite("Dense leg")
struct DenseTests {
    func randomMatrix(rows: Int, dimension: Int, seed: UInt64) -> [[Float]] {
        var random = SplitMix64(seed: seed)
        return (0..<rows).map { _ in (0..<dimension).map { _ in Float(random.nextUnit() * 2 - 1) } }
    }

    func naiveCosine(_ a: [Float], _ b: [Float]) -> Double {
        var dot = 0.0, na = 0.0, nb = 0.0
        for i in a.indices {
            dot += Double(a[i]) * Double(b[i])
            na += Double(a[i]) * Double(a[i])
            nb += Double(b[i]) * Double(b[i])
        }
        return na == 0 || nb == 0 ? 0 : dot / (na.squareRoot() * nb.squareRoot())
    }

    @Test("sgemv, sgemm and the SIMD kernel equal a naive loop", arguments: [DenseIndex.ScanKernel.simd, .blas])
    func kernelsAgreeWithNaiveLoop(kernel: DenseIndex.ScanKernel) {
        let dimension = 37  // not a multiple of 8 or 16: exercises the tails
        let rows = randomMatrix(rows: 300, dimension: dimension, seed: 1)
        var index = DenseIndex(dimension: dimension, kernel: kernel)
        for (ordinal, row) in rows.enumerated() { index.set(ordinal: ordinal, vector: row) }
        let queries = randomMatrix(rows: 5, dimension: dimension, seed: 2)
        let batch = index.scoresWithBLAS(batch: queries)
        for (j, query) in queries.enumerated() {
            let single = index.scoresWithBLAS(query)
            let hits = index.search(query: query, topK: 300, candidates: nil) { $0 }
            let expected = rows.map { naiveCosine($0, query) }
            for ordinal in 0..<rows.count {
                #expect(abs(Double(single[ordinal]) - expected[ordinal]) < 1e-5)
                #expect(abs(Double(batch[ordinal * queries.count + j]) - expected[ordinal]) < 1e-5)
            }
            for hit in hits { #expect(abs(hit.score - expected[hit.ordinal]) < 1e-5) }
            let order = expected.indices.sorted { expected[$0] != expected[$1] ? expected[$0] > expected[$1] : $0 < $1 }
            #expect(hits.prefix(10).map(\.ordinal) == Array(order.prefix(10)))
        }
    }

    @Test("NaN, infinity and wrong lengths are rejected; zero vectors score 0")
    func invalidVectors() throws {
        let index = DenseIndex(dimension: 4)
        #expect(throws: SearchError.self) { try index.validate([1, .nan, 0, 0], id: "a") }
        #expect(throws: SearchError.self) { try index.validate([1, .infinity, 0, 0], id: "a") }
        #expect(throws: SearchError.dimensionMismatch(expected: 4, actual: 3)) { try index.validate([1, 2, 3], id: "a") }
        var stored = DenseIndex(dimension: 4)
        stored.set(ordinal: 0, vector: [0, 0, 0, 0])
        stored.set(ordinal: 1, vector: [1, 0, 0, 0])
        let hits = stored.search(query: [1, 0, 0, 0], topK: 2, candidates: nil) { $0 }
        #expect(hits.map(\.ordinal) == [1, 0])
        #expect(hits[1].score == 0)
        let zeroQuery = stored.search(query: [0, 0, 0, 0], topK: 2, candidates: nil) { $0 }
        #expect(zeroQuery.allSatisfy { $0.score == 0 && !$0.score.isNaN })
    }

    @Test("hashed n-gram embedder: unit length, stable, shares n-grams across typos")
    func embedder() {
        let embedder = HashedNGramEmbedder(dimension: 256)
        let a = embedder.embed("retrieval augmented generation")
        let again = HashedNGramEmbedder(dimension: 256).embed("retrieval augmented generation")
        #expect(a == again)
        #expect(a.count == 256)
        let norm = a.reduce(0.0) { $0 + Double($1) * Double($1) }
        #expect(abs(norm - 1) < 1e-5)
        let typo = embedder.embed("retreival augmented generation")
        let other = embedder.embed("kitchen sink plumbing")
        #expect(naiveCosine(a, typo) > 0.6)
        #expect(naiveCosine(a, typo) > naiveCosine(a, other) + 0.4)
        #expect(embedder.embed("??? the of").allSatisfy { $0 == 0 })
        #expect(embedder.identifier == "hashed-ngram-v1:fnv1a64:d256:n3-5:stop=en")
    }

    @Test("embedder features are the documented FNV-1a hashes")
    func embedderFeatures() {
        // "ab" → "<ab>": 3-grams "<ab", "ab>"; 4-gram "<ab>"; whole "<ab>" again.
        let hashes = HashedNGramEmbedder(dimension: 8, stopWords: []).featureHashes("AB")
        let expected = ["<ab", "ab>", "<ab>", "<ab>"].map { FNV1a.hash($0.utf8) }.sorted()
        #expect(hashes == expected)
        #expect(FNV1a.hash("a".utf8) == 0xaf63_dc4c_8601_ec8c)  // published FNV-1a 64 test vector
    }
}
