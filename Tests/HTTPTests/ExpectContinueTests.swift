import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `Expect: 100-continue`: the interim `100 Continue` as soon as the head arrives, so the
/// client sends its body at once (curl waits 1 s for it before sending a body over 1 MiB).
@Suite("HTTP API: Expect: 100-continue")
struct ExpectContinueTests {
    /// What a client that honours the expectation sees: the head is sent alone; whatever
    /// comes back within `wait` is the first answer (`""` when nothing came). After a `100`,
    /// the body is sent and the rest read to the close.
    struct Exchange: Sendable {
        var first: String
        var final: String
    }

    static func exchange(port: Int, head: String, body: Data, wait: Int = 5) async throws -> Exchange {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Exchange, any Error>) in
            Thread { continuation.resume(with: Result { try blockingExchange(port: port, head: head, body: body, wait: wait) }) }.start()
        }
    }

    private static func blockingExchange(port: Int, head: String, body: Data, wait: Int) throws -> Exchange {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(fd >= 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        try #require(connected == 0)
        var timeout = timeval(tv_sec: wait, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        func sendAll(_ data: Data) {
            data.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let sent = Glibc.send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                    if sent <= 0 { return }
                    offset += sent
                }
            }
        }
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        /// Reads until `done` holds for what was read, the peer closes, or the timeout.
        func read(until done: (Data) -> Bool) -> Data {
            var got = Data()
            while !done(got) {
                let count = recv(fd, &buffer, buffer.count, 0)
                if count < 0, errno == EINTR { continue }
                if count <= 0 { break }
                got.append(contentsOf: buffer[0..<count])
            }
            return got
        }
        sendAll(Data(head.utf8))
        let first = read { $0.range(of: Data("\r\n\r\n".utf8)) != nil }
        let firstText = String(decoding: first, as: UTF8.self)
        guard firstText.hasPrefix("HTTP/1.1 100") else { return Exchange(first: firstText, final: "") }
        // The interim response's head ends the first read; anything after it is the final's.
        let afterInterim = first[first.range(of: Data("\r\n\r\n".utf8))!.upperBound...]
        sendAll(body)
        let rest = read { _ in false }
        return Exchange(
            first: String(decoding: first[..<first.range(of: Data("\r\n\r\n".utf8))!.upperBound], as: UTF8.self),
            final: String(decoding: afterInterim + rest, as: UTF8.self))
    }

    static func head(port: Int, length: Int, expect: String = "100-continue") -> String {
        "POST /v1/artifacts HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nContent-Type: application/json\r\n"
            + "Content-Length: \(length)\r\nExpect: \(expect)\r\nConnection: close\r\n\r\n"
    }

    @Test("The head alone gets 100 Continue (any case), then the body is saved: 201 and the record")
    func interimThenSaved() async throws {
        try await withServer { server in
            for expect in ["100-continue", "100-Continue"] {
                let body = try JSONSerialization.data(withJSONObject: ["text": "continued upload \(expect)", "name": "continued.txt"])
                let exchange = try await Self.exchange(port: server.port, head: Self.head(port: server.port, length: body.count, expect: expect), body: body)
                #expect(exchange.first == "HTTP/1.1 100 Continue\r\n\r\n", "\(expect)")
                #expect(exchange.final.hasPrefix("HTTP/1.1 201"), "\(exchange.final.prefix(200))")
                #expect(exchange.final.contains("\"name\":\"continued.txt\""))
            }
            let found = try await server.client.post("/v1/search", json: ["query": "continued upload", "mode": "lexical"])
            #expect(found.status == 200)
            #expect(try (found.object()["hits"] as? [Any])?.count == 2)
        }
    }

    @Test("A body declared over the limit gets no 100: the 413 comes before the client sends it")
    func tooLargeNoInterim() async throws {
        try await withServer(maxBodyBytes: 1_000) { server in
            let exchange = try await Self.exchange(port: server.port, head: Self.head(port: server.port, length: 5_000), body: Data())
            #expect(exchange.first.hasPrefix("HTTP/1.1 413"), "\(exchange.first.prefix(200))")
        }
    }

    @Test("Without the expectation nothing interim is sent: the server waits for the body")
    func noExpectationNoInterim() async throws {
        try await withServer { server in
            let head = "POST /v1/artifacts HTTP/1.1\r\nHost: 127.0.0.1:\(server.port)\r\nContent-Type: application/json\r\nContent-Length: 40\r\nConnection: close\r\n\r\n"
            let exchange = try await Self.exchange(port: server.port, head: head, body: Data(), wait: 1)
            #expect(exchange.first == "")
        }
    }
}
