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
        // OpenBLAS is loaded at first use; here it must be there, or sgemv/sgemm go untested.
        #expect(OpenBLAS.library != nil, "libopenblas.so.0 could not be loaded (install libopenblas-dev)")
        let dimension = 37  // not a multiple of 8 or 16: exercises the tails
        let rows = randomMatrix(rows: 300, dimension: dimension, seed: 1)
        var index = DenseIndex(dimension: dimension, kernel: kernel)
        for (ordinal, row) in rows.enumerated() { index.set(ordinal: ordinal, vector: row) }
        let queries = randomMatrix(rows: 5, dimension: dimension, seed: 2)
        let batch = index.scoresWithBLAS(batch: queries)
        for (j, query) in queries.enumerated() {
            let single = index.scoresWithBLAS(query)
            let hits = index.search(query: query, topK: 300, candidates: nil) { $0 }
            // The index keeps each unit row rounded to binary16: the reference is the cosine of
            // that stored row (and, to the rounding's size, of the original one).
            let unitQuery = DenseIndex.normalized(query)
            let expected = rows.map { row in
                zip(DenseIndex.halfPrecisionRounded(DenseIndex.normalized(row)), unitQuery).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            }
            for ordinal in 0..<rows.count {
                #expect(abs(expected[ordinal] - naiveCosine(rows[ordinal], query)) < 2e-3)
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

    /// The documented feature sequence, computed the plain way: every n-gram of
    /// `"<" + word + ">"` hashed on its own (n ascending, offsets ascending), then the whole
    /// bracketed word; stop words compared as strings.
    static func referenceFeatureHashes(_ text: String, ngrams: ClosedRange<Int>, stopWords: Set<String>) -> [UInt64] {
        var hashes: [UInt64] = []
        let scalars = Array(TextNormalizer.folded(text).unicodeScalars)
        var start = 0
        while start < scalars.count {
            guard TextNormalizer.isAlphanumeric(scalars[start]) else {
                start += 1
                continue
            }
            var end = start
            while end < scalars.count && TextNormalizer.isAlphanumeric(scalars[end]) { end += 1 }
            let word = String(String.UnicodeScalarView(scalars[start..<end]))
            start = end
            if stopWords.contains(word) { continue }
            let bracketed = Array(("<" + word + ">").unicodeScalars)
            for n in ngrams where n <= bracketed.count {
                for offset in 0...(bracketed.count - n) {
                    hashes.append(FNV1a.hash(String(String.UnicodeScalarView(bracketed[offset..<(offset + n)])).utf8))
                }
            }
            hashes.append(FNV1a.hash(String(String.UnicodeScalarView(bracketed)).utf8))
        }
        return hashes
    }

    @Test("embedder features: the incremental hashing gives the plain computation's hashes in the same order, for every n-gram range and stop list")
    func incrementalFeatureHashes() {
        let texts = [
            "", "a", "AB", "The quick brown fox — jumps over the lazy dog.", "Ünïcödé café naïve résumé",
            "e\u{301}te\u{301} cafe\u{301}", "日本語のテキスト 東京", "getUserById atomic_write_json x86_64 ﬁnal ＡＢＣ",
            "CUDA out of memory: tried to allocate 2.00 GiB (GPU 0; 15.78 GiB total)", String(repeating: "supercalifragilistic ", count: 20),
            "β-amyloid 1–42 and tau in CSF; p < 0.05, n = 1,204", "🙂 emoji 🙂🙂 and ZWJ 👩‍💻", "of the and THE Of",
        ]
        let configurations: [(ClosedRange<Int>, Set<String>)] = [
            (3...5, StopWords.english), (1...2, []), (2...7, ["café", "cafe\u{301}", "The", "naïve"]), (4...4, StopWords.english),
        ]
        for (ngrams, stop) in configurations {
            let embedder = HashedNGramEmbedder(dimension: 64, ngramSizes: ngrams, stopWords: stop)
            for text in texts {
                var found: [UInt64] = []
                embedder.forEachFeatureHash(text) { found.append($0) }
                #expect(found == Self.referenceFeatureHashes(text, ngrams: ngrams, stopWords: stop), "\(ngrams) \(text)")
            }
        }
    }

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
                (.tooFewVectors, .invalidArgument), (.tooManyVectors, .invalidArgument), (.throwing, .embedderFailed):
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

    /// An embedder claiming zero dimensions (a misconfigured model wrapper).
    struct ZeroDimensionEmbedder: Embedder {
        var identifier: String { "zero-dimension" }
        var dimension: Int { 0 }
        func embed(_ texts: [String]) throws -> [[Float]] { texts.map { _ in [] } }
    }

    @Test("A query against a zero-dimension embedder is a typed error in semantic and hybrid mode, never a trap")
    func zeroDimensionQueryEmbedder() async throws {
        let backend = InMemorySearchBackend(embedder: ZeroDimensionEmbedder())
        for mode in [SearchMode.semantic, .hybrid, .auto] {
            await #expect(throws: SearchError.self) {
                _ = try await backend.search(SearchRequest(corpus: "c", query: "hello", mode: mode))
            }
        }
        // Lexical search does not need the embedder.
        #expect(try await backend.search(SearchRequest(corpus: "c", query: "hello", mode: .lexical)).isEmpty)
    }
}
