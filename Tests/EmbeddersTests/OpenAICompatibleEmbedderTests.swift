import Foundation
import HybridSearch
import Testing

@testable import Embedders

/// The OpenAI-compatible embedder against a real HTTP server on loopback (``FakeEmbeddingServer``,
/// a process of its own),
/// in each way such servers answer and fail.
@Suite("OpenAI-compatible embedder")
struct OpenAICompatibleEmbedderTests {
    static let texts = (0..<8).map { "text \($0): checkpoints, GPUs and the loss curve of run \($0 * 37)" }

    /// Quick retries: the tests wait milliseconds, not seconds.
    static func configuration(_ server: FakeEmbeddingServer, batchSize: Int = 256, attempts: Int = 4, timeout: TimeInterval = 5)
        -> OpenAICompatibleEmbedder.Configuration
    {
        OpenAICompatibleEmbedder.Configuration(
            baseURL: URL(string: server.baseURL)!, model: "fake-model", apiKey: "key-1", batchSize: batchSize,
            timeout: timeout, maxAttempts: attempts, initialBackoff: 0.01, maximumBackoff: 0.05)
    }

    static var expected: [[Float]] { FakeEmbeddingServer.vectors(texts) }

    @Test("Vectors in input order whatever order the server lists them, in batches of at most batchSize, with the key, model and float format sent")
    func ordersAndBatches() async throws {
        let server = try await FakeEmbeddingServer.start()
        defer { server.stop() }
        let embedder = try OpenAICompatibleEmbedder(Self.configuration(server, batchSize: 3), dimension: 16)
        #expect(try await offPool { try embedder.embed(Self.texts) } == Self.expected)
        #expect(try await server.requests().map(\.inputs.count) == [3, 3, 2])
        #expect(try await server.requests().map(\.inputs).flatMap { $0 } == Self.texts)
        #expect(try await server.requests().allSatisfy { $0.authorization == "Bearer key-1" && $0.model == "fake-model" && $0.encodingFormat == "float" })
        // Through the protocol's checks and off the cooperative pool, too.
        #expect(try await embedder.embeddings(Self.texts, ids: Self.texts) == Self.expected)
    }

    @Test("The dimension is learnt from the server and named in the identifier with the model, not the address")
    func identity() async throws {
        let server = try await FakeEmbeddingServer.start()
        defer { server.stop() }
        let asked = try await offPool { try OpenAICompatibleEmbedder(Self.configuration(server)) }
        #expect(asked.dimension == 16)
        #expect(asked.identifier == "openai-compatible:fake-model:d16")
        #expect(try await server.requests().count == 1)
        var elsewhere = Self.configuration(server)
        elsewhere.baseURL = URL(string: server.baseURL + "/v1/")!
        let other = try OpenAICompatibleEmbedder(elsewhere, dimension: 16)
        #expect(other.identifier == asked.identifier)
        #expect(other.endpoint.absoluteString == server.baseURL + "/v1/embeddings")
        #expect(try await offPool { try other.embed(["a"]) } == FakeEmbeddingServer.vectors(["a"]))
        // No key: no Authorization header.
        var keyless = Self.configuration(server)
        keyless.apiKey = nil
        let noKey = keyless
        _ = try await offPool { try OpenAICompatibleEmbedder(noKey, dimension: 16).embed(["a"]) }
        #expect(try await server.requests().last?.authorization == nil)
    }

    @Test("429 (with Retry-After), 500 and a response slower than the timeout are retried; then the answer is used")
    func retriesThenSucceeds() async throws {
        let server = try await FakeEmbeddingServer.start()
        defer { server.stop() }
        let embedder = try OpenAICompatibleEmbedder(Self.configuration(server, attempts: 4, timeout: 3), dimension: 16)
        try await server.script(.status(429, message: "slow down", retryAfter: "0"), .status(503, message: "loading"), .slow(seconds: 10))
        #expect(try await offPool { try embedder.embed(Self.texts) } == Self.expected)
        #expect(try await server.requests().count == 4)
    }

