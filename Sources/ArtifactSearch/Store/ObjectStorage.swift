import Foundation

/// One object of an ``ObjectStorage`` listing.
public struct StoredObject: Sendable, Hashable {
    public var key: String
    /// Size in bytes.
    public var size: Int
    /// When the object was last written (S3's `LastModified`).
    public var modified: Date

    public init(key: String, size: Int, modified: Date) {
        self.key = key
        self.size = size
        self.modified = modified
    }
}

/// Objects under keys in a bucket on another machine: what ``ObjectStoreArtifactStore`` needs of
/// an S3-compatible server (`ArtifactSearchS3`'s `S3ObjectClient` conforms; the library itself
/// never links an HTTP client).
///
/// Keys are the store's own (`sha256/<64 hex digits>`). Implementations retry what is worth
/// retrying and throw their own typed errors for the rest; the store reports those as
/// ``ArtifactError/remoteStorage(location:reason:)``.
public protocol ObjectStorage: Sendable {
    /// Where the objects are, naming no secret: `s3://BUCKET[/PREFIX]`. A record's `uri` is this,
    /// `/`, and the key.
    var locationURI: String { get }

    /// Uploads the local file at `path` (`size` bytes whose SHA-256 is `sha256`, lower-case hex)
    /// under `key` unless an object is there already — conditionally (`If-None-Match: *`), so
    /// two writers never race; streamed, and in parts above a size the implementation chooses.
    /// - Returns: whether it uploaded (`false`: the key existed).
    func putObjectIfAbsent(key: String, file path: String, size: Int, sha256: String) async throws -> Bool

    /// Uploads the file unconditionally (same arguments): refreshes an existing object's
    /// modification time, which orphan cleanup reads.
    func putObject(key: String, file path: String, size: Int, sha256: String) async throws

    /// The object's size and modification time, or `nil` when there is none.
    func objectInfo(key: String) async throws -> StoredObject?

    /// Streams the object's bytes to `body`, in order, in chunks of any size.
    /// - Returns: `false` (and `body` is never called) when there is no such object.
    func readObject(key: String, chunks body: (UnsafeRawBufferPointer) throws -> Void) async throws -> Bool

    /// Up to `maxBytes` bytes from the object's start (a ranged read) and its whole size, or
    /// `nil` when there is no such object.
    func readObjectPrefix(key: String, maxBytes: Int) async throws -> (bytes: Data, size: Int)?

    /// Removes the object (no error when there is none).
    func deleteObject(key: String) async throws

    /// Every object whose key starts with `prefix`, in key order, a page at a time.
    func listObjects(prefix: String, page body: ([StoredObject]) async throws -> Void) async throws
}
