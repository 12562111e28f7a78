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
enum SegmentMerger {
    /// - Throws: ``SearchError/corruptSegment(name:reason:)`` when an input is damaged;
    ///   ``SearchError/invalidArgument(_:)`` when inputs differ in dimension.
    static func merge(_ inputs: [(segment: Segment, deleted: DeletedDocuments?)], dimension: Int) throws(SearchError) -> Data {
        for input in inputs {
            guard input.segment.dimension == dimension else {
                throw .invalidArgument("segment \(input.segment.name) has dimension \(input.segment.dimension), not \(dimension)")
            }
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
        sections[.metadata] = byteTable(metadata)
        sections[.vectors] = vectors.bytes

        // Terms: the union of the dictionaries, each term's postings in input order.
        let terms = union(inputs.map { input in (0..<input.segment.termCount).map { input.segment.term(at: $0) } })
        var termTable: [String] = []
        var termStarts = SegmentByteWriter()
        var postings = SegmentByteWriter()
        var position: UInt64 = 0
        for (term, sources) in terms {
            let before = position
            for (input, index) in sources {
                for posting in inputs[input].segment.postings(termIndex: index) {
                    guard posting.ordinal < renumbered[input].count else { continue }
                    let ordinal = renumbered[input][posting.ordinal]
                    guard ordinal >= 0 else { continue }
                    if position == before { termStarts.append(before) }
                    postings.append(UInt32(ordinal))
                    postings.append(UInt32(bitPattern: posting.termFrequency))
                    position += 1
                }
            }
            if position > before { termTable.append(term) }
        }
        termStarts.append(position)
        sections[.terms] = SegmentByteWriter.stringTable(termTable)
        sections[.postingStarts] = termStarts.bytes
        sections[.postings] = postings.bytes

        // Metadata postings the same way.
        let keys = union(inputs.map { input in (0..<input.segment.metadataKeyCount).map { input.segment.metadataKey(at: $0) } })
        var keyTable: [String] = []
        var keyStarts = SegmentByteWriter()
        var ordinals = SegmentByteWriter()
        position = 0
        for (key, sources) in keys {
            let before = position
            for (input, index) in sources {
                for local in inputs[input].segment.ordinals(keyIndex: index) {
                    guard Int(local) < renumbered[input].count else { continue }
                    let ordinal = renumbered[input][Int(local)]
                    guard ordinal >= 0 else { continue }
                    if position == before { keyStarts.append(before) }
                    ordinals.append(UInt32(ordinal))
                    position += 1
                }
            }
            if position > before { keyTable.append(key) }
        }
        keyStarts.append(position)
        sections[.metadataKeys] = SegmentByteWriter.stringTable(keyTable)
        sections[.metadataStarts] = keyStarts.bytes
        sections[.metadataOrdinals] = ordinals.bytes

        return SegmentWriter.layout(sections, documentCount: count, dimension: dimension, totalFieldLength: totalFieldLength)
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

    /// A string table of raw UTF-8 byte strings (``SegmentFormat``).
    private static func byteTable(_ entries: [[UInt8]]) -> [UInt8] {
        var writer = SegmentByteWriter()
        writer.append(UInt32(entries.count))
        var offset: UInt32 = 0
        writer.append(offset)
        for entry in entries {
            offset += UInt32(entry.count)
            writer.append(offset)
        }
        for entry in entries { writer.append(bytes: entry) }
        return writer.bytes
    }
}
