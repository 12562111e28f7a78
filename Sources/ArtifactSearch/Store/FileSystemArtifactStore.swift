import Crypto
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The embedded content-addressed store: a folder of blobs named by their SHA-256.
///
/// Layout under ``rootURL``:
/// - `blobs/ab/cd/abcd…` — one read-only file per distinct content (sharded by the first two
///   pairs of hex digits);
/// - `tmp/` — files being written; each is flushed (`fsync`) and then renamed into `blobs/`,
///   so a blob is either complete or absent, and the shard folder is flushed after the rename;
/// - `staging/` — paths handed out by ``makeStagingFile(pathExtension:)`` and
///   ``makeStagingDirectory(suffix:)``;
/// - `materialized/<manifest sha256>/` — directory artifacts rebuilt as folders.
public struct FileSystemArtifactStore: ArtifactStore {
    public let rootURL: URL
    /// When false, skips `fsync` (faster, but a power loss may lose recent blobs). Default true.
    public let synchronizesWrites: Bool

    private static let chunkSize = 1 << 20

    /// Whether the store was opened without write access: nothing is created, every write
    /// throws ``ArtifactError/readOnlyStore(path:)``.
    public let isReadOnly: Bool
    /// The writer lock (`store.lock`): held shared by saves, exclusive by maintenance.
    let writeLock: StoreWriteLock
    /// `blobs/`'s path, kept as a string for ``contentURL(sha256:)``.
    private let blobsPath: String

    /// Opens (creating if needed) a store in `rootURL`.
    /// - Parameter readOnly: open an existing store without creating or writing anything.
    /// - Throws: ``ArtifactError/io(path:reason:)`` when the folders cannot be created (naming a
    ///   path that is a file where a folder is needed).
    public init(rootURL: URL, synchronizesWrites: Bool = true, readOnly: Bool = false) throws(ArtifactError) {
        self.rootURL = rootURL.standardizedFileURL
        self.synchronizesWrites = synchronizesWrites
        self.isReadOnly = readOnly
        self.writeLock = StoreWriteLock.forStore(at: self.rootURL)
        self.blobsPath = self.rootURL.path + "/blobs"
        guard !readOnly else { return }
        for folder in ["blobs", "tmp", "staging", "materialized"] {
            try Self.createDirectory(self.rootURL.appendingPathComponent(folder))
        }
    }

    private func requireWritable() throws(ArtifactError) {
        if isReadOnly { throw .readOnlyStore(path: rootURL.path) }
    }

    public func withWriteLease<T>(_ body: () async throws -> T) async throws -> T {
        try requireWritable()
        return try await writeLock.withShared(body)
    }

    var blobsURL: URL { rootURL.appendingPathComponent("blobs") }
    var temporaryURL: URL { rootURL.appendingPathComponent("tmp", isDirectory: true) }

    /// A new temporary's URL in `tmp/` (named by path: `appendingPathComponent` without a
    /// directory hint asks the file system whether the name is a folder, a `stat` per save).
    func newTemporaryURL(suffix: String) -> URL {
        URL(fileURLWithPath: temporaryURL.path + "/" + ArtifactID.make() + suffix, isDirectory: false)
    }
    public var stagingURL: URL { rootURL.appendingPathComponent("staging") }
    var materializedURL: URL { rootURL.appendingPathComponent("materialized") }

    // MARK: Writing

    public func storeFile(at url: URL, followSymlinks: Bool = true) async throws -> StoredContent {
        try requireWritable()
        return try storeFileSync(at: url, followSymlinks: followSymlinks, durable: synchronizesWrites, prefixBytes: 0).content
    }

    public func storeFiles(at urls: [URL], followSymlinks: Bool, prefixBytes: Int) async throws
        -> [Result<(content: StoredContent, prefix: Data), ArtifactError>]
    {
        try requireWritable()
        var results: [Result<(content: StoredContent, prefix: Data), ArtifactError>] = []
        results.reserveCapacity(urls.count)
        for url in urls {
            do {
                results.append(.success(try storeFileSync(at: url, followSymlinks: followSymlinks, durable: false, prefixBytes: prefixBytes)))
            } catch {
                results.append(.failure(error))
            }
        }
        if synchronizesWrites, results.contains(where: { (try? $0.get()) != nil }) { try synchronizeBatch() }
        return results
    }

