import Foundation
import HybridSearch

extension ArtifactFacade {
    // MARK: Load by id

    /// The bytes of an artifact (`load_bytes_by_id`); for a directory, its manifest's
    /// canonical JSON.
    /// - Throws: ``ArtifactError/notFound(id:)``; ``ArtifactError/corruptStore(_:)`` when the
    ///   blob is missing.
    public func loadBytes(id: String) async throws -> Data {
        try await bytes(of: try await requireArtifact(id: id))
    }

    /// The text of an artifact (`load_text_by_id`).
    /// - Parameters:
    ///   - encoding: `.utf8` (default; a leading BOM is dropped), `.ascii`, `.isoLatin1`,
    ///     `.utf16` (BOM-detected, else big endian), `.utf16LittleEndian`, `.utf16BigEndian`;
    ///     other encodings are decoded by Foundation, strictly.
    ///   - errors: `.strict` throws, `.replace` puts U+FFFD for each invalid sequence,
    ///     `.ignore` drops it.
    /// - Throws: ``ArtifactError/undecodableText(encoding:source:byteOffset:)`` (strict) with
    ///   the encoding and the first bad byte's offset; ``ArtifactError/notFound(id:)``.
    public func loadText(
        id: String, encoding: String.Encoding = .utf8, errors: TextDecodingPolicy = .strict
    ) async throws -> String {
        let data = try await loadBytes(id: id)
        return try TextDecoder.decode(data, encoding: encoding, policy: errors, source: "artifact \(id)")
    }

    /// The JSON value of an artifact (`load_json_by_id`).
    /// - Throws: ``ArtifactError/invalidJSON(source:byteOffset:line:column:reason:)`` with the
    ///   position of the error; ``ArtifactError/notFound(id:)``.
    public func loadJSON(id: String) async throws -> JSONValue {
        try Self.parseJSON(try await loadBytes(id: id), source: "artifact \(id)")
    }

    /// An artifact's JSON decoded as `type`.
    /// - Throws: as ``loadJSON(id:)``, and `DecodingError` when the JSON does not fit `type`.
    public func loadJSON<Value: Decodable>(_ type: Value.Type, id: String) async throws -> Value {
        let data = try await loadBytes(id: id)
        _ = try Self.parseJSON(data, source: "artifact \(id)")
        return try JSONDecoder().decode(type, from: data)
    }

    // MARK: Load by URI

