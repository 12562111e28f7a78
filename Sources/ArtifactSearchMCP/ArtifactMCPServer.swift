import ArtifactSearch
import Foundation
import MCP

/// An MCP server over an ``ArtifactToolbox``: `tools/list` and `tools/call`.
public enum ArtifactMCPServer {
    /// A server with the toolbox's tools registered (start it on any transport).
    public static func make(_ toolbox: ArtifactToolbox, version: String) async -> Server {
        let server = Server(
            name: "artifact-search", version: version, title: "ArtifactSearch",
            instructions: """
                Save what you produce (text, JSON, files) with its provenance, and find it again: \
                search_artifacts ranks by words and meaning, list_artifacts lists newest first, \
                best_artifact picks by a metric, read_artifact returns content.
                """,
            capabilities: Server.Capabilities(tools: .init(listChanged: false)))
        await server.withMethodHandler(ListTools.self) { _ in ListTools.Result(tools: toolbox.tools) }
        await server.withMethodHandler(CallTool.self) { parameters in
            DataURLGuard.protect(try await toolbox.call(parameters.name, arguments: parameters.arguments))
        }
        return server
    }

    /// Serves over standard input and output (``LineStdioTransport``) until the input ends.
    /// Standard output carries only protocol frames; logs go to standard error. SIGPIPE is
    /// ignored, so a client that stops reading ends its sends with an error, not the process.
    public static func serveStandardIO(_ toolbox: ArtifactToolbox, version: String) async throws {
        signal(SIGPIPE, SIG_IGN)
        let server = await make(toolbox, version: version)
        try await server.start(transport: LineStdioTransport())
        await server.waitUntilCompleted()
    }

    /// Answers one Streamable HTTP request (MCP 2025-03-26 and later, stateless form): a POST
    /// of one JSON-RPC message gets one `application/json` response — a request its result,
    /// a notification `202 Accepted`; GET and DELETE get `405` (no server-initiated stream,
    /// no sessions: every POST stands alone, so any number of clients share the endpoint).
    ///
    /// Each request is served by a fresh SDK server on a `StatelessHTTPServerTransport`
    /// (ids of different clients never meet; `initialize` is answered every time it comes),
    /// whose `validators` run first — the caller's Origin/Host policy among them — and whose
    /// frames pass ``DataURLGuard`` both ways, as on standard input and output.
    public static func respond(
        to request: HTTPRequest, toolbox: ArtifactToolbox, version: String, validators: [any HTTPRequestValidator]
    ) async -> HTTPResponse {
        let inbound = request.body.map(JSONRPCFrame.inbound)
        if let reason = inbound?.invalid { return .error(statusCode: 400, .invalidRequest(reason)) }
        let body = inbound?.frame
        let marked = HTTPRequest(method: request.method, headers: request.headers, body: body, path: request.path)
        let server = await make(toolbox, version: version)
        let transport = StatelessHTTPServerTransport(validationPipeline: StandardValidationPipeline(validators: validators))
        do {
            try await server.start(transport: transport)
        } catch {
            return .error(statusCode: 500, .internalError("the MCP server did not start: \(error)"))
        }
        let response = await transport.handleRequest(marked)
        await server.stop()
        guard case .data(let data, let headers) = response else { return response }
        return .data(JSONRPCFrame.outbound(data).frame, headers: headers)
    }
}