    /// Makes every blob written without its own `fsync` durable: Linux `syncfs(2)` of the
    /// store's file system (data, inodes and the renames in one flush; looked up at run time,
    /// Glibc's module does not export it); where it is missing, `sync(2)`.
    private func synchronizeBatch() throws(ArtifactError) {
        let fd = open(blobsURL.path, O_RDONLY | O_DIRECTORY)
        guard fd >= 0 else { throw Self.posixError(blobsURL.path) }
        defer { close(fd) }
        if let syncfs = Self.syncfs {
            guard syncfs(fd) == 0 else { throw Self.posixError(blobsURL.path) }
        } else {
            sync()
        }
    }

    private static let syncfs: (@convention(c) (Int32) -> Int32)? = {
        #if os(Linux)
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "syncfs") else { return nil }
            return unsafeBitCast(symbol, to: (@convention(c) (Int32) -> Int32).self)
        #else
            return nil
        #endif
    }()

    public func storeData(_ data: Data) async throws -> StoredContent {
        try requireWritable()
        let sha = Self.hex(SHA256.hash(data: data))
        let final = contentURL(sha256: sha)
        // Already stored (and intact: same bytes): nothing to write.
        if let existing = try? readContentSync(sha256: sha, maxBytes: data.count + 1), existing == data {
            return StoredContent(sha256: sha, size: data.count, url: final)
        }
        let temp = newTemporaryURL(suffix: ".part")
        let fd = try Self.openForWriting(temp)
        do {
            let failed = data.withUnsafeBytes { Self.writeAll(fd: fd, $0) }
            if failed { throw Self.posixError(temp.path) }
            if synchronizesWrites, fsync(fd) != 0 { throw Self.posixError(temp.path) }
            close(fd)
        } catch {
            close(fd)
            try? FileManager.default.removeItem(at: temp)
            throw error
        }
        try commit(temporary: temp, sha256: sha, durable: synchronizesWrites)
        return StoredContent(sha256: sha, size: data.count, url: final)
    }

    public func storeDirectory(at url: URL) async throws -> StoredDirectory {
        try requireWritable()
        let root = url.standardizedFileURL.resolvingSymlinksInPath()
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory) else {
            throw ArtifactError.io(path: url.path, reason: "no such folder")
        }
        guard isDirectory.boolValue else {
            throw ArtifactError.wrongContentType(path: url.path, expected: "directory")
        }
        var entries: [DirectoryManifest.Entry] = []
        var skipped: [String] = []
        try walk(root: root.path, relative: "", entries: &entries, skipped: &skipped)
        let manifest = try DirectoryManifest(entries: entries)
        let content = try await storeData(manifest.canonicalData)
        return StoredDirectory(manifest: manifest, manifestContent: content, skippedPaths: skipped)
    }

    private func walk(
        root: String, relative: String, entries: inout [DirectoryManifest.Entry], skipped: inout [String]
    ) throws {
        let folder = relative.isEmpty ? root : root + "/" + relative
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        } catch {
            throw ArtifactError.io(path: folder, reason: "cannot list the folder (\(error.localizedDescription))")
        }
        for name in names {
            let path = relative.isEmpty ? name : relative + "/" + name
            try DirectoryManifest.validate(relativePath: path)
            let full = root + "/" + path
            var info = stat()
            guard lstat(full, &info) == 0 else { throw Self.posixError(full) }
            switch info.st_mode & S_IFMT {
            case S_IFDIR:
                try walk(root: root, relative: path, entries: &entries, skipped: &skipped)
            case S_IFREG:
                let content = try storeFileSync(
                    at: URL(fileURLWithPath: full), followSymlinks: false, durable: synchronizesWrites, prefixBytes: 0
                ).content
                entries.append(.init(path: path, sha256: content.sha256, size: content.size))
            default:  // symbolic links (never followed), sockets, FIFOs, devices
                skipped.append(path)
            }
        }
    }

    /// Copies one file in, hashing it; `durable`: `fsync` it and its folder (else the caller
    /// flushes a whole batch). Also returns its first `prefixBytes` bytes.
    private func storeFileSync(at url: URL, followSymlinks: Bool, durable: Bool, prefixBytes: Int) throws(ArtifactError)
        -> (content: StoredContent, prefix: Data)
    {
        let source = url.path
        // O_NONBLOCK: opening a FIFO must not wait for a writer (it is rejected just below);
        // for regular files the flag changes nothing.
        var flags = O_RDONLY | O_NONBLOCK
        if !followSymlinks { flags |= O_NOFOLLOW }
        let input = open(source, flags)
        guard input >= 0 else { throw Self.posixError(source) }
        defer { close(input) }
        var info = stat()
        guard fstat(input, &info) == 0 else { throw Self.posixError(source) }
        // Only regular files: a folder, FIFO, socket or device (/dev/zero never ends) is refused.
        if info.st_mode & S_IFMT != S_IFREG {
            throw ArtifactError.wrongContentType(path: source, expected: "file")
        }
        let temp = newTemporaryURL(suffix: ".part")
        let output = try Self.openForWriting(temp)
        var hasher = SHA256()
        var size = 0
        var prefix = Data()
        // Sized to the file (a small file needs no megabyte), not zero-filled: read(2) fills it.
        let capacity = Swift.min(Self.chunkSize, Swift.max(4096, Int(info.st_size) + 1))
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 16)
        defer { buffer.deallocate() }
        do throws(ArtifactError) {
            while true {
                let count = read(input, buffer.baseAddress, buffer.count)
                if count < 0 {
                    if errno == EINTR { continue }
                    throw Self.posixError(source)
                }
                if count == 0 { break }
                let chunk = UnsafeRawBufferPointer(rebasing: buffer[0..<count])
                hasher.update(bufferPointer: chunk)
                if prefix.count < prefixBytes { prefix.append(contentsOf: chunk.prefix(prefixBytes - prefix.count)) }
                if Self.writeAll(fd: output, chunk) { throw Self.posixError(temp.path) }
                size += count
            }
            if durable, fsync(output) != 0 { throw Self.posixError(temp.path) }
            close(output)
        } catch {
            close(output)
            try? FileManager.default.removeItem(at: temp)
            throw error
        }
        let sha = Self.hex(hasher.finalize())
        try commit(temporary: temp, sha256: sha, durable: durable)
        return (StoredContent(sha256: sha, size: size, url: contentURL(sha256: sha)), prefix)
    }

    /// Renames a flushed temporary file to its blob name (or drops it if the blob exists).
    /// Renames a flushed temporary file to its blob name. An intact blob of that name is kept
    /// (the temporary is dropped); a damaged one — wrong bytes, or not a regular file — is
    /// replaced by the temporary, which holds bytes just hashed to `sha256`: saving the same
    /// bytes again heals it (readers holding the old file keep it).
    private func commit(temporary: URL, sha256: String, durable: Bool) throws(ArtifactError) {
        let final = contentURL(sha256: sha256)
        var existing = stat()
        if lstat(final.path, &existing) == 0 {
            if existing.st_mode & S_IFMT == S_IFREG, (try? checkContent(sha256: sha256)) != nil {
                // Already stored and intact: keep it (its folder may not even be ours to write).
                try? FileManager.default.removeItem(at: temporary)
                return
            }
            if existing.st_mode & S_IFMT == S_IFDIR {
                // A folder where the blob belongs is damage inside our own tree: clear it.
                try? FileManager.default.removeItem(at: final)
            }
        }
        let shard = final.deletingLastPathComponent()
        try Self.createShard(shard.path)
        chmod(temporary.path, 0o444)
        guard rename(temporary.path, final.path) == 0 else {
            let error = Self.posixError(final.path)
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
        if durable { Self.synchronizeDirectory(shard.path) }
    }

    // MARK: Reading

    public func contentURL(sha256: String) -> URL {
        URL(fileURLWithPath: blobPath(sha256: sha256), isDirectory: false)
    }

    /// ``contentURL(sha256:)``'s path, built as a string: `URL` construction and `.path` cost
    /// microseconds per call, and every search hit's snippet reads a blob.
    func blobPath(sha256: String) -> String {
        let sha = sha256.lowercased()
        let isHex = sha.utf8.allSatisfy { byte in
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
        }
        guard sha.utf8.count >= 4, isHex else { return blobsPath + "/invalid/" + (sha.isEmpty ? "empty" : "x") }
        return blobsPath + "/" + sha.prefix(2) + "/" + sha.dropFirst(2).prefix(2) + "/" + sha
    }

    public func contentURI(sha256: String) -> String {
        FileLocation.uri(for: contentURL(sha256: sha256))
    }

    public func containsContent(sha256: String) -> Bool {
        FileManager.default.fileExists(atPath: blobPath(sha256: sha256))
    }

    public func storedSize(sha256: String) -> Int? {
        var info = stat()
        guard lstat(blobPath(sha256: sha256), &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
        return Int(info.st_size)
    }

    public func localFile(sha256: String) throws -> URL {
        guard containsContent(sha256: sha256) else {
            throw ArtifactError.corruptStore("content \(sha256) is missing from \(blobsPath)")
        }
        return contentURL(sha256: sha256)
    }

    public func readContent(sha256: String, maxBytes: Int? = nil) async throws -> Data {
        try readContentSync(sha256: sha256, maxBytes: maxBytes)
    }

    public func readPrefix(sha256: String, maxBytes: Int) async throws -> (bytes: Data, size: Int) {
        try readPrefixSync(sha256: sha256, maxBytes: maxBytes)
    }

    /// Reads a blob; a whole read (`maxBytes == nil`) is hashed on the way and must match
    /// `sha256` (a prefix cannot be checked without reading everything, so it is not).
    func readContentSync(sha256: String, maxBytes: Int?) throws(ArtifactError) -> Data {
        if maxBytes == nil {
            var data = Data()
            try streamContent(sha256: sha256, verifyingFirst: false) { chunk in data.append(contentsOf: chunk) }
            return data
        }
        return try readPrefixSync(sha256: sha256, maxBytes: maxBytes!).bytes
    }

    private func readPrefixSync(sha256: String, maxBytes: Int) throws(ArtifactError) -> (bytes: Data, size: Int) {
        let (fd, size) = try openBlob(sha256: sha256)
        defer { close(fd) }
        // Blobs never change in place: the file's size bounds the read (no 64 KiB buffer
        // zeroed for a 2 KiB snippet source).
        let wanted = min(max(0, maxBytes), size)
        var data = Data(count: wanted)
        var filled = 0
        while filled < wanted {
            let count = data.withUnsafeMutableBytes { raw in read(fd, raw.baseAddress! + filled, wanted - filled) }
            if count < 0 {
                if errno == EINTR { continue }
                throw Self.posixError(blobPath(sha256: sha256))
            }
            if count == 0 { break }
            filled += count
        }
        data.count = filled
        return (data, size)
    }

    /// Opens a blob for reading: never blocking (a FIFO put in its place), never following a
    /// symbolic link, and only a regular file — anything else is
    /// ``ArtifactError/contentDamaged(artifactID:path:expected:actual:)``.
    /// - Returns: the open descriptor and the file's size in bytes.
    private func openBlob(sha256: String) throws(ArtifactError) -> (fd: Int32, size: Int) {
        let path = blobPath(sha256: sha256)
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else {
            let code = errno
            if code == ENOENT { throw .corruptStore("content \(sha256) is missing from \(blobsPath)") }
            if code == ELOOP {
                throw .contentDamaged(artifactID: nil, path: path, expected: sha256, actual: "a symbolic link")
            }
            throw Self.posixError(path)
        }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let error = Self.posixError(path)
            close(fd)
            throw error
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            throw .contentDamaged(artifactID: nil, path: path, expected: sha256, actual: "not a regular file")
        }
        return (fd, Int(info.st_size))
    }

    public func readContent(sha256: String, chunks body: (Data) throws -> Void) throws {
        try streamContent(sha256: sha256, verifyingFirst: false) { chunk in try body(Data(chunk)) }
    }

    public func readVerifiedContent(sha256: String, chunks body: (Data) throws -> Void) throws {
        try streamContent(sha256: sha256, verifyingFirst: true) { chunk in try body(Data(chunk)) }
    }

    /// Checks a blob against its name without copying a byte out of the read buffer.
    public func checkContent(sha256: String) throws {
        try streamContent(sha256: sha256, verifyingFirst: false) { _ in }
    }

    /// Writes a blob that arrives from elsewhere (a remote store's download into its cache):
    /// `fill` hands its bytes to the sink in order; they are hashed on the way, and only bytes
    /// that hash to `sha256` are renamed into place (not flushed: a cache).
    /// - Parameter source: names the bytes' origin in a damage error (`s3://…`).
    /// - Throws: ``ArtifactError/contentDamaged(artifactID:path:expected:actual:)`` when they
    ///   do not; what `fill` throws.
    func receiveBlob(sha256: String, source: String, fill: (BlobSink) async throws -> Void) async throws {
        try requireWritable()
        let temp = newTemporaryURL(suffix: ".part")
        let sink = BlobSink(fd: try Self.openForWriting(temp), path: temp.path)
        do {
            try await fill(sink)
            try sink.finish(expected: sha256, source: source)
        } catch {
            sink.close()
            try? FileManager.default.removeItem(at: temp)
            throw error
        }
        try commit(temporary: temp, sha256: sha256.lowercased(), durable: false)
    }

    /// Bytes written to a temporary file and hashed (``receiveBlob(sha256:source:fill:)``).
    final class BlobSink {
        private var fd: Int32
        private let path: String
        private var hasher = SHA256()

        init(fd: Int32, path: String) {
            self.fd = fd
            self.path = path
        }

        deinit { close() }

        func write(_ bytes: UnsafeRawBufferPointer) throws(ArtifactError) {
            hasher.update(bufferPointer: bytes)
            if FileSystemArtifactStore.writeAll(fd: fd, bytes) { throw FileSystemArtifactStore.posixError(path) }
        }

        func finish(expected: String, source: String) throws(ArtifactError) {
            close()
            let actual = FileSystemArtifactStore.hex(hasher.finalize())
            if actual != expected.lowercased() {
                throw .contentDamaged(artifactID: nil, path: source, expected: expected.lowercased(), actual: actual)
            }
        }

        func close() {
            if fd >= 0 { closeDescriptor(fd) }
            fd = -1
        }
    }

    /// Reads a blob with `read(2)` into one reused 4 MiB buffer, hashing each chunk before
    /// `body` sees it, and checks the hash at the end. With `verifyingFirst`, one pass over the
    /// same open file checks it before the second pass hands anything to `body` (and is checked
    /// again): a damaged blob yields no bytes, and one changed in place meanwhile still fails.
    private func streamContent(
        sha256: String, verifyingFirst: Bool, _ body: (UnsafeRawBufferPointer) throws -> Void
    ) throws(ArtifactError) {
        let path = blobPath(sha256: sha256)
        let (fd, _) = try openBlob(sha256: sha256)
        defer { close(fd) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 4 << 20, alignment: 64)
        defer { buffer.deallocate() }
        func pass(_ deliver: Bool) throws(ArtifactError) {
            var hasher = SHA256()
            while true {
                let count = read(fd, buffer.baseAddress, buffer.count)
                if count < 0 {
                    if errno == EINTR { continue }
                    throw Self.posixError(path)
                }
                if count == 0 { break }
                let chunk = UnsafeRawBufferPointer(rebasing: buffer[0..<count])
                hasher.update(bufferPointer: chunk)
                if deliver {
                    do { try body(chunk) } catch let error as ArtifactError { throw error } catch {
                        throw .io(path: path, reason: "\(error)")
                    }
                }
            }
            try Self.check(hasher, expected: sha256, path: path)
        }
        if verifyingFirst {
            try pass(false)
            guard lseek(fd, 0, SEEK_SET) == 0 else { throw Self.posixError(path) }
        }
        try pass(true)
    }

    public func openVerifiedContent(sha256: String) throws -> any ContentReader {
        try checkContent(sha256: sha256)
        let (fd, size) = try openBlob(sha256: sha256)
        return BlobReader(fd: fd, size: size, sha256: sha256, path: blobPath(sha256: sha256))
    }

    /// ``ContentReader`` over one open blob: 1 MiB reads, hashed, checked at the end.
    private final class BlobReader: ContentReader, @unchecked Sendable {
        let size: Int
        private let fd: Int32
        private let sha256: String
        private let path: String
        private var hasher = SHA256()
        private var finished = false
        private let lock = NSLock()

        init(fd: Int32, size: Int, sha256: String, path: String) {
            self.fd = fd
            self.size = size
            self.sha256 = sha256
            self.path = path
        }

        deinit { close(fd) }

        func next() throws -> Data? {
            lock.lock()
            defer { lock.unlock() }
            guard !finished else { return nil }
            var chunk = Data(count: 1 << 20)
            let count = chunk.withUnsafeMutableBytes { raw -> Int in
                while true {
                    let count = read(fd, raw.baseAddress, raw.count)
                    if count < 0, errno == EINTR { continue }
                    return count
                }
            }
            if count < 0 { throw FileSystemArtifactStore.posixError(path) }
            if count == 0 {
                finished = true
                try FileSystemArtifactStore.check(hasher, expected: sha256, path: path)
                return nil
            }
            chunk.count = count
            hasher.update(data: chunk)
            return chunk
        }
    }

    fileprivate static func check(_ hasher: SHA256, expected: String, path: String) throws(ArtifactError) {
        let actual = hex(hasher.finalize())
        if actual != expected.lowercased() {
            throw .contentDamaged(artifactID: nil, path: path, expected: expected.lowercased(), actual: actual)
        }
    }

    public func manifest(sha256: String) async throws -> DirectoryManifest {
        try DirectoryManifest(data: try readContentSync(sha256: sha256, maxBytes: nil))
    }

    public func materializeDirectory(manifestSHA256 sha256: String) async throws -> URL {
        let target = URL(
            fileURLWithPath: materializedURL.appendingPathComponent(sha256.lowercased()).path, isDirectory: true)
        let manifest = try await manifest(sha256: sha256)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: target.path, isDirectory: &isDirectory), isDirectory.boolValue {
            // Someone may have written into it since: reuse it only if it still is the manifest.
            if Self.folder(target, matches: manifest) { return target }
            try requireWritable()
            let stale = temporaryURL.appendingPathComponent(ArtifactID.make() + ".stale")
            if rename(target.path, stale.path) == 0 { try? FileManager.default.removeItem(at: stale) }
        }
        try requireWritable()
        let building = temporaryURL.appendingPathComponent(ArtifactID.make() + ".dir")
        do {
            try Self.createDirectory(building)
            for entry in manifest.entries {
                try DirectoryManifest.validate(relativePath: entry.path)
                let destination = building.appendingPathComponent(entry.path)
                try Self.createDirectory(destination.deletingLastPathComponent())
                guard containsContent(sha256: entry.sha256) else {
                    throw ArtifactError.corruptStore(
                        "file \"\(entry.path)\" of directory \(sha256) (content \(entry.sha256)) is missing")
                }
                // Copied through the hash check: a damaged blob never lands in the folder.
                let output = try Self.openForWriting(destination)
                defer { close(output) }
                try readContent(sha256: entry.sha256) { chunk in
                    let failed = chunk.withUnsafeBytes { Self.writeAll(fd: output, $0) }
                    if failed { throw Self.posixError(destination.path) }
                }
                fchmod(output, 0o444)
            }
            try Self.createDirectory(materializedURL)  // (a cache folder may have been cleared)
            if rename(building.path, target.path) != 0 {
                // Another task or process materialised it first: keep theirs.
                guard FileManager.default.fileExists(atPath: target.path) else { throw Self.posixError(target.path) }
                try? FileManager.default.removeItem(at: building)
            }
        } catch {
            try? FileManager.default.removeItem(at: building)
            throw error
        }
        return target
    }

    /// Whether `folder` holds exactly the manifest's files (no more, no fewer, no symbolic
    /// links), each with the recorded size and SHA-256.
    static func folder(_ folder: URL, matches manifest: DirectoryManifest) -> Bool {
        var found: [String] = []
        func walk(_ relative: String) -> Bool {
            let path = relative.isEmpty ? folder.path : folder.path + "/" + relative
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else { return false }
            for name in names {
                let child = relative.isEmpty ? name : relative + "/" + name
                var info = stat()
                guard lstat(folder.path + "/" + child, &info) == 0 else { return false }
                switch info.st_mode & S_IFMT {
                case S_IFDIR: if !walk(child) { return false }
                case S_IFREG: found.append(child)
                default: return false
                }
            }
            return true
        }
        guard walk(""), found.count == manifest.entries.count else { return false }
        let expected = Dictionary(manifest.entries.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        for path in found {
            guard let entry = expected[path] else { return false }
            let url = URL(fileURLWithPath: folder.path + "/" + path)
            guard let size = (try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? Int,
                size == entry.size, (try? sha256(ofFileAt: url)) == entry.sha256
            else { return false }
        }
        return true
    }

    // MARK: Staging

    public func makeStagingFile(pathExtension: String) throws -> URL {
        try requireWritable()
        var ext = pathExtension
        while ext.hasPrefix(".") { ext.removeFirst() }
        guard !ext.contains("/"), !ext.contains("\0"), !ext.contains("..") else {
            throw ArtifactError.pathEscapesDirectory(path: pathExtension)
        }
        try Self.createDirectory(stagingURL)
        return stagingURL.appendingPathComponent(ArtifactID.make() + (ext.isEmpty ? "" : "." + ext))
    }

    public func makeStagingDirectory(suffix: String) throws -> URL {
        try requireWritable()
        guard !suffix.contains("/"), !suffix.contains("\0"), !suffix.contains("..") else {
            throw ArtifactError.pathEscapesDirectory(path: suffix)
        }
        let url = stagingURL.appendingPathComponent(ArtifactID.make() + suffix)
        try Self.createDirectory(url)
        return url
    }

    /// Lower-case hex SHA-256 of a regular file's bytes, read in chunks (what a save of that
    /// file would record as `sha256`).
    /// - Throws: ``ArtifactError/io(path:reason:)`` when the file cannot be read.
    public static func sha256(ofFileAt url: URL) throws(ArtifactError) -> String {
        guard let handle = FileHandle(forReadingAtPath: url.path) else {
            throw .io(path: url.path, reason: "cannot open for reading")
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        do {
            while let chunk = try handle.read(upToCount: chunkSize), !chunk.isEmpty {
                hasher.update(data: chunk)
            }
        } catch {
            throw .io(path: url.path, reason: "\(error)")
        }
        return hex(hasher.finalize())
    }

    // MARK: Helpers

    /// Whether `text` is a SHA-256 as the store names blobs: 64 lower-case hex digits.
    static func isSHA256Digest(_ text: some StringProtocol) -> Bool {
        text.utf8.count == 64
            && text.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) }
    }

    static func hex(_ digest: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        for byte in digest {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A blob's two-level shard folder (`blobs/ab/cd`): one `stat` when it exists, else its
    /// parent and itself made with `mkdir(2)` directly (FileManager stats every ancestor first);
    /// anything unusual goes through ``createDirectory(_:)``, which names the problem.
    static func createShard(_ path: String) throws(ArtifactError) {
        var info = stat()
        if stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR { return }
        let parent = (path as NSString).deletingLastPathComponent
        if mkdir(parent, 0o777) == 0 || errno == EEXIST, mkdir(path, 0o777) == 0 { return }
        try createDirectory(URL(fileURLWithPath: path, isDirectory: true))
    }

    static func createDirectory(_ url: URL) throws(ArtifactError) {
        // The common case — the folder exists, as a blob shard usually does — in one stat.
        var info = stat()
        if stat(url.path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR { return }
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            // Name the real obstacle: a file where a folder is needed, or the POSIX reason.
            var ancestor = url.standardizedFileURL
            while ancestor.path != "/" {
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: ancestor.path, isDirectory: &isDirectory) {
                    if !isDirectory.boolValue {
                        throw .io(
                            path: url.path,
                            reason: "cannot create the folder: \(ancestor.path) is a file, not a folder (choose another location)")
                    }
                    break
                }
                ancestor.deleteLastPathComponent()
            }
            var reason = error.localizedDescription
            if let posix = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError,
                posix.domain == NSPOSIXErrorDomain
            {
                reason = String(cString: strerror(Int32(posix.code)))
            }
            throw .io(path: url.path, reason: "cannot create the folder (\(reason))")
        }
    }

    static func openForWriting(_ url: URL) throws(ArtifactError) -> Int32 {
        let fd = open(url.path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard fd >= 0 else { throw posixError(url.path) }
        return fd
    }

    /// Writes every byte; returns true on failure (with `errno` set).
    static func writeAll(fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                return true
            }
            offset += written
        }
        return false
    }

    private static func synchronizeDirectory(_ path: String) {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        close(fd)
    }

    static func posixError(_ path: String) -> ArtifactError {
        let code = errno
        let message = String(cString: strerror(code))
        if code == ELOOP { return .pathEscapesDirectory(path: path) }
        return .io(path: path, reason: message)
    }
}

