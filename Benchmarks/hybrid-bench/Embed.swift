import ArgumentParser
import Embedders
import Foundation
import HybridSearch

/// Embedding throughput of the native sentence embedder on a BEIR collection: the passages
/// `title + " " + text` (trimmed) that `Benchmarks/minilm/reference_throughput.py` gives
/// sentence-transformers, embedded in one `embed` call after one untimed warm-up batch; model
/// loading not timed. Prints one JSON line.
struct Embed: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Time the sentence embedder (minilm) over a BEIR corpus.jsonl, passages per second.")

    @Option(help: "BEIR folder (its corpus.jsonl is embedded).") var corpus: String
    @Option(help: "hashed, minilm or minilm:FOLDER.") var embedder: String = "minilm"
    @Option(help: "Embed only the first N passages (0: all).") var limit: Int = 0

    func run() throws {
        func trimmed(_ text: String) -> String { text.trimmingCharacters(in: .whitespacesAndNewlines) }
        var passages = try BEIRCollection(contentsOf: URL(fileURLWithPath: corpus)).documents.map { document in
            trimmed("\(trimmed(document.title)) \(trimmed(document.text))")
        }
        if limit > 0 { passages = Array(passages.prefix(limit)) }
        let loadStart = ContinuousClock.now
        let model = try EmbedderChoice(parsing: embedder).makeEmbedder()
        let loadSeconds = Self.seconds(ContinuousClock.now - loadStart)
        _ = try model.embed(Array(passages.prefix(32)))  // warm-up, untimed
        let start = ContinuousClock.now
        let vectors = try model.embed(passages)
        let seconds = Self.seconds(ContinuousClock.now - start)
        precondition(vectors.count == passages.count)
        var tokens: [Int] = []
        if let sentence = model as? SentenceTransformerEmbedder {
            tokens = passages.map { sentence.tokenizer.tokenIDs($0, maximumLength: sentence.maximumSequenceLength).count }
        }
        let report: [String: Any] = [
            "embedder": model.identifier, "passages": passages.count, "seconds": (seconds * 1000).rounded() / 1000,
            "passages_per_second": (Double(passages.count) / seconds * 10).rounded() / 10,
            "load_seconds": (loadSeconds * 1000).rounded() / 1000,
            "mean_tokens": tokens.isEmpty ? 0 : (Double(tokens.reduce(0, +)) / Double(tokens.count) * 10).rounded() / 10,
            "cores": ProcessInfo.processInfo.activeProcessorCount,
        ]
        let data = try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
