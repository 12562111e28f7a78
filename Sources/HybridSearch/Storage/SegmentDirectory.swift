import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where an index keeps its files (segments, commit points): a flat namespace of immutable
/// files. Writes are atomic — a file is either complete under its name or absent — and
/// durable when the call returns; files are never modified in place.
public protocol SegmentDirectory: Sendable {
    /// Names of the files present, sorted.
    func fileNames() throws(SearchError) -> [String]
    /// The bytes of a file (mapped where the directory is on disk).
    func read(_ name: String) throws(SearchError) -> SegmentBytes
    /// Writes a file atomically and durably (replacing one of the same name).
    func write(_ name: String, _ data: Data) throws(SearchError)
    /// Removes a file; a missing file is not an error.
    func remove(_ name: String) throws(SearchError)
    /// Runs `body` holding the directory's write lock if nobody else holds it (never waits);
    /// `nil` when another writer — in this or another process — has it.
    func withWriteLock<T>(_ body: () throws(SearchError) -> T) throws(SearchError) -> T?
}

/// A ``SegmentDirectory`` in a folder: each file written to a temporary name, `fsync`ed,
/// renamed into place, then the folder `fsync`ed (so the rename survives a power loss); read
/// by `mmap`. Names are plain file names (no `/`, no leading `.`).
public struct FileSystemSegmentDirectory: SegmentDirectory {
    public let url: URL

    /// Opens (creating if needed) the folder.
    /// - Throws: ``SearchError/storage(path:reason:)``.
    public init(url: URL) throws(SearchError) {
        self.url = url.standardizedFileURL
        do {
            try FileManager.default.createDirectory(at: self.url, withIntermediateDirectories: true)
        } catch {
            throw .storage(path: url.path, reason: "cannot create the folder (\(error.localizedDescription))")
        }
    }

    static func check(_ name: String) throws(SearchError) {
        guard !name.isEmpty, !name.contains("/"), !name.hasPrefix("."), !name.contains("\0") else {
            throw .invalidArgument("\"\(name)\" is not a plain file name")
        }
    }

    public func fileNames() throws(SearchError) -> [String] {
        do {
            return try FileManager.default.contentsOfDirectory(atPath: url.path).filter { !$0.hasPrefix(".") }.sorted()
        } catch {
            throw .storage(path: url.path, reason: "cannot list the folder (\(error.localizedDescription))")
        }
    }

    public func read(_ name: String) throws(SearchError) -> SegmentBytes {
        try Self.check(name)
        return try SegmentBytes.map(path: url.appendingPathComponent(name).path, populate: Self.populatesMappings)
    }

    /// `ARTIFACT_SEARCH_MAP_POPULATE=1` maps segments with `MAP_POPULATE` (every page faulted
    /// in at open): a measurement switch for Benchmarks/store_scale (RESULTS.md has the figures).
    static let populatesMappings = ProcessInfo.processInfo.environment["ARTIFACT_SEARCH_MAP_POPULATE"] == "1"

    public func write(_ name: String, _ data: Data) throws(SearchError) {
        try Self.check(name)
        let final = url.appendingPathComponent(name).path
        let temporary = url.appendingPathComponent(".\(name).\(getpid()).\(UInt64.random(in: 0...UInt64.max)).tmp").path
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o444)
        guard fd >= 0 else { throw .storage(path: temporary, reason: String(cString: strerror(errno))) }
        var failure: String?
        data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = systemWrite(fd, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = String(cString: strerror(errno))
                    return
                }
                offset += written
            }
        }
        if failure == nil, fsync(fd) != 0 { failure = String(cString: strerror(errno)) }
        close(fd)
        if failure == nil, rename(temporary, final) != 0 { failure = String(cString: strerror(errno)) }
        if let failure {
            unlink(temporary)
            throw .storage(path: final, reason: failure)
        }
        let folder = open(url.path, O_RDONLY | O_CLOEXEC)
        if folder >= 0 {
            _ = fsync(folder)
            close(folder)
        }
    }

    public func remove(_ name: String) throws(SearchError) {
        try Self.check(name)
        let path = url.appendingPathComponent(name).path
        if unlink(path) != 0, errno != ENOENT { throw .storage(path: path, reason: String(cString: strerror(errno))) }
    }

    /// `flock(LOCK_EX | LOCK_NB)` on `.write.lock` in the folder (opened read-only, so any user
    /// who can read the index can take it).
    public func withWriteLock<T>(_ body: () throws(SearchError) -> T) throws(SearchError) -> T? {
        let path = url.appendingPathComponent(".write.lock").path
        let fd = open(path, O_RDONLY | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .storage(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else { return nil }
        return try body()
    }
}

/// A ``SegmentDirectory`` in memory, for tests and for indexes that need no persistence.
public final class InMemorySegmentDirectory: SegmentDirectory, @unchecked Sendable {
    private let lock = NSLock()
    private var files: [String: SegmentBytes] = [:]  // guarded by `lock`

    public init() {}

    public func fileNames() throws(SearchError) -> [String] { lock.withLock { files.keys.sorted() } }

    public func read(_ name: String) throws(SearchError) -> SegmentBytes {
        guard let bytes = lock.withLock({ files[name] }) else {
            throw .storage(path: name, reason: "no such file")
        }
        return bytes
    }

    public func write(_ name: String, _ data: Data) throws(SearchError) {
        try FileSystemSegmentDirectory.check(name)
        let bytes = SegmentBytes(copying: data)
        lock.withLock { files[name] = bytes }
    }

    public func remove(_ name: String) throws(SearchError) {
        _ = lock.withLock { files.removeValue(forKey: name) }
    }

    private let writeLock = NSLock()

    public func withWriteLock<T>(_ body: () throws(SearchError) -> T) throws(SearchError) -> T? {
        guard writeLock.try() else { return nil }
        defer { writeLock.unlock() }
        return try body()
    }

    /// Replaces one byte of a file (to test that damage is detected).
    public func corrupt(_ name: String, at offset: Int) {
        lock.withLock {
            guard let bytes = files[name], offset < bytes.buffer.count else { return }
            var data = Data(bytes.buffer)
            data[offset] ^= 0xFF
            files[name] = SegmentBytes(copying: data)
        }
    }
}

/// `write(2)` (named apart from ``SegmentDirectory/write(_:_:)``).
private func systemWrite(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
        return Glibc.write(fd, bytes, count)
    #else
        return Darwin.write(fd, bytes, count)
    #endif
}
