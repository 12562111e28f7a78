import Foundation

/// One corpus searched over a set of segments, with the in-memory backend's exact semantics:
/// the same request flow (``RankingSource``), filters resolved to candidates before either
/// leg, BM25 statistics over all segments, the same tie rules. For the same items it returns
/// the same hits, scores bit for bit, whatever the split into segments (property-tested).
///
/// Items are addressed by global ordinals: segment `i`'s ordinals follow those of segments
/// `0..<i`. Deleted documents (``DeletedDocuments``, per segment) keep their ordinals but
/// count nowhere: not in BM25 statistics, not as candidates of either leg. An id must be
/// live in at most one segment.
public struct SegmentedIndex: Sendable {
    public let segments: [Segment]
    public let configuration: SearchConfiguration
    public let analyzer: any Analyzer
    public let embedder: any Embedder
    /// Per segment, its deleted documents (`nil`: none).
    public let deletions: [DeletedDocuments?]
    /// First global ordinal of each segment, and the total (deleted ordinals included).
    private let bases: [Int]
    public let count: Int
    /// Global ordinals of deleted documents, `nil` when there are none.
    private let deletedOrdinals: OrdinalSet?
    /// Shares whole-index dense scans with concurrent searches (a ``PersistentIndex``'s).
    let denseScans: DenseScanBatcher?

    /// - Parameter deletions: per segment (same order), its deleted documents; missing
    ///   entries mean none.
    public init(
        segments: [Segment], deletions: [DeletedDocuments?] = [], analyzer: any Analyzer = StandardAnalyzer(),
        embedder: any Embedder = HashedNGramEmbedder(), configuration: SearchConfiguration = SearchConfiguration()
    ) {
        self.init(
            segments: segments, deletions: deletions, analyzer: analyzer, embedder: embedder, configuration: configuration,
            denseScans: nil)
    }

    init(
        segments: [Segment], deletions: [DeletedDocuments?], analyzer: any Analyzer, embedder: any Embedder,
        configuration: SearchConfiguration, denseScans: DenseScanBatcher?
    ) {
        self.denseScans = denseScans
        self.segments = segments
        self.deletions = DeletedDocuments.perSegment(deletions, count: segments.count)
        self.analyzer = analyzer
        self.embedder = embedder
        self.configuration = configuration
        var bases: [Int] = []
        var total = 0
        for segment in segments {
            bases.append(total)
            total += segment.documentCount
        }
        self.bases = bases
        self.count = total
        var deleted: [Int32] = []
        for (index, set) in self.deletions.enumerated() {
            for ordinal in set?.ordinals ?? [] { deleted.append(Int32(bases[index] + ordinal)) }
        }
        deletedOrdinals = deleted.isEmpty ? nil : OrdinalSet(sortedMembers: deleted, capacity: total)
    }

    /// Ranks `request` (its corpus is not looked at: a segmented index holds one corpus).
    /// - Throws: as ``InMemorySearchBackend/search(_:)``.
    public func search(_ request: SearchRequest) throws(SearchError) -> [SearchHit] {
        guard
            let query = try QueryPreparation.prepare(
                request, analyzer: analyzer, embedder: embedder, configuration: configuration)
        else { return [] }
        return rank(request, query: query, configuration: configuration)
    }

    /// The segment and its ordinal of a global ordinal.
    func locate(_ ordinal: Int) -> (segment: Int, local: Int) {
        var low = 0
        var high = bases.count
        while low + 1 < high {
            let mid = (low + high) / 2
            if bases[mid] <= ordinal { low = mid } else { high = mid }
        }
        // Empty segments share a base with the next one: step to the segment that holds it.
        var segment = low
        while ordinal - bases[segment] >= segments[segment].documentCount { segment += 1 }
        return (segment, ordinal - bases[segment])
    }

    func createdAt(_ ordinal: Int) -> Double? {
        let (segment, local) = locate(ordinal)
        return segments[segment].createdAt(local)
    }
}

