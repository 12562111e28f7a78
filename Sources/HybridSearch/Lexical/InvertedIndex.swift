/// An in-memory inverted index scored with BM25 (see ``BM25Parameters`` for the formula).
///
/// Documents are addressed by ordinal (a small dense integer chosen by the owner). Each term
/// has a postings list of (ordinal, term frequency) sorted by ordinal; each document keeps
/// its field length (number of terms) and its own term list, so removal is exact: after any
/// sequence of insertions and removals, document frequencies, N, avgdl and therefore every
/// score equal those of an index built from scratch on the live documents.
///
/// Scores are accumulated in `Double` over the query's distinct terms in sorted order, in
/// both evaluation strategies (term-at-a-time over postings, or document-at-a-time over a
/// small candidate set), so a document's score is bit-identical whichever path ran.
public struct InvertedIndex: Sendable {
    public struct Posting: Sendable, Hashable {
        public var ordinal: Int32
        public var termFrequency: Int32
    }

    struct ForwardEntry: Sendable {
        var term: Int32
        var termFrequency: Int32
    }

    public var parameters: BM25Parameters
    private var termIDs: [String: Int32] = [:]
    private var postings: [[Posting]] = []
    /// Per ordinal: the document's distinct terms sorted by term id; `nil` when absent.
    private var forward: [[ForwardEntry]?] = []
    private var fieldLengths: [Int32] = []
    public private(set) var documentCount = 0
    public private(set) var totalFieldLength = 0

    public init(parameters: BM25Parameters = BM25Parameters()) {
        self.parameters = parameters
    }

    /// Number of distinct terms ever seen (including terms whose documents were removed).
    public var vocabularySize: Int { termIDs.count }

    /// Mean field length over live documents (0 when empty).
    public var averageFieldLength: Double {
        documentCount == 0 ? 0 : Double(totalFieldLength) / Double(documentCount)
    }

    public func contains(ordinal: Int) -> Bool {
        ordinal < forward.count && forward[ordinal] != nil
    }

    /// Number of live documents containing `term` (an analysed term).
    public func documentFrequency(of term: String) -> Int {
        guard let id = termIDs[term] else { return 0 }
        return postings[Int(id)].count
    }

    public func fieldLength(ordinal: Int) -> Int {
        contains(ordinal: ordinal) ? Int(fieldLengths[ordinal]) : 0
    }

    /// Adds a document. `terms` are analysed terms with repeats (field length = `terms.count`).
    /// - Precondition: `ordinal` is not present.
    /// - Complexity: O(|terms| + Σ log df) amortised when ordinals grow; postings stay sorted.
    public mutating func insert(ordinal: Int, terms: [String]) {
        insert(ordinal: ordinal, counts: TermCounts(analyzer: "", terms: terms))
    }

    /// Adds a document given as distinct terms with frequencies (field length = Σ counts).
    /// Same result as ``insert(ordinal:terms:)`` with the expanded term list.
    /// - Precondition: `ordinal` is not present.
    public mutating func insert(ordinal: Int, counts termCounts: TermCounts) {
        precondition(!contains(ordinal: ordinal), "ordinal \(ordinal) already indexed")
        if ordinal >= forward.count {
            forward.append(contentsOf: repeatElement(nil, count: ordinal + 1 - forward.count))
            fieldLengths.append(contentsOf: repeatElement(0, count: ordinal + 1 - fieldLengths.count))
        }
        var entries: [ForwardEntry] = []
        entries.reserveCapacity(termCounts.terms.count)
        for (term, count) in zip(termCounts.terms, termCounts.counts) {
            let id: Int32
            if let existing = termIDs[term] {
                id = existing
            } else {
                id = Int32(postings.count)
                termIDs[term] = id
                postings.append([])
            }
            entries.append(ForwardEntry(term: id, termFrequency: count))
        }
        entries.sort { $0.term < $1.term }
        let fieldLength = termCounts.fieldLength
        for entry in entries {
            let posting = Posting(ordinal: Int32(ordinal), termFrequency: entry.termFrequency)
            let list = postings[Int(entry.term)]
            if let last = list.last, Int(last.ordinal) > ordinal {
                let at = Self.lowerBound(list, ordinal)
                postings[Int(entry.term)].insert(posting, at: at)
            } else {
                postings[Int(entry.term)].append(posting)
            }
        }
        forward[ordinal] = entries
        fieldLengths[ordinal] = Int32(fieldLength)
        documentCount += 1
        totalFieldLength += fieldLength
    }

