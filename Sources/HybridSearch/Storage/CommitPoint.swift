import Foundation

/// The small file that makes a set of segments an index: which segments are live, which
/// analyzer and embedder produced them, and the watermark — the last change of the source of
/// truth they contain. Written to `commit-<generation>` (20 digits) atomically, after the
/// segments it names are durable; the highest generation that reads back is the index.
///
/// File format (version 1): one line of compact JSON with sorted keys, a newline, and the
/// XXH64 of that line's bytes in 16 lower-case hex digits.
public struct CommitPoint: Codable, Sendable, Hashable {
    public struct SegmentEntry: Codable, Sendable, Hashable {
        public var name: String
        /// Documents in the segment file, deleted ones included.
        public var documents: Int
        /// The segment's deletes file (``DeletedDocuments``), absent when none is deleted.
        public var deletes: String?
        /// How many of its documents are deleted (0 when absent).
        public var deleted: Int?

        public init(name: String, documents: Int, deletes: String? = nil, deleted: Int? = nil) {
            self.name = name
            self.documents = documents
            self.deletes = deletes
            self.deleted = deleted
        }
    }

    public static let formatVersion = 1

    public var format: Int = CommitPoint.formatVersion
    public var generation: Int
    public var analyzer: String
    public var embedder: String
    public var dimension: Int
    /// The last change of the source of truth included (for the artifact layer: the search
    /// document sequence number); changes after it form the tail.
    public var watermark: Int64
    public var segments: [SegmentEntry]
    /// What the documents were derived from, as the caller names it (the artifact layer: its
    /// record schema and document layout); an index of another source is rebuilt. Absent
    /// (`nil`) means the empty name.
    public var source: String? = nil

    public static func fileName(generation: Int) -> String { "commit-" + padded(generation) }

    /// The file name of the segment a commit of `generation` writes from its tail.
    public static func segmentName(generation: Int) -> String { "segment-" + padded(generation) + ".seg" }

    /// The file name of the segment a commit of `generation` writes by merging.
    public static func mergedSegmentName(generation: Int) -> String { "segment-" + padded(generation) + "-merged.seg" }

    /// The deletes file of `segment` written by the commit of `generation`.
    public static func deletesName(segment: String, generation: Int) -> String {
        segment + ".deletes-" + padded(generation)
    }

    /// Whether `name` is one of an index's files (commit point, segment or deletes file):
    /// the files a reset or a commit's clean-up may remove.
    public static func isIndexFile(_ name: String) -> Bool {
        generation(ofFileName: name) != nil || name.hasPrefix("segment-")
    }

    static func padded(_ number: Int) -> String {
        let digits = String(number)
        return String(repeating: "0", count: max(0, 20 - digits.count)) + digits
    }

    static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// The generation a commit file name stands for, or `nil` for other files.
    public static func generation(ofFileName name: String) -> Int? {
        guard name.hasPrefix("commit-"), name.count == 27 else { return nil }
        return Int(name.dropFirst(7))
    }

    func encoded() throws(SearchError) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let json = try? encoder.encode(self) else { throw .invalidArgument("commit point cannot be encoded") }
        return json + Data(("\n" + Self.hex(XXHash64.hash(Array(json)))).utf8)
    }

    /// Reads a commit file.
    /// - Throws: ``SearchError/corruptSegment(name:reason:)`` when it is damaged or of another
    ///   format version.
    static func decode(_ bytes: SegmentBytes, name: String) throws(SearchError) -> CommitPoint {
        let data = withExtendedLifetime(bytes) { Data(bytes.buffer) }
        guard let newline = data.lastIndex(of: 0x0A) else { throw .corruptSegment(name: name, reason: "no checksum line") }
        let json = data[data.startIndex..<newline]
        let stored = String(decoding: data[(newline + 1)...], as: UTF8.self)
        guard stored == Self.hex(XXHash64.hash(Array(json))) else { throw .corruptSegment(name: name, reason: "commit point checksum mismatch") }
        guard let point = try? JSONDecoder().decode(CommitPoint.self, from: Data(json)) else {
            throw .corruptSegment(name: name, reason: "commit point is not readable")
        }
        guard point.format == formatVersion else {
            throw .corruptSegment(name: name, reason: "commit format \(point.format), this build reads \(formatVersion)")
        }
        return point
    }
}
