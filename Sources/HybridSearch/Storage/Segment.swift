import Foundation

/// A read-only view of one segment file (``SegmentFormat``): opened by checking its header
/// and checksums, then read in place — nothing is decoded or copied up front.
///
/// Ordinals are `0..<documentCount`, the order the writer was given. Lookups: a term by
/// binary search over the sorted dictionary (O(log terms)), its postings as a contiguous
/// slice; an id, field length, creation time or vector row in O(1).
///
/// A class, not a struct: searches index arrays of segments in their inner loops, and a
/// struct of several references was copied (each field retained and released) on every such
/// access — most of the time of a structural list over 100,000 items went to that.
public final class Segment: @unchecked Sendable {
    /// How much of the file to check on open.
    public enum Verification: Sendable, Hashable {
        /// Header, table and every section's checksum (reads the whole file once).
        case full
        /// Header and section-table checksums and every section's size and bounds — what opening
        /// needs to read (a few hundred bytes) — but no section's contents: those are checked
        /// when the segment is written, before it is merged and by ``verifyChecksums()`` (the
        /// store's `verify`), as Lucene checks its large files on merge and in `CheckIndex`
        /// rather than on open. Every read stays in bounds whatever a section holds (start
        /// tables and string offsets are checked per lookup, ordinals out of range and NaN rows
        /// are skipped), so damage there can give a wrong answer until `verify` finds it, never
        /// a crash. Checking the sections that locate the others on open (≈ 2.6 MB at 100,000
        /// documents) cost about a tenth of a cold search.
        case standard
    }

    public let name: String
    public let documentCount: Int
    public let dimension: Int
    /// Σ field lengths over the segment's documents.
    public let totalFieldLength: Int
    let bytes: SegmentBytes
    /// Section entries by kind (``SegmentFormat/Section`` raw value − 1): an array, not a
    /// dictionary, because lookups sit in the scoring loops.
    private let sections: SectionTable
    private let ids: StringTable
    private let terms: StringTable
    private let keys: StringTable
    private let metadataTable: StringTable
    /// Entries of the postings and metadata-ordinals sections: the bounds every slice of their
    /// start tables is checked against when read (not on open, which would read the tables).
    private let postingCount: Int
    private let metadataOrdinalCount: Int

