import ArtifactSearch
import ArtifactSearchMCP
import Foundation
import HTTPTypes
import Hummingbird
import MCP

/// `/mcp`: the MCP tools of ``ArtifactSearchMCP/ArtifactToolbox`` over Streamable HTTP
/// (stateless: each POST carries one JSON-RPC message and gets one JSON answer; see
/// ``ArtifactSearchMCP/ArtifactMCPServer/respond(to:toolbox:version:validators:)``).
///
/// The tools act for the request's tenant, with the provenance ids of the endpoint's query
/// (`/mcp?run_id=…&session_id=…`, also `graph_id`, `node_id`, `tool_name`, `tool_version`).
/// A read-only key gets only the reading tools; `save_file` is never offered (it would read
/// the server's files) and records carry no `uri`; `delete_artifact` is offered to keys that may write.
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
        let ids = try ProvenanceIDs(try FieldReader(request: query, endpoint: "/mcp", accepted: ProvenanceIDs.fieldNames))
        let toolbox = ArtifactToolbox(
            facade: facade.scoped(to: tenant.scope(ids)), allowsDelete: tenant.canWrite,
            allowsWrites: tenant.canWrite, servesRemoteClient: true)
        let body = request.method == .post ? try await ArtifactAPI.body(of: request, limit: maxBodyBytes) : nil
        // HTTP/1.1's Host header arrives as the request's authority, not among its fields.
        var headers: [String: String] = request.head.authority.map { ["host": $0] } ?? [:]
        for field in request.headers {
            let name = field.name.canonicalName
            headers[name] = headers[name].map { $0 + ", " + field.value } ?? field.value
        }
        let answer = await ArtifactMCPServer.respond(
            to: MCP.HTTPRequest(method: request.method.rawValue, headers: headers, body: body, path: request.uri.path),
            toolbox: toolbox, version: version, validators: origins.mcpValidators())
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
