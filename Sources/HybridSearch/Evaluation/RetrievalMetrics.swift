/// Standard ranking metrics, as computed by trec_eval / pytrec_eval (used by BEIR).
///
/// `ranking` is a list of document ids, best first; `relevance` maps judged document ids
/// to gains (> 0 = relevant; unjudged = 0).
public enum RetrievalMetrics {
    /// nDCG@k with linear gains and log₂(rank + 1) discount (Järvelin & Kekäläinen, 2002;
    /// trec_eval's `ndcg_cut`). In [0, 1]; 0 when nothing is relevant.
    public static func ndcg(_ ranking: [String], relevance: [String: Int], at k: Int) -> Double {
        var dcg = 0.0
        for (index, id) in ranking.prefix(k).enumerated() {
            let gain = Double(relevance[id] ?? 0)
            if gain > 0 { dcg += gain / log2(Double(index + 2)) }
        }
        let ideal = relevance.values.filter { $0 > 0 }.sorted(by: >).prefix(k)
        var idcg = 0.0
        for (index, gain) in ideal.enumerated() { idcg += Double(gain) / log2(Double(index + 2)) }
        return idcg > 0 ? dcg / idcg : 0
    }

    /// Share of the relevant documents found in the first k. In [0, 1].
    public static func recall(_ ranking: [String], relevance: [String: Int], at k: Int) -> Double {
        let relevant = relevance.filter { $0.value > 0 }
        guard !relevant.isEmpty else { return 0 }
        let found = ranking.prefix(k).filter { relevant[$0] != nil }.count
        return Double(found) / Double(relevant.count)
    }

    /// 1 / rank of the first relevant document within the first k, else 0.
    public static func reciprocalRank(_ ranking: [String], relevance: [String: Int], at k: Int) -> Double {
        for (index, id) in ranking.prefix(k).enumerated() where (relevance[id] ?? 0) > 0 {
            return 1 / Double(index + 1)
        }
        return 0
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