    /// The bytes at a `file://` URI (percent-encoding decoded) or a plain path (`load_bytes`).
    /// - Throws: ``ArtifactError/unsupportedURI(_:)``, ``ArtifactError/io(path:reason:)``,
    ///   ``ArtifactError/wrongContentType(path:expected:)`` for a folder.
    public func loadBytes(uri: String) async throws -> Data {
        if let owner = try await ownerOfContent(uri: uri), let sha = owner.sha256 {
            return try await store.readContent(sha256: sha, maxBytes: nil)
        }
        let url = try await authorizedLocalURL(try FileLocation.url(from: uri))
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw ArtifactError.io(path: url.path, reason: "no such file")
        }
        if isDirectory.boolValue { throw ArtifactError.wrongContentType(path: url.path, expected: "file") }
        do {
            return try Data(contentsOf: url)
        } catch {
            throw ArtifactError.io(path: url.path, reason: error.localizedDescription)
        }
    }

    /// The text at a URI or path (`load_text`); see ``loadText(id:encoding:errors:)``.
    public func loadText(
        uri: String, encoding: String.Encoding = .utf8, errors: TextDecodingPolicy = .strict
    ) async throws -> String {
        try TextDecoder.decode(try await loadBytes(uri: uri), encoding: encoding, policy: errors, source: uri)
    }

    /// The JSON value at a URI or path (`load_json`); see ``loadJSON(id:)``.
    public func loadJSON(uri: String) async throws -> JSONValue {
        try Self.parseJSON(try await loadBytes(uri: uri), source: uri)
    }

    // MARK: Local paths

    /// A local file holding the artifact's bytes (`as_local_file`): the store's read-only blob,
    /// or for a remote store its copy downloaded (hash-checked) into the local cache (do not
    /// modify it). With `mustExist` false, the path is returned even if the blob is gone (and
    /// nothing is downloaded).
    /// - Throws: ``ArtifactError/wrongContentType(path:expected:)`` for a directory artifact
    ///   (use ``asLocalDirectory(_:mustExist:)``), ``ArtifactError/corruptStore(_:)`` when the
    ///   blob is missing and `mustExist` is true.
    public func asLocalFile(_ artifact: Artifact, mustExist: Bool = true) async throws -> URL {
        let artifact = try await trustedRecord(of: artifact)
        if artifact.isDirectory {
            throw ArtifactError.wrongContentType(path: artifact.filename ?? artifact.artifactID, expected: "file")
        }
        let url: URL
        if let sha = artifact.sha256 {
            guard mustExist else { return store.contentURL(sha256: sha) }
            do {
                return try await Self.attributing(to: artifact.artifactID) { try await store.localFile(sha256: sha) }
            } catch ArtifactError.corruptStore {
                throw ArtifactError.corruptStore("content of artifact \(artifact.artifactID) is missing at \(contentPath(sha))")
            }
        } else if let uri = artifact.uri {
            url = try await authorizedLocalURL(try FileLocation.url(from: uri))
        } else {
            throw ArtifactError.corruptStore("artifact \(artifact.artifactID) has neither sha256 nor uri")
        }
        if mustExist, !FileManager.default.fileExists(atPath: url.path) {
            throw ArtifactError.corruptStore("content of artifact \(artifact.artifactID) is missing at \(url.path)")
        }
        return url
    }

    /// ``asLocalFile(_:mustExist:)`` for an artifact id.
    /// - Throws: ``ArtifactError/notFound(id:)`` and the errors of ``asLocalFile(_:mustExist:)``.
    public func asLocalFile(id: String, mustExist: Bool = true) async throws -> URL {
        try await asLocalFile(try await requireArtifact(id: id), mustExist: mustExist)
    }

    /// The local path of a `file://` URI or plain path (`as_local_file`).
    /// - Throws: ``ArtifactError/io(path:reason:)`` when `mustExist` and there is no file there,
    ///   ``ArtifactError/wrongContentType(path:expected:)`` when it is a folder.
    public func asLocalFile(uri: String, mustExist: Bool = true) async throws -> URL {
        if let owner = try await ownerOfContent(uri: uri), let sha = owner.sha256 {
            return mustExist ? try await store.localFile(sha256: sha) : store.contentURL(sha256: sha)
        }
        let url = try await authorizedLocalURL(try FileLocation.url(from: uri))
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory)
        if mustExist, !exists { throw ArtifactError.io(path: url.path, reason: "no such file") }
        if exists, isDirectory.boolValue { throw ArtifactError.wrongContentType(path: url.path, expected: "file") }
        return url
    }

    /// A folder holding a directory artifact's files byte for byte (`as_local_dir`), built under
    /// the store's `materialized/` folder from hash-checked blobs (files read-only) and reused
    /// — but only after checking that it still holds exactly the manifest's files with their
    /// sizes and SHA-256 (cost: reading them once); a folder someone wrote into is rebuilt.
    /// Building one needs a writable store.
    /// - Throws: ``ArtifactError/wrongContentType(path:expected:)`` for a file artifact,
    ///   ``ArtifactError/contentDamaged(artifactID:path:expected:actual:)`` when a stored file
    ///   is damaged, ``ArtifactError/corruptStore(_:)`` when one is missing (both only with
    ///   `mustExist`), ``ArtifactError/readOnlyStore(path:)`` when it must be built in a
    ///   read-only store.
    public func asLocalDirectory(_ artifact: Artifact, mustExist: Bool = true) async throws -> URL {
        let artifact = try await trustedRecord(of: artifact)
        guard artifact.isDirectory, let sha = artifact.sha256 else {
            throw ArtifactError.wrongContentType(path: artifact.filename ?? artifact.artifactID, expected: "directory")
        }
        do {
            return try await Self.attributing(to: artifact.artifactID) {
                try await store.materializeDirectory(manifestSHA256: sha)
            }
        } catch {
            if mustExist { throw error }
            return URL(
                fileURLWithPath: store.rootURL.appendingPathComponent("materialized").appendingPathComponent(sha).path,
                isDirectory: true)
        }
    }

    /// ``asLocalDirectory(_:mustExist:)`` for an artifact id.
    public func asLocalDirectory(id: String, mustExist: Bool = true) async throws -> URL {
        try await asLocalDirectory(try await requireArtifact(id: id), mustExist: mustExist)
    }

    /// The local folder of a `file://` URI or plain path (`as_local_dir`).
    /// - Throws: ``ArtifactError/io(path:reason:)`` when `mustExist` and there is no folder,
    ///   ``ArtifactError/wrongContentType(path:expected:)`` when it is a file.
    public func asLocalDirectory(uri: String, mustExist: Bool = true) async throws -> URL {
        if let owner = try await ownerOfContent(uri: uri) { return try await asLocalDirectory(owner, mustExist: mustExist) }
        let url = try await authorizedLocalURL(try FileLocation.url(from: uri))
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory)
        if mustExist, !exists { throw ArtifactError.io(path: url.path, reason: "no such folder") }
        if exists, !isDirectory.boolValue {
            throw ArtifactError.wrongContentType(path: url.path, expected: "directory")
        }
        return url
    }

    // MARK: Helpers

    /// The newest artifact of this organisation holding the bytes behind one of this store's own
    /// remote content URIs (`s3://…/sha256/<hex>`, what a record's `uri` holds in a shared
    /// store), or `nil` for any other URI: such bytes are read only through an artifact of the
    /// organisation's.
    /// - Throws: ``ArtifactError/accessDenied(path:reason:)`` when no artifact of it holds them.
    func ownerOfContent(uri: String) async throws -> Artifact? {
        guard let sha = store.sha256(ofContentURI: uri.trimmingCharacters(in: .whitespacesAndNewlines)) else { return nil }
        guard let owner = try await structuredArtifacts(filter: try ownerFilter(sha256: sha), order: .newestFirst, limit: 1).first
        else { throw ArtifactError.accessDenied(path: uri, reason: "no artifact of this organisation holds these bytes") }
        return owner
    }

    /// Artifacts of this organisation whose content is `sha256`.
    func ownerFilter(sha256: String) throws -> MetadataFilter {
        var filter = try indices.levelFilter(level: .org)
        filter[ArtifactMetadataKey.sha256] = .string(sha256)
        return MetadataFilter(equals: filter)
    }

    /// The start of an artifact's content as text, the way the search index sees it: the
    /// first `maxBytes` bytes when they are UTF-8 without NUL bytes (an incomplete character
    /// cut at the end is dropped), else `nil` — for binary content and for directories. For
    /// snippets and previews; use ``loadText(id:encoding:errors:)`` for the whole text.
    /// - Throws: ``ArtifactError/corruptStore(_:)`` when the blob is missing.
    public func textPrefix(of artifact: Artifact, maxBytes: Int) async throws -> String? {
        guard !artifact.isDirectory, maxBytes > 0 else { return nil }
        let data: Data
        if let sha = artifact.sha256 {
            // A prefix is not hash-checked, but a blob of the wrong size is damage, never a snippet.
            let (prefix, size) = try await store.readPrefix(sha256: sha, maxBytes: maxBytes)
            if let expected = artifact.bytes, size != expected {
                throw ArtifactError.contentDamaged(
                    artifactID: artifact.artifactID, path: contentPath(sha), expected: sha,
                    actual: "\(size) bytes long instead of \(expected)")
            }
            data = prefix
        } else {
            data = try await bytes(of: artifact).prefix(maxBytes)
        }
        return TextDecoder.indexableText(data)
    }

    /// The bytes of each of `ranges` of a blob (shorter at its end) and the blob's size, in
    /// memory proportional to the ranges: the blob streams through its SHA-256 check before any
    /// byte is kept, so damaged content yields nothing (an agent reading a large log page by
    /// page).
    /// - Throws: ``ArtifactError/contentDamaged(artifactID:path:expected:actual:)``,
    ///   ``ArtifactError/corruptStore(_:)`` when the blob is missing.
    public func readWindows(sha256: String, ranges: [Range<Int>]) async throws -> (windows: [Data], size: Int) {
        var windows = [Data](repeating: Data(), count: ranges.count)
        var position = 0
        try await store.readVerifiedContent(sha256: sha256) { chunk in
            let chunkEnd = position + chunk.count
            for (index, range) in ranges.enumerated() {
                let low = max(range.lowerBound, position)
                let high = min(range.upperBound, chunkEnd)
                if low < high {
                    windows[index].append(chunk[(chunk.startIndex + low - position)..<(chunk.startIndex + high - position)])
                }
            }
            position = chunkEnd
        }
        return (windows, position)
    }

    func bytes(of artifact: Artifact) async throws -> Data {
        guard let sha = artifact.sha256 else {
            guard let uri = artifact.uri else {
                throw ArtifactError.corruptStore("artifact \(artifact.artifactID) has neither sha256 nor uri")
            }
            return try await loadBytes(uri: uri)
        }
        if !artifact.isDirectory { try await checkStoredSize(sha256: sha, expected: artifact.bytes, artifactID: artifact.artifactID) }
        return try await Self.attributing(to: artifact.artifactID) {
            try await store.readContent(sha256: sha, maxBytes: nil)
        }
    }

    /// Refuses a blob whose stored size differs from the recorded one at the cost of one
    /// `lstat` (or `HEAD`) — before any byte is read (a blob grown to 200 GB is not hashed to
    /// find out).
    /// - Throws: ``ArtifactError/contentDamaged(artifactID:path:expected:actual:)``.
    func checkStoredSize(sha256: String, expected: Int?, artifactID: String) async throws {
        guard let expected else { return }
        guard let size = try await store.storedSize(sha256: sha256) else { return }  // the read reports it
        if size != expected {
            throw ArtifactError.contentDamaged(
                artifactID: artifactID, path: contentPath(sha256), expected: sha256,
                actual: "\(size) bytes long instead of \(expected)")
        }
    }

    /// How messages and reports name a blob: its local path in the embedded store, its
    /// object's URI (`s3://…`) in a remote one.
    func contentPath(_ sha256: String) -> String {
        let uri = store.contentURI(sha256: sha256)
        return uri.hasPrefix("file:") ? store.contentURL(sha256: sha256).path : uri
    }

    /// Streams an artifact's bytes (a directory: its manifest) in chunks of at most 4 MiB,
    /// in constant memory, checked against its `sha256` before the first chunk and again while
    /// streaming (`cat`).
    /// - Throws: ``ArtifactError/contentDamaged(artifactID:path:expected:actual:)`` (before any
    ///   chunk, or — if the file changed in between — after the last), and the errors of
    ///   ``loadBytes(id:)``.
    public func readContent(of artifact: Artifact, chunks body: (Data) throws -> Void) async throws {
        let artifact = try await trustedRecord(of: artifact)
        guard let sha = artifact.sha256 else {
            try body(try await bytes(of: artifact))
            return
        }
        if !artifact.isDirectory { try await checkStoredSize(sha256: sha, expected: artifact.bytes, artifactID: artifact.artifactID) }
        try await Self.attributing(to: artifact.artifactID) {
            try await store.readVerifiedContent(sha256: sha, chunks: body)
        }
    }

    /// Checks an artifact's stored bytes against its `sha256` (for a directory: the manifest
    /// and every file of it), streaming, in constant memory.
    /// - Throws: ``ArtifactError/contentDamaged(artifactID:path:expected:actual:)`` naming the
    ///   artifact and the damaged file; ``ArtifactError/corruptStore(_:)`` when a blob is missing.
    public func verifyContent(of artifact: Artifact) async throws {
        guard let sha = artifact.sha256 else { return }
        if !artifact.isDirectory { try await checkStoredSize(sha256: sha, expected: artifact.bytes, artifactID: artifact.artifactID) }
        try await Self.attributing(to: artifact.artifactID) {
            try await store.checkContent(sha256: sha)
            if artifact.isDirectory {
                for entry in try await store.manifest(sha256: sha).entries {
                    try await checkStoredSize(sha256: entry.sha256, expected: entry.size, artifactID: artifact.artifactID)
                    try await store.checkContent(sha256: entry.sha256)
                }
            }
        }
    }

    /// Runs `body`, naming `id` in a ``ArtifactError/contentDamaged(artifactID:path:expected:actual:)``
    /// it throws.
    static func attributing<T>(to id: String, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch ArtifactError.contentDamaged(nil, let path, let expected, let actual) {
            throw ArtifactError.contentDamaged(artifactID: id, path: path, expected: expected, actual: actual)
        }
    }

    /// Decodes JSON (a request body, a saved document), or throws ``ArtifactError/invalidJSON(source:byteOffset:line:column:reason:)``
    /// locating the error: first ``JSONTextCheck`` (trailing commas, lone surrogates, nesting
    /// past ``HybridSearch/JSONValue/maximumNestingDepth``), then Foundation's decoder (which
    /// reports "around character N"; end of input → offset = length). Line and column are
    /// computed from the byte offset.
    public static func parseJSON(_ data: Data, source: String) throws -> JSONValue {
        if let problem = JSONTextCheck.firstProblem(in: data) {
            throw invalidJSON(data, source: source, offset: problem.offset, reason: problem.reason)
        }
        do {
            return try JSONDecoder().decode(JSONValue.self, from: data)
        } catch let decodingError {
            var offset = data.count
            var reason = "\(decodingError)"
            do {
                _ = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
            } catch {
                let message =
                    (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)"
                reason = message
                if let found = Self.number(after: "character ", in: message) {
                    offset = min(found, data.count)
                } else if let token = Self.unrepresentableNumber(in: message),
                    let range = data.range(of: Data(token.utf8))
                {
                    // "Number 1e400 is not representable in Swift." names the token, not its place.
                    offset = range.lowerBound - data.startIndex
                }
            }
            if case .dataCorrupted(let context) = decodingError as? DecodingError,
                let underlying = context.underlyingError as NSError?,
                let index = underlying.userInfo["NSJSONSerializationErrorIndex"] as? Int
            {
                offset = min(index, data.count)
            }
            throw invalidJSON(data, source: source, offset: offset, reason: reason)
        }
    }

    private static func invalidJSON(_ data: Data, source: String, offset: Int, reason: String) -> ArtifactError {
        let bytes = data.prefix(offset)
        let line = bytes.reduce(1) { $1 == 10 ? $0 + 1 : $0 }
        let column = offset - (bytes.lastIndex(of: 10).map { $0 - data.startIndex + 1 } ?? 0) + 1
        return ArtifactError.invalidJSON(source: source, byteOffset: offset, line: line, column: column, reason: reason)
    }

    private static func unrepresentableNumber(in message: String) -> String? {
        guard let start = message.range(of: "Number "), let end = message.range(of: " is not representable") else {
            return nil
        }
        let token = message[start.upperBound..<end.lowerBound]
        return token.isEmpty || token.count > 400 ? nil : String(token)
    }

    private static func number(after marker: String, in text: String) -> Int? {
        guard let range = text.range(of: marker) else { return nil }
        let digits = text[range.upperBound...].prefix { $0.isASCII && $0.isNumber }
        return Int(digits)
    }
}