    @Test("A server that keeps failing: unavailable after maxAttempts attempts, naming the last problem")
    func unavailable() async throws {
        let server = try await FakeEmbeddingServer.start()
        defer { server.stop() }
        let embedder = try OpenAICompatibleEmbedder(Self.configuration(server, attempts: 3), dimension: 16)
        try await server.script(.status(500, message: "boom"), .status(500, message: "boom"), .status(500, message: "boom"))
        let url = server.baseURL + "/v1/embeddings"
        await #expect(throws: EmbeddingServiceError.unavailable(url: url, attempts: 3, lastProblem: "HTTP 500: boom")) {
            _ = try await offPool { try embedder.embed(["a"]) }
        }
        #expect(try await server.requests().count == 3)
        // Timeouts on every attempt.
        let impatient = try OpenAICompatibleEmbedder(Self.configuration(server, attempts: 2, timeout: 3), dimension: 16)
        try await server.script(.slow(seconds: 10), .slow(seconds: 10))
        do {
            _ = try await offPool { try impatient.embed(["a"]) }
            Issue.record("a server slower than the timeout gave vectors")
        } catch EmbeddingServiceError.unavailable(_, let attempts, let last) {
            #expect(attempts == 2)
            #expect(last.contains("timed out"))
        }
    }

    @Test("A 4xx other than 429, or a 501, is the server's message at once, without a retry; an HTML page is named, not quoted")
    func rejected() async throws {
        let server = try await FakeEmbeddingServer.start()
        defer { server.stop() }
        let embedder = try OpenAICompatibleEmbedder(Self.configuration(server), dimension: 16)
        try await server.script(.status(401, message: "Incorrect API key provided"))
        let error = EmbeddingServiceError.rejected(url: server.baseURL + "/v1/embeddings", status: 401, message: "Incorrect API key provided")
        await #expect(throws: error) { _ = try await offPool { try embedder.embed(["a"]) } }
        #expect(try await server.requests().count == 1)
        #expect(error.description.contains("HTTP 401") && error.description.contains("Incorrect API key provided"))
        try await server.script(.status(501, message: "not implemented"))
        await #expect(throws: EmbeddingServiceError.rejected(url: server.baseURL + "/v1/embeddings", status: 501, message: "not implemented")) {
            _ = try await offPool { try embedder.embed(["a"]) }
        }
        #expect(try await server.requests().count == 2)
        try await server.script(.html(502))
        do {
            _ = try await offPool { try embedder.embed(["a"]) }
            Issue.record("a 502 page forever gave vectors")
        } catch EmbeddingServiceError.unavailable(_, _, let last) {
            #expect(last.hasPrefix("HTTP 502: an HTML page of"))
        }
    }

    @Test("Wrong counts, NaN, numbers beyond Float, a duplicated index and vectors of another length are typed errors")
    func badResponses() async throws {
        let server = try await FakeEmbeddingServer.start()
        defer { server.stop() }
        let embedder = try OpenAICompatibleEmbedder(Self.configuration(server), dimension: 16)
        let url = server.baseURL + "/v1/embeddings"
        let three = Array(Self.texts.prefix(3))
        try await server.script(.dropLast)
        await #expect(throws: EmbeddingServiceError.wrongCount(url: url, expected: 3, actual: 2)) { _ = try await offPool { try embedder.embed(three) } }
        try await server.script(.overflow)
        await #expect(throws: EmbeddingServiceError.nonFinite(url: url, input: 0)) { _ = try await offPool { try embedder.embed(three) } }
        try await server.script(.nanLiteral)
        await #expect {
            _ = try await offPool { try embedder.embed(["a"]) }
        } throws: { error in
            guard case EmbeddingServiceError.malformedResponse = error else { return false }
            return true
        }
        try await server.script(.duplicateIndex)
        await #expect {
            _ = try await offPool { try embedder.embed(three) }
        } throws: { error in
            guard case EmbeddingServiceError.malformedResponse(_, let reason) = error else { return false }
            return reason.contains("index 0")
        }
        try await server.script(.longerVectors)
        await #expect(throws: EmbeddingServiceError.wrongDimension(url: url, expected: 16, actual: 17)) { _ = try await offPool { try embedder.embed(three) } }
        // Through the protocol: a typed engine error, nothing embedded.
        try await server.script(.dropLast)
        await #expect(throws: SearchError.self) { _ = try await embedder.embeddings(three, ids: three) }
    }

    @Test("Nothing listening: unreachable at once")
    func unreachable() async throws {
        let server = try await FakeEmbeddingServer.start()
        let configuration = Self.configuration(server, attempts: 5)
        server.stop()
        try await Task.sleep(for: .milliseconds(300))
        await #expect {
            _ = try await offPool { try OpenAICompatibleEmbedder(configuration) }
        } throws: { error in
            guard case EmbeddingServiceError.unreachable = error else { return false }
            return true
        }
    }

    @Test("Inputs are cut to maxInputBytes of UTF-8 at a character boundary")
    func cut() {
        #expect(OpenAICompatibleEmbedder.cut("héllo", to: 2) == "h")
        #expect(OpenAICompatibleEmbedder.cut("héllo", to: 3) == "hé")
        #expect(OpenAICompatibleEmbedder.cut("e\u{301}x", to: 2) == "")
        #expect(OpenAICompatibleEmbedder.cut("e\u{301}x", to: 3) == "e\u{301}")
        #expect(OpenAICompatibleEmbedder.cut("short", to: 100) == "short")
        #expect(OpenAICompatibleEmbedder.cut("🙂🙂", to: 5) == "🙂")
    }

    @Test("Configurations out of bounds are refused before any request")
    func configurationBounds() throws {
        let base = URL(string: "http://127.0.0.1:9")!
        for configuration in [
            OpenAICompatibleEmbedder.Configuration(baseURL: base, model: "m", batchSize: 0),
            OpenAICompatibleEmbedder.Configuration(baseURL: base, model: "m", batchSize: 2_049),
            OpenAICompatibleEmbedder.Configuration(baseURL: base, model: ""),
            OpenAICompatibleEmbedder.Configuration(baseURL: URL(string: "ftp://127.0.0.1")!, model: "m"),
            OpenAICompatibleEmbedder.Configuration(baseURL: base, model: "m", maxAttempts: 0),
            OpenAICompatibleEmbedder.Configuration(baseURL: base, model: "m", timeout: 0.5),
        ] {
            #expect(throws: SearchError.self) { _ = try OpenAICompatibleEmbedder(configuration, dimension: 8) }
        }
    }
}

