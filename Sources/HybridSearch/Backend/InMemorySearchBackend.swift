import Dispatch

/// The engine's ``SearchBackend``: per corpus, a BM25 inverted index, a dense matrix and
/// metadata postings, all in memory.
///
/// Concurrency: analysis and embedding run outside any lock; applying writes takes a write
/// lock, searching a read lock, so searches run in parallel and never see half a batch.
/// Persistence belongs to the caller: the artifact layer stores items, vectors and analysed
/// terms (``TermCounts``) in SQLite and upserts them with both on open, so nothing is
/// embedded or analysed twice.
public final class InMemorySearchBackend: SearchBackend, @unchecked Sendable {
    public let embedder: any Embedder
    public let analyzer: any Analyzer
    public let configuration: SearchConfiguration
    private let lock = ReadWriteLock()
    private var corpora: [String: CorpusIndex] = [:]  // guarded by `lock`

    public init(
        embedder: any Embedder = HashedNGramEmbedder(), analyzer: any Analyzer = StandardAnalyzer(),
        configuration: SearchConfiguration = SearchConfiguration()
    ) {
        self.embedder = embedder
        self.analyzer = analyzer
        self.configuration = configuration
    }

    public func upsert(_ items: [SearchItem]) async throws(SearchError) {
        try upsertSynchronously(items)
    }

    /// ``upsert(_:)`` without suspension, for callers inside a synchronous transaction.
    public func upsertSynchronously(_ items: [SearchItem]) throws(SearchError) {
        let prepared = try prepare(items)
        lock.withWriteLock {
            for entry in prepared {
                let dimension = embedder.dimension
                corpora[entry.item.corpus, default: CorpusIndex(configuration: configuration, dimension: dimension)]
                    .upsert(entry)
            }
        }
    }

    public func delete(corpus: String, ids: [String]) async {
        deleteSynchronously(corpus: corpus, ids: ids)
    }

    public func deleteSynchronously(corpus: String, ids: [String]) {
        lock.withWriteLock {
            for id in ids { corpora[corpus]?.delete(id: id) }
        }
    }

    public func count(corpus: String) async -> Int {
        lock.withReadLock { corpora[corpus]?.count ?? 0 }
    }

    public func search(_ request: SearchRequest) async throws(SearchError) -> [SearchHit] {
        try searchSynchronously(request)
    }

    /// ``search(_:)`` without suspension (benchmarks, evaluation).
    public func searchSynchronously(_ request: SearchRequest) throws(SearchError) -> [SearchHit] {
        guard
            let query = try QueryPreparation.prepare(
                request, analyzer: analyzer, embedder: embedder, configuration: configuration)
        else { return [] }
        return lock.withReadLock {
            guard let corpus = corpora[request.corpus] else { return [] }
            return corpus.rank(request, query: query, configuration: configuration)
        }
    }

    /// Analyses and embeds items (in parallel chunks on every core for large batches);
    /// validates every vector before anything is applied.
    private func prepare(_ items: [SearchItem]) throws(SearchError) -> [CorpusIndex.PreparedItem] {
        for item in items {
            try Self.checkNesting(item.metadata.values, what: "metadata of item \"\(item.id)\"")
        }
        // Before any chunk runs, so an empty batch is refused too.
        if configuration.denseLegEnabled { try embedder.checkDimension() }
        let chunkSize = 64
        let chunks = (items.count + chunkSize - 1) / chunkSize
        let results = ChunkResults(count: chunks)
        let embedder: (any Embedder)? = configuration.denseLegEnabled ? embedder : nil
        let work: @Sendable (Int) -> Void = { [analyzer] chunk in
            let range = (chunk * chunkSize)..<min(items.count, (chunk + 1) * chunkSize)
            results.set(chunk, Result { () throws(SearchError) -> [CorpusIndex.PreparedItem] in
                try Self.prepare(items[range], embedder: embedder, analyzer: analyzer)
            })
        }
        if chunks > 1 {
            DispatchQueue.concurrentPerform(iterations: chunks, execute: work)
        } else if chunks == 1 {
            work(0)
        }
        var prepared: [CorpusIndex.PreparedItem] = []
        prepared.reserveCapacity(items.count)
        for chunk in 0..<chunks {
            switch results.get(chunk) {
            case .success(let part): prepared.append(contentsOf: part)
            case .failure(let error): throw error
            }
        }
        return prepared
    }

    /// Metadata values are held inside one object, so each may nest one level less than
    /// ``JSONValue/maximumNestingDepth``; checked without recursion before anything recursive
    /// (canonical JSON, hashing) touches them.
    static func checkNesting(_ values: some Sequence<JSONValue>, what: String) throws(SearchError) {
        let limit = JSONValue.maximumNestingDepth - 1
        for value in values where value.nestsDeeper(than: limit) {
            throw .invalidArgument(
                "\(what) nests arrays/objects more than \(limit) levels deep: flatten it (JSON values may"
                    + " nest at most \(JSONValue.maximumNestingDepth) levels in all)")
        }
    }

    /// - Parameter embedder: `nil` when the dense leg is disabled (vectors are dropped).
    private static func prepare(
        _ items: ArraySlice<SearchItem>, embedder: (any Embedder)?, analyzer: any Analyzer
    ) throws(SearchError) -> [CorpusIndex.PreparedItem] {
        let analyzerID = analyzer.identifier
        func analysis(_ item: SearchItem) -> TermCounts {
            if let terms = item.terms, terms.analyzer == analyzerID { return terms }
            return TermCounts(analyzer: analyzerID, terms: analyzer.terms(in: item.text))
        }
        guard let embedder else {
            return items.map { .init(item: $0, terms: analysis($0), vector: nil) }
        }
        let missing = items.indices.filter { items[$0].vector == nil }
        let vectors = try embedder.checkedEmbeddings(missing.map { items[$0].text }, ids: missing.map { items[$0].id })
        var computed: [Int: [Float]] = [:]
        for (position, index) in missing.enumerated() { computed[index] = vectors[position] }
        var prepared: [CorpusIndex.PreparedItem] = []
        prepared.reserveCapacity(items.count)
        for index in items.indices {
            let item = items[index]
            let vector = item.vector ?? computed[index] ?? []
            // Caller-supplied vectors get the same checks as embedded ones.
            if item.vector != nil { try DenseIndex.validate(vector, dimension: embedder.dimension, id: item.id) }
            prepared.append(.init(item: item, terms: analysis(item), vector: vector))
        }
        return prepared
    }

}

/// Per-chunk results written by concurrent workers; each slot is written exactly once.
private final class ChunkResults: @unchecked Sendable {
    private var slots: [Result<[CorpusIndex.PreparedItem], SearchError>?]
    private let lock = ReadWriteLock()

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ value: Result<[CorpusIndex.PreparedItem], SearchError>) {
        lock.withWriteLock { slots[index] = value }
    }

    func get(_ index: Int) -> Result<[CorpusIndex.PreparedItem], SearchError> {
        lock.withReadLock { slots[index]! }
    }
}
