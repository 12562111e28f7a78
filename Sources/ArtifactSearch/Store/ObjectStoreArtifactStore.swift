import Foundation

/// A shared store's bytes: content-addressed objects in a bucket (``ObjectStorage``, e.g. S3)
/// that many machines reach, with a local folder for this machine's cache, staging area and
/// temporaries (issue 12).
///
/// - **Keys:** `sha256/<64 hex digits>` under the location's prefix; a record's `uri` is
///   `s3://BUCKET[/PREFIX]/sha256/<hex>`.
/// - **Saves** hash the bytes into the local cache (a ``FileSystemArtifactStore`` in
///   ``rootURL``, not flushed: it can always be fetched again), then upload the object with a
///   conditional put (`If-None-Match: *`), so two machines saving the same bytes never race,
///   and only then return: a record is committed only after its bytes are in the bucket. A
///   directory's files go up before its manifest, so no manifest names a missing object.
///   Saving bytes that already exist re-uploads them when the object is older than half of
///   ``minimumOrphanAge``, so orphan cleanup never takes an object a save has just reused.
/// - **Reads** come from the cache; a blob not cached is downloaded into it, hashed on the way
///   (bytes that do not hash to their name are refused, never cached). Prefixes (indexing and
///   snippets) of uncached blobs are ranged reads; a blob the prefix covers whole is cached.
/// - **Deletes** remove the cached copy only: another machine's save may be about to record
///   the same bytes, so objects no record names are removed by `verify --repair` alone, and
///   only once older than a day (``minimumOrphanAge``).
///
/// - **The cache** is bounded (``cacheLimit``, 10 GiB by default): least recently used blobs
///   are evicted past it (see ``CacheBudget``), never one used in the last ``cacheMinimumAge``.
public struct ObjectStoreArtifactStore: ArtifactStore {
    public let objects: any ObjectStorage
    /// The local folder: cached blobs (`blobs/`), `tmp/`, `staging/`, `materialized/`, the lock.
    public let cache: FileSystemArtifactStore

    /// Objects unreferenced for less than this are never removed (default 86,400 s, a day:
    /// ``defaultOrphanAge``).
    public let orphanAge: TimeInterval
    public static let defaultOrphanAge: TimeInterval = 86_400

    /// Bytes of cached blobs this machine keeps (`nil`: no limit); default 10 GiB. A read-only
    /// store evicts nothing.
    public var cacheLimit: Int? { budget?.limit ?? nil }
    public static let defaultCacheLimit = 10 << 30
    /// Cached blobs used (saved, downloaded, read) more recently than this are never evicted:
    /// 600 s by default, so a save's upload, a read under way and a path handed out by
    /// `as_local_file` keep their file.
    public static let defaultCacheMinimumAge: TimeInterval = 600
    private let budget: CacheBudget?

    /// - Parameters:
    ///   - objects: the bucket.
    ///   - cacheURL: this machine's folder for the cache (created if needed).
    ///   - readOnly: as ``FileSystemArtifactStore``'s: nothing is uploaded or written, except
    ///     downloads into an existing cache folder when it is writable.
    ///   - orphanAge: see ``orphanAge``.
    ///   - cacheLimit: see ``cacheLimit`` (a read-only store evicts nothing).
    ///   - cacheMinimumAge: see ``defaultCacheMinimumAge``.
    public init(
        objects: any ObjectStorage, cacheURL: URL, readOnly: Bool = false, orphanAge: TimeInterval = Self.defaultOrphanAge,
        cacheLimit: Int? = Self.defaultCacheLimit, cacheMinimumAge: TimeInterval = Self.defaultCacheMinimumAge
    ) throws(ArtifactError) {
        if let cacheLimit, cacheLimit < 0 { throw .invalidArgument("the cache limit must be at least 0 bytes (got \(cacheLimit))") }
        try Self.claimCache(cacheURL, for: objects.locationURI, readOnly: readOnly)
        self.objects = objects
        self.orphanAge = orphanAge
        self.cache = try FileSystemArtifactStore(rootURL: cacheURL, synchronizesWrites: false, readOnly: readOnly)
        self.budget =
            readOnly
            ? nil
            : CacheBudget(
                limit: cacheLimit, minimumAge: cacheMinimumAge, blobsURL: cache.blobsURL,
                sizeFile: cacheURL.appendingPathComponent("cache-size"))
    }

