import ArtifactSearch
import ArtifactSearchMCP
import Foundation
import HTTPTypes
import Hummingbird
import MCP
import Synchronization

/// `/mcp`: the MCP tools of ``ArtifactSearchMCP/ArtifactToolbox`` over Streamable HTTP
/// (stateless: each POST carries one JSON-RPC message and gets one JSON answer; see
/// ``ArtifactSearchMCP/ArtifactMCPServer/respond(to:toolbox:version:validators:)``).
///
/// The tools act for the request's tenant, with the provenance ids of the endpoint's query
/// (`/mcp?run_id=…&session_id=…`, also `graph_id`, `node_id`, `tool_name`, `tool_version`).
/// A read-only key gets only the reading tools; `save_file` is never offered (it would read
/// the server's files) and records carry no `uri`; `delete_artifact` is offered to keys that may write. The Origin (and
/// on loopback the Host) header is checked first (``OriginPolicy``).
struct MCPEndpoint: Sendable {
    let facade: ArtifactFacade
    let maxBodyBytes: Int
    let origins: OriginPolicy
    let version: String

    func register(on router: Router<ArtifactRequestContext>) {
        for method in [HTTPRequest.Method.post, .get, .delete] {
            router.on("/mcp", method: method) { request, context in try await self.respond(request, context) }
        }
    }

    private func respond(_ request: Request, _ context: ArtifactRequestContext) async throws -> Response {
        let tenant = try context.requireTenant()
        let query = try ArtifactAPI.queryObject(request, endpoint: "/mcp")
        let ids = try ProvenanceIDs(try RequestFields(query, endpoint: "/mcp", accepted: ProvenanceIDs.fieldNames))
        let toolbox = ArtifactToolbox(
            facade: facade.scoped(to: tenant.scope(ids)), allowsDelete: tenant.canWrite,
            allowsWrites: tenant.canWrite, servesRemoteClient: true)
        var request = request
        let body = request.method == .post ? Data(buffer: try await request.collectBody(upTo: maxBodyBytes)) : nil
        // HTTP/1.1's Host header arrives as the request's authority, not among its fields.
        var headers: [String: String] = request.head.authority.map { ["host": $0] } ?? [:]
        for field in request.headers {
            let name = field.name.canonicalName
            headers[name] = headers[name].map { $0 + ", " + field.value } ?? field.value
        }
        let answer = await ArtifactMCPServer.respond(
            to: MCP.HTTPRequest(method: request.method.rawValue, headers: headers, body: body, path: request.uri.path),
            toolbox: toolbox, version: version, validators: origins.validators())
        var fields = HTTPFields()
        for (name, value) in answer.headers {
            if let name = HTTPField.Name(name) { fields[name] = value }
        }
        let status = HTTPResponse.Status(code: answer.statusCode)
        if case .stream(let stream, _) = answer {
            return Response(
                status: status, headers: fields,
                body: ResponseBody { writer in
                    for try await chunk in stream { try await writer.write(ByteBuffer(bytes: chunk)) }
                    try await writer.finish(nil)
                })
        }
        return Response(
            status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer.bodyData ?? Data())))
    }
}

/// Which browser origins may call `/mcp` — the MCP specification's defence against DNS
/// rebinding: a request without an `Origin` header (any non-browser client) passes; one with
/// it must name an allowed origin (403 otherwise). On loopback the allowed origins are
/// `http://localhost`, `http://127.0.0.1` and `http://[::1]` at the server's own port, and the
/// `Host` header must be one of those names at that port (421 otherwise); on other addresses
/// only the origins given with `--allow-origin`.
final class OriginPolicy: Sendable {
    let loopback: Bool
    let allowedOrigins: [String]
    private let boundPort = Mutex<Int?>(nil)

    init(loopback: Bool, allowedOrigins: [String]) {
        self.loopback = loopback
        self.allowedOrigins = allowedOrigins
    }

    /// Called once the listening socket is bound (the port may have been 0).
    func bound(port: Int) { boundPort.withLock { $0 = port } }

    /// The validators of one `/mcp` request, in order: origin (and host), then the SDK's
    /// Accept, Content-Type and protocol-version checks.
    func validators() -> [any HTTPRequestValidator] {
        let port = boundPort.withLock { $0 }
        let origin: any HTTPRequestValidator
        if loopback {
            let local = OriginValidator.localhost(port: port)
            origin = OriginValidator(allowedHosts: local.allowedHosts, allowedOrigins: local.allowedOrigins + allowedOrigins)
        } else {
            origin = OriginAllowList(allowed: allowedOrigins)
        }
        return [origin, AcceptHeaderValidator(mode: .jsonOnly), ContentTypeValidator(), ProtocolVersionValidator()]
    }
}

/// An `Origin` header, when present, must be one of `allowed` (exact, case-insensitive).
struct OriginAllowList: HTTPRequestValidator {
    let allowed: [String]

    func validate(_ request: MCP.HTTPRequest, context: HTTPValidationContext) -> MCP.HTTPResponse? {
        guard let origin = request.header("Origin") else { return nil }
        if allowed.contains(where: { $0.caseInsensitiveCompare(origin) == .orderedSame }) { return nil }
        return .error(statusCode: 403, .invalidRequest("Forbidden: Origin \(origin) is not allowed (serve --allow-origin)"))
    }
}
