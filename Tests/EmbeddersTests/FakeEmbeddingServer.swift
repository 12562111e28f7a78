import Foundation
import HybridSearch
import Hummingbird
import Logging

/// An OpenAI-compatible embeddings server on a loopback port, for the tests: `POST /v1/embeddings`
/// answers each input with the hashed n-gram embedder's vector of it (64 dimensions — a real,
/// deterministic embedding the tests can compute themselves), listing the results in reverse
/// order (clients must order them by `index`). Each request first takes the next scripted
/// ``Behaviour`` (then answers normally), so a test can make it fail as servers do.
final class FakeEmbeddingServer: @unchecked Sendable {
    enum Behaviour: Sendable {
        case status(Int, message: String, retryAfter: String? = nil)
        /// Sleeps this long, then answers normally.
        case slow(seconds: Double)
        /// One vector fewer than inputs.
        case dropLast
        /// The first vector's first component is 1e39 (beyond Float).
        case overflow
        /// The body's first number is a NaN literal (not JSON).
        case nanLiteral
        /// Index 0 twice.
        case duplicateIndex
        /// Vectors one component longer.
        case longerVectors
    }

    /// What one request carried.
    struct Received: Sendable {
        var authorization: String?
        var model: String
        var inputs: [String]
        var encodingFormat: String?
    }

    static let embedder = HashedNGramEmbedder(dimension: 64)
    private let lock = NSLock()
    private var script: [Behaviour] = []  // guarded by `lock`
    private var received: [Received] = []  // guarded by `lock`
    private var task: Task<Void, any Error>?
    private(set) var port = 0

    /// Starts listening on a free loopback port.
    static func start() async throws -> FakeEmbeddingServer {
        let server = FakeEmbeddingServer()
        let router = Router()
        router.post("/v1/embeddings") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 64 << 20)
            return try await server.answer(Data(body.readableBytesView), authorization: request.headers[.authorization])
        }
        let bound = AsyncStream<Int>.makeStream()
        // Quiet: a test stops its server by cancelling it, which Hummingbird logs as errors.
        var logger = Logger(label: "fake-embedding-server")
        logger.logLevel = .critical
        let app = Application(
            router: router, configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in bound.continuation.yield(channel.localAddress?.port ?? 0) }, logger: logger)
        server.task = Task { try await app.runService(gracefulShutdownSignals: []) }
        for await port in bound.stream {
            server.port = port
            break
        }
        return server
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    func stop() {
        task?.cancel()
    }

    /// Behaviours for the next requests, in order.
    func script(_ behaviours: Behaviour...) { lock.withLock { script += behaviours } }

    var requests: [Received] { lock.withLock { received } }

    private func answer(_ body: Data, authorization: String?) async throws -> Response {
        guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any],
            let model = object["model"] as? String, let inputs = object["input"] as? [String]
        else { return Self.json(400, #"{"error": {"message": "body must be {model, input: [strings]}"}}"#) }
        let behaviour: Behaviour? = lock.withLock {
            received.append(Received(authorization: authorization, model: model, inputs: inputs, encodingFormat: object["encoding_format"] as? String))
            return script.isEmpty ? nil : script.removeFirst()
        }
        var vectors = Self.embedder.embed(inputs).map { $0.map(Double.init) }
        var indices = Array(inputs.indices)
        switch behaviour {
        case .status(let status, let message, let retryAfter)?:
            var response = Self.json(status, #"{"error": {"message": "\#(message)", "type": "test"}}"#)
            if let retryAfter { response.headers[.retryAfter] = retryAfter }
            return response
        case .slow(let seconds)?: try await Task.sleep(for: .milliseconds(Int(seconds * 1_000)))
        case .dropLast?: vectors.removeLast(); indices.removeLast()
        case .overflow?: vectors[0][0] = 1e39
        case .nanLiteral?:
            return Self.json(200, #"{"object": "list", "data": [{"object": "embedding", "index": 0, "embedding": [NaN]}]}"#)
        case .duplicateIndex?: indices[indices.count - 1] = 0
        case .longerVectors?: vectors = vectors.map { $0 + [0] }
        case nil: break
        }
        let data = zip(indices, vectors).reversed().map { ["object": "embedding", "index": $0.0, "embedding": $0.1] as [String: Any] }
        let response: [String: Any] = ["object": "list", "model": model, "data": data, "usage": ["prompt_tokens": 1, "total_tokens": 1]]
        return Self.json(200, String(decoding: try! JSONSerialization.data(withJSONObject: response), as: UTF8.self))
    }

    private static func json(_ status: Int, _ text: String) -> Response {
        Response(
            status: HTTPResponse.Status(code: status), headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