/// `--embedder openai:…` as users write it.
@Suite("EmbedderChoice forms")
struct EmbedderChoiceTests {
    @Test("openai:URL#MODEL[#VARIABLE] parses and prints back; other forms are refused with the expected shape")
    func openAIForms() throws {
        let plain = try EmbedderChoice(parsing: "openai:http://127.0.0.1:8000#text-embedding-3-small")
        #expect(plain == .openAI(baseURL: "http://127.0.0.1:8000", model: "text-embedding-3-small", keyVariable: nil))
        #expect(plain.description == "openai:http://127.0.0.1:8000#text-embedding-3-small")
        let keyed = plain.keyed(by: "MY_KEY")
        #expect(keyed.description == "openai:http://127.0.0.1:8000#text-embedding-3-small#MY_KEY")
        #expect(try EmbedderChoice(parsing: keyed.description) == keyed)
        #expect(try EmbedderChoice(parsing: "openai:https://api.example.com/v1#BAAI/bge-small-en-v1.5") == .openAI(
            baseURL: "https://api.example.com/v1", model: "BAAI/bge-small-en-v1.5", keyVariable: nil))
        // A store's recorded key variable is kept when the server is named again without one.
        #expect(plain.keepingKeyVariable(of: keyed) == .openAI(
            baseURL: "http://127.0.0.1:8000", model: "text-embedding-3-small", keyVariable: "MY_KEY"))
        #expect(plain.keyed(by: "OPENAI_API_KEY").keepingKeyVariable(of: keyed).description.hasSuffix("#OPENAI_API_KEY"))
        #expect(plain.keepingKeyVariable(of: .minilm(folder: nil)) == plain)
        #expect(EmbedderChoice.hashed(dimension: 1_024).keyed(by: "X") == .hashed(dimension: 1_024))
        #expect(plain.defaultSemanticWeight == SentenceTransformerEmbedder.semanticWeight)
        for bad in ["openai:", "openai:http://h", "openai:http://h#", "openai:ftp://h#m", "openai:h#m", "openai:http://h#m#1X", "openai:http://h#m#A#B"] {
            #expect(throws: SearchError.self, "\(bad)") { _ = try EmbedderChoice(parsing: bad) }
        }
    }

    @Test("A key variable named but not set is a typed error before any request")
    func missingKey() {
        let choice = EmbedderChoice.openAI(baseURL: "http://127.0.0.1:9", model: "m", keyVariable: "NOT_SET_ANYWHERE")
        #expect(throws: EmbeddingServiceError.missingKey(variable: "NOT_SET_ANYWHERE")) {
            _ = try choice.makeEmbedder(environment: [:], dimension: 8)
        }
        // The default variable unset: no key (a local server), made without asking anything.
        let local = EmbedderChoice.openAI(baseURL: "http://127.0.0.1:9", model: "m", keyVariable: nil)
        #expect((try? local.makeEmbedder(environment: [:], dimension: 8))?.identifier == "openai-compatible:m:d8")
    }
}

/// Runs a blocking call (the embedder waits on its HTTP requests) on a thread of its own, not
/// on the cooperative pool, whose few threads the other suites running meanwhile need.
func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}
