import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// How much of a bucket one machine keeps in its node folder (``ObjectStoreArtifactStore``'s
/// cache): least recently used blobs are evicted once the cached bytes pass the limit, down
/// to 80 % of it. Evicted blobs are fetched again (and hash-checked) when next read.
///
/// - **Recency** is the blob file's modification time: a save or download sets it, and a read
///   through the store touches it (`utimensat`, at most once per ``minimumAge``/2 per blob and
///   process), so every process on the machine sees the same order.
/// - **Never evicted:** blobs used within ``minimumAge`` (10 minutes by default), checked
///   again just before each removal, so a save's upload, a read in progress or a path
///   `as_local_file` has just handed out keeps its file; materialised directories
///   (`materialized/`) are not counted or evicted.
/// - **The count** of cached bytes starts from `cache-size` in the node folder (written by the
///   last scan, and again by a process each time its count has grown by 64 KiB, or 1 % of a
///   smaller limit) and adds what this process stores; the folder is scanned again when that count
///   passes the limit, or when the file is older than an hour. The limit is therefore soft:
///   processes storing at the same time each count only their own additions until the next
///   scan.
///
/// Cost: a scan is one `lstat` per cached blob (about 0.5 s per 100,000 on these machines),
/// paid by the save or read that crosses the limit.
final class CacheBudget: @unchecked Sendable {
    /// Cached bytes above which blobs are evicted; `nil`: none are (reads still mark recency,
    /// for processes of this folder that have a limit).
    let limit: Int?
    /// Blobs used more recently than this are kept, whatever the count.
    let minimumAge: TimeInterval
    private let blobsPath: String
    private let sizeFile: URL

    private let lock = NSLock()
    private var counted: Int?  // guarded by `lock`; nil until read or scanned
    private var touched: [String: Date] = [:]  // guarded by `lock`
    private var trimming = false  // guarded by `lock`
    private var written: Int?  // guarded by `lock`; the count this process last wrote to `cache-size`

    /// A count older than this is scanned again before it is trusted.
    static let countLifetime: TimeInterval = 3_600

    init(limit: Int?, minimumAge: TimeInterval, blobsURL: URL, sizeFile: URL) {
        self.limit = limit
        self.minimumAge = minimumAge
        self.blobsPath = blobsURL.path
        self.sizeFile = sizeFile
    }

    /// A read of the cached blob at `path`: it becomes the most recently used.
    func used(sha256: String, path: String) {
        let now = Date()
        let due = lock.withLock { () -> Bool in
            if let last = touched[sha256], now.timeIntervalSince(last) < minimumAge / 2 { return false }
            if touched.count >= 1_000_000 { touched.removeAll(keepingCapacity: true) }
            touched[sha256] = now
            return true
        }
        if due { _ = utimensat(AT_FDCWD, path, nil, 0) }
    }

    /// A save put the blob at `path` into the cache, or found it there: counted when the file
    /// is new (written in the last 2 seconds), made most recently used when it is not.
    func stored(sha256: String, bytes: Int, path: String) {
        var info = stat()
        if lstat(path, &info) == 0, Date().timeIntervalSince1970 - Self.seconds(info.st_mtim) < 2 {
            added(sha256: sha256, bytes: bytes)
        } else {
            used(sha256: sha256, path: path)
        }
    }

    /// `bytes` of the blob `sha256` were just written into the cache (a save or a download);
    /// evicts when the count passes the limit.
    func added(sha256: String, bytes: Int) {
        let count = lock.withLock { () -> Int? in
            touched[sha256] = Date()
            if let counted { self.counted = counted + bytes }
            return self.counted
        }
        guard let limit else { return }
        if let count, count <= limit {
            // Kept current for the next process (each adds its own bytes to what it reads).
            let due = lock.withLock { () -> Bool in
                guard count - (written ?? 0) >= min(max(limit / 100, 1), 64 << 10) else { return false }
                written = count
                return true
            }
            if due { writeCount(count) }
            return
        }
        if count == nil, let stored = storedCount(), stored + bytes <= limit {
            lock.withLock { counted = (counted ?? stored) + bytes }
            return
        }
        _ = trim()
    }