    /// `bucket-cache` in a folder this store caches into: its `blobs/` hold copies of a
    /// bucket's objects (evicted as the cache needs), never a store's only copy.
    static let cacheMarkerName = "bucket-cache"

    /// The bucket whose cache `folder` is (``cacheMarkerName``'s contents), or `nil`.
    public static func cachedBucket(in folder: URL) -> String? {
        (try? String(contentsOf: folder.appendingPathComponent(cacheMarkerName), encoding: .utf8))
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    /// Marks `folder` as a cache of `bucket`, refusing a folder whose `blobs/` belong to an
    /// embedded store (`index.sqlite` beside blobs, no marker): evicting them would lose the
    /// only copy. A marked folder, an empty one, or one with blobs but no `index.sqlite` (a
    /// node folder of a build before the marker) is taken.
    private static func claimCache(_ folder: URL, for bucket: String, readOnly: Bool) throws(ArtifactError) {
        if cachedBucket(in: folder) != nil { return }
        let blobs = folder.appendingPathComponent("blobs")
        let hasBlobs = !((try? FileManager.default.contentsOfDirectory(atPath: blobs.path)) ?? []).isEmpty
        if hasBlobs, FileManager.default.fileExists(atPath: folder.appendingPathComponent("index.sqlite").path) {
            throw .invalidArgument(
                "\(folder.path) holds an embedded store (index.sqlite and its blobs/): a store whose bytes are in a bucket"
                    + " needs a folder of its own, whose blobs/ is a cache that is evicted — give another --store"
                    + " (artifact-search copy moves an embedded store into a shared one). If its blobs/ has only ever"
                    + " been a cache of \(bucket) (a folder opened with --blobs by an earlier build), write that URI into"
                    + " \(folder.appendingPathComponent(cacheMarkerName).path) to say so")
        }
        guard !readOnly else { return }
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try Data((bucket + "\n").utf8).write(to: folder.appendingPathComponent(cacheMarkerName), options: .atomic)
        } catch {
            throw .io(path: folder.appendingPathComponent(cacheMarkerName).path, reason: "cannot mark the folder as a cache (\(error))")
        }
    }

    /// What ``trimCache()`` did: blobs removed, bytes freed, bytes left in the cache.
    public struct CacheTrim: Sendable, Hashable {
        public var removed: Int
        public var freedBytes: Int
        public var keptBytes: Int

        public init(removed: Int, freedBytes: Int, keptBytes: Int) {
            self.removed = removed
            self.freedBytes = freedBytes
            self.keptBytes = keptBytes
        }
    }

    /// Scans the cache now and evicts as a save or download past the limit would (least
    /// recently used first, down to 80 % of ``cacheLimit``); `nil` without a limit, or while
    /// this process is already trimming.
    @discardableResult
    public func trimCache() -> CacheTrim? {
        budget?.trim()
    }

    /// A save put `content` into the cache (or found it there).
    private func noteCached(_ content: StoredContent) {
        budget?.stored(sha256: content.sha256, bytes: content.size, path: cache.blobPath(sha256: content.sha256))
    }

    /// A read of a cached blob.
    private func used(_ sha256: String) {
        budget?.used(sha256: sha256, path: cache.blobPath(sha256: sha256))
    }

    public var rootURL: URL { cache.rootURL }
    public var stagingURL: URL { cache.stagingURL }
    public var isReadOnly: Bool { cache.isReadOnly }
    /// Reads of uncached blobs are round trips to the bucket: 32 in flight.
    public var concurrentReads: Int { 32 }

