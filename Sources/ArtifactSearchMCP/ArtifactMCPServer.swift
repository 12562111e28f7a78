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
}
