import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The read-only bytes of one segment file: mapped from disk (`mmap`, `PROT_READ`,
/// `MAP_SHARED`, so every process reading the file shares the page cache and nothing is
/// copied) or held in memory. Immutable; the mapping lives as long as this object.
public final class SegmentBytes: @unchecked Sendable {
    /// The bytes (valid while `self` is alive).
    public let buffer: UnsafeRawBufferPointer
    private let ownership: Ownership

    private enum Ownership {
        case none
        case allocated(UnsafeMutableRawBufferPointer)
        case mapped(UnsafeMutableRawPointer, Int)
    }

    private init(buffer: UnsafeRawBufferPointer, ownership: Ownership) {
        self.buffer = buffer
        self.ownership = ownership
    }

    deinit {
        switch ownership {
        case .none: break
        case .allocated(let storage): storage.deallocate()
        case .mapped(let address, let size): munmap(address, size)
        }
    }

    /// A copy of `data`, aligned to 64 bytes like a mapping (so vector rows stay aligned).
    public convenience init(copying data: Data) {
        let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: max(data.count, 1), alignment: 64)
        data.withUnsafeBytes { source in
            if let base = source.baseAddress, !source.isEmpty { storage.baseAddress!.copyMemory(from: base, byteCount: source.count) }
        }
        self.init(buffer: UnsafeRawBufferPointer(rebasing: storage[0..<data.count]), ownership: .allocated(storage))
    }

    /// Maps the file at `path` read-only.
    /// - Parameter populate: prefault every page now (`MAP_POPULATE` on Linux), trading open
    ///   time for the page faults of the first full scan.
    /// - Throws: ``SearchError/storage(path:reason:)`` when the file cannot be opened or mapped.
    public static func map(path: String, populate: Bool = false) throws(SearchError) -> SegmentBytes {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .storage(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .storage(path: path, reason: String(cString: strerror(errno))) }
        guard info.st_mode & S_IFMT == S_IFREG else { throw .storage(path: path, reason: "not a regular file") }
        let size = Int(info.st_size)
        if size == 0 {
            return SegmentBytes(buffer: UnsafeRawBufferPointer(start: nil, count: 0), ownership: .none)
        }
        var flags = MAP_SHARED
        #if os(Linux)
            if populate { flags |= MAP_POPULATE }
        #endif
        guard let address = mmap(nil, size, PROT_READ, flags, fd, 0), address != MAP_FAILED else {
            throw .storage(path: path, reason: "cannot map the file (\(String(cString: strerror(errno))))")
        }
        return SegmentBytes(buffer: UnsafeRawBufferPointer(start: address, count: size), ownership: .mapped(address, size))
    }
}
