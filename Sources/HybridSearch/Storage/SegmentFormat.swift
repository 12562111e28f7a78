import Foundation

/// The byte layout of a segment file, version 3. A segment never changes once written;
/// deletes are kept beside it (``DeletedDocuments``).
///
/// All integers are little-endian; every section starts at a multiple of 64 bytes, so the
/// vector rows a mapped segment hands to the SIMD kernel stay aligned.
///
/// ```text
/// [0, 64)        header
///                  0  magic "AHSEGMNT"          8 bytes
///                  8  format version            u32 (3)
///                 12  document count n          u32
///                 16  vector dimension d        u32 (0: no vectors)
///                 20  section count k           u32
///                 24  total field length        u64 (Σ field lengths)
///                 32  reserved                  zeros up to 56
///                 56  header checksum           u64: XXH64 of bytes [0, 56) ++ the section table
/// [64, 64+32k)   section table, one entry per section:
///                  kind u32 | reserved u32 | offset u64 | length u64 | XXH64 of the section
/// sections, in kind order:
///   1 ids               string table of the n external ids (ordinal order)
///   2 fieldLengths      u32 × n: analysed terms per document
///   3 terms             string table of the distinct terms, ascending by UTF-8 bytes
///   4 postingStarts     u64 × (terms + 1): where each term's postings begin in section 5
///   5 postings          (ordinal u32, term frequency u32) pairs, by term, then ordinal
///   6 createdAt         f64 × n: seconds since 1970, NaN when absent
///   7 metadata          string table of each document's metadata as canonical JSON
///   8 metadataKeys      string table of posting keys, ascending by UTF-8 bytes:
///                       "<key>\u{0}<canonical value>" and "\u{1}tag\u{0}<tag>"
///   9 metadataStarts    u64 × (keys + 1): where each key's ordinals begin in section 10
///  10 metadataOrdinals  u32 ordinals, by key, ascending
///  11 vectors           binary16 × n × d (IEEE 754 half precision, u16 bits), row-major:
///                       each row is the L2-normalised vector, rounded to nearest even
///  12 idOrder           u32 × n: the ordinals sorted by their ids' UTF-8 bytes (looking an
///                       id up is a binary search, nothing is built on open)
/// ```
///
/// A string table is `count u32 | offsets u32 × (count + 1) | UTF-8 bytes`, offsets counted
/// from the first byte after the offsets. Ids, terms and keys compare by UTF-8 bytes, never
/// by Swift's `String` ordering, so every platform sorts and searches them alike.
///
/// Version history (an older version reads as "another format": the index is rebuilt):
/// 1 had no `idOrder`; 2 stored vectors as f32 (twice the bytes; binary16 changed no
/// SciFact figure and halves the dense scan, Benchmarks/RESULTS.md).
enum SegmentFormat {
    static let magic = Array("AHSEGMNT".utf8)
    static let version: UInt32 = 3
    static let headerSize = 64
    static let sectionEntrySize = 32
    static let alignment = 64

    enum Section: UInt32, CaseIterable {
        case ids = 1, fieldLengths, terms, postingStarts, postings, createdAt, metadata, metadataKeys,
            metadataStarts, metadataOrdinals, vectors, idOrder
    }

    /// The posting key of one metadata value (`nil`: NaN, which equals nothing), as the
    /// in-memory metadata postings key it.
    /// Keys are stored in Unicode NFC: Swift compares strings by canonical equivalence (and so
    /// do the in-memory postings), bytes do not, so both sides of a lookup are composed first.
    static func metadataKey(_ key: String, _ value: JSONValue) -> String? {
        MetadataIndex.indexKey(value).map { (key + "\u{0}" + $0).canonicallyComposed }
    }

    static func tagKey(_ tag: String) -> String { ("\u{1}tag\u{0}" + tag).canonicallyComposed }

    /// Byte order of UTF-8, the order of every sorted table.
    static func precedes(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }
}

/// Appends little-endian values to a growing byte array.
struct SegmentByteWriter {
    private(set) var bytes: [UInt8] = []

    mutating func append<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func append(_ value: Double) { append(value.bitPattern) }
    mutating func append(_ value: Float) { append(value.bitPattern) }
    mutating func append(bytes other: [UInt8]) { bytes.append(contentsOf: other) }

    /// Values appended in one copy (each little-endian, as ``append(_:)`` writes them).
    mutating func append<T: FixedWidthInteger>(contentsOf values: [T]) {
        #if _endian(little)
            values.withUnsafeBytes { bytes.append(contentsOf: $0) }
        #else
            for value in values { append(value) }
        #endif
    }

    mutating func reserveCapacity(_ count: Int) { bytes.reserveCapacity(count) }

    mutating func pad(to alignment: Int) {
        let remainder = bytes.count % alignment
        if remainder != 0 { bytes.append(contentsOf: repeatElement(0, count: alignment - remainder)) }
    }

    /// `count | offsets | bytes` (see ``SegmentFormat``).
    static func stringTable(_ strings: [String]) -> [UInt8] {
        stringTable(bytes: strings.map { Array($0.utf8) })
    }

    /// A string table of UTF-8 byte strings as stored (a merge copies them without decoding).
    static func stringTable(bytes entries: [[UInt8]]) -> [UInt8] {
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
