import Foundation

/// Why an embedding server did not give vectors (``OpenAICompatibleEmbedder``). Each
/// ``description`` says what happened and what to do.
public enum EmbeddingServiceError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The server refused the request (any status but 2xx and the retried 429, 500, 502, 503,
    /// 504): a wrong key, an unknown model, an input it does not take, an endpoint it lacks. `message` is the server's own (`error.message` of its JSON body).
    case rejected(url: String, status: Int, message: String)
    /// 429, 500, 502, 503, 504 or timeouts on every attempt.
    case unavailable(url: String, attempts: Int, lastProblem: String)
    /// The server cannot be reached at all (refused, unknown host).
    case unreachable(url: String, reason: String)
    /// The response is not the OpenAI embeddings shape, or its `index` values are not each
    /// input's exactly once.
    case malformedResponse(url: String, reason: String)
    /// Another number of vectors than inputs.
    case wrongCount(url: String, expected: Int, actual: Int)
    /// A vector of another length than the embedder's dimension (the store's, or the first
    /// response's).
    case wrongDimension(url: String, expected: Int, actual: Int)
    /// A vector component that is NaN or infinite (or beyond `Float`'s range).
    case nonFinite(url: String, input: Int)
    /// `--embedder-key-env` names a variable that is not set.
    case missingKey(variable: String)

    public var description: String {
        switch self {
        case .rejected(let url, let status, let message):
            return "the embedding server at \(url) refused the request (HTTP \(status)): \(message)"
        case .unavailable(let url, let attempts, let last):
            return "the embedding server at \(url) did not answer after \(attempts) attempts (last: \(last)): try again later"
        case .unreachable(let url, let reason):
            return "cannot reach the embedding server at \(url) (\(reason)): is it running, and is the address right?"
        case .malformedResponse(let url, let reason):
            return "the embedding server at \(url) answered something that is not an OpenAI embeddings response: \(reason)"
        case .wrongCount(let url, let expected, let actual):
            return "the embedding server at \(url) returned \(actual) vectors for \(expected) inputs"
        case .wrongDimension(let url, let expected, let actual):
            return "the embedding server at \(url) returned a vector of \(actual) numbers where \(expected) were expected"
                + " (another model behind the same name?)"
        case .nonFinite(let url, let input):
            return "the embedding server at \(url) returned a vector with NaN or infinity for input \(input)"
        case .missingKey(let variable):
            return "the environment variable \(variable) that should hold the embedding server's API key is not set"
        }
    }
}
