import Foundation

/// Where a piece of content lives in an ``ArtifactStore``.
public struct StoredContent: Sendable, Hashable {
    /// Lower-case hex SHA-256 of the bytes.
    public var sha256: String
    /// Size in bytes.
    public var size: Int
    /// The local file holding the bytes (read-only): the blob, or a remote store's cached copy.
    public var url: URL
    /// Where the bytes live, as a record's `uri` names them: `file://` for the embedded store,
    /// `s3://BUCKET/KEY` for an object store.
    public var uri: String

    public init(sha256: String, size: Int, url: URL, uri: String? = nil) {
        self.sha256 = sha256
        self.size = size
        self.url = url
        self.uri = uri ?? FileLocation.uri(for: url)
    }
}

/// A stored directory: its manifest and the content holding the manifest's canonical bytes.
public struct StoredDirectory: Sendable, Hashable {
    public var manifest: DirectoryManifest
    /// The manifest's own blob: its `sha256` is the directory artifact's `sha256`.
    public var manifestContent: StoredContent
    /// Relative paths of symbolic links (and other non-regular files) that were skipped.
    public var skippedPaths: [String]

    public init(manifest: DirectoryManifest, manifestContent: StoredContent, skippedPaths: [String]) {
        self.manifest = manifest
        self.manifestContent = manifestContent
        self.skippedPaths = skippedPaths
    }
}

/// Bytes of artifacts, content-addressed by SHA-256: identical bytes are stored once.
///
/// Implementations write atomically (a save either leaves the complete blob or nothing) and
/// durably before returning. All methods may be called from many tasks at once.
///
/// Reads are byte- and stream-oriented (the bytes may be on another machine:
/// ``ObjectStoreArtifactStore``); only ``localFile(sha256:)`` and
/// ``materializeDirectory(manifestSHA256:)`` hand out local paths, materialising remote bytes
/// into the store's local folder first.
public protocol ArtifactStore: Sendable {
    /// The local folder of the store: its staging area, locks and temporaries — for the
    /// embedded store also its blobs, for a remote one its cache of them.
    var rootURL: URL { get }

    /// The folder of staged files and directories (``makeStagingFile(pathExtension:)``).
    var stagingURL: URL { get }

    /// Copies a regular file into the store, hashing it on the way (streamed, constant memory).
    /// A symbolic link at `url` is followed only when `followSymlinks` is true.
    /// - Throws: ``ArtifactError/io(path:reason:)``; ``ArtifactError/wrongContentType(path:expected:)``
    ///   for anything but a regular file (a folder, FIFO, socket or device).
    func storeFile(at url: URL, followSymlinks: Bool) async throws -> StoredContent

    /// Stores several files as one batch (group commit): each is copied and renamed into
    /// place as ``storeFile(at:followSymlinks:)`` does, then the batch is made durable at once
    /// (one flush of the file system instead of an `fsync` per file and folder) before this
    /// returns. Per file, in order: its content and its first `prefixBytes` bytes (read while
    /// copying, so nothing is read back), or the error that file gave; other files still go in.
    /// - Throws: only when the batch cannot be made durable.
    func storeFiles(at urls: [URL], followSymlinks: Bool, prefixBytes: Int) async throws
        -> [Result<(content: StoredContent, prefix: Data), ArtifactError>]

    /// Stores bytes held in memory.
    /// - Throws: ``ArtifactError/io(path:reason:)``.
    func storeData(_ data: Data) async throws -> StoredContent

    /// Stores every regular file below `url` (recursively, symbolic links not followed) and a
    /// manifest of them.
    /// - Throws: ``ArtifactError/wrongContentType(path:expected:)`` if `url` is not a folder,
    ///   ``ArtifactError/pathEscapesDirectory(path:)``, ``ArtifactError/io(path:reason:)``.
    func storeDirectory(at url: URL) async throws -> StoredDirectory

    /// The local file that holds a blob, or would: the blob itself, or a remote store's cached
    /// copy (it may not exist: ``localFile(sha256:)`` makes sure). For messages and
    /// `mustExist: false` answers.
    func contentURL(sha256: String) -> URL

    /// Where a blob lives as a record's `uri` names it (`file://…`, `s3://BUCKET/KEY`).
    func contentURI(sha256: String) -> String

    /// The SHA-256 a URI of this store's own remote content names (the inverse of
    /// ``contentURI(sha256:)`` for URIs that are not local paths), else `nil`.
    func sha256(ofContentURI uri: String) -> String?

    /// Whether the blob is present.
    /// - Throws: ``ArtifactError/remoteStorage(location:reason:)`` when a remote store cannot be asked.
    func containsContent(sha256: String) async throws -> Bool

    /// The blob's size in bytes as stored, or `nil` when that is not known without reading
    /// it (missing, or not a regular file: the read reports it) — one `lstat`, or one `HEAD`
    /// of a remote object not cached. Lets callers refuse a blob of the wrong size before
    /// hashing it.
    func storedSize(sha256: String) async throws -> Int?

    /// A local, read-only file holding the blob's bytes (`as_local_file`): the blob, or a
    /// remote object downloaded (hash-checked) into the local cache.
    /// - Throws: ``ArtifactError/corruptStore(_:)`` when the blob is missing,
    ///   ``ArtifactError/contentDamaged(artifactID:path:expected:actual:)`` when a download
    ///   does not hash to `sha256`.
    func localFile(sha256: String) async throws -> URL

