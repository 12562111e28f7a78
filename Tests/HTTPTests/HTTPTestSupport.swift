import ArtifactSearch
import ArtifactSearchHTTP
import Foundation
import ProgramTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A temporary folder, removed by ``remove()``.
struct Scratch {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("artifact-search-http-tests")
            .appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(at: url) }
}

/// One HTTP/1.1 response as the client read it off the socket.
struct HTTPAnswer: Sendable {
    var status: Int
    /// Header names lower-cased; a repeated header's values joined by ", ".
    var headers: [String: String]
    var body: Data

    var text: String { String(decoding: body, as: UTF8.self) }

    /// The body as a JSON object.
    func object(sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
        try #require(
            try JSONSerialization.jsonObject(with: body) as? [String: Any], "not a JSON object: \(text)",
            sourceLocation: sourceLocation)
    }

    /// The `{"error": {"type", "message"}}` body's type.
    var errorType: String? {
        ((try? JSONSerialization.jsonObject(with: body)) as? [String: Any]).flatMap { ($0["error"] as? [String: Any])?["type"] as? String }
    }
}

/// A deliberately plain HTTP/1.1 client over a POSIX socket: the test controls every byte
/// (Host, Origin, malformed bodies), and each request runs on its own thread, so blocking
/// reads never hold one of the concurrency pool's few threads the server needs.
struct LoopbackClient: Sendable {
    let port: Int
    var bearer: String?

    init(port: Int, bearer: String? = nil) {
        self.port = port
        self.bearer = bearer
    }

    func with(key: String?) -> LoopbackClient { LoopbackClient(port: port, bearer: key) }

    func get(_ path: String, headers: [String: String] = [:]) async throws -> HTTPAnswer {
        try await send("GET", path, headers: headers)
    }

    func delete(_ path: String) async throws -> HTTPAnswer { try await send("DELETE", path) }

    func put(_ path: String) async throws -> HTTPAnswer { try await send("PUT", path) }

