/// Okapi BM25 with Lucene's IDF.
///
/// For a query of distinct terms t and a document d of field length |d| (its number of
/// terms), with N live documents, df(t) documents containing t, tf(t, d) occurrences and
/// avgdl the mean field length:
///
///     idf(t)      = ln(1 + (N − df(t) + 0.5) / (df(t) + 0.5))
///     score(d, q) = Σₜ idf(t) · tf / (tf + k1 · (1 − b + b · |d| / avgdl))
///
/// This is Lucene's `BM25Similarity` (since Lucene 8 the constant factor (k1 + 1) is
/// dropped; it does not change rankings) and bm25s's `lucene` method. Scores are ≥ 0.
/// Sources: S. Robertson & H. Zaragoza, "The Probabilistic Relevance Framework: BM25 and
/// Beyond" (2009); C. Kamphuis et al., "Which BM25 Do You Mean?" (ECIR 2020).
public struct BM25Parameters: Sendable, Hashable, Codable {
    /// Term-frequency saturation, ≥ 0. Default 1.2.
    public private(set) var k1: Double
    /// Length normalisation in [0, 1]. Default 0.75.
    public private(set) var b: Double

    /// - Precondition: `k1 ≥ 0` and `0 ≤ b ≤ 1` (otherwise scores could be negative or NaN).
    public init(k1: Double = 1.2, b: Double = 0.75) {
        precondition(k1 >= 0 && k1.isFinite && (0...1).contains(b), "BM25 needs k1 ≥ 0 and b in [0, 1]")
        self.k1 = k1
        self.b = b
    }

    /// One query term's part of a document's score:
    /// `idf · tf / (tf + k1 · (1 − b + b · |d| / avgdl))` (`|d| / avgdl` taken as 0 when
    /// `averageFieldLength` is 0). The one arithmetic of every index — in-memory or over
    /// segments, term- or document-at-a-time — so their scores agree bit for bit.
    @inlinable @inline(__always)
    public func termScore(idf: Double, termFrequency: Int32, fieldLength: Int, averageFieldLength: Double) -> Double {
        let relative = averageFieldLength > 0 ? Double(fieldLength) / averageFieldLength : 0
        let norm = k1 * (1 - b + b * relative)
        let frequency = Double(termFrequency)
        return idf * frequency / (frequency + norm)
    }

    /// Lucene's IDF; always > 0.
    @inlinable
    public static func inverseDocumentFrequency(documentCount: Int, documentFrequency: Int) -> Double {
        let n = Double(documentCount)
        let df = Double(documentFrequency)
        return log(1 + (n - df + 0.5) / (df + 0.5))
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
