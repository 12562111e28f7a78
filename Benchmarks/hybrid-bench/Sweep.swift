import ArgumentParser
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

    func run() throws {
        let collection = try BEIRCollection(contentsOf: URL(fileURLWithPath: corpus))
        print("| mode | stem | dim | fusion | typos | nDCG@10 | R@100 | MRR@10 | docs/s | q/s | p50 ms | p99 ms |")
        print("|---|---|---|---|---|---|---|---|---|---|---|---|")
        let modeList = try modes.split(separator: ",").map { try SearchMode(parsing: String($0)) }
        for stem in stemming.split(separator: ",").map({ $0 == "true" }) {
            for range in ngrams.split(separator: ",") {
            let bounds = range.split(separator: "-").compactMap { Int($0) }
            let sizes = bounds[0]...bounds[bounds.count - 1]
            for dimension in dimensions.split(separator: ",").compactMap({ Int($0) }) {
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
                        } else if mode == .lexical && dimension != dimensions.split(separator: ",").compactMap({ Int($0) }).first {
                            continue
                        }
                        for fusion in fusions {
                          for precision in precisions.split(separator: ",").map(String.init) {
                            let hashed = HashedNGramEmbedder(dimension: dimension, ngramSizes: sizes)
                            let embedder: any Embedder = precision == "float16" ? HalfPrecisionEmbedder(base: hashed) : hashed
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
