import Foundation
import NIOCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `length` bytes of a local file from `offset`, as the `ByteBuffer`s of a streamed request body
/// (1 MiB `pread`s; one chunk in memory). Each iteration opens the file afresh, so a retried
/// request sends it again from the start.
struct FileByteChunks: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let path: String
    let offset: Int
    let length: Int

    /// The file could not be read, or ended before `offset + length`.
    struct ReadError: Error, CustomStringConvertible {
        var description: String
    }

    struct AsyncIterator: AsyncIteratorProtocol {
        let reader: Reader
        mutating func next() async throws -> ByteBuffer? { try reader.next() }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(reader: Reader(path: path, offset: offset, length: length))
    }

    final class Reader {
        private let path: String
        private var position: Int
        private var remaining: Int
        private var fd: Int32 = -1

        init(path: String, offset: Int, length: Int) {
            self.path = path
            self.position = offset
            self.remaining = length
        }

        deinit { if fd >= 0 { close(fd) } }

        func next() throws -> ByteBuffer? {
            guard remaining > 0 else { return nil }
            if fd < 0 {
                fd = open(path, O_RDONLY | O_CLOEXEC)
                guard fd >= 0 else { throw ReadError(description: "cannot open \(path) to upload it: \(String(cString: strerror(errno)))") }
            }
            let wanted = Swift.min(remaining, 1 << 20)
            var buffer = ByteBufferAllocator().buffer(capacity: wanted)
            let count = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: wanted) { raw -> Int in
                while true {
                    let count = pread(fd, raw.baseAddress, wanted, off_t(position))
                    if count < 0, errno == EINTR { continue }
                    return Swift.max(count, 0)
                }
            }
            guard count > 0 else { throw ReadError(description: "\(path) ended \(remaining) bytes early while it was uploaded") }
            position += count
            remaining -= count
            return buffer
        }
    }
}
