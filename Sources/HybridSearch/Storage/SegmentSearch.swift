import Foundation

/// Ranking over several segments as if they were one index: BM25 statistics (document count,
/// average field length, document frequencies) are summed over all of them, over live
/// documents only (a deleted document counts nowhere), before any score is computed, and
/// each score is the same arithmetic, in the same order, as ``InvertedIndex`` (distinct query
/// terms in ascending order, accumulated in `Double`), so rankings and scores do not depend on
/// how documents are spread over segments. Ties break by ascending id.
public enum SegmentSearch {
    /// A hit: which segment, which ordinal in it, its id and score.
    public struct Hit: Sendable, Hashable {
        public var segment: Int
        public var ordinal: Int
        public var id: String
        public var score: Double
    }

    /// BM25 top-k over `segments` for analysed query `terms`.
    /// - Complexity: O(Σ postings of the query terms + k log k).
    /// - Parameter deletions: per segment, its deleted documents (empty: none deleted).
    public static func lexical(
        _ segments: [Segment], deletions: [DeletedDocuments?] = [], terms: [String], parameters: BM25Parameters = BM25Parameters(),
        topK: Int
    ) -> [Hit] {
        hits(
            lexicalRanking(segments, deletions: deletions, terms: terms, parameters: parameters, topK: topK, candidates: nil),
            segments)
    }

    /// Top-k by cosine similarity with `query` over every segment's binary16 vectors (the same
    /// ``DotKernel`` arithmetic as ``DenseIndex`` on its rounded rows).
    /// - Precondition: every segment has `query.count` dimensions.
    public static func dense(_ segments: [Segment], deletions: [DeletedDocuments?] = [], query: [Float], topK: Int) -> [Hit] {
        hits(denseRanking(segments, deletions: deletions, query: query, topK: topK, candidates: nil), segments)
    }

    /// BM25 ranking over global ordinals (segment `i`'s ordinals follow those of segments
    /// `0..<i`), restricted to `candidates` when given.
    static func lexicalRanking(
        _ segments: [Segment], deletions: [DeletedDocuments?], terms: [String], parameters: BM25Parameters, topK: Int,
        candidates: OrdinalSet?
    ) -> TopKCollector<String> {
        var collector = TopKCollector<String>(k: max(topK, 0))
        guard topK > 0 else { return collector }
        let deleted = DeletedDocuments.perSegment(deletions, count: segments.count)
        var documentCount = 0
        var totalLength = 0
        for (segment, deleted) in zip(segments, deleted) {
            documentCount += segment.documentCount - (deleted?.count ?? 0)
            totalLength += segment.totalFieldLength
            for ordinal in deleted?.ordinals ?? [] { totalLength -= segment.fieldLength(ordinal) }
        }
        guard documentCount > 0 else { return collector }
        let average = Double(totalLength) / Double(documentCount)
        // Distinct terms in ascending string order: the summation order of InvertedIndex.
        var query: [(indices: [Int?], idf: Double)] = []
        for term in Set(terms).sorted() {
            let indices = segments.map { $0.termIndex(of: term) }
            var frequency = 0
            for (position, index) in indices.enumerated() {
                guard let index else { continue }
                let postings = segments[position].postings(termIndex: index)
                if let gone = deleted[position] {
                    for posting in postings where !gone.contains(posting.ordinal) { frequency += 1 }
                } else {
                    frequency += postings.count
                }
            }
            guard frequency > 0 else { continue }
            query.append((indices, BM25Parameters.inverseDocumentFrequency(documentCount: documentCount, documentFrequency: frequency)))
        }
        guard !query.isEmpty else { return collector }
        var base = 0
        for (position, segment) in segments.enumerated() {
            if let candidates {
                // A filter: score only its members here, term by term (the same order and
                // arithmetic as below, so the same scores), each term's postings intersected
                // with the members rather than read whole — a run's 1 % of a large segment
                // costs O(members · log) per term, not O(postings).
                let rows = candidates.members(in: base..<(base + segment.documentCount))
                if !rows.isEmpty {
                    var scores = [Double](repeating: 0, count: rows.count)
                    var matched = [Bool](repeating: false, count: rows.count)
                    let gone = deleted[position]
                    for term in query {
                        guard let index = term.indices[position] else { continue }
                        Self.intersect(rows, segment.postings(termIndex: index), base: base) { row, posting in
                            let ordinal = posting.ordinal
                            if let gone, gone.contains(ordinal) { return }
                            matched[row] = true
                            scores[row] += parameters.termScore(
                                idf: term.idf, termFrequency: posting.termFrequency, fieldLength: segment.fieldLength(ordinal),
                                averageFieldLength: average)
                        }
                    }
                    for (row, member) in rows.enumerated() where matched[row] {
                        collector.insert(score: scores[row], ordinal: Int(member), key: segment.id(Int(member) - base))
                    }
                }
                base += segment.documentCount
                continue
            }
            var scores = [Double](repeating: 0, count: segment.documentCount)
            var touched: [Int] = []
            let gone = deleted[position]
            for term in query {
                guard let index = term.indices[position] else { continue }
                for posting in segment.postings(termIndex: index) {
                    let ordinal = posting.ordinal
                    // Postings are not checksummed on open (Segment.Verification.standard):
                    // a damaged ordinal is skipped, never followed.
                    guard ordinal < segment.documentCount else { continue }
                    if let gone, gone.contains(ordinal) { continue }
                    if scores[ordinal] == 0 { touched.append(ordinal) }
                    scores[ordinal] += parameters.termScore(
                        idf: term.idf, termFrequency: posting.termFrequency, fieldLength: segment.fieldLength(ordinal),
                        averageFieldLength: average)
                }
            }
            for ordinal in touched {
                collector.insert(score: scores[ordinal], ordinal: base + ordinal, key: segment.id(ordinal))
            }
            base += segment.documentCount
        }
        return collector
    }

