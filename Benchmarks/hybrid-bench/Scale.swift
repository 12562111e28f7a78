import ArgumentParser
import Foundation
import HybridSearch

/// A synthetic corpus with scope metadata, for build rate, memory and filtered latency at scale.
///
/// Items: `words` pseudo-words each, drawn from a 30,000-word vocabulary with a Zipf-like
/// skew (index = ⌊V · u³⌋), SplitMix64 seed 2026. Metadata: `org_id` = "org-0" (every item:
/// the 100 % filter), `user_id` = "user-(i mod 10)" (10 %), `run_id` = "run-(i mod 100)" (1 %).
struct Scale: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Build a synthetic corpus of N items and time hybrid queries under 1 %, 10 %, 100 % scope filters.")

    @Option(help: "Number of items.") var items: Int = 100_000
    @Option(help: "Words per item.") var words: Int = 30
    @Option(help: "Embedder dimension.") var dimension: Int = 256
    @Option(help: "Queries per filter.") var queries: Int = 200
    @Option(help: "Mode of the timed queries.") var mode: String = "hybrid"

    func run() throws {
        let searchMode = try SearchMode(parsing: mode)
        var random = SplitMix64(seed: 2026)
        let letters = Array("abcdefghijklmnopqrstuvwxyz")
        let vocabulary: [String] = (0..<30_000).map { _ in
            String((0..<(3 + Int(random.next() % 8))).map { _ in letters[Int(random.next() % 26)] })
        }
        func word() -> String {
            let u = random.nextUnit()
            return vocabulary[min(vocabulary.count - 1, Int(Double(vocabulary.count) * u * u * u))]
        }
        let backend = InMemorySearchBackend(embedder: HashedNGramEmbedder(dimension: dimension))
        let rssBefore = ProcessMemory.residentBytes()
        let clock = ContinuousClock()
        let start = clock.now
        var batch: [SearchItem] = []
        batch.reserveCapacity(4096)
        for i in 0..<items {
            let text = (0..<words).map { _ in word() }.joined(separator: " ")
            batch.append(SearchItem(
                corpus: "scale", id: String(format: "item-%08d", i), text: text,
                metadata: ["org_id": "org-0", "user_id": .string("user-\(i % 10)"), "run_id": .string("run-\(i % 100)")],
                createdAt: 1_700_000_000 + Double(i)))
            if batch.count == 4096 {
                try backend.upsertSynchronously(batch)
                batch.removeAll(keepingCapacity: true)
            }
        }
        try backend.upsertSynchronously(batch)
        let buildSeconds = (clock.now - start).seconds
        let rssAfter = ProcessMemory.residentBytes()
        print("items \(items), \(words) words each, dimension \(dimension), mode \(searchMode.rawValue)")
        print(String(format: "build: %.1f s, %.0f items/s; resident memory +%.0f MB (%.0f bytes/item)",
                     buildSeconds, Double(items) / buildSeconds, Double(rssAfter - rssBefore) / 1e6,
                     Double(rssAfter - rssBefore) / Double(items)))
        print("| filter | selects | p50 ms | p99 ms | queries/s |")
        print("|---|---|---|---|---|")
        let filters: [(String, String, MetadataFilter)] = [
            ("run_id = run-7", "1 %", MetadataFilter(equals: ["run_id": "run-7"])),
            ("user_id = user-3", "10 %", MetadataFilter(equals: ["user_id": "user-3"])),
            ("org_id = org-0", "100 %", MetadataFilter(equals: ["org_id": "org-0"])),
        ]
        for (name, share, filter) in filters {
            var latencies: [Double] = []
            let started = clock.now
            for _ in 0..<queries {
                let query = "\(word()) \(word()) \(word())"
                let t0 = clock.now
                _ = try backend.searchSynchronously(SearchRequest(corpus: "scale", query: query, topK: 10, filter: filter, mode: searchMode))
                latencies.append((clock.now - t0).seconds * 1000)
            }
            let total = (clock.now - started).seconds
            latencies.sort()
            func percentile(_ p: Double) -> Double { latencies[min(latencies.count - 1, Int((p * Double(latencies.count)).rounded(.up)) - 1)] }
            print(String(format: "| %@ | %@ | %.2f | %.2f | %.0f |", name, share, percentile(0.5), percentile(0.99), Double(queries) / total))
        }
    }
}
