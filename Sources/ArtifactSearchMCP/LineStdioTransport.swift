import Foundation
import Logging
import MCP

/// MCP's stdio transport — one JSON-RPC message per line — written for a server under load.
///
/// The SDK's `StdioTransport` (0.12.1) sleeps inside `send` when a write would block, so
/// another send ran in the middle of a frame and clients received interleaved, unparseable
/// lines; and it rescanned its whole input buffer after every 4 KiB read, quadratic in a
/// message's size (a 4 MB save took a minute). Here a frame is written whole by blocking
/// `write(2)` calls with no suspension point in between (the actor runs one send at a time),
/// and input is split into lines by scanning each byte once, on a thread of its own.
public actor LineStdioTransport: Transport {
    public nonisolated let logger: Logger
    private let input: Int32
    private let output: Int32
    /// Requests read and not yet answered: at the end of input the stream (and so the server)
    /// ends only once every one has its response (calls still running are not cut off).
    private nonisolated let unanswered = UnansweredRequests()

    public init(input: Int32 = STDIN_FILENO, output: Int32 = STDOUT_FILENO, logger: Logger? = nil) {
        self.input = input
        self.output = output
        self.logger = logger ?? Logger(label: "artifact-search.mcp.stdio")
    }

    public func connect() async throws {}

    public func disconnect() async {}

    /// Writes `data` and a line feed. A reader that went away (`EPIPE`; the process ignores
    /// SIGPIPE) is an error for this send only.
    public func send(_ data: Data) async throws {
        let (written, ids) = JSONRPCFrame.outbound(data)
        defer { unanswered.answered(ids) }
        try Self.writeLine(written, to: output, lock: writeLock)
    }

    /// Serialises whole-frame writes of ``send(_:)`` and of the reader's own replies.
    private nonisolated let writeLock = NSLock()

    /// Writes `frame` and a line feed with blocking `write(2)` calls, holding `lock`.
    private static func writeLine(_ frame: Data, to output: Int32, lock: NSLock) throws {
        var line = frame
        line.append(0x0A)
        lock.lock()
        defer { lock.unlock() }
        try line.withUnsafeBytes { (raw: UnsafeRawBufferPointer) throws in
            var offset = 0
            while offset < raw.count {
                let written = write(output, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw MCPError.transportError(POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO))
                }
                offset += written
            }
        }
    }

    public nonisolated func receive() -> AsyncThrowingStream<Data, Swift.Error> {
        let input = self.input
        let output = self.output
        let writeLock = self.writeLock
        let unanswered = self.unanswered
        return AsyncThrowingStream { continuation in
            let reader = Thread {
                var pending: [UInt8] = []
                var chunk = [UInt8](repeating: 0, count: 1 << 16)
                func emit(_ line: ArraySlice<UInt8>) {
                    var line = line
                    if line.last == 0x0D { line = line.dropLast() }  // CRLF
                    guard !line.isEmpty else { return }
                    let (frame, requests, invalid) = JSONRPCFrame.inbound(Data(line))
                    // A message the SDK would drop without an answer is answered here.
                    if let invalid {
                        try? Self.writeLine(JSONRPCFrame.invalidRequestReply(invalid), to: output, lock: writeLock)
                        return
                    }
                    unanswered.received(requests)
                    continuation.yield(frame)
                }
                while true {
                    let count = chunk.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
                    if count < 0 {
                        if errno == EINTR { continue }
                        continuation.finish(throwing: MCPError.transportError(POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)))
                        return
                    }
                    if count == 0 { break }
                    // Only the new bytes are scanned; a partial line waits in `pending`.
                    var start = 0
                    for index in 0..<count where chunk[index] == 0x0A {
                        if pending.isEmpty {
                            emit(chunk[start..<index])
                        } else {
                            pending.append(contentsOf: chunk[start..<index])
                            emit(pending[...])
                            pending.removeAll(keepingCapacity: true)
                        }
                        start = index + 1
                    }
                    pending.append(contentsOf: chunk[start..<count])
                }
                emit(pending[...])
                unanswered.waitUntilEmpty(timeout: 600)
                continuation.finish()
            }
            reader.start()
        }
    }
}

/// The ids of requests read and not yet answered (JSON-RPC: a request has a `method` and an
/// `id`; its response carries the same `id`).
final class UnansweredRequests: @unchecked Sendable {
    private let condition = NSCondition()
    private var ids: [String: Int] = [:]  // guarded by `condition`; id → requests pending with it
    private var lastActivity = Date()  // guarded by `condition`: the last request or response

