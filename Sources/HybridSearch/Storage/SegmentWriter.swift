import CVectorKernels
import Foundation

/// One document as a segment stores it: what the in-memory indexes hold for an item.
public struct SegmentDocument: Sendable, Hashable {
    /// External id (unique within a segment).
    public var id: String
    /// Analysed terms with frequencies; the field length is their sum.
    public var terms: TermCounts
    public var metadata: [String: JSONValue]
    /// Seconds since 1970, or `nil`.
    public var createdAt: Double?
    /// The embedding (any length-`dimension` vector; stored L2-normalised), or `nil` for a
    /// segment without vectors.
    public var vector: [Float]?

    public init(
        id: String, terms: TermCounts, metadata: [String: JSONValue] = [:], createdAt: Double? = nil,
        vector: [Float]? = nil
    ) {
        self.id = id
        self.terms = terms
        self.metadata = metadata
        self.createdAt = createdAt
        self.vector = vector
    }
}

/// Encodes documents into the bytes of one immutable segment (``SegmentFormat``, version 3).
///
/// Ordinals are positions in `documents`. Complexity: O(total terms · log) for sorting the
/// dictionary and postings, O(n · d) for the vectors; the file is built in memory.
public enum SegmentWriter {
    /// For keys in order: the start table (u64 × (keys + 1): where each key's entries begin)
    /// and the entries of every key's list, concatenated.
    static func postingTables<Entry>(
        _ keys: [String], _ lists: [String: [Entry]], write: (inout SegmentByteWriter, Entry) -> Void
    ) -> ([UInt8], [UInt8]) {
        var starts = SegmentByteWriter()
        var entries = SegmentByteWriter()
        var position: UInt64 = 0
        for key in keys {
            starts.append(position)
            for entry in lists[key]! { write(&entries, entry) }
            position += UInt64(lists[key]!.count)
        }
        starts.append(position)
        return (starts.bytes, entries.bytes)
    }

    /// - Parameter dimension: the vector length (0: no vectors; every document's `vector`
    ///   must then be `nil`).
    /// - Throws: ``SearchError/invalidArgument(_:)`` for duplicate ids, a vector of the wrong
    ///   length or with NaN/∞, or more than 2³² − 1 documents.
    public static func encode(_ documents: [SegmentDocument], dimension: Int) throws(SearchError) -> Data {
        guard documents.count < Int(UInt32.max), dimension >= 0, dimension <= 1 << 20 else {
            throw .invalidArgument("a segment holds fewer than 2³² documents of dimension 0…2²⁰")
        }
        var seen = Set<String>()
        for document in documents where !seen.insert(document.id).inserted {
            throw .invalidArgument("id \"\(document.id)\" appears twice in one segment")
        }
        var sections: [SegmentFormat.Section: [UInt8]] = [:]
        let ids = documents.map(\.id)
        sections[.ids] = SegmentByteWriter.stringTable(ids)
        sections[.idOrder] = idOrder(ids)

        var lengths = SegmentByteWriter()
        var totalFieldLength: UInt64 = 0
        for document in documents {
            let length = document.terms.fieldLength
            lengths.append(UInt32(clamping: length))
            totalFieldLength += UInt64(length)
        }
        sections[.fieldLengths] = lengths.bytes

        // Postings: term → (ordinal, tf), ordinals ascending because documents are visited in order.
        var postingsByTerm: [String: [(UInt32, UInt32)]] = [:]
        for (ordinal, document) in documents.enumerated() {
            for (term, count) in zip(document.terms.terms, document.terms.counts) {
                postingsByTerm[term, default: []].append((UInt32(ordinal), UInt32(clamping: count)))
            }
        }
        let terms = postingsByTerm.keys.sorted(by: SegmentFormat.precedes)
        sections[.terms] = SegmentByteWriter.stringTable(terms)
        (sections[.postingStarts], sections[.postings]) = Self.postingTables(terms, postingsByTerm) { writer, posting in
            writer.append(posting.0)
            writer.append(posting.1)
        }

        var created = SegmentByteWriter()
        for document in documents { created.append(document.createdAt ?? .nan) }
        sections[.createdAt] = created.bytes

        for document in documents {
            // Canonical JSON recurses: depth first.
            try InMemorySearchBackend.checkNesting(document.metadata.values, what: "metadata of item \"\(document.id)\"")
        }
        sections[.metadata] = SegmentByteWriter.stringTable(documents.map { JSONValue.object($0.metadata).canonicalJSON })
        var ordinalsByKey: [String: [UInt32]] = [:]
        for (ordinal, document) in documents.enumerated() {
            for (key, value) in document.metadata {
                if let postingKey = SegmentFormat.metadataKey(key, value) {
                    ordinalsByKey[postingKey, default: []].append(UInt32(ordinal))
                }
            }
            for tag in Set(MetadataIndex.tags(of: document.metadata)) {
                ordinalsByKey[SegmentFormat.tagKey(tag), default: []].append(UInt32(ordinal))
            }
        }
        let keys = ordinalsByKey.keys.sorted(by: SegmentFormat.precedes)
        sections[.metadataKeys] = SegmentByteWriter.stringTable(keys)
        (sections[.metadataStarts], sections[.metadataOrdinals]) = Self.postingTables(keys, ordinalsByKey) { writer, ordinal in
            writer.append(ordinal)
        }

        var vectors = SegmentByteWriter()
        vectors.reserveCapacity(2 * dimension * documents.count)
        var halves = [UInt16](repeating: 0, count: dimension)
        for document in documents {
            switch (document.vector, dimension) {
            case (nil, 0): continue
            case (let vector?, _) where vector.count == dimension && dimension > 0:
                try DenseIndex.validate(vector, dimension: dimension, id: document.id)
                cvk_f32_to_f16(DenseIndex.normalized(vector), &halves, dimension)
                vectors.append(contentsOf: halves)
            default:
                throw .invalidArgument(
                    "document \"\(document.id)\" has \(document.vector.map { "a \($0.count)-dimensional vector" } ?? "no vector")"
                        + " in a segment of dimension \(dimension)")
            }
        }
        sections[.vectors] = vectors.bytes

        return layout(sections, documentCount: documents.count, dimension: dimension, totalFieldLength: totalFieldLength)
    }