    /// Calls `body` with (position in `rows`, posting) for every posting of `postings` whose
    /// ordinal is a member of `rows` — global ordinals, ascending, inside the segment whose
    /// first global ordinal is `base` — in ascending order. Walks the shorter list and gallops
    /// (doubling steps, then binary search) through the longer: O(m · log(n / m)) for lengths
    /// m ≤ n, where reading the postings whole would cost O(n).
    ///
    /// Postings are not checksummed on open: in a damaged, unsorted list some matches are
    /// missed, but every probe stays inside the list, and a match is always a member.
    static func intersect(
        _ rows: ArraySlice<Int32>, _ postings: SegmentPostings, base: Int,
        _ body: (Int, (ordinal: Int, termFrequency: Int32)) -> Void
    ) {
        guard !rows.isEmpty, !postings.isEmpty else { return }
        /// First position ≥ `from` in `0..<count` whose value is ≥ `target` (or `count`).
        func gallop(_ count: Int, from: Int, _ target: Int, _ value: (Int) -> Int) -> Int {
            guard from < count, value(from) < target else { return from }
            var low = from  // value(low) < target
            var step = 1
            var high = from + 1
            while high < count, value(high) < target {
                low = high
                step *= 2
                high = from + step
            }
            high = min(high, count)
            // value(low) < target; value(high) ≥ target or high == count.
            while low + 1 < high {
                let mid = (low + high) / 2
                if value(mid) < target { low = mid } else { high = mid }
            }
            return high
        }
        let start = rows.startIndex
        if rows.count <= postings.count {
            var p = 0
            for r in rows.indices {
                let local = Int(rows[r]) - base
                p = gallop(postings.count, from: p, local) { postings[$0].ordinal }
                guard p < postings.count else { return }
                let posting = postings[p]
                if posting.ordinal == local { body(r - start, posting) }
            }
        } else {
            var r = 0
            for p in postings.indices {
                let posting = postings[p]
                r = gallop(rows.count, from: r, posting.ordinal) { Int(rows[start + $0]) - base }
                guard r < rows.count else { return }
                if Int(rows[start + r]) - base == posting.ordinal { body(r, posting) }
            }
        }
    }

    /// Cosine ranking over global ordinals, restricted to `candidates` when given (one query of
    /// ``denseRankings(_:deletions:queries:candidates:)``).
    static func denseRanking(
        _ segments: [Segment], deletions: [DeletedDocuments?], query: [Float], topK: Int, candidates: OrdinalSet?
    ) -> TopKCollector<String> {
        denseRankings(segments, deletions: deletions, queries: [(query, topK)], candidates: candidates)[0]
    }