/// An artifact's content opened for streaming (``ArtifactFacade/openContent(of:path:)``).
public struct OpenedContent: Sendable {
    /// The bytes, checked against ``sha256`` before the first chunk and again as they are read.
    public var reader: any ContentReader
    /// The bytes' SHA-256 (lower-case hex): an HTTP `ETag`.
    public var sha256: String
    /// Size in bytes.
    public var size: Int
    /// The MIME type: the artifact's; `application/json` for a directory's manifest; from the
    /// file name's extension (else `application/octet-stream`) for a file inside a directory.
    public var mime: String
}

extension ArtifactFacade {
    /// An artifact's bytes as a ``ContentReader`` (the pull form of
    /// ``readContent(of:chunks:)``, for consumers that write asynchronously): for a directory
    /// artifact its manifest (JSON), or with `path` the file at that relative path inside it.
    /// - Throws: ``ArtifactError/invalidArgument(_:)`` when `path` is given for a file artifact
    ///   or names no file of the directory (the message says which);
    ///   ``ArtifactError/contentDamaged(artifactID:path:expected:actual:)`` before any byte
    ///   when the stored bytes do not match; ``ArtifactError/corruptStore(_:)`` when missing.
    public func openContent(of artifact: Artifact, path: String? = nil) async throws -> OpenedContent {
        let artifact = try await trustedRecord(of: artifact)
        guard let sha = artifact.sha256 else {
            throw ArtifactError.corruptStore("artifact \(artifact.artifactID) names no content")
        }
        // A directory's `bytes` count its files, not its manifest: only files are size-checked.
        var target = (sha: sha, size: artifact.isDirectory ? nil : artifact.bytes, mime: artifact.mime ?? MIMEType.octetStream)
        if artifact.isDirectory {
            target.mime = MIMEType.json
            if let path {
                let manifest = try await Self.attributing(to: artifact.artifactID) { try await store.manifest(sha256: sha) }
                guard let entry = manifest.entries.first(where: { $0.path == path }) else {
                    throw ArtifactError.invalidArgument(
                        "directory artifact \(artifact.artifactID) has no file \"\(path)\": read its manifest (no path) for the list")
                }
                target = (entry.sha256, entry.size, MIMEType.forFilename(path) ?? MIMEType.octetStream)
            }
        } else if let path {
            throw ArtifactError.invalidArgument(
                "artifact \(artifact.artifactID) is a file, not a directory: read it without a path (got \"\(path)\")")
        }
        if let size = target.size {
            try await checkStoredSize(sha256: target.sha, expected: size, artifactID: artifact.artifactID)
        }
        let reader = try await Self.attributing(to: artifact.artifactID) { try await store.openVerifiedContent(sha256: target.sha) }
        return OpenedContent(reader: reader, sha256: target.sha.lowercased(), size: reader.size, mime: target.mime)
    }
}