    /// Opens the segment in `bytes`.
    /// - Throws: ``SearchError/corruptSegment(name:reason:)`` for a wrong magic or version, a
    ///   checksum mismatch, or a section out of bounds.
    public init(name: String, bytes: SegmentBytes, verification: Verification = .full) throws(SearchError) {
        self.name = name
        self.bytes = bytes
        let buffer = bytes.buffer
        func fail(_ reason: String) -> SearchError { .corruptSegment(name: name, reason: reason) }
        guard buffer.count >= SegmentFormat.headerSize,
            Array(buffer[0..<SegmentFormat.magic.count]) == SegmentFormat.magic
        else { throw fail("not a segment file (no header)") }
        let version: UInt32 = Self.load(buffer, 8)
        guard version == SegmentFormat.version else {
            throw fail("format version \(version), this build reads version \(SegmentFormat.version)")
        }
        documentCount = Int(Self.load(buffer, 12) as UInt32)
        dimension = Int(Self.load(buffer, 16) as UInt32)
        let sectionCount = Int(Self.load(buffer, 20) as UInt32)
        totalFieldLength = Int(truncatingIfNeeded: Self.load(buffer, 24) as UInt64)
        let tableEnd = SegmentFormat.headerSize + sectionCount * SegmentFormat.sectionEntrySize
        guard sectionCount == SegmentFormat.Section.allCases.count, buffer.count >= tableEnd else {
            throw fail("truncated section table")
        }
        let headerChecksum: UInt64 = Self.load(buffer, 56)
        var covered = Array(buffer[0..<56])
        covered += buffer[SegmentFormat.headerSize..<tableEnd]
        guard XXHash64.hash(covered) == headerChecksum else { throw fail("header checksum mismatch") }
        var sections = SectionTable()
        for index in 0..<sectionCount {
            let entry = SegmentFormat.headerSize + index * SegmentFormat.sectionEntrySize
            guard let kind = SegmentFormat.Section(rawValue: Self.load(buffer, entry)) else {
                throw fail("unknown section kind")
            }
            let offset = Int(truncatingIfNeeded: Self.load(buffer, entry + 8) as UInt64)
            let length = Int(truncatingIfNeeded: Self.load(buffer, entry + 16) as UInt64)
            guard offset >= tableEnd, length >= 0, offset % SegmentFormat.alignment == 0,
                offset <= buffer.count, length <= buffer.count - offset
            else { throw fail("section \(kind) out of bounds") }
            sections[kind] = (offset, length, Self.load(buffer, entry + 24))
        }
        guard sections.isComplete else { throw fail("a section is missing or listed twice") }
        self.sections = sections
        func table(_ kind: SegmentFormat.Section) throws(SearchError) -> StringTable {
            guard let table = StringTable(buffer, section: sections[kind]!) else { throw fail("malformed \(kind) table") }
            return table
        }
        ids = try table(.ids)
        terms = try table(.terms)
        keys = try table(.metadataKeys)
        metadataTable = try table(.metadata)
        let n = documentCount
        func expect(_ kind: SegmentFormat.Section, _ length: Int) throws(SearchError) {
            guard sections[kind]!.length == length else { throw fail("section \(kind) has the wrong size") }
        }
        guard ids.count == n, metadataTable.count == n else { throw fail("id or metadata count differs from the header") }
        try expect(.fieldLengths, 4 * n)
        try expect(.postingStarts, 8 * (terms.count + 1))
        try expect(.createdAt, 8 * n)
        try expect(.metadataStarts, 8 * (keys.count + 1))
        try expect(.vectors, 2 * n * dimension)
        guard sections[.postings]!.length % 8 == 0, sections[.metadataOrdinals]!.length % 4 == 0 else {
            throw fail("postings are not whole entries")
        }
        postingCount = sections[.postings]!.length / 8
        metadataOrdinalCount = sections[.metadataOrdinals]!.length / 4
        try expect(.idOrder, 4 * n)
        switch verification {
        case .full: try verifyChecksums()
        case .standard: break
        }
    }

    /// Checks every section against its checksum (reads the whole file).
    /// - Throws: ``SearchError/corruptSegment(name:reason:)`` naming the damaged section.
    public func verifyChecksums() throws(SearchError) {
        // Alignment padding is part of no section: it must be zeros, and nothing may follow
        // the last section, so every byte of the file is accounted for.
        var position = SegmentFormat.headerSize + sections.entries.count * SegmentFormat.sectionEntrySize
        for section in sections.entries.sorted(by: { ($0.offset, $0.length) < ($1.offset, $1.length) }) {
            guard section.offset >= position, bytes.buffer[position..<section.offset].allSatisfy({ $0 == 0 }) else {
                throw .corruptSegment(name: name, reason: "damaged padding before offset \(section.offset)")
            }
            position = section.offset + section.length
        }
        guard position == bytes.buffer.count else {
            throw .corruptSegment(name: name, reason: "\(bytes.buffer.count - position) unexpected bytes after the last section")
        }
        for kind in SegmentFormat.Section.allCases {
            let section = sections[kind]!
            let slice = UnsafeRawBufferPointer(rebasing: bytes.buffer[section.offset..<(section.offset + section.length)])
            guard XXHash64.hash(slice) == section.checksum else {
                throw .corruptSegment(name: name, reason: "checksum mismatch in section \(kind)")
            }
        }
    }

    /// Where a section lies in the file (tests of what each verification covers).
    func byteRange(of kind: SegmentFormat.Section) -> Range<Int> {
        sections[kind]!.offset..<(sections[kind]!.offset + sections[kind]!.length)
    }

