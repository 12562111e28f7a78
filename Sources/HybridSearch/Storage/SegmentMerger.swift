import Foundation

/// Merges segments into one, dropping deleted documents: the classic postings merge (as
/// Lucene's `SegmentMerger`), not a re-analysis. Documents keep their order (segment by
/// segment, ordinal by ordinal); the term and metadata dictionaries are unions in UTF-8 byte
/// order, each posting list the concatenation of the inputs' lists with ordinals renumbered,
/// terms whose every posting was deleted dropped. Vector rows (binary16) are copied bit for
/// bit (normalising and rounding again could change their last bits), so the merged
/// segment scores exactly as its inputs did — and as a fresh build of the surviving items.
///
/// Inputs are checked against every checksum first, so damage is never copied into a new
/// segment whose checksums would then vouch for it.
///
/// Complexity: O(Σ postings + Σ terms · log(terms) + n · d); the output is built in memory.
/// A merge can be stopped: `shouldStop` is asked every ``checkInterval`` documents and every
/// ``checkInterval`` dictionary entries, so a stop takes effect within microseconds of work.
enum SegmentMerger {
    static let checkInterval = 1_024

    /// - Parameter shouldStop: asked while merging; `true` abandons the merge.
    /// - Returns: the merged segment's bytes, or `nil` when `shouldStop` stopped it.
    /// - Throws: ``SearchError/corruptSegment(name:reason:)`` when an input is damaged;
    ///   ``SearchError/invalidArgument(_:)`` when inputs differ in dimension.
    static func merge(
        _ inputs: [(segment: Segment, deleted: DeletedDocuments?)], dimension: Int, shouldStop: () -> Bool = { false }
    ) throws(SearchError) -> Data? {
        for input in inputs {
            guard input.segment.dimension == dimension else {
                throw .invalidArgument("segment \(input.segment.name) has dimension \(input.segment.dimension), not \(dimension)")
            }
            if shouldStop() { return nil }
            try input.segment.verifyChecksums()
        }
        // New ordinal of each surviving (input, ordinal); -1 for deleted.
        var renumbered: [[Int32]] = []
        var next: Int32 = 0
        for input in inputs {
            var map = [Int32](repeating: -1, count: input.segment.documentCount)
            for ordinal in 0..<input.segment.documentCount where !(input.deleted?.contains(ordinal) ?? false) {
                map[ordinal] = next
                next += 1
            }
            renumbered.append(map)
        }
        let count = Int(next)
        var sections: [SegmentFormat.Section: [UInt8]] = [:]

        var ids: [String] = []
        ids.reserveCapacity(count)
        var lengths = SegmentByteWriter()
        var created = SegmentByteWriter()
        var metadata: [[UInt8]] = []
        var vectors = SegmentByteWriter()
        var totalFieldLength: UInt64 = 0
        for (position, input) in inputs.enumerated() {
            let segment = input.segment
            for ordinal in 0..<segment.documentCount where renumbered[position][ordinal] >= 0 {
                if ids.count % Self.checkInterval == 0, shouldStop() { return nil }
                ids.append(segment.id(ordinal))
                let length = segment.fieldLength(ordinal)
                lengths.append(UInt32(length))
                totalFieldLength += UInt64(length)
                created.append(segment.createdAt(ordinal) ?? .nan)
                metadata.append(Array(segment.metadataBytes(ordinal)))
                if dimension > 0 { vectors.append(bytes: Array(segment.vectorBytes(ordinal))) }
            }
        }
        sections[.ids] = SegmentByteWriter.stringTable(ids)
        sections[.idOrder] = SegmentWriter.idOrder(ids)
        sections[.fieldLengths] = lengths.bytes
        sections[.createdAt] = created.bytes
        sections[.metadata] = SegmentByteWriter.stringTable(bytes: metadata)
        sections[.vectors] = vectors.bytes

        // Terms, then metadata keys: dictionaries merged, each list in input order.
        guard
            let terms = mergedLists(
                inputs.map { input in (0..<input.segment.termCount).map { input.segment.term(at: $0) } },
                renumbered: renumbered, shouldStop: shouldStop,
                entries: { input, index, emit in
                    for posting in inputs[input].segment.postings(termIndex: index) {
                        emit(posting.ordinal, UInt32(bitPattern: posting.termFrequency))
                    }
                })
        else { return nil }
        (sections[.terms], sections[.postingStarts], sections[.postings]) = terms
        guard
            let keys = mergedLists(
                inputs.map { input in (0..<input.segment.metadataKeyCount).map { input.segment.metadataKey(at: $0) } },
                renumbered: renumbered, shouldStop: shouldStop,
                entries: { input, index, emit in
                    for local in inputs[input].segment.ordinals(keyIndex: index) { emit(Int(local), nil) }
                })
        else { return nil }
        (sections[.metadataKeys], sections[.metadataStarts], sections[.metadataOrdinals]) = keys

        return SegmentWriter.layout(sections, documentCount: count, dimension: dimension, totalFieldLength: totalFieldLength)
    }

    /// One kind of posting lists merged: the union of the inputs' sorted dictionaries, each
    /// key's entries concatenated in input order — `entries(input, keyIndex, emit)` emits each
    /// (local ordinal, payload written after it) — with ordinals renumbered, deleted or
    /// out-of-range ones dropped, and keys left without entries dropped.
    /// - Returns: the key string table, the start table (u64 × (keys + 1)), the entries; `nil`
    ///   when `shouldStop` stopped it.
    private static func mergedLists(
        _ dictionaries: [[String]], renumbered: [[Int32]], shouldStop: () -> Bool,
        entries: (_ input: Int, _ keyIndex: Int, _ emit: (_ local: Int, _ payload: UInt32?) -> Void) -> Void
    ) -> ([UInt8], [UInt8], [UInt8])? {
        var keyTable: [String] = []
        var starts = SegmentByteWriter()
        var written = SegmentByteWriter()
        var position: UInt64 = 0
        for (number, (key, sources)) in union(dictionaries).enumerated() {
            if number % Self.checkInterval == 0, shouldStop() { return nil }
            let before = position
            for (input, index) in sources {
                entries(input, index) { local, payload in
                    guard local < renumbered[input].count, renumbered[input][local] >= 0 else { return }
                    if position == before { starts.append(before) }
                    written.append(UInt32(renumbered[input][local]))
                    if let payload { written.append(payload) }
                    position += 1
                }
            }
            if position > before { keyTable.append(key) }
        }
        starts.append(position)
        return (SegmentByteWriter.stringTable(keyTable), starts.bytes, written.bytes)
    }

    /// The union of sorted dictionaries, ascending by UTF-8 bytes: each entry with the
    /// (input, position) pairs that hold it, inputs ascending. Keyed by bytes, not `String`
    /// (whose equality is canonical equivalence), so distinct stored entries stay distinct.
    private static func union(_ dictionaries: [[String]]) -> [(String, [(Int, Int)])] {
        var sources: [[UInt8]: [(Int, Int)]] = [:]
        for (input, dictionary) in dictionaries.enumerated() {
            for (index, entry) in dictionary.enumerated() { sources[Array(entry.utf8), default: []].append((input, index)) }
        }
        return sources.keys.sorted { $0.lexicographicallyPrecedes($1) }.map { (String(decoding: $0, as: UTF8.self), sources[$0]!) }
    }
}
