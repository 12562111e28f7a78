import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The store's writer lock: `store.lock` in the store folder, an advisory `flock(2)`.
///
/// Every save holds it **shared** from the first byte written under `tmp/` until its record
/// is committed (many saves, in many processes, at once). Maintenance that removes files —
/// stale temporaries, orphan blobs — needs it **exclusive**, so it never runs while any save is
/// between "blob stored (or found already stored)" and "artifact recorded": a blob that a
/// save has just written or deduplicated is never taken away before its record exists.
///
/// The file is opened read-only (`flock` needs no write access), so a lock file created by
/// another user (root running a read command) never stops the owner from saving.
///
/// One instance per store folder per process (``forStore(at:)``): `flock` locks belong to an
/// open file description, so the process keeps one descriptor for its shared holders (counted)
/// and opens another for an exclusive attempt, which then conflicts with its own saves too.
final class StoreWriteLock: @unchecked Sendable {
    let url: URL
    private let mutex = NSLock()
    private var sharedDescriptor: Int32 = -1  // guarded by `mutex`
    private var sharedHolders = 0  // guarded by `mutex`

    private static let registryLock = NSLock()
    nonisolated(unsafe) private static var registry: [String: StoreWriteLock] = [:]

    static let fileName = "store.lock"

    /// The lock of the store folder `root` (shared by every facade of this process).
    static func forStore(at root: URL) -> StoreWriteLock { named(fileName, in: root) }

    /// `reembed.lock`: held exclusive for a re-embed's vector phase, so two never interleave
    /// (saves never take it).
    static func forReembedding(at root: URL) -> StoreWriteLock { named("reembed.lock", in: root) }

    private static func named(_ name: String, in root: URL) -> StoreWriteLock {
        let path = root.standardizedFileURL.appendingPathComponent(name).path
        return registryLock.withLock {
            if let existing = registry[path] { return existing }
            let lock = StoreWriteLock(url: URL(fileURLWithPath: path))
            registry[path] = lock
            return lock
        }
    }

    private init(url: URL) {
        self.url = url
    }

    /// Runs `body` holding the lock shared (waiting while maintenance holds it exclusive).
    ///
    /// The wait never blocks a thread: the lock is tried without blocking and retried after a
    /// short sleep. A blocking `flock` here deadlocked a server — the exclusive holder was this
    /// process's own delete, whose task could not resume while every thread of the concurrency
    /// pool sat in `flock` waiting for it.
    /// - Throws: ``ArtifactError/io(path:reason:)`` when the lock file cannot be opened;
    ///   `CancellationError` when the task is cancelled while it waits.
    func withShared<T>(_ body: () async throws -> T) async throws -> T {
        while try !tryAcquireShared() {
            try Task.checkCancellation()
            try await Task.sleep(for: .milliseconds(5))
        }
        defer { releaseShared() }
        return try await body()
    }

    /// Joins the shared holders, or takes the shared lock if it is free of exclusive holders;
    /// `false` when maintenance holds it (try again later).
    private func tryAcquireShared() throws(ArtifactError) -> Bool {
        mutex.lock()
        defer { mutex.unlock() }
        if sharedHolders == 0 {
            let fd = open(url.path, O_RDONLY | O_CREAT | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw FileSystemArtifactStore.posixError(url.path) }
            while flock(fd, LOCK_SH | LOCK_NB) != 0 {
                if errno == EINTR { continue }
                let code = errno
                let error = FileSystemArtifactStore.posixError(url.path)
                close(fd)
                if code == EWOULDBLOCK { return false }
                throw error
            }
            sharedDescriptor = fd
        }
        sharedHolders += 1
        return true
    }

    private func releaseShared() {
        mutex.withLock {
            sharedHolders -= 1
            if sharedHolders == 0 {
                close(sharedDescriptor)  // releases the flock
                sharedDescriptor = -1
            }
        }
    }

    /// Runs `body` holding the lock exclusive, if it can be had within `timeout` seconds
    /// (polling; 0 = one attempt). Returns `nil` without running `body` otherwise.
    /// - Throws: ``ArtifactError/io(path:reason:)`` when the lock file cannot be opened, and
    ///   whatever `body` throws.
    func withExclusive<T>(timeout: TimeInterval = 0, _ body: () async throws -> T) async throws -> T? {
        let fd = open(url.path, O_RDONLY | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileSystemArtifactStore.posixError(url.path) }
        defer { close(fd) }
        let deadline = Date().addingTimeInterval(timeout)
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR, Date() < deadline else { return nil }
            try await Task.sleep(for: .milliseconds(50))
        }
        return try await body()
    }
}
