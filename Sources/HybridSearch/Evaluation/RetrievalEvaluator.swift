import Foundation

/// Builds an index over a ``BEIRCollection``, runs every query one at a time and reports
/// quality (nDCG@10, Recall@100, MRR@10, means over the judged queries) and speed.
public struct RetrievalEvaluator: Sendable {
    public var mode: SearchMode
    public var embedder: any Embedder
    public var analyzer: any Analyzer
    public var configuration: SearchConfiguration
    /// Misspell queries before searching (robustness runs); `nil` = clean queries.
    public var typos: QueryTypos?
    /// Hits retrieved per query (≥ 100, the deepest metric).
    public var depth: Int

    public init(
        mode: SearchMode, embedder: any Embedder = HashedNGramEmbedder(),
        analyzer: any Analyzer = StandardAnalyzer(), configuration: SearchConfiguration = SearchConfiguration(),
        typos: QueryTypos? = nil, depth: Int = 100
    ) {
        self.mode = mode
        self.embedder = embedder
        self.analyzer = analyzer
        self.configuration = configuration
        self.typos = typos
        self.depth = depth
    }

    public func run(on collection: BEIRCollection) throws(SearchError) -> EvaluationReport {
        // A lexical run builds only what lexical search needs (no embedding), as BM25 peers do.
        var configuration = configuration
        if mode == .lexical { configuration.denseLegEnabled = false }
        let backend = InMemorySearchBackend(embedder: embedder, analyzer: analyzer, configuration: configuration)
        let corpus = "eval"
        let clock = ContinuousClock()
        let residentBefore = ProcessMemory.residentBytes()
        let buildStart = clock.now
        var batch: [SearchItem] = []
        for document in collection.documents {
            batch.append(SearchItem(corpus: corpus, id: document.id, text: document.indexedText))
            if batch.count == 1024 {
                try backend.upsertSynchronously(batch)
                batch.removeAll(keepingCapacity: true)
            }
        }
        try backend.upsertSynchronously(batch)
        let buildSeconds = (clock.now - buildStart).seconds
        let indexBytes = max(0, ProcessMemory.residentBytes() - residentBefore)

        var latencies: [Double] = []
        var ndcg = 0.0
        var recall = 0.0
        var mrr = 0.0
        let searchStart = clock.now
        for query in collection.queries {
            let text = typos.map { $0.misspell(query.text, queryID: query.id) } ?? query.text
            let started = clock.now
            let hits = try backend.searchSynchronously(
                SearchRequest(corpus: corpus, query: text, topK: depth, mode: mode))
            latencies.append((clock.now - started).seconds * 1000)
            // BEIR drops a document equal to the query itself.
            let ranking = hits.map(\.itemID).filter { $0 != query.id }
            let judged = collection.relevance[query.id] ?? [:]
            ndcg += RetrievalMetrics.ndcg(ranking, relevance: judged, at: 10)
            recall += RetrievalMetrics.recall(ranking, relevance: judged, at: 100)
            mrr += RetrievalMetrics.reciprocalRank(ranking, relevance: judged, at: 10)
        }
        let searchSeconds = (clock.now - searchStart).seconds
        let count = Double(max(collection.queries.count, 1))
        latencies.sort()
        return EvaluationReport(
            ndcgAt10: ndcg / count, recallAt100: recall / count, mrrAt10: mrr / count,
            indexDocsPerSecond: Double(collection.documents.count) / max(buildSeconds, 1e-9),
            queriesPerSecond: Double(collection.queries.count) / max(searchSeconds, 1e-9),
            latencyMsP50: Self.percentile(latencies, 0.50), latencyMsP99: Self.percentile(latencies, 0.99),
            queries: collection.queries.count, documents: collection.documents.count, mode: mode.rawValue,
            embedder: embedder.identifier, analyzer: analyzer.identifier,
            fusion: Self.describe(configuration.fusion), queryTypoRate: typos?.rate ?? 0,
            peakRSSMegabytes: Double(ProcessMemory.peakResidentBytes()) / 1e6,
            bytesPerDocument: Double(indexBytes) / Double(max(collection.documents.count, 1)))
    }

    /// Nearest-rank percentile of sorted values (0 for none).
    static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let rank = Int((p * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }

    static func describe(_ fusion: FusionMethod) -> String {
        switch fusion {
        case .reciprocalRank(let rrf):
            return "rrf:k=\(rrf.k):w_lex=\(rrf.lexicalWeight):w_sem=\(rrf.semanticWeight):window=\(rrf.window)"
        case .linear(let linear):
            return "linear:alpha=\(linear.alpha):window=\(linear.window)"
        }
    }
}

/// The figures of one evaluation run. JSON keys are snake_case (SPEC §7).
public struct EvaluationReport: Sendable, Codable, Hashable {
    public var ndcgAt10: Double
    public var recallAt100: Double
    public var mrrAt10: Double
    public var indexDocsPerSecond: Double
    public var queriesPerSecond: Double
    public var latencyMsP50: Double
    public var latencyMsP99: Double
    public var queries: Int
    public var documents: Int
    public var mode: String
    public var embedder: String
    public var analyzer: String
    public var fusion: String
    public var queryTypoRate: Double
    /// Peak resident memory of the whole process (MB = 10⁶ bytes), collection text included.
    public var peakRSSMegabytes: Double
    /// Growth of resident memory while building the index, per document (bytes).
    public var bytesPerDocument: Double

    enum CodingKeys: String, CodingKey {
        case ndcgAt10 = "ndcg_at_10"
        case recallAt100 = "recall_at_100"
        case mrrAt10 = "mrr_at_10"
        case indexDocsPerSecond = "index_docs_per_second"
        case queriesPerSecond = "queries_per_second"
        case latencyMsP50 = "latency_ms_p50"
        case latencyMsP99 = "latency_ms_p99"
        case queries, documents, mode, embedder, analyzer, fusion
        case queryTypoRate = "query_typo_rate"
        case peakRSSMegabytes = "peak_rss_mb"
        case bytesPerDocument = "bytes_per_document"
    }
}

extension Duration {
    /// The duration in seconds.
    public var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) * 1e-18
    }
}

/// Resident memory of this process, from Linux's /proc (0 elsewhere).
public enum ProcessMemory {
    /// Current resident set size in bytes.
    public static func residentBytes() -> Int {
        statusField("VmRSS:")
    }

    /// Peak resident set size ("high water mark") in bytes.
    public static func peakResidentBytes() -> Int {
        statusField("VmHWM:")
    }

    private static func statusField(_ name: String) -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix(name) {
            let fields = line.dropFirst(name.count).split(whereSeparator: { $0 == " " || $0 == "\t" })
            let kilobytes = fields.first.flatMap { Int($0) } ?? 0
            return kilobytes * 1024
        }
        return 0
    }
}