    // MARK: Documents

    /// The external id of `ordinal`.
    public func id(_ ordinal: Int) -> String { ids.string(ordinal) }

    /// Analysed terms of `ordinal`.
    public func fieldLength(_ ordinal: Int) -> Int {
        Int(Self.load(bytes.buffer, sections[.fieldLengths]!.offset + 4 * ordinal) as UInt32)
    }

    /// Seconds since 1970, or `nil` when the document has none.
    public func createdAt(_ ordinal: Int) -> Double? {
        let bits: UInt64 = Self.load(bytes.buffer, sections[.createdAt]!.offset + 8 * ordinal)
        let value = Double(bitPattern: bits)
        return value.isNaN ? nil : value
    }

    /// The metadata of `ordinal` (decoded from its canonical JSON).
    /// - Throws: ``SearchError/corruptSegment(name:reason:)`` when it does not decode.
    public func metadata(_ ordinal: Int) throws(SearchError) -> [String: JSONValue] {
        guard case .object(let members)? = try? JSONDecoder().decode(JSONValue.self, from: metadataTable.data(ordinal)) else {
            throw .corruptSegment(name: name, reason: "metadata of ordinal \(ordinal) is not a JSON object")
        }
        return members
    }

    /// The vector row of `ordinal`: `dimension` binary16 values (the L2-normalised vector,
    /// rounded), 64-byte aligned when `dimension` is a multiple of 32; valid while the segment
    /// is alive.
    public func vector(_ ordinal: Int) -> UnsafeBufferPointer<UInt16> {
        let start = bytes.buffer.baseAddress! + sections[.vectors]!.offset + 2 * dimension * ordinal
        return UnsafeBufferPointer(start: start.bindMemory(to: UInt16.self, capacity: dimension), count: dimension)
    }

    /// The ordinal of the document with external id `id`, or `nil`. O(log n), by the
    /// `idOrder` section (no table is built on open).
    public func ordinal(ofID id: String) -> Int? {
        let order = sections[.idOrder]!.offset
        var target = id
        return target.withUTF8 { wanted -> Int? in
            let wanted = UnsafeRawBufferPointer(wanted)
            var low = 0
            var high = documentCount
            while low < high {
                let mid = (low + high) / 2
                let ordinal = Int(Self.load(bytes.buffer, order + 4 * mid) as UInt32)
                guard ordinal < documentCount else { return nil }  // damaged: not found
                if ids.bytes(ordinal).lexicographicallyPrecedes(wanted) { low = mid + 1 } else { high = mid }
            }
            guard low < documentCount else { return nil }
            let ordinal = Int(Self.load(bytes.buffer, order + 4 * low) as UInt32)
            guard ordinal < documentCount, ids.bytes(ordinal).elementsEqual(wanted) else { return nil }
            return ordinal
        }
    }

    /// The canonical JSON bytes of `ordinal`'s metadata, as stored.
    func metadataBytes(_ ordinal: Int) -> UnsafeRawBufferPointer { metadataTable.bytes(ordinal) }

    /// The stored (normalised) vector row of `ordinal` as bytes.
    func vectorBytes(_ ordinal: Int) -> UnsafeRawBufferPointer {
        let start = sections[.vectors]!.offset + 2 * dimension * ordinal
        return UnsafeRawBufferPointer(rebasing: bytes.buffer[start..<(start + 2 * dimension)])
    }

    // MARK: Terms and postings

    /// Number of distinct terms.
    public var termCount: Int { terms.count }

    /// The term at a dictionary position (ascending by UTF-8 bytes).
    public func term(at index: Int) -> String { terms.string(index) }

    /// The dictionary position of `term`, or `nil`. O(log terms).
    public func termIndex(of term: String) -> Int? { terms.index(of: term) }

    /// Documents of this segment containing `term`.
    public func documentFrequency(of term: String) -> Int {
        guard let index = termIndex(of: term) else { return 0 }
        return postingRange(index).count
    }