    /// The object key of a blob.
    public static func key(sha256: String) -> String { "sha256/" + sha256.lowercased() }

    /// The blob's SHA-256 if `key` is a blob key (64 lower-case hex digits after `sha256/`).
    static func sha256(ofKey key: String) -> String? {
        guard key.hasPrefix("sha256/") else { return nil }
        let sha = String(key.dropFirst("sha256/".count))
        return FileSystemArtifactStore.isSHA256Digest(sha) ? sha : nil
    }

    public func contentURI(sha256: String) -> String { objects.locationURI + "/" + Self.key(sha256: sha256) }

    public func sha256(ofContentURI uri: String) -> String? {
        let location = objects.locationURI + "/"
        guard uri.hasPrefix(location) else { return nil }
        return Self.sha256(ofKey: String(uri.dropFirst(location.count)))
    }

    /// Runs a request to the bucket, reporting its failures as ``ArtifactError/remoteStorage(location:reason:)``.
    private func remote<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as ArtifactError {
            throw error
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw ArtifactError.remoteStorage(location: objects.locationURI, reason: "\(error)")
        }
    }

    // MARK: Writing

    public func withWriteLease<T>(_ body: () async throws -> T) async throws -> T {
        try await cache.withWriteLease(body)
    }

    /// Uploads a cached blob unless the bucket has it (re-uploading an old one, see above).
    private func upload(_ content: StoredContent) async throws {
        let key = Self.key(sha256: content.sha256)
        try await remote {
            let path = cache.blobPath(sha256: content.sha256)
            if try await objects.putObjectIfAbsent(key: key, file: path, size: content.size, sha256: content.sha256) {
                return
            }
            let existing = try await objects.objectInfo(key: key)
            if existing.map({ Date().timeIntervalSince($0.modified) > orphanAge / 2 }) ?? true {
                try await objects.putObject(key: key, file: path, size: content.size, sha256: content.sha256)
            }
        }
    }

    /// The cached content as this store names it (its object's URI).
    private func shared(_ content: StoredContent) -> StoredContent {
        StoredContent(sha256: content.sha256, size: content.size, url: content.url, uri: contentURI(sha256: content.sha256))
    }

    public func storeFile(at url: URL, followSymlinks: Bool) async throws -> StoredContent {
        let content = try await cache.storeFile(at: url, followSymlinks: followSymlinks)
        noteCached(content)
        try await upload(content)
        return shared(content)
    }

    public func storeFiles(at urls: [URL], followSymlinks: Bool, prefixBytes: Int) async throws
        -> [Result<(content: StoredContent, prefix: Data), ArtifactError>]
    {
        let cached = try await cache.storeFiles(at: urls, followSymlinks: followSymlinks, prefixBytes: prefixBytes)
        // Uploads side by side (a few at a time: each is a round trip), results in order.
        var results = cached
        try await withThrowingTaskGroup(of: (Int, Result<(content: StoredContent, prefix: Data), ArtifactError>).self) { group in
            var inFlight = 0
            for (index, result) in cached.enumerated() {
                guard case .success(let stored) = result else { continue }
                noteCached(stored.content)
                if inFlight == Self.parallelUploads, let (done, outcome) = try await group.next() {
                    results[done] = outcome
                    inFlight -= 1
                }
                group.addTask {
                    do {
                        try await upload(stored.content)
                        return (index, .success((shared(stored.content), stored.prefix)))
                    } catch let error as ArtifactError {
                        return (index, .failure(error))
                    }
                }
                inFlight += 1
            }
            for try await (done, outcome) in group { results[done] = outcome }
        }
        return results
    }

    /// Uploads in flight at once for a batch.
    static let parallelUploads = 8

    public func storeData(_ data: Data) async throws -> StoredContent {
        let content = try await cache.storeData(data)
        noteCached(content)
        try await upload(content)
        return shared(content)
    }

    public func storeDirectory(at url: URL) async throws -> StoredDirectory {
        let stored = try await cache.storeDirectory(at: url)
        var seen = Set<String>()
        for entry in stored.manifest.entries where seen.insert(entry.sha256).inserted {
            let content = StoredContent(sha256: entry.sha256, size: entry.size, url: cache.contentURL(sha256: entry.sha256))
            noteCached(content)
            try await upload(content)
        }
        noteCached(stored.manifestContent)
        try await upload(stored.manifestContent)
        return StoredDirectory(
            manifest: stored.manifest, manifestContent: shared(stored.manifestContent), skippedPaths: stored.skippedPaths)
    }

    // MARK: Reading

    public func contentURL(sha256: String) -> URL { cache.contentURL(sha256: sha256) }

    public func containsContent(sha256: String) async throws -> Bool {
        if cache.containsContent(sha256: sha256) { return true }
        return try await remote { try await objects.objectInfo(key: Self.key(sha256: sha256)) != nil }
    }

    public func storedSize(sha256: String) async throws -> Int? {
        if let size = cache.storedSize(sha256: sha256) { return size }
        return try await remote { try await objects.objectInfo(key: Self.key(sha256: sha256))?.size }
    }

    /// Makes sure the blob is in the cache: downloaded and hash-checked when it is not.
    /// - Returns: whether it was downloaded now (and so has just been checked in full).
    /// - Throws: ``ArtifactError/corruptStore(_:)`` when the bucket has no such object,
    ///   ``ArtifactError/contentDamaged(artifactID:path:expected:actual:)`` when its bytes do
    ///   not hash to `sha256`.
    @discardableResult
    public func fetch(sha256: String) async throws -> Bool {
        if cache.containsContent(sha256: sha256) {
            used(sha256)
            return false
        }
        let key = Self.key(sha256: sha256)
        try await cache.receiveBlob(sha256: sha256, source: contentURI(sha256: sha256)) { sink in
            guard try await remote({ try await objects.readObject(key: key) { chunk in try sink.write(chunk) } }) else {
                throw ArtifactError.corruptStore("content \(sha256) is missing from \(objects.locationURI)")
            }
        }
        if let budget, let size = cache.storedSize(sha256: sha256) { budget.added(sha256: sha256, bytes: size) }
        return true
    }

    public func localFile(sha256: String) async throws -> URL {
        try await fetch(sha256: sha256)
        return cache.contentURL(sha256: sha256)
    }

    public func readContent(sha256: String, maxBytes: Int?) async throws -> Data {
        if let maxBytes { return try await readPrefix(sha256: sha256, maxBytes: maxBytes).bytes }
        try await fetch(sha256: sha256)
        return try await cache.readContent(sha256: sha256, maxBytes: nil)
    }

    public func readPrefix(sha256: String, maxBytes: Int) async throws -> (bytes: Data, size: Int) {
        if cache.containsContent(sha256: sha256) {
            used(sha256)
            return try await cache.readPrefix(sha256: sha256, maxBytes: maxBytes)
        }
        let key = Self.key(sha256: sha256)
        guard let (bytes, size) = try await remote({ try await objects.readObjectPrefix(key: key, maxBytes: maxBytes) }) else {
            throw ArtifactError.corruptStore("content \(sha256) is missing from \(objects.locationURI)")
        }
        // The prefix is the whole blob: cache it (if it hashes right) so the next read is local.
        if bytes.count == size, !isReadOnly {
            let received: Void? = try? await cache.receiveBlob(sha256: sha256, source: contentURI(sha256: sha256)) { sink in
                try bytes.withUnsafeBytes { try sink.write($0) }
            }
            if received != nil { budget?.added(sha256: sha256, bytes: size) }
        }
        return (bytes, size)
    }

    public func readContent(sha256: String, chunks body: (Data) throws -> Void) async throws {
        try await fetch(sha256: sha256)
        try cache.readContent(sha256: sha256, chunks: body)
    }

    public func readVerifiedContent(sha256: String, chunks body: (Data) throws -> Void) async throws {
        // A blob downloaded now was checked whole on its way in: one more (hashed) pass, not two.
        if try await fetch(sha256: sha256) {
            try cache.readContent(sha256: sha256, chunks: body)
        } else {
            try await cache.readVerifiedContent(sha256: sha256, chunks: body)
        }
    }

    public func openVerifiedContent(sha256: String) async throws -> any ContentReader {
        try await fetch(sha256: sha256)
        return try cache.openVerifiedContent(sha256: sha256)
    }

    /// Checks the object in the bucket (downloaded into the cache, or the cached copy checked
    /// again).
    public func checkContent(sha256: String) async throws {
        if try await fetch(sha256: sha256) { return }  // checked whole on its way in
        try await cache.checkContent(sha256: sha256)
    }

    public func manifest(sha256: String) async throws -> DirectoryManifest {
        try await fetch(sha256: sha256)
        return try await cache.manifest(sha256: sha256)
    }

    public func materializeDirectory(manifestSHA256 sha256: String) async throws -> URL {
        let manifest = try await manifest(sha256: sha256)
        for entry in manifest.entries { try await fetch(sha256: entry.sha256) }
        return try await cache.materializeDirectory(manifestSHA256: sha256)
    }

    // MARK: Staging

    public func makeStagingFile(pathExtension: String) throws -> URL {
        try cache.makeStagingFile(pathExtension: pathExtension)
    }

    public func makeStagingDirectory(suffix: String) throws -> URL {
        try cache.makeStagingDirectory(suffix: suffix)
    }
}