    /// Cosine rankings of several queries in one pass over the vectors: each row is read from
    /// memory once and scored against every query while it sits in cache — the scan is
    /// bound by memory bandwidth, so a batch of concurrent queries costs little more than one
    /// (``DenseScanBatcher`` forms such batches). Each query's scores are the same
    /// ``DotKernel`` arithmetic as on its own, so its ranking does not depend on the batch.
    ///
    /// Two passes per segment, as ``DenseIndex`` scans: scores of the rows to look at into a
    /// buffer — split across cores for large segments (each row's dot product is the same
    /// arithmetic on any thread, so scores do not depend on the split) — then per query a
    /// top-k selection, where almost every row is rejected by one comparison with the threshold.
    /// - Returns: one collector per query, in order.
    static func denseRankings(
        _ segments: [Segment], deletions: [DeletedDocuments?], queries: [(vector: [Float], topK: Int)], candidates: OrdinalSet?
    ) -> [TopKCollector<String>] {
        var collectors = queries.map { TopKCollector<String>(k: max($0.topK, 0)) }
        let active = queries.indices.filter { queries[$0].topK > 0 && !queries[$0].vector.isEmpty }
        guard !active.isEmpty else { return collectors }
        // Unit queries, side by side: query b at b * dimension.
        let dimension = queries[active[0]].vector.count
        var units = [Float](repeating: 0, count: active.count * dimension)
        for (b, position) in active.enumerated() {
            precondition(queries[position].vector.count == dimension, "queries of one batch have one dimension")
            let unit = DenseIndex.normalized(queries[position].vector)
            units.replaceSubrange((b * dimension)..<((b + 1) * dimension), with: unit)
        }
        let batch = active.count
        let deleted = DeletedDocuments.perSegment(deletions, count: segments.count)
        var thresholds = [Double](repeating: -.infinity, count: batch)
        var base = 0
        units.withUnsafeBufferPointer { q in
            let queryPointer = SendablePointer(q.baseAddress!)
            for (position, segment) in segments.enumerated() {
                precondition(segment.dimension == dimension, "query and segment dimensions differ")
                let gone = deleted[position]
                // The rows to score: the candidates inside this segment, or all of them.
                var rows: [Int32]?
                if let candidates {
                    rows = candidates.members(in: base..<(base + segment.documentCount)).map { $0 - Int32(base) }
                }
                let n = rows?.count ?? segment.documentCount
                // Nothing to score here (no candidate in this segment, or no document): an empty
                // buffer may have no base address, so it is never asked for one.
                guard n > 0 else {
                    base += segment.documentCount
                    continue
                }
                // scores[b * n + j]: query b, row j.
                var scores = [Float](repeating: 0, count: n * batch)
                rows.withUnsafeBufferPointerIfPresent { selected in
                    scores.withUnsafeMutableBufferPointer { out in
                        let output = SendableMutablePointer(out.baseAddress!)
                        let matrix = SendablePointer(segment.vector(0).baseAddress!)  // binary16 rows
                        let parts = n * dimension >= DenseIndex.parallelScanFloats ? DenseIndex.scanThreads : 1
                        let chunk = (n + parts - 1) / max(parts, 1)
                        let scan: @Sendable (Int) -> Void = { part in
                            for j in (part * chunk)..<min(n, (part + 1) * chunk) {
                                let row = matrix.pointer + (selected.map { Int($0[j]) } ?? j) * dimension
                                for b in 0..<batch {
                                    output.pointer[b * n + j] = DotKernel.dot(half: row, queryPointer.pointer + b * dimension, dimension)
                                }
                            }
                        }
                        if parts > 1 {
                            DispatchQueue.concurrentPerform(iterations: parts, execute: scan)
                        } else {
                            scan(0)
                        }
                    }
                }
                for (b, query) in active.enumerated() {
                    for j in 0..<n {
                        let score = Double(scores[b * n + j])
                        // Vectors are not checksummed on open: a damaged row may hold NaN.
                        if score < thresholds[b] || score.isNaN { continue }
                        let ordinal = rows.map { Int($0[j]) } ?? j
                        if let gone, gone.contains(ordinal) { continue }
                        collectors[query].insert(score: score, ordinal: base + ordinal, key: segment.id(ordinal))
                        if let worst = collectors[query].threshold { thresholds[b] = worst }
                    }
                }
                base += segment.documentCount
            }
        }
        return collectors
    }

    private static func hits(_ collector: TopKCollector<String>, _ segments: [Segment]) -> [Hit] {
        var starts: [Int] = []
        var total = 0
        for segment in segments {
            starts.append(total)
            total += segment.documentCount
        }
        return collector.sorted().map { entry in
            let segment = starts.lastIndex { $0 <= entry.ordinal } ?? 0
            return Hit(segment: segment, ordinal: entry.ordinal - starts[segment], id: entry.key, score: entry.score)
        }
    }
}

extension Optional where Wrapped == [Int32] {
    /// Runs `body` with the array's buffer, or `nil` when there is no array.
    fileprivate func withUnsafeBufferPointerIfPresent<R>(_ body: (SendableBuffer?) -> R) -> R {
        switch self {
        case .some(let array): return array.withUnsafeBufferPointer { body(SendableBuffer(pointer: $0.baseAddress!)) }
        case .none: return body(nil)
        }
    }
}

/// A read-only row list handed to scan workers.
private struct SendableBuffer: @unchecked Sendable {
    let pointer: UnsafePointer<Int32>
    subscript(index: Int) -> Int32 { pointer[index] }
}
