import Foundation

/// Which documents of one segment are deleted: a bitset over its ordinals. A segment never
/// changes, so deletes live beside it: each commit that adds deletes to a segment writes a
/// new deletes file for it (the whole set), named in the commit point; older ones are
/// removed with the commit points that named them (as Lucene's `.liv` generations).
///
/// File format (version 1), little-endian:
///
/// ```text
///  0  magic "AHDELETE"          8 bytes
///  8  format version            u32 (1)
/// 12  document count n          u32 (the segment's)
/// 16  deleted count             u32
/// 20  reserved                  u32 (0)
/// 24  bitset                    u64 × ⌈n / 64⌉; bit (i mod 64) of word ⌊i / 64⌋ set = ordinal i deleted
///  …  checksum                  u64: XXH64 of every preceding byte
/// ```
public struct DeletedDocuments: Sendable, Hashable {
    public let documentCount: Int
    private var words: [UInt64]
    /// Number of deleted ordinals.
    public private(set) var count: Int

    static let magic = Array("AHDELETE".utf8)
    static let version: UInt32 = 1

    /// No document deleted.
    public init(documentCount: Int) {
        self.documentCount = documentCount
        words = [UInt64](repeating: 0, count: (documentCount + 63) / 64)
        count = 0
    }

    @inline(__always)
    public func contains(_ ordinal: Int) -> Bool {
        let word = ordinal >> 6
        return word >= 0 && word < words.count && words[word] & (UInt64(1) << UInt64(ordinal & 63)) != 0
    }

    /// Marks `ordinal` deleted; `false` when it already was (or is out of range).
    @discardableResult
    public mutating func insert(_ ordinal: Int) -> Bool {
        guard ordinal >= 0, ordinal < documentCount, !contains(ordinal) else { return false }
        words[ordinal >> 6] |= UInt64(1) << UInt64(ordinal & 63)
        count += 1
        return true
    }

    /// Deleted ordinals, ascending.
    public var ordinals: [Int] {
        var result: [Int] = []
        result.reserveCapacity(count)
        for (index, word) in words.enumerated() where word != 0 {
            var remaining = word
            while remaining != 0 {
                result.append(index * 64 + remaining.trailingZeroBitCount)
                remaining &= remaining - 1
            }
        }
        return result
    }

    /// `deletions` aligned with `count` segments: a missing entry, or one deleting nothing,
    /// becomes `nil`, so callers test one optional per segment.
    static func perSegment(_ deletions: [DeletedDocuments?], count: Int) -> [DeletedDocuments?] {
        (0..<count).map { $0 < deletions.count && (deletions[$0]?.count ?? 0) > 0 ? deletions[$0] : nil }
    }

    /// The file bytes (see the type's documentation).
    public func encoded() -> Data {
        var writer = SegmentByteWriter()
        writer.append(bytes: Self.magic)
        writer.append(Self.version)
        writer.append(UInt32(documentCount))
        writer.append(UInt32(count))
        writer.append(UInt32(0))
        for word in words { writer.append(word) }
        writer.append(XXHash64.hash(writer.bytes))
        return Data(writer.bytes)
    }

    /// Reads a deletes file of a segment of `documentCount` documents.
    /// - Throws: ``SearchError/corruptSegment(name:reason:)`` for another format, a checksum
    ///   mismatch or a count that does not match.
    public init(decoding bytes: SegmentBytes, name: String, documentCount: Int) throws(SearchError) {
        let buffer = bytes.buffer
        let wordCount = (documentCount + 63) / 64
        let size = 24 + 8 * wordCount + 8
        func fail(_ reason: String) -> SearchError { .corruptSegment(name: name, reason: reason) }
        guard buffer.count >= 24, Array(buffer[0..<8]) == Self.magic else { throw fail("not a deletes file") }
        let version: UInt32 = Segment.load(buffer, 8)
        guard version == Self.version else { throw fail("deletes format \(version), this build reads \(Self.version)") }
        guard Int(Segment.load(buffer, 12) as UInt32) == documentCount, buffer.count == size else {
            throw fail("deletes file does not match its segment")
        }
        guard XXHash64.hash(UnsafeRawBufferPointer(rebasing: buffer[0..<(size - 8)])) == (Segment.load(buffer, size - 8) as UInt64)
        else { throw fail("deletes checksum mismatch") }
        self.documentCount = documentCount
        words = (0..<wordCount).map { Segment.load(buffer, 24 + 8 * $0) }
        // Bits past the last ordinal would count documents that do not exist.
        if documentCount % 64 != 0, let last = words.last, last >> UInt64(documentCount % 64) != 0 {
            throw fail("deletes file marks ordinals past the segment's end")
        }
        count = words.reduce(0) { $0 + $1.nonzeroBitCount }
        guard count == Int(Segment.load(buffer, 16) as UInt32) else { throw fail("deleted count does not match the bitset") }
    }
}
