import ArgumentParser
import Embedders
import Foundation
import HybridSearch

struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate the search engine on a BEIR-layout collection.",
        discussion: """
            Builds an in-memory index of corpus.jsonl (title and text as one field), runs every \
            query of queries.jsonl judged in qrels/test.tsv one at a time, and prints nDCG@10, \
            Recall@100, MRR@10 (means over the queries), the index build rate (documents/s), \
            queries/s and the latency percentiles (nearest rank, milliseconds).

            --query-typos RATE misspells that share of the query words of five or more letters \
            (one adjacent swap, deletion or substitution each; SplitMix64 seeded with 42 XOR \
            the FNV-1a hash of the query id, so every run misspells the same way).

            Examples:
              artifact-search eval --corpus Fixtures/agent-artifacts
              artifact-search eval --corpus /work/shared/corpora/scifact --mode lexical --json
              artifact-search eval --corpus /work/shared/corpora/scifact --query-typos 0.5
            """)

    @Option(help: "BEIR folder: corpus.jsonl, queries.jsonl, qrels/test.tsv.")
    var corpus: String

    @Option(
        help: ArgumentHelp("lexical, semantic, hybrid (default) or auto.", valueName: "mode"),
        transform: { text in
            do { return try SearchMode(parsing: text) } catch { throw ValidationError(String(describing: error)) }
        })
    var mode: SearchMode = .hybrid

    /// Bounds of the numeric options. Sizes are bounded so no value exhausts memory: the
    /// index holds 4 × dimension bytes per document.
    static let queryTyposRange = 0.0...1.0
    static let dimensionRange = 1...16_384
    static let semanticWeightRange = 0.0...1_000.0
    static let rrfWindowRange = 1...100_000
    static let k1Range = 0.0...1_000.0
    static let bRange = 0.0...1.0

    @Option(
        parsing: .unconditional,
        help: "Share (\(NumericOption.span(queryTyposRange))) of query words of ≥ 5 letters to misspell (default 0).",
        transform: NumericOption.number(in: queryTyposRange))
    var queryTypos: Double = 0

    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    @Option(help: ArgumentHelp(EmbedderOption.help + "; hashed takes --dimension.", valueName: "embedder"), transform: EmbedderOption.parse)
    var embedder: EmbedderChoice = .hashed(dimension: HashedNGramEmbedder.defaultDimension)

    @OptionGroup
    var key: EmbedderKeyOption

    @Option(
        parsing: .unconditional,
        help: "Hashed n-gram embedder dimension (\(NumericOption.span(dimensionRange)); default \(HashedNGramEmbedder.defaultDimension)).",
        transform: NumericOption.integer(in: dimensionRange))
    var dimension: Int = HashedNGramEmbedder.defaultDimension

    @Option(
        parsing: .unconditional,
        help: "RRF weight of the semantic leg in hybrid mode (\(NumericOption.span(semanticWeightRange)); lexical weight is 1; default the embedder's: \(SearchConfiguration.defaultSemanticWeight) hashed, 0.2 minilm).",
        transform: NumericOption.number(in: semanticWeightRange))
    var semanticWeight: Double?

    @Option(
        parsing: .unconditional,
        help: "Candidates each leg contributes to fusion (\(NumericOption.span(rrfWindowRange)); default 100, the deepest metric).",
        transform: NumericOption.integer(in: rrfWindowRange))
    var rrfWindow: Int = 100

    @Option(
        parsing: .unconditional, help: "BM25 k1 (\(NumericOption.span(k1Range)); default 1.2).",
        transform: NumericOption.number(in: k1Range))
    var k1: Double = 1.2

    @Option(
        parsing: .unconditional, help: "BM25 b (\(NumericOption.span(bRange)); default 0.75).",
        transform: NumericOption.number(in: bRange))
    var b: Double = 0.75

    @Flag(help: "Turn Porter stemming off.")
    var noStemming = false

    func validate() throws {
        // The numeric options are checked (range, finiteness) as they are parsed.
        guard mode != .structural else {
            throw ValidationError("eval ranks by query: use --mode lexical, semantic, hybrid or auto")
        }
    }

    func run() throws {
        let searchMode = mode
        let collection = try BEIRCollection(contentsOf: URL(fileURLWithPath: corpus))
        var choice = embedder.keyed(by: key.variable)
        if case .hashed = choice { choice = .hashed(dimension: dimension) }
        let model = try EmbedderOption.load(choice)
        let semanticWeight = self.semanticWeight ?? model.defaultSemanticWeight
        let evaluator = RetrievalEvaluator(
            mode: searchMode, embedder: model,
            analyzer: StandardAnalyzer(stemming: !noStemming),
            configuration: SearchConfiguration(
                bm25: BM25Parameters(k1: k1, b: b),
                fusion: .reciprocalRank(ReciprocalRankFusion(semanticWeight: semanticWeight, window: rrfWindow))),
            typos: queryTypos > 0 ? QueryTypos(rate: queryTypos) : nil)
        let report = try evaluator.run(on: collection)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
            return
        }
        let rows: [(String, String)] = [
            ("collection", TerminalText.escaped(corpus)),
            ("mode", report.mode),
            ("documents", "\(report.documents)"),
            ("queries", "\(report.queries)" + (queryTypos > 0 ? " (typo rate \(queryTypos))" : "")),
            ("nDCG@10", String(format: "%.4f", report.ndcgAt10)),
            ("Recall@100", String(format: "%.4f", report.recallAt100)),
            ("MRR@10", String(format: "%.4f", report.mrrAt10)),
            ("index build", String(format: "%.0f documents/s", report.indexDocsPerSecond)),
            ("queries/s", String(format: "%.0f", report.queriesPerSecond)),
            ("latency p50", String(format: "%.3f ms", report.latencyMsP50)),
            ("latency p99", String(format: "%.3f ms", report.latencyMsP99)),
            ("memory", String(format: "%.0f bytes/document (index), peak RSS %.0f MB", report.bytesPerDocument, report.peakRSSMegabytes)),
            ("analyzer", report.analyzer),
            ("embedder", report.embedder),
            ("fusion", report.fusion),
        ]
        let width = rows.map(\.0.count).max() ?? 0
        for (name, value) in rows {
            print(name.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + value)
        }
    }
}