extension SegmentedIndex: RankingSource {
    func candidates(for filter: MetadataFilter) -> OrdinalSet? {
        /// Global ordinals of one posting key across segments (ascending: bases grow).
        func global(_ list: (Segment) -> UnsafeBufferPointer<UInt32>) -> [Int32] {
            var result: [Int32] = []
            for (index, segment) in segments.enumerated() {
                let base = bases[index]
                // Metadata ordinals are not checksummed on open: one out of range or out of
                // order (damage) is skipped, so the list stays strictly increasing.
                var previous = -1
                for local in list(segment) where Int(local) < segment.documentCount && Int(local) > previous {
                    result.append(Int32(base + Int(local)))
                    previous = Int(local)
                }
            }
            return result
        }
        /// One posting list in every segment (not copied).
        func buffers(_ list: PostingProbe.List) -> [UnsafeBufferPointer<UInt32>] {
            switch list {
            case .value(let key, let value): return segments.map { $0.ordinals(key: key, value: value) }
            case .tag(let tag): return segments.map { $0.ordinals(tag: tag) }
            }
        }
        let probe = PostingProbe(
            count: { list in buffers(list).reduce(0) { $0 + $1.count } },
            membership: { list in
                let lists = buffers(list)
                return { ordinal in
                    let (segment, local) = locate(Int(ordinal))
                    return Self.contains(lists[segment], UInt32(local))
                }
            })
        let set = MetadataIndex.resolve(
            filter, capacity: count,
            postings: { key, value in global { $0.ordinals(key: key, value: value) } },
            tagged: { tag in global { $0.ordinals(tag: tag) } },
            live: { (0..<count).map { Int32($0) } },
            createdAt: { createdAt($0) ?? .nan }, probe: probe)
        guard let deletedOrdinals else {
            if let set, set.count == count { return nil }
            return set
        }
        // Deleted documents are never candidates, so with deletes there is always a set.
        let members = set?.members ?? (0..<count).map { Int32($0) }
        return OrdinalSet(sortedMembers: members.filter { !deletedOrdinals.contains(Int($0)) }, capacity: count)
    }

    /// Binary search of an ascending posting list (a damaged, unsorted one gives a wrong
    /// answer, never a crash: every probe stays inside the buffer).
    static func contains(_ list: UnsafeBufferPointer<UInt32>, _ value: UInt32) -> Bool {
        var low = 0
        var high = list.count
        while low < high {
            let mid = (low + high) / 2
            if list[mid] < value { low = mid + 1 } else { high = mid }
        }
        return low < list.count && list[low] == value
    }

    func lexicalRanking(terms: [String], topK: Int, candidates: OrdinalSet?) -> RankedList {
        SegmentSearch.lexicalRanking(
            segments, deletions: deletions, terms: terms, parameters: configuration.bm25, topK: topK, candidates: candidates
        ).sorted().map { ($0.ordinal, $0.score) }
    }

    func semanticRanking(vector: [Float], topK: Int, candidates: OrdinalSet?) -> RankedList {
        let collector: TopKCollector<String>
        if candidates == nil, let denseScans {
            collector = denseScans.ranking(segments: segments, deletions: deletions, query: vector, topK: topK)
        } else {
            collector = SegmentSearch.denseRanking(segments, deletions: deletions, query: vector, topK: topK, candidates: candidates)
        }
        return collector.sorted().map { ($0.ordinal, $0.score) }
    }

    func createdAt(ordinal: Int) -> Double? { createdAt(ordinal) }

    func numericValues(key: String) -> [Int32: Double] {
        var result: [Int32: Double] = [:]
        for (index, segment) in segments.enumerated() {
            let base = bases[index]
            let gone = deletions[index]
            for (number, ordinals) in segment.numbers(key: key) {
                for local in ordinals where Int(local) < segment.documentCount && !(gone?.contains(Int(local)) ?? false) {
                    result[Int32(base + Int(local))] = number
                }
            }
        }
        return result
    }

    /// Segment by segment from the last, each read in place (no search for the segment of
    /// each ordinal: a structural list visits every candidate).
    func forEachNewestFirst<State>(_ candidates: OrdinalSet?, _ state: inout State, _ body: (inout State, Int, Double?) -> Void) {
        for index in segments.indices.reversed() {
            let segment = segments[index]
            let base = bases[index]
            if let candidates {
                for member in candidates.members(in: base..<(base + segment.documentCount)).reversed() {
                    body(&state, Int(member), segment.createdAt(Int(member) - base))
                }
            } else {
                let gone = deletions[index]
                for local in (0..<segment.documentCount).reversed() where !(gone?.contains(local) ?? false) {
                    body(&state, base + local, segment.createdAt(local))
                }
            }
        }
    }

    func hit(ordinal: Int, corpus: String, score: Double, explanation: HitExplanation?, metadata: Bool) -> SearchHit {
        let (segment, local) = locate(ordinal)
        return SearchHit(
            itemID: segments[segment].id(local), corpus: corpus, score: score,
            metadata: metadata ? (try? segments[segment].metadata(local)) ?? [:] : [:], createdAt: segments[segment].createdAt(local),
            explanation: explanation)
    }

    func id(ordinal: Int) -> String {
        let (segment, local) = locate(ordinal)
        return segments[segment].id(local)
    }
}