    func received(_ new: [String]) {
        guard !new.isEmpty else { return }
        condition.lock()
        for id in new { ids[id, default: 0] += 1 }
        lastActivity = Date()
        condition.unlock()
    }

    func answered(_ done: [String]) {
        guard !done.isEmpty else { return }
        condition.lock()
        for id in done {
            if let count = ids[id] { ids[id] = count > 1 ? count - 1 : nil }
        }
        lastActivity = Date()
        condition.broadcast()
        condition.unlock()
    }

    /// Blocks until every request read has been answered, or nothing was answered for `idle`
    /// seconds (a request the SDK rejected without its id never gets a response of its own), or
    /// `timeout` seconds pass.
    func waitUntilEmpty(timeout: TimeInterval, idle: TimeInterval = 10) {
        let deadline = Date(timeIntervalSinceNow: timeout)
        condition.lock()
        while !ids.isEmpty {
            let wake = min(deadline, lastActivity.addingTimeInterval(idle))
            if wake <= Date() { break }
            _ = condition.wait(until: wake)
        }
        condition.unlock()
    }
}

/// What the transport needs of one frame, from a single parse (`JSONSerialization`): the ids
/// of its messages (a batch is an array) and, when it may hold one, every string rewritten by
/// ``DataURLGuard``. A frame that does not parse goes on unchanged, with no id (the SDK answers
/// it with a parse error).
enum JSONRPCFrame {
    /// An incoming frame ready for the SDK (strings marked), the ids of the requests in it
    /// (messages with a `method`; notifications have no id), and why it is not a request the
    /// SDK answers, if it is not one (``invalidRequest(_:)``).
    static func inbound(_ data: Data) -> (frame: Data, requestIDs: [String], invalid: String?) {
        guard let message = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) else { return (data, [], nil) }
        if let invalid = invalidRequest(message) { return (data, [], invalid) }
        let frame = DataURLGuard.mayNeedMarks(data) ? serialized(DataURLGuard.mapStrings(message, DataURLGuard.mark)) ?? data : data
        return (frame, ids(of: message, requestsOnly: true), nil)
    }

    /// An outgoing frame as written (marks taken off), and the ids of its messages.
    static func outbound(_ data: Data) -> (frame: Data, ids: [String]) {
        guard let message = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) else { return (data, []) }
        let frame = DataURLGuard.mayHoldMarks(data) ? serialized(DataURLGuard.mapStrings(message, DataURLGuard.restore)) ?? data : data
        return (frame, ids(of: message, requestsOnly: false))
    }

    /// Why a parsed message is not a request the SDK answers, or `nil`: a JSON-RPC batch (MCP
    /// 2025-06-18 removed batching), or a message with a `method` whose `id` is not a string or
    /// an integer (MCP: "MUST be a string or integer", never null) — the SDK dropped those
    /// silently, and a client waited for an answer that never came (and kept a server from
    /// shutting down). `JSONSerialization` gives booleans as `NSNumber`s of type `c` and
    /// fractions of type `d` (on Linux and Darwin alike); integers are the other types.
    private static func invalidRequest(_ message: Any) -> String? {
        if message is [Any] { return "JSON-RPC batches are not supported: send one message per request" }
        guard let object = message as? [String: Any], object["method"] != nil, let id = object["id"] else { return nil }
        if id is String { return nil }
        if let number = id as? NSNumber, !["c", "B", "d", "f"].contains(String(cString: number.objCType)) { return nil }
        let shown = (try? JSONSerialization.data(withJSONObject: id, options: [.fragmentsAllowed])).map { String(decoding: $0, as: UTF8.self) } ?? "\(id)"
        return "a request's \"id\" must be a string or an integer (got \(shown))"
    }

    /// The JSON-RPC error response (`-32600 Invalid Request`, id null) for `reason`.
    static func invalidRequestReply(_ reason: String) -> Data {
        let reply: [String: Any] = ["jsonrpc": "2.0", "id": NSNull(), "error": ["code": -32600, "message": "Invalid Request: " + reason]]
        return (try? JSONSerialization.data(withJSONObject: reply, options: [.sortedKeys])) ?? Data()
    }

    private static func serialized(_ message: Any) -> Data? {
        try? JSONSerialization.data(withJSONObject: message, options: [.fragmentsAllowed])
    }

    private static func ids(of message: Any, requestsOnly: Bool) -> [String] {
        ((message as? [Any]) ?? [message]).compactMap { element -> String? in
            guard let object = element as? [String: Any], let id = object["id"], !(id is NSNull) else { return nil }
            if requestsOnly && object["method"] == nil { return nil }
            return "\(id)"
        }
    }
}
