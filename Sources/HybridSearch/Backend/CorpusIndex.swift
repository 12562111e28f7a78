/// Everything one corpus holds: both legs and the metadata postings, addressed by ordinal.
///
/// Ordinals of deleted items are reused, so memory stays proportional to the live item
/// count; rankings never depend on ordinals (ties break on item id).
struct CorpusIndex: RankingSource, Sendable {
    /// An item after analysis and embedding, ready to apply under the write lock.
    struct PreparedItem: Sendable {
        var item: SearchItem
        var terms: TermCounts
        /// `nil` when the dense leg is disabled.
        var vector: [Float]?
    }

    private(set) var lexical: InvertedIndex
    private(set) var dense: DenseIndex
    private var metadataIndex = MetadataIndex()
    private var ids: [String] = []
    private var metadata: [[String: JSONValue]] = []
    private var createdAt: [Double?] = []
    private var ordinals: [String: Int] = [:]
    private var freeOrdinals: [Int] = []

    init(configuration: SearchConfiguration, dimension: Int) {
        lexical = InvertedIndex(parameters: configuration.bm25)
        dense = DenseIndex(dimension: dimension, kernel: configuration.scanKernel)
    }

    var count: Int { ordinals.count }

    mutating func upsert(_ prepared: PreparedItem) {
        delete(id: prepared.item.id)
        let ordinal = freeOrdinals.popLast() ?? ids.count
        if ordinal == ids.count {
            ids.append(prepared.item.id)
            metadata.append(prepared.item.metadata)
            createdAt.append(prepared.item.createdAt)
        } else {
            ids[ordinal] = prepared.item.id
            metadata[ordinal] = prepared.item.metadata
            createdAt[ordinal] = prepared.item.createdAt
        }
        ordinals[prepared.item.id] = ordinal
        lexical.insert(ordinal: ordinal, counts: prepared.terms)
        if let vector = prepared.vector { dense.set(ordinal: ordinal, vector: vector) }
        metadataIndex.insert(ordinal: ordinal, metadata: prepared.item.metadata, createdAt: prepared.item.createdAt)
    }

    mutating func delete(id: String) {
        guard let ordinal = ordinals.removeValue(forKey: id) else { return }
        lexical.remove(ordinal: ordinal)
        dense.remove(ordinal: ordinal)
        metadataIndex.remove(ordinal: ordinal, metadata: metadata[ordinal])
        ids[ordinal] = ""
        metadata[ordinal] = [:]
        createdAt[ordinal] = nil
        freeOrdinals.append(ordinal)
    }

    /// The live ordinals passing the filter, `nil` meaning "all" (also when the filter
    /// happens to select every item: the unfiltered scans are faster and rank identically).
    func candidates(for filter: MetadataFilter) -> OrdinalSet? {
        let set = metadataIndex.resolve(filter, capacity: ids.count) {
            ordinals.values.map { Int32($0) }
        }
        if let set, set.count == count { return nil }
        return set
    }

    func lexicalRanking(terms: [String], topK: Int, candidates: OrdinalSet?) -> RankedList {
        lexical.search(terms: terms, topK: topK, candidates: candidates) { ids[$0] }
    }

    func semanticRanking(vector: [Float], topK: Int, candidates: OrdinalSet?) -> RankedList {
        dense.search(query: vector, topK: topK, candidates: candidates) { ids[$0] }
    }

    func createdAt(ordinal: Int) -> Double? { createdAt[ordinal] }

    func numericValues(key: String) -> [Int32: Double] { metadataIndex.numericValues(key: key) }

    func forEachNewestFirst<State>(_ candidates: OrdinalSet?, _ state: inout State, _ body: (inout State, Int, Double?) -> Void) {
        if let candidates {
            for member in candidates.members.reversed() { body(&state, Int(member), createdAt[Int(member)]) }
        } else {
            for ordinal in ordinals.values { body(&state, ordinal, createdAt[ordinal]) }
        }
    }

    func hit(ordinal: Int, corpus: String, score: Double, explanation: HitExplanation?, metadata wanted: Bool) -> SearchHit {
        SearchHit(
            itemID: ids[ordinal], corpus: corpus, score: score, metadata: wanted ? metadata[ordinal] : [:],
            createdAt: createdAt[ordinal], explanation: explanation)
    }

    func id(ordinal: Int) -> String { ids[ordinal] }
}