    /// The postings of the term at `index`: (ordinal, term frequency), ordinals ascending.
    public func postings(termIndex index: Int) -> SegmentPostings {
        let range = postingRange(index)
        let base = bytes.buffer.baseAddress! + sections[.postings]!.offset + 8 * range.lowerBound
        return SegmentPostings(base: base.bindMemory(to: UInt32.self, capacity: 2 * range.count), count: range.count)
    }

    private func postingRange(_ index: Int) -> Range<Int> {
        Self.slice(bytes.buffer, starts: sections[.postingStarts]!.offset, index, total: postingCount)
    }

    /// Entries `starts[index]..<starts[index + 1]` of a start table, or an empty range when the
    /// pair is damaged (decreasing, or past `total`): reads never leave their section.
    private static func slice(_ buffer: UnsafeRawBufferPointer, starts: Int, _ index: Int, total: Int) -> Range<Int> {
        let low = UInt64(littleEndian: buffer.loadUnaligned(fromByteOffset: starts + 8 * index, as: UInt64.self))
        let high = UInt64(littleEndian: buffer.loadUnaligned(fromByteOffset: starts + 8 * (index + 1), as: UInt64.self))
        guard low <= high, high <= UInt64(total) else { return 0..<0 }
        return Int(low)..<Int(high)
    }

    // MARK: Metadata postings

    /// Ordinals (ascending) whose metadata `key` equals `value` (typed JSON equality, as the
    /// in-memory metadata postings).
    public func ordinals(key: String, value: JSONValue) -> UnsafeBufferPointer<UInt32> {
        guard let postingKey = SegmentFormat.metadataKey(key, value) else { return UnsafeBufferPointer(start: nil, count: 0) }
        return ordinals(postingKey: postingKey)
    }

    /// Ordinals (ascending) tagged `tag`.
    public func ordinals(tag: String) -> UnsafeBufferPointer<UInt32> {
        ordinals(postingKey: SegmentFormat.tagKey(tag))
    }

    /// Every JSON number stored under metadata `key`, with the ordinals (ascending) holding it:
    /// the posting keys `key\0<value>` form one run of the sorted key table.
    public func numbers(key: String) -> [(Double, UnsafeBufferPointer<UInt32>)] {
        var prefix = (key + "\u{0}").canonicallyComposed
        return prefix.withUTF8 { wanted -> [(Double, UnsafeBufferPointer<UInt32>)] in
            let wanted = UnsafeRawBufferPointer(wanted)
            var result: [(Double, UnsafeBufferPointer<UInt32>)] = []
            var index = keys.lowerBound(wanted)
            while index < keys.count {
                let entry = keys.bytes(index)
                guard entry.count >= wanted.count, entry.prefix(wanted.count).elementsEqual(wanted) else { break }
                let value = String(decoding: entry.dropFirst(wanted.count), as: UTF8.self)
                if let number = MetadataIndex.number(fromIndexKey: Substring(value)) {
                    result.append((number, ordinals(keyIndex: index)))
                }
                index += 1
            }
            return result
        }
    }

    /// Number of metadata posting keys.
    var metadataKeyCount: Int { keys.count }

    /// The metadata posting key at a position (ascending by UTF-8 bytes).
    func metadataKey(at index: Int) -> String { keys.string(index) }

    private func ordinals(postingKey: String) -> UnsafeBufferPointer<UInt32> {
        guard let index = keys.index(of: postingKey) else { return UnsafeBufferPointer(start: nil, count: 0) }
        return ordinals(keyIndex: index)
    }

    /// The ordinals of the metadata posting key at `index`.
    func ordinals(keyIndex index: Int) -> UnsafeBufferPointer<UInt32> {
        let range = Self.slice(bytes.buffer, starts: sections[.metadataStarts]!.offset, index, total: metadataOrdinalCount)
        let base = bytes.buffer.baseAddress! + sections[.metadataOrdinals]!.offset + 4 * range.lowerBound
        return UnsafeBufferPointer(start: base.bindMemory(to: UInt32.self, capacity: range.count), count: range.count)
    }

