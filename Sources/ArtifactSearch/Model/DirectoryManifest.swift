import Foundation
import HybridSearch

/// The content of a directory artifact: one entry per regular file, sorted by relative path
/// (byte order of the UTF-8 path, `/`-separated).
///
/// Its canonical JSON (``canonicalData``) is what the blob store keeps and what the artifact's
/// `sha256` hashes: `{"entries":[{"path":…,"sha256":…,"size":…},…],"format":"artifact-search-manifest/1"}`
/// (compact, keys sorted). Empty folders and symbolic links are not part of a manifest.
public struct DirectoryManifest: Sendable, Hashable {
    public static let mimeType = "inode/directory"
    public static let format = "artifact-search-manifest/1"

    public struct Entry: Sendable, Hashable {
        /// Relative, `/`-separated, never absolute, never containing `.` or `..` components.
        public var path: String
        /// Lower-case hex SHA-256 of the file.
        public var sha256: String
        /// Size in bytes.
        public var size: Int

        public init(path: String, sha256: String, size: Int) {
            self.path = path
            self.sha256 = sha256
            self.size = size
        }
    }

    /// Entries sorted by path.
    public private(set) var entries: [Entry]

    /// Sorts `entries` by path.
    /// - Throws: ``ArtifactError/pathEscapesDirectory(path:)`` for an unsafe path, and
    ///   ``ArtifactError/invalidArgument(_:)`` for duplicate paths.
    public init(entries: [Entry]) throws(ArtifactError) {
        for entry in entries { try Self.validate(relativePath: entry.path) }
        let sorted = entries.sorted { Array($0.path.utf8).lexicographicallyPrecedes(Array($1.path.utf8)) }
        // Paths are compared as bytes: canonically equivalent names (NFC "é" and NFD "e\u{301}")
        // are different files on most file systems, though Swift's `==` calls them equal.
        for (a, b) in zip(sorted, sorted.dropFirst()) where a.path.utf8.elementsEqual(b.path.utf8) {
            throw .invalidArgument("manifest lists \"\(a.path)\" twice")
        }
        self.entries = sorted
    }

    /// Total size of all files in bytes.
    public var totalSize: Int { entries.reduce(0) { $0 + $1.size } }

    /// Canonical JSON bytes (see the type's documentation).
    public var canonicalData: Data {
        let value: JSONValue = .object([
            "format": .string(Self.format),
            "entries": .array(entries.map {
                .object(["path": .string($0.path), "sha256": .string($0.sha256), "size": .number(Double($0.size))])
            }),
        ])
        return Data(value.canonicalJSON.utf8)
    }

    /// Parses a manifest written by ``canonicalData``.
    /// - Throws: ``ArtifactError/corruptStore(_:)`` when the data is not a manifest, or
    ///   ``ArtifactError/pathEscapesDirectory(path:)`` for an unsafe entry.
    public init(data: Data) throws(ArtifactError) {
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            throw .corruptStore("a directory manifest is not JSON")
        }
        guard case .object(let root) = value, root["format"] == .string(Self.format),
            case .array(let items)? = root["entries"]
        else { throw .corruptStore("a directory manifest has an unknown format") }
        var entries: [Entry] = []
        for item in items {
            guard case .object(let fields) = item, let path = fields["path"]?.stringValue,
                let sha = fields["sha256"]?.stringValue, let number = fields["size"]?.numberValue,
                let size = Int(exactly: number), size >= 0
            else { throw .corruptStore("a directory manifest entry is malformed") }
            entries.append(Entry(path: path, sha256: sha, size: size))
        }
        try self.init(entries: entries)
    }

    /// Checks that a relative path stays inside its folder: not empty, not absolute, no empty,
    /// `.` or `..` component, no NUL byte.
    static func validate(relativePath path: String) throws(ArtifactError) {
        guard !path.isEmpty, !path.hasPrefix("/"), !path.contains("\0") else {
            throw .pathEscapesDirectory(path: path)
        }
        for component in path.split(separator: "/", omittingEmptySubsequences: false) {
            if component.isEmpty || component == "." || component == ".." {
                throw .pathEscapesDirectory(path: path)
            }
        }
    }
}
