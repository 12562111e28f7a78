import ArgumentParser
import Embedders
import Foundation
import HybridSearch

/// Runs many engine configurations over one BEIR collection loaded once, to choose defaults.
struct Sweep: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Evaluate a grid of engine settings on a BEIR collection (quality and speed).")

    @Option(help: "BEIR folder.") var corpus: String
    @Option(help: "Comma-separated modes.") var modes: String = "lexical,semantic,hybrid"
    @Option(help: "Comma-separated embedder dimensions.") var dimensions: String = "1024"
    @Option(help: "Comma-separated RRF semantic weights (hybrid).") var semanticWeights: String = "1"
    @Option(help: "Comma-separated RRF windows (hybrid).") var windows: String = "100"
    @Option(help: "Comma-separated typo rates.") var typos: String = "0"
    @Option(help: "Comma-separated stemming settings (true,false).") var stemming: String = "true"
    @Option(help: "Comma-separated linear-fusion alphas; when given, hybrid uses linear fusion.") var alphas: String?
    @Option(help: "Comma-separated n-gram ranges, e.g. 3-5,4-5.") var ngrams: String = "3-5"
    @Option(help: "Hybrid semantic floor (cosine).") var floor: Double = 0
    @Option(help: "Comma-separated vector precisions: float32, float16 (rows rounded to binary16, as Float16 storage would keep them).")
    var precisions: String = "float32"
    @Option var k1: Double = 1.2
    @Option var b: Double = 0.75
    @Option(help: "hashed (the grid of dimensions, n-grams, precisions) or a model: minilm, minilm:FOLDER (each text embedded once for the whole grid).")
    var embedder: String = "hashed"
    @Option(help: "Queries evaluated: all, odd or even (by numeric query id): choose defaults on one half, report the other.")
    var queryHalf: String = "all"

    func run() throws {
        var collection = try BEIRCollection(contentsOf: URL(fileURLWithPath: corpus))
        if queryHalf != "all" {
            guard queryHalf == "odd" || queryHalf == "even" else { throw ValidationError("--query-half is all, odd or even") }
            let keep = queryHalf == "odd" ? 1 : 0
            collection.queries = collection.queries.filter { query in
                (Int(query.id) ?? Int(query.id.unicodeScalars.reduce(0) { $0 &+ Int($1.value) })) % 2 == keep
            }
            let kept = Set(collection.queries.map(\.id))
            collection.relevance = collection.relevance.filter { kept.contains($0.key) }
        }
        let model: CachingEmbedder? = embedder == "hashed" ? nil : CachingEmbedder(base: try EmbedderChoice(parsing: embedder).makeEmbedder())
        let dimensions = model.map { ["\($0.dimension)"] } ?? self.dimensions.split(separator: ",").map(String.init)
        print("| mode | stem | dim | fusion | typos | nDCG@10 | R@100 | MRR@10 | docs/s | q/s | p50 ms | p99 ms |")
        print("|---|---|---|---|---|---|---|---|---|---|---|---|")
        let modeList = try modes.split(separator: ",").map { try SearchMode(parsing: String($0)) }
        for stem in stemming.split(separator: ",").map({ $0 == "true" }) {
            for range in ngrams.split(separator: ",") {
            let bounds = range.split(separator: "-").compactMap { Int($0) }
            let sizes = bounds[0]...bounds[bounds.count - 1]
            for dimension in dimensions.compactMap({ Int($0) }) {
                for rate in typos.split(separator: ",").compactMap({ Double($0) }) {
                    for mode in modeList {
                        var fusions: [FusionMethod] = [.reciprocalRank(ReciprocalRankFusion())]
                        if mode == .hybrid {
                            if let alphas {
                                fusions = alphas.split(separator: ",").compactMap { Double($0) }.map {
                                    .linear(LinearFusion(alpha: $0))
                                }
                            } else {
                                fusions = []
                                for weight in semanticWeights.split(separator: ",").compactMap({ Double($0) }) {
                                    for window in windows.split(separator: ",").compactMap({ Int($0) }) {
                                        fusions.append(.reciprocalRank(ReciprocalRankFusion(semanticWeight: weight, window: window)))
                                    }
                                }
                            }
                        } else if mode == .lexical && dimension != dimensions.compactMap({ Int($0) }).first {
                            continue
                        }
                        for fusion in fusions {
                          for precision in precisions.split(separator: ",").map(String.init) {
                            let hashed = HashedNGramEmbedder(dimension: dimension, ngramSizes: sizes)
                            let grid: any Embedder = precision == "float16" ? HalfPrecisionEmbedder(base: hashed) : hashed
                            let embedder: any Embedder = model ?? grid
                            let evaluator = RetrievalEvaluator(
                                mode: mode, embedder: embedder,
                                analyzer: StandardAnalyzer(stemming: stem),
                                configuration: SearchConfiguration(bm25: BM25Parameters(k1: k1, b: b), fusion: fusion, hybridSemanticFloor: floor),
                                typos: rate > 0 ? QueryTypos(rate: rate) : nil)
                            let r = try evaluator.run(on: collection)
                            print(String(
                                format: "| %@ | %@ | %d %@ %@ | %@ | %.2f | %.4f | %.4f | %.4f | %.0f | %.0f | %.2f | %.2f |",
                                mode.rawValue, stem ? "porter" : "none", dimension, String(range), precision, r.fusion, rate, r.ndcgAt10,
                                r.recallAt100, r.mrrAt10, r.indexDocsPerSecond, r.queriesPerSecond, r.latencyMsP50,
                                r.latencyMsP99))
                            FileHandle.standardOutput.synchronizeFile()
                          }
                        }
                    }
                }
            }
            }
        }
    }
}

/// The hashed embedder with every component of its unit vectors rounded to binary16 (round
/// to nearest even): the rows Float16 storage would hold, for measuring what it costs in
/// quality (issue 9, item 8). Queries are rounded too (a mapped Float16 row is scored against
/// a Float32 query, so this slightly overstates the loss).
struct HalfPrecisionEmbedder: Embedder {
    let base: HashedNGramEmbedder
    var identifier: String { base.identifier + "+f16" }
    var dimension: Int { base.dimension }

    func embed(_ texts: [String]) -> [[Float]] {
        base.embed(texts).map { vector in DenseIndex.normalized(vector).map { Float(Float16($0)) } }
    }
}

/// An embedder that remembers every text's vector, so a grid over fusion settings embeds the
/// corpus once (a model embedder takes minutes for SciFact).
final class CachingEmbedder: Embedder, @unchecked Sendable {
    let base: any Embedder
    private let lock = NSLock()
    private var cache: [String: [Float]] = [:]
    var identifier: String { base.identifier }
    var dimension: Int { base.dimension }

    init(base: any Embedder) { self.base = base }

    func embed(_ texts: [String]) throws -> [[Float]] {
        let missing = Array(Set(lock.withLock { texts.filter { cache[$0] == nil } }))
        if !missing.isEmpty {
            let vectors = try base.embed(missing)
            lock.withLock { for (text, vector) in zip(missing, vectors) { cache[text] = vector } }
        }
        return lock.withLock { texts.map { cache[$0]! } }
    }
}
