import Foundation

/// A file the store holds, as maintenance sees it.
public struct StoreFile: Sendable, Hashable {
    /// A local file (`file://`), or a remote object (`s3://BUCKET/KEY`).
    public var url: URL
    /// For a blob: the SHA-256 its name gives; `nil` for a temporary or a stray file.
    public var sha256: String?
    /// Last modification time.
    public var modified: Date

    public init(url: URL, sha256: String?, modified: Date) {
        self.url = url
        self.sha256 = sha256
        self.modified = modified
    }

    /// How reports name it: a local file's path, a remote object's URI.
    public var displayPath: String { url.isFileURL ? url.path : url.absoluteString }
}

/// What `verify` needs of an ``ArtifactStore`` besides reading: listing its files and removing
/// the ones no record needs, under the store's writer lock held exclusive.
public protocol StoreMaintenance: ArtifactStore {
    /// Every blob file (its name gives the SHA-256), and stray files under the blob tree
    /// (`sha256` nil).
    func blobFiles() async throws -> [StoreFile]

    /// Files and folders left under the temporary folder (`*.part` blobs being written, `*.dir`
    /// directories being materialised) — by live writers or by processes that died.
    func temporaryFiles() async throws -> [StoreFile]

    /// Runs `body` holding the writer lock exclusive — no save is between storing bytes and
    /// recording them anywhere — if it can be had within `timeout` seconds; else returns nil.
    func withExclusiveMaintenance<T>(timeout: TimeInterval, _ body: () async throws -> T) async throws -> T?

    /// Removes a file or folder returned by ``blobFiles()`` or ``temporaryFiles()``. Call only
    /// inside ``withExclusiveMaintenance(timeout:_:)``.
    func removeMaintenanceFile(_ file: StoreFile) async throws

    /// Removes the bytes with this SHA-256 (the blob, and for a directory manifest its
    /// materialised folder). Call only inside ``withExclusiveMaintenance(timeout:_:)``, once
    /// no record refers to them.
    /// - Returns: the bytes freed (0 when nothing was there).
    func removeContent(sha256: String) async throws -> Int

    /// The youngest an unreferenced blob may be for `verify --repair` to remove it, whatever
    /// the facade's grace period: a shared bucket's objects need a day (another machine's save
    /// may be about to record one; see ``ObjectStoreArtifactStore``). Default 0.
    var minimumOrphanAge: TimeInterval { get }
}

extension StoreMaintenance {
    public var minimumOrphanAge: TimeInterval { 0 }

    /// Removes temporaries older than `age` seconds, if the writer lock can be had at once
    /// (otherwise does nothing: someone is saving, and the next opener will sweep). Returns
    /// the files removed.
    @discardableResult
    public func sweepStaleTemporaries(olderThan age: TimeInterval, now: Date = Date()) async throws -> [StoreFile] {
        guard !isReadOnly else { return [] }
        return try await withExclusiveMaintenance(timeout: 0) {
            var removed: [StoreFile] = []
            for file in try await temporaryFiles() where now.timeIntervalSince(file.modified) > age {
                try await removeMaintenanceFile(file)
                removed.append(file)
            }
            return removed
        } ?? []
    }
}