    /// The `idOrder` section: ordinals sorted by their ids' UTF-8 bytes.
    static func idOrder(_ ids: [String]) -> [UInt8] {
        var writer = SegmentByteWriter()
        for ordinal in ids.indices.sorted(by: { SegmentFormat.precedes(ids[$0], ids[$1]) }) { writer.append(UInt32(ordinal)) }
        return writer.bytes
    }

    /// Lays sections out as a segment file: header, section table, then each section at a
    /// multiple of 64 bytes, zero-padded.
    static func layout(
        _ sections: [SegmentFormat.Section: [UInt8]], documentCount: Int, dimension: Int, totalFieldLength: UInt64
    ) -> Data {
        let kinds = SegmentFormat.Section.allCases
        var offset = SegmentFormat.headerSize + kinds.count * SegmentFormat.sectionEntrySize
        var table = SegmentByteWriter()
        var offsets: [Int] = []
        for kind in kinds {
            let content = sections[kind] ?? []
            offset = (offset + SegmentFormat.alignment - 1) / SegmentFormat.alignment * SegmentFormat.alignment
            offsets.append(offset)
            table.append(kind.rawValue)
            table.append(UInt32(0))
            table.append(UInt64(offset))
            table.append(UInt64(content.count))
            table.append(XXHash64.hash(content))
            offset += content.count
        }
        var header = SegmentByteWriter()
        header.append(bytes: SegmentFormat.magic)
        header.append(SegmentFormat.version)
        header.append(UInt32(documentCount))
        header.append(UInt32(dimension))
        header.append(UInt32(kinds.count))
        header.append(totalFieldLength)
        header.append(bytes: [UInt8](repeating: 0, count: 56 - header.bytes.count))
        header.append(XXHash64.hash(header.bytes + table.bytes))
        // Written once into the file's buffer: the sections (the vectors are most of a
        // segment) are not copied into an intermediate body first.
        var file = Data(capacity: offset)
        file.append(contentsOf: header.bytes)
        file.append(contentsOf: table.bytes)
        for (kind, start) in zip(kinds, offsets) {
            file.append(contentsOf: repeatElement(0, count: start - file.count))
            file.append(contentsOf: sections[kind] ?? [])
        }
        return file
    }
}