    /// Up to `maxBytes` bytes of a blob, from its start (`nil` = all of it). A whole read is
    /// checked against `sha256` while it streams; a prefix is not (use it for previews and
    /// indexing, never to serve content).
    /// - Throws: ``ArtifactError/contentDamaged(artifactID:path:expected:actual:)`` when the
    ///   bytes do not hash to `sha256`; ``ArtifactError/corruptStore(_:)`` when the blob is
    ///   missing; ``ArtifactError/io(path:reason:)`` on read failure.
    func readContent(sha256: String, maxBytes: Int?) async throws -> Data

    /// Up to `maxBytes` bytes from a blob's start (not hash-checked, as
    /// ``readContent(sha256:maxBytes:)``'s prefix) and the blob's whole size in bytes, from one
    /// open: a search hit's snippet source, whose size the caller checks against its record.
    /// - Throws: as ``readContent(sha256:maxBytes:)``.
    func readPrefix(sha256: String, maxBytes: Int) async throws -> (bytes: Data, size: Int)

    /// Streams a whole blob in chunks (at most 1 MiB each), hashing it; throws
    /// ``ArtifactError/contentDamaged(artifactID:path:expected:actual:)`` after the last chunk
    /// if it does not hash to `sha256` (so a caller that must not emit damaged bytes checks
    /// first with a no-op `body`). Constant memory.
    func readContent(sha256: String, chunks body: (Data) throws -> Void) async throws

    /// ``readContent(sha256:chunks:)``, but from one open file checked completely before the
    /// first chunk is handed to `body` (and checked again as it streams): a damaged blob
    /// yields no bytes at all. Costs two reads (the second usually from the page cache).
    func readVerifiedContent(sha256: String, chunks body: (Data) throws -> Void) async throws

    /// The blob, checked completely against `sha256`, as a ``ContentReader`` that hashes it
    /// again as it is pulled (the pull form of ``readVerifiedContent(sha256:chunks:)``).
    /// - Throws: as ``readContent(sha256:chunks:)``, before the reader is returned.
    func openVerifiedContent(sha256: String) async throws -> any ContentReader

    /// Reads a whole blob only to check it against `sha256` (see
    /// ``readContent(sha256:chunks:)`` for the errors).
    func checkContent(sha256: String) async throws

    /// Whether the store was opened read-only: every write throws
    /// ``ArtifactError/readOnlyStore(path:)``.
    var isReadOnly: Bool { get }

    /// How many reads a caller reading many blobs (a search index catching up) should keep in
    /// flight: the cores for local files, more for a remote store whose reads are round trips.
    var concurrentReads: Int { get }

    /// Runs a save's `body` — store the bytes, then commit the record — under the store's
    /// writer lease, so that maintenance never removes a blob a save has just written or
    /// found already stored before the record naming it exists.
    /// - Throws: ``ArtifactError/readOnlyStore(path:)``, and what `body` throws.
    func withWriteLease<T>(_ body: () async throws -> T) async throws -> T

    /// The manifest stored under `sha256`.
    func manifest(sha256: String) async throws -> DirectoryManifest

    /// A folder holding the files of the manifest stored under `sha256`, byte for byte. Built
    /// once per manifest and reused; treat it as read-only.
    func materializeDirectory(manifestSHA256: String) async throws -> URL

    /// A fresh path in the staging area, with `pathExtension` (leading dot optional). The file
    /// is not created. - Throws: ``ArtifactError/pathEscapesDirectory(path:)`` for an extension
    /// containing `/` or `..`.
    func makeStagingFile(pathExtension: String) throws -> URL

    /// A fresh, empty folder in the staging area whose name ends with `suffix`.
    func makeStagingDirectory(suffix: String) throws -> URL
}

extension ArtifactStore {
    /// Local stores' URIs are paths: none is remote.
    public func sha256(ofContentURI uri: String) -> String? { nil }

    public var concurrentReads: Int { ProcessInfo.processInfo.activeProcessorCount }

    public func checkContent(sha256: String) async throws {
        try await readContent(sha256: sha256) { _ in }
    }

    public func readVerifiedContent(sha256: String, chunks body: (Data) throws -> Void) async throws {
        try await checkContent(sha256: sha256)
        try await readContent(sha256: sha256, chunks: body)
    }
}

extension ArtifactStore {
    /// One ``storeFile(at:followSymlinks:)`` per file, then a read of each prefix (stores
    /// without a cheaper batch path).
    public func storeFiles(at urls: [URL], followSymlinks: Bool, prefixBytes: Int) async throws
        -> [Result<(content: StoredContent, prefix: Data), ArtifactError>]
    {
        var results: [Result<(content: StoredContent, prefix: Data), ArtifactError>] = []
        for url in urls {
            do {
                let content = try await storeFile(at: url, followSymlinks: followSymlinks)
                results.append(.success((content, try await readContent(sha256: content.sha256, maxBytes: prefixBytes))))
            } catch let error as ArtifactError {
                results.append(.failure(error))
            }
        }
        return results
    }
}