    /// Removes a document; absent ordinals are ignored.
    /// - Complexity: O(Σ over its terms of log df + shift).
    public mutating func remove(ordinal: Int) {
        guard contains(ordinal: ordinal), let entries = forward[ordinal] else { return }
        for entry in entries {
            let list = postings[Int(entry.term)]
            let at = Self.lowerBound(list, ordinal)
            if at < list.count && Int(list[at].ordinal) == ordinal {
                postings[Int(entry.term)].remove(at: at)
            }
        }
        forward[ordinal] = nil
        documentCount -= 1
        totalFieldLength -= Int(fieldLengths[ordinal])
        fieldLengths[ordinal] = 0
    }

    /// BM25 top-k among `candidates` (all live documents when `nil`).
    ///
    /// - Parameters:
    ///   - terms: analysed query terms; repeats are ignored (each distinct term counts once).
    ///   - topK: how many to return, ≥ 0.
    ///   - key: tie-break key of an ordinal (the item id): equal scores rank by ascending key.
    /// - Returns: (ordinal, score) best first; only documents sharing a term with the query.
    public func search<Key: Comparable>(
        terms: [String], topK: Int, candidates: OrdinalSet?, key: (Int) -> Key
    ) -> [(ordinal: Int, score: Double)] {
        let query = queryTerms(terms)
        guard !query.isEmpty, topK > 0, documentCount > 0 else { return [] }
        var collector = TopKCollector<Key>(k: topK)
        let average = averageFieldLength
        let postingsWork = query.reduce(0) { $0 + postings[Int($1.id)].count }
        if let candidates, candidates.count * query.count * 4 < postingsWork {
            // Document-at-a-time over the (selective) candidate set.
            for member in candidates.members {
                let ordinal = Int(member)
                guard let entries = forward[ordinal] else { continue }
                var score = 0.0
                var matched = false
                for term in query {
                    guard let tf = Self.termFrequency(entries, term.id) else { continue }
                    score += contribution(tf: tf, idf: term.idf, ordinal: ordinal, average: average)
                    matched = true
                }
                if matched { collector.insert(score: score, ordinal: ordinal, key: key(ordinal)) }
            }
        } else {
            // Term-at-a-time over postings into a dense accumulator.
            var scores = [Double](repeating: 0, count: forward.count)
            var touched: [Int32] = []
            for term in query {
                for posting in postings[Int(term.id)] {
                    let ordinal = Int(posting.ordinal)
                    if let candidates, !candidates.contains(ordinal) { continue }
                    if scores[ordinal] == 0 { touched.append(posting.ordinal) }
                    scores[ordinal] += contribution(tf: posting.termFrequency, idf: term.idf, ordinal: ordinal, average: average)
                }
            }
            for member in touched {
                let ordinal = Int(member)
                collector.insert(score: scores[ordinal], ordinal: ordinal, key: key(ordinal))
            }
        }
        return collector.sorted().map { ($0.ordinal, $0.score) }
    }

    /// BM25 score of one document (0 if it shares no term or is absent). Same arithmetic as
    /// ``search(terms:topK:candidates:key:)``.
    public func score(terms: [String], ordinal: Int) -> Double {
        guard let entries = forward.indices.contains(ordinal) ? forward[ordinal] : nil else { return 0 }
        let average = averageFieldLength
        var score = 0.0
        for term in queryTerms(terms) {
            guard let tf = Self.termFrequency(entries, term.id) else { continue }
            score += contribution(tf: tf, idf: term.idf, ordinal: ordinal, average: average)
        }
        return score
    }

    // MARK: - Internals

    private struct QueryTerm {
        var text: String
        var id: Int32
        var idf: Double
    }

    /// Distinct known terms in ascending string order (the fixed summation order).
    private func queryTerms(_ terms: [String]) -> [QueryTerm] {
        Set(terms).sorted().compactMap { text in
            guard let id = termIDs[text], !postings[Int(id)].isEmpty else { return nil }
            let idf = BM25Parameters.inverseDocumentFrequency(
                documentCount: documentCount, documentFrequency: postings[Int(id)].count)
            return QueryTerm(text: text, id: id, idf: idf)
        }
    }

    @inline(__always)
    private func contribution(tf: Int32, idf: Double, ordinal: Int, average: Double) -> Double {
        parameters.termScore(idf: idf, termFrequency: tf, fieldLength: Int(fieldLengths[ordinal]), averageFieldLength: average)
    }

    private static func termFrequency(_ entries: [ForwardEntry], _ term: Int32) -> Int32? {
        var low = 0
        var high = entries.count
        while low < high {
            let mid = (low + high) / 2
            if entries[mid].term < term { low = mid + 1 } else { high = mid }
        }
        return low < entries.count && entries[low].term == term ? entries[low].termFrequency : nil
    }

    private static func lowerBound(_ list: [Posting], _ ordinal: Int) -> Int {
        var low = 0
        var high = list.count
        while low < high {
            let mid = (low + high) / 2
            if Int(list[mid].ordinal) < ordinal { low = mid + 1 } else { high = mid }
        }
        return low
    }
}
