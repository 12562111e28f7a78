import Foundation
import Testing
@testable import HybridSearch

@Suite("Evaluation")
struct MetricsTests {
    @Test("nDCG@10, Recall@100, MRR@10 equal hand-computed values")
    func metrics() {
        let relevance = ["d1": 2, "d2": 1, "d9": 1]
        let ranking = ["d3", "d1", "d4", "d2"]
        // DCG = 2/log2(3) + 1/log2(5) = 1.261860 + 0.430677 = 1.692537
        // IDCG = 2/log2(2) + 1/log2(3) + 1/log2(4) = 2 + 0.630930 + 0.5 = 3.130930
        #expect(abs(RetrievalMetrics.ndcg(ranking, relevance: relevance, at: 10) - 1.692537 / 3.130930) < 1e-6)
        #expect(abs(RetrievalMetrics.recall(ranking, relevance: relevance, at: 100) - 2.0 / 3.0) < 1e-12)
        #expect(RetrievalMetrics.reciprocalRank(ranking, relevance: relevance, at: 10) == 0.5)
        #expect(RetrievalMetrics.reciprocalRank(ranking, relevance: relevance, at: 1) == 0)
        #expect(RetrievalMetrics.ndcg(["d1", "d2", "d9"], relevance: relevance, at: 10) == 1)
        #expect(RetrievalMetrics.ndcg([], relevance: relevance, at: 10) == 0)
    }

    @Test("percentiles use the nearest rank")
    func percentiles() {
        let values = (1...100).map(Double.init)
        #expect(RetrievalEvaluator.percentile(values, 0.5) == 50)
        #expect(RetrievalEvaluator.percentile(values, 0.99) == 99)
        #expect(RetrievalEvaluator.percentile([7], 0.99) == 7)
    }

    @Test("query typos are deterministic and touch only words of five or more letters")
    func typos() {
        let typos = QueryTypos(rate: 1)
        let text = "the cat retrieval of embeddings"
        let once = typos.misspell(text, queryID: "q1")
        #expect(once == typos.misspell(text, queryID: "q1"))
        let words = once.split(separator: " ").map(String.init)
        #expect(words[0] == "the" && words[1] == "cat" && words[3] == "of")
        #expect(words[2] != "retrieval" && words[4] != "embeddings")
        #expect(abs(words[2].count - 9) <= 1)
        #expect(QueryTypos(rate: 0).misspell(text, queryID: "q1") == text)
        // About half the eligible words change at rate 0.5.
        let half = QueryTypos(rate: 0.5)
        var changed = 0
        for i in 0..<400 where half.misspell("retrieval", queryID: "q\(i)") != "retrieval" { changed += 1 }
        #expect((150...250).contains(changed))
    }

    @Test("the evaluator runs on the project's fixture collection")
    func fixtureCollection() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let folder = root.appendingPathComponent("Fixtures/agent-artifacts")
        let collection = try BEIRCollection(contentsOf: folder)
        #expect(collection.documents.count >= 200)
        #expect(!collection.queries.isEmpty)
        let report = try RetrievalEvaluator(mode: .lexical).run(on: collection)
        #expect(report.queries == collection.queries.count)
        #expect(report.ndcgAt10 > 0.4)
        #expect(report.recallAt100 >= report.ndcgAt10 * 0.5)
    }
}
