import ArgumentParser
import ArtifactSearch
import ArtifactSearchMCP
import Foundation

/// `artifact-search mcp`: the store's tools for agents, over the Model Context Protocol on
/// standard input and output.
struct McpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mcp",
        abstract: "Serve the store's tools to an agent over MCP (stdio).",
        discussion: """
            Speaks the Model Context Protocol on standard input and output (logs go to \
            standard error) until the input ends; then commits the search index and exits 0. \
            Tools: search_artifacts, list_artifacts, get_artifact, read_artifact, save_text, \
            save_json, save_file, best_artifact, pin_artifact, and delete_artifact with \
            --allow-delete. Every call stays inside the scope given by the flags (its \
            organisation always); save_file reads only files under an --allow-path folder \
            (none by default) and never changes them. The store is created when missing.

            An agent's configuration (the usual mcpServers shape):
              {"mcpServers": {"artifacts": {"command": "artifact-search",
                "args": ["mcp", "--store", "/path/to/store", "--run-id", "run-1"]}}}
            """)

    @OptionGroup(title: "Store")
    var store: StoreOptions

    @OptionGroup
    var embedder: StoreEmbedderOptions

    @OptionGroup(title: "Scope (stamped on saves; reads filter on it)")
    var scopeOptions: ScopeOptions

    @Option(
        name: .customLong("allow-path"),
        help: ArgumentHelp("A folder whose files save_file may read (repeatable; none by default).", valueName: "folder"))
    var allowedPaths: [String] = []

    @Flag(name: .customLong("allow-delete"), help: "Offer delete_artifact.")
    var allowsDelete = false

    func run() async throws {
        let roots = allowedPaths.map { URL(fileURLWithPath: $0, isDirectory: true).standardizedFileURL }
        let facade = try await store.openFacade(scope: scopeOptions.scope(), creating: true, access: .confined(roots: roots), embedder: embedder.choice)
        try await ArtifactMCPServer.serveStandardIO(ArtifactToolbox(facade: facade, allowsDelete: allowsDelete), version: "0.10.0")
        _ = try? await facade.commitSearchIndex()
    }
}