    /// The count the last scan wrote, if it is recent enough to trust.
    private func storedCount() -> Int? {
        guard let values = try? sizeFile.resourceValues(forKeys: [.contentModificationDateKey]),
            let written = values.contentModificationDate, Date().timeIntervalSince(written) < Self.countLifetime,
            let text = try? String(contentsOf: sizeFile, encoding: .utf8),
            let bytes = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)), bytes >= 0
        else { return nil }
        return bytes
    }

    /// Scans the cache and, above the limit, removes least recently used blobs until 80 % of
    /// it is left (never one used within ``minimumAge``). One trim at a time per process; a
    /// call while one runs, or without a limit, returns `nil` at once.
    func trim() -> ObjectStoreArtifactStore.CacheTrim? {
        guard let limit else { return nil }
        guard lock.withLock({ () -> Bool in
            if trimming { return false }
            trimming = true
            return true
        }) else { return nil }
        defer { lock.withLock { trimming = false } }
        var blobs = scan()
        var total = blobs.reduce(0) { $0 + $1.size }
        var outcome = ObjectStoreArtifactStore.CacheTrim(removed: 0, freedBytes: 0, keptBytes: total)
        if total > limit {
            blobs.sort { ($0.modified, $0.path) < ($1.modified, $1.path) }
            let target = limit / 10 * 8
            let now = Date().timeIntervalSince1970
            for blob in blobs where total > target {
                // Looked at again: another process may have used it since the scan.
                var info = stat()
                guard lstat(blob.path, &info) == 0, now - Self.seconds(info.st_mtim) >= minimumAge else { continue }
                guard unlink(blob.path) == 0 else { continue }
                // Its shard folders too, once empty (rmdir refuses a folder that is not).
                let shard = (blob.path as NSString).deletingLastPathComponent
                if rmdir(shard) == 0 { rmdir((shard as NSString).deletingLastPathComponent) }
                total -= blob.size
                outcome.removed += 1
                outcome.freedBytes += blob.size
            }
            outcome.keptBytes = total
        }
        lock.withLock {
            counted = total
            written = total
        }
        writeCount(total)
        return outcome
    }

    private struct CachedBlob {
        var path: String
        var size: Int
        var modified: TimeInterval
    }

    /// Every blob file under `blobs/<2>/<2>/`, with its size and modification time.
    private func scan() -> [CachedBlob] {
        var found: [CachedBlob] = []
        let manager = FileManager.default
        for first in (try? manager.contentsOfDirectory(atPath: blobsPath)) ?? [] where first.utf8.count == 2 {
            let level1 = blobsPath + "/" + first
            for second in (try? manager.contentsOfDirectory(atPath: level1)) ?? [] where second.utf8.count == 2 {
                let level2 = level1 + "/" + second
                for name in (try? manager.contentsOfDirectory(atPath: level2)) ?? []
                where FileSystemArtifactStore.isSHA256Digest(name) {
                    let path = level2 + "/" + name
                    var info = stat()
                    guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { continue }
                    found.append(CachedBlob(path: path, size: Int(info.st_size), modified: Self.seconds(info.st_mtim)))
                }
            }
        }
        return found
    }

    private static func seconds(_ time: timespec) -> TimeInterval {
        TimeInterval(time.tv_sec) + TimeInterval(time.tv_nsec) / 1e9
    }

    /// `cache-size`: the count, written whole (a temporary renamed over it).
    private func writeCount(_ bytes: Int) {
        let temporary = sizeFile.deletingLastPathComponent().appendingPathComponent(".cache-size.\(getpid()).tmp")
        guard (try? Data("\(bytes)\n".utf8).write(to: temporary)) != nil else { return }
        if rename(temporary.path, sizeFile.path) != 0 { try? FileManager.default.removeItem(at: temporary) }
    }
}