// MARK: Maintenance

extension ObjectStoreArtifactStore: StoreMaintenance {
    public var minimumOrphanAge: TimeInterval { orphanAge }

    /// The bucket's objects under `sha256/` (and anything else under the prefix, as strays),
    /// named by their `s3://` URIs.
    public func blobFiles() async throws -> [StoreFile] {
        var files: [StoreFile] = []
        try await remote {
            try await objects.listObjects(prefix: "") { page in
                for object in page {
                    guard let url = URL(string: objects.locationURI + "/" + object.key) else { continue }
                    files.append(StoreFile(url: url, sha256: Self.sha256(ofKey: object.key), modified: object.modified))
                }
            }
        }
        return files
    }

    public func temporaryFiles() async throws -> [StoreFile] {
        try await cache.temporaryFiles()
    }

    /// The exclusive lock is this machine's only: other machines' saves are kept safe by the
    /// day an orphan object must wait (``minimumOrphanAge``) and by re-uploads of old objects.
    public func withExclusiveMaintenance<T>(timeout: TimeInterval, _ body: () async throws -> T) async throws -> T? {
        try await cache.withExclusiveMaintenance(timeout: timeout, body)
    }

    /// Removes an object of the bucket (checked again first: one written since the listing —
    /// a save reusing it — is kept), or a local temporary.
    public func removeMaintenanceFile(_ file: StoreFile) async throws {
        guard !file.url.isFileURL else { return try await cache.removeMaintenanceFile(file) }
        guard !isReadOnly else { throw ArtifactError.readOnlyStore(path: rootURL.path) }
        let location = objects.locationURI + "/"
        guard file.url.absoluteString.hasPrefix(location) else {
            throw ArtifactError.pathEscapesDirectory(path: file.url.absoluteString)
        }
        let key = String(file.url.absoluteString.dropFirst(location.count))
        try await remote {
            guard let info = try await objects.objectInfo(key: key), info.modified <= file.modified else { return }
            try await objects.deleteObject(key: key)
        }
        if let sha = file.sha256 { _ = try await cache.removeContent(sha256: sha) }
    }

    /// Removes the cached copy (and materialised folder) only; the object stays for
    /// `verify --repair` (see the type's documentation).
    public func removeContent(sha256: String) async throws -> Int {
        try await cache.removeContent(sha256: sha256)
    }
}