    static func load<T: FixedWidthInteger>(_ buffer: UnsafeRawBufferPointer, _ offset: Int) -> T {
        T(littleEndian: buffer.loadUnaligned(fromByteOffset: offset, as: T.self))
    }
}

/// The postings of one term in a mapped segment: (ordinal, term frequency) pairs.
public struct SegmentPostings: RandomAccessCollection, @unchecked Sendable {
    let base: UnsafePointer<UInt32>
    public let count: Int
    public var startIndex: Int { 0 }
    public var endIndex: Int { count }

    public subscript(position: Int) -> (ordinal: Int, termFrequency: Int32) {
        (Int(UInt32(littleEndian: base[2 * position])), Int32(bitPattern: UInt32(littleEndian: base[2 * position + 1])))
    }
}

/// A string table (``SegmentFormat``) inside a mapped section.
struct StringTable {
    let buffer: UnsafeRawBufferPointer
    let count: Int
    private let offsets: Int  // byte offset of the offsets array
    private let strings: Int  // byte offset of the first string byte
    private let end: Int

    init?(_ buffer: UnsafeRawBufferPointer, section: (offset: Int, length: Int, checksum: UInt64)) {
        guard section.length >= 8 else { return nil }
        self.buffer = buffer
        count = Int(Segment.load(buffer, section.offset) as UInt32)
        offsets = section.offset + 4
        strings = offsets + 4 * (count + 1)
        end = section.offset + section.length
        guard count >= 0, strings <= end else { return nil }
    }

    /// The bytes of entry `index`. Offsets are not checked on open (that is O(entries) and
    /// sat on every cold search's path); a damaged pair — decreasing, or past the section —
    /// reads as an empty entry, so a lookup never leaves the section.
    func bytes(_ index: Int) -> UnsafeRawBufferPointer {
        guard index >= 0, index < count else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        let low = Int(Segment.load(buffer, offsets + 4 * index) as UInt32)
        let high = Int(Segment.load(buffer, offsets + 4 * (index + 1)) as UInt32)
        guard low <= high, strings + high <= end else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(rebasing: buffer[(strings + low)..<(strings + high)])
    }

    func string(_ index: Int) -> String { String(decoding: bytes(index), as: UTF8.self) }

    func data(_ index: Int) -> Data { Data(bytes(index)) }

    /// Binary search by UTF-8 bytes (the table is sorted that way).
    func index(of string: String) -> Int? {
        var target = string
        return target.withUTF8 { wanted -> Int? in
            let low = lowerBound(UnsafeRawBufferPointer(wanted))
            guard low < count, bytes(low).elementsEqual(UnsafeRawBufferPointer(wanted)) else { return nil }
            return low
        }
    }

    /// The first position whose entry does not precede `wanted` (byte order), or `count`.
    func lowerBound(_ wanted: UnsafeRawBufferPointer) -> Int {
        var low = 0
        var high = count
        while low < high {
            let mid = (low + high) / 2
            if bytes(mid).lexicographicallyPrecedes(wanted) { low = mid + 1 } else { high = mid }
        }
        return low
    }
}

/// The section table of a segment: one entry per ``SegmentFormat/Section``, by raw value.
private struct SectionTable {
    typealias Entry = (offset: Int, length: Int, checksum: UInt64)
    private var storage = [Entry?](repeating: nil, count: SegmentFormat.Section.allCases.count)

    var entries: [Entry] { storage.compactMap { $0 } }
    var isComplete: Bool { storage.allSatisfy { $0 != nil } }

    subscript(kind: SegmentFormat.Section) -> Entry? {
        get { storage[Int(kind.rawValue) - 1] }
        set {
            // A kind listed twice leaves a hole elsewhere: `isComplete` then fails.
            storage[Int(kind.rawValue) - 1] = newValue
        }
    }
}