/// `close(2)`, for types with a `close()` of their own.
private func closeDescriptor(_ fd: Int32) {
    close(fd)
}

// MARK: Maintenance

extension FileSystemArtifactStore: StoreMaintenance {
    public func blobFiles() async throws -> [StoreFile] {
        var files: [StoreFile] = []
        var info = stat()
        guard lstat(blobsURL.path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else { return [] }
        guard let enumerator = FileManager.default.enumerator(
            at: blobsURL, includingPropertiesForKeys: [.isRegularFileKey, .contentModificationDateKey])
        else { return [] }
        for case let url as URL in enumerator {
            var entry = stat()
            guard lstat(url.path, &entry) == 0, entry.st_mode & S_IFMT != S_IFDIR else { continue }
            let values = try? url.resourceValues(forKeys: [.contentModificationDateKey])
            let name = url.lastPathComponent
            let isBlob =
                entry.st_mode & S_IFMT == S_IFREG && Self.isSHA256Digest(name)
                && contentURL(sha256: name).standardizedFileURL.path == url.standardizedFileURL.path
            files.append(
                StoreFile(url: url, sha256: isBlob ? name : nil, modified: values?.contentModificationDate ?? .distantPast))
        }
        return files.sorted { $0.url.path < $1.url.path }
    }

    /// Suffixes of what this store writes under `tmp/`: blobs being written, directories being
    /// materialised, and superseded materialisations. Nothing else there is ever touched.
    static let temporarySuffixes = [".part", ".dir", ".stale"]

    public func temporaryFiles() async throws -> [StoreFile] {
        // Only a real folder: a `tmp` replaced by a symbolic link is never swept.
        var info = stat()
        guard lstat(temporaryURL.path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR,
            let names = try? FileManager.default.contentsOfDirectory(atPath: temporaryURL.path)
        else { return [] }
        return names.sorted().filter { name in Self.temporarySuffixes.contains { name.hasSuffix($0) } }.compactMap { name in
            let url = temporaryURL.appendingPathComponent(name)
            var info = stat()
            // Gone between the listing and now (renamed into place by a live writer): not ours to report.
            guard lstat(url.path, &info) == 0 else { return nil }
            return StoreFile(url: url, sha256: nil, modified: Date(timeIntervalSince1970: TimeInterval(info.st_mtim.tv_sec)))
        }
    }

    public func withExclusiveMaintenance<T>(timeout: TimeInterval, _ body: () async throws -> T) async throws -> T? {
        guard !isReadOnly else { throw ArtifactError.readOnlyStore(path: rootURL.path) }
        return try await writeLock.withExclusive(timeout: timeout, body)
    }

    public func removeMaintenanceFile(_ file: StoreFile) async throws {
        let path = file.url.standardizedFileURL.path
        guard path.hasPrefix(blobsURL.path + "/") || path.hasPrefix(temporaryURL.path + "/") else {
            throw ArtifactError.pathEscapesDirectory(path: path)
        }
        do {
            try FileManager.default.removeItem(at: file.url)
        } catch {
            throw ArtifactError.io(path: path, reason: "cannot remove (\(error.localizedDescription))")
        }
    }

    public func removeContent(sha256: String) async throws -> Int {
        guard !isReadOnly else { throw ArtifactError.readOnlyStore(path: rootURL.path) }
        let blob = contentURL(sha256: sha256)
        guard blob.standardizedFileURL.path.hasPrefix(blobsURL.path + "/") else {
            throw ArtifactError.pathEscapesDirectory(path: blob.path)
        }
        var freed = 0
        var info = stat()
        if lstat(blob.path, &info) == 0 {
            freed = Int(info.st_size)
            guard unlink(blob.path) == 0 || errno == ENOENT else {
                throw ArtifactError.io(path: blob.path, reason: "cannot remove (\(String(cString: strerror(errno))))")
            }
        }
        let folder = materializedURL.appendingPathComponent(sha256.lowercased())
        if FileManager.default.fileExists(atPath: folder.path) {
            do {
                try FileManager.default.removeItem(at: folder)
            } catch {
                throw ArtifactError.io(path: folder.path, reason: "cannot remove (\(error.localizedDescription))")
            }
        }
        return freed
    }
}
