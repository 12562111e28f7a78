import ArtifactSearch
import ArtifactSearchMCP
import Foundation
import HTTPTypes
import HybridSearch
import Hummingbird

/// An error answered as `{"error": {"type": "…", "message": "…"}}` with an HTTP status: the
/// type is a stable snake_case name a client can branch on, the message says what to do.
public struct APIError: Error, HTTPResponseError, Sendable, CustomStringConvertible {
    public var status: HTTPResponse.Status
    public var type: String
    public var message: String
    /// Extra response headers (`WWW-Authenticate` on 401).
    var headers: HTTPFields = [:]
    /// What the server logs beside the answer: a store error's full message, which names files
    /// on the server's disk that the client's message leaves out.
    var detail: String?

    public init(_ status: HTTPResponse.Status, _ type: String, _ message: String) {
        self.status = status
        self.type = type
        self.message = message
    }

    public var description: String { "\(status.code) \(type): \(message)" }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = self.headers
        headers[.contentType] = "application/json"
        let body: [String: [String: String]] = ["error": ["type": type, "message": message]]
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(body)
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func badRequest(_ message: String) -> APIError { APIError(.badRequest, "invalid_request", message) }

    static func unauthorized(_ message: String) -> APIError {
        var error = APIError(.unauthorized, "unauthorized", message)
        error.headers[.wwwAuthenticate] = "Bearer"
        return error
    }

    /// The answer to any error a handler throws: the store's and the engine's typed errors
    /// keep their message and get a status (a user mistake 4xx, the store's trouble 5xx);
    /// Hummingbird's own (a body over the limit: 413) keep their status.
    static func from(_ error: any Error) -> APIError {
        switch error {
        case let error as APIError: return error
        case let error as FieldError: return APIError(.badRequest, error.kind ?? "invalid_request", error.description)
        case let error as ArtifactError: return from(error)
        case let error as SearchError: return from(error)
        case let error as any HTTPResponseError:
            let type: String
            switch error.status {
            case .contentTooLarge: type = "payload_too_large"
            case .notFound: type = "not_found"
            case .methodNotAllowed: type = "method_not_allowed"
            default: type = error.status.code < 500 ? "invalid_request" : "internal_error"
            }
            let message = error.status == .contentTooLarge
                ? "the request body is larger than this server accepts (serve --max-body-bytes)"
                : (error as? HTTPError)?.body ?? error.status.reasonPhrase
            return APIError(error.status, type, message)
        default:
            return serverSide(.internalServerError, "internal_error", failed("an internal error"), detail: "\(error)")
        }
    }

    /// A 5xx answer: `message` names no server file; `detail`, logged, may.
    static func serverSide(_ status: HTTPResponse.Status, _ type: String, _ message: String, detail: String) -> APIError {
        var error = APIError(status, type, message)
        error.detail = detail
        return error
    }

    /// What failed, for a 5xx message: the server's log has the details.
    private static func failed(_ what: String) -> String {
        "\(what) on the server: its log has the details (artifact-search verify checks the store)"
    }

    private static func from(_ error: ArtifactError) -> APIError {
        let message = error.description
        switch error {
        case .notFound: return APIError(.notFound, "not_found", message)
        case .unknownLevel: return APIError(.badRequest, "unknown_level", message)
        case .invalidMetricMode: return APIError(.badRequest, "invalid_metric_mode", message)
        case .undecodableText: return APIError(.badRequest, "invalid_text", message)
        case .invalidJSON: return APIError(.badRequest, "invalid_json", message)
        case .pathEscapesDirectory: return APIError(.badRequest, "invalid_path", message)
        case .unsupportedURI: return APIError(.badRequest, "unsupported_uri", message)
        case .wrongContentType: return APIError(.badRequest, "wrong_content_type", message)
        case .invalidArgument: return APIError(.badRequest, "invalid_argument", message)
        case .tooDeeplyNested: return APIError(.badRequest, "too_deeply_nested", message)
        case .accessDenied: return APIError(.forbidden, "access_denied", message)
        case .readOnlyStore: return serverSide(.serviceUnavailable, "read_only_store", error.descriptionWithoutPaths, detail: message)
        case .io: return serverSide(.internalServerError, "io_error", error.descriptionWithoutPaths, detail: message)
        case .corruptStore: return serverSide(.internalServerError, "corrupt_store", error.descriptionWithoutPaths, detail: message)
        case .contentDamaged: return serverSide(.internalServerError, "content_damaged", error.descriptionWithoutPaths, detail: message)
        case .damagedDatabase: return serverSide(.internalServerError, "damaged_database", error.descriptionWithoutPaths, detail: message)
        case .embedderMismatch, .reembedUnfinished:
            return serverSide(.serviceUnavailable, "embedder_switched", error.descriptionWithoutPaths, detail: message)
        case .storeBusy: return APIError(.conflict, "store_busy", message)
        case .remoteStorage:
            return serverSide(.serviceUnavailable, "storage_unavailable", error.descriptionWithoutPaths, detail: message)
        }
    }

    private static func from(_ error: SearchError) -> APIError {
        let message = error.description
        switch error {
        case .invalidTimeWindow: return APIError(.badRequest, "invalid_time_window", message)
        case .unknownMode: return APIError(.badRequest, "unknown_mode", message)
        case .invalidTopK, .invalidArgument: return APIError(.badRequest, "invalid_argument", message)
        case .invalidVector: return APIError(.badRequest, "invalid_vector", message)
        case .embedderMismatch:
            // Records of another embedder than this server's: the store was re-embedded under it.
            return serverSide(
                .serviceUnavailable, "embedder_switched",
                "the store's embedder was switched (artifact-search reembed) while this server ran: its operator restarts the server",
                detail: message)
        case .dimensionMismatch:
            return serverSide(.internalServerError, "embedder_mismatch", failed("the store was indexed with another embedder"), detail: message)
        case .storage, .corruptSegment: return serverSide(.internalServerError, "index_error", failed("the search index failed"), detail: message)
        case .embedderFailed:
            return serverSide(.serviceUnavailable, "embedder_unavailable", failed("the store's embedder did not answer"), detail: message)
        }
    }
}