    /// POSTs `json` (serialised with sorted keys) as `application/json`.
    func post(_ path: String, json: Any, headers: [String: String] = [:]) async throws -> HTTPAnswer {
        let body = try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys, .fragmentsAllowed])
        return try await send("POST", path, headers: ["Content-Type": "application/json"].merging(headers) { _, new in new }, body: body)
    }

    /// POSTs raw bytes (`body`) with `contentType`.
    func post(_ path: String, body: Data, contentType: String?, headers: [String: String] = [:]) async throws -> HTTPAnswer {
        var all = headers
        if let contentType { all["Content-Type"] = contentType }
        return try await send("POST", path, headers: all, body: body)
    }

    /// Sends one request on a fresh connection (`Connection: close`) and reads the answer.
    /// `Host` defaults to `127.0.0.1:port`; `headers` may replace it.
    /// - Parameter midway: called once half the request's bytes are sent (then the rest is).
    func send(
        _ method: String, _ path: String, headers: [String: String] = [:], body: Data? = nil,
        midway: (@Sendable () -> Void)? = nil
    ) async throws -> HTTPAnswer {
        var head = "\(method) \(path) HTTP/1.1\r\n"
        var fields = ["Host": "127.0.0.1:\(port)", "Connection": "close"]
        if let bearer { fields["Authorization"] = "Bearer \(bearer)" }
        if let body, headers["Transfer-Encoding"] == nil { fields["Content-Length"] = String(body.count) }
        fields.merge(headers) { _, new in new }
        for (name, value) in fields.sorted(by: { $0.key < $1.key }) { head += "\(name): \(value)\r\n" }
        head += "\r\n"
        var bytes = Data(head.utf8)
        if let body { bytes.append(body) }
        let request = bytes
        let port = self.port
        let raw = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Data, any Error>) in
            let thread = Thread {
                continuation.resume(with: Result { try Self.exchange(request, port: port, midway: midway) })
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        return try Self.parse(raw)
    }

    struct ClientError: Error, CustomStringConvertible {
        let description: String
    }

    private static func exchange(_ request: Data, port: Int, midway: (@Sendable () -> Void)?) throws -> Data {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ClientError(description: "socket: errno \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw ClientError(description: "connect to port \(port): errno \(errno)") }
        // A server that stops answering fails the test instead of hanging it.
        var timeout = timeval(tv_sec: 60, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        try request.withUnsafeBytes { raw in
            var offset = 0
            var pending = midway
            while offset < raw.count {
                if offset >= raw.count / 2, let call = pending {
                    pending = nil
                    call()
                }
                let end = pending == nil ? raw.count : raw.count / 2
                let sent = Glibc.send(fd, raw.baseAddress! + offset, max(1, end - offset), Int32(MSG_NOSIGNAL))
                // The server may answer (413) and close before the whole body is sent.
                if sent < 0 { if errno == EINTR { continue }; if errno == EPIPE || errno == ECONNRESET { break }; throw ClientError(description: "send: errno \(errno)") }
                offset += sent
            }
        }
        var answer = Data()
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count < 0 {
                if errno == EINTR { continue }
                if errno == ECONNRESET { break }
                throw ClientError(description: errno == EAGAIN ? "no answer within 60 s" : "recv: errno \(errno)")
            }
            if count == 0 { break }
            answer.append(contentsOf: buffer[0..<count])
        }
        return answer
    }

    /// Status line, headers, and a body framed by Content-Length, chunked coding, or the close.
    static func parse(_ raw: Data) throws -> HTTPAnswer {
        guard let end = raw.range(of: Data("\r\n\r\n".utf8)) else {
            throw ClientError(description: "no complete response head in \(raw.count) bytes: \(String(decoding: raw.prefix(300), as: UTF8.self))")
        }
        let lines = String(decoding: raw[..<end.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { throw ClientError(description: "bad status line \(lines[0])") }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            headers[name] = headers[name].map { $0 + ", " + value } ?? value
        }
        var body = Data(raw[end.upperBound...])
        if headers["transfer-encoding"]?.lowercased() == "chunked" {
            var decoded = Data()
            var rest = body[...]
            while let lineEnd = rest.range(of: Data("\r\n".utf8)) {
                let sizeText = String(decoding: rest[..<lineEnd.lowerBound], as: UTF8.self).split(separator: ";")[0]
                guard let size = Int(sizeText, radix: 16) else { break }
                if size == 0 { break }
                let start = lineEnd.upperBound
                decoded.append(rest[start..<min(start + size, rest.endIndex)])
                rest = rest[min(start + size + 2, rest.endIndex)...]
            }
            body = decoded
        } else if let length = headers["content-length"].flatMap(Int.init), body.count > length {
            body = body.prefix(length)
        }
        return HTTPAnswer(status: status, headers: headers, body: body)
    }
}

/// An ``ArtifactHTTPServer`` running in this process on a free loopback port, over a store in
/// a scratch folder; ``stop()`` cancels it (the server shuts down gracefully and commits).
final class TestServer: Sendable {
    let scratch: Scratch
    let facade: ArtifactFacade
    let port: Int
    private let task: Task<Void, any Error>

    var client: LoopbackClient { LoopbackClient(port: port) }

    /// - Parameter keys: the key file's entries (`nil`: no key file, one local tenant).
    static func start(keys: [[String: Any]]? = nil, maxBodyBytes: Int = 1 << 20, allowedOrigins: [String] = []) async throws -> TestServer {
        let scratch = try Scratch()
        let facade = try await ArtifactFacade.open(
            at: scratch.url.appendingPathComponent("store"),
            configuration: ArtifactFacade.Configuration(access: .confined(roots: [])))
        let keyring = try keys.map { try APIKeyring(json: try JSONSerialization.data(withJSONObject: $0), source: "test keys") }
        let configuration = ArtifactHTTPServer.Configuration(
            host: "127.0.0.1", port: 0, keyring: keyring, maxBodyBytes: maxBodyBytes, allowedOrigins: allowedOrigins,
            handlesSignals: false)
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let task = Task {
            defer { continuation.finish() }
            try await ArtifactHTTPServer.run(facade: facade, configuration: configuration) { port in continuation.yield(port) }
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else {
            _ = try await task.value
            throw LoopbackClient.ClientError(description: "the server stopped before listening")
        }
        return TestServer(scratch: scratch, facade: facade, port: port, task: task)
    }

    private init(scratch: Scratch, facade: ArtifactFacade, port: Int, task: Task<Void, any Error>) {
        self.scratch = scratch
        self.facade = facade
        self.port = port
        self.task = task
    }

    func stop() async {
        task.cancel()
        _ = try? await task.value
        scratch.remove()
    }
}

/// Runs `body` against a fresh server and stops it afterwards, whatever `body` throws.
func withServer(
    keys: [[String: Any]]? = nil, maxBodyBytes: Int = 1 << 20, allowedOrigins: [String] = [],
    _ body: (TestServer) async throws -> Void
) async throws {
    let server = try await TestServer.start(keys: keys, maxBodyBytes: maxBodyBytes, allowedOrigins: allowedOrigins)
    do {
        try await body(server)
    } catch {
        await server.stop()
        throw error
    }
    await server.stop()
}

/// Runs a program to its end on a thread of its own (an in-process server keeps serving
/// meanwhile); its exit status and its standard output and error, interleaved.
func runToEnd(_ program: String, _ arguments: [String]) async throws -> (Int32, String) {
    let output = try await ChildProcess.runOffPool(URL(fileURLWithPath: program), arguments, interleaved: true)
    return (output.status, output.standardOutput)
}
