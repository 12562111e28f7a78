import ArgumentParser
import ArtifactSearch

/// The tenant and provenance ids of a scope: stamped on what `ingest` saves, and the ids
/// `--level` filters on when reading.
struct ScopeOptions: ParsableArguments {
    @Option(name: .customLong("org-id"), help: "Organisation id (every read filters on it when given).")
    var orgID: String?
    @Option(name: .customLong("user-id"), help: "User id.")
    var userID: String?
    @Option(name: .customLong("client-id"), help: "Client id (stands in for the user at --level user).")
    var clientID: String?
    @Option(name: .customLong("app-id"), help: "Application id.")
    var appID: String?
    @Option(name: .customLong("session-id"), help: "Session id.")
    var sessionID: String?
    @Option(name: .customLong("run-id"), help: "Run id.")
    var runID: String?
    @Option(name: .customLong("graph-id"), help: "Graph id (reads filter on it when given).")
    var graphID: String?
    @Option(name: .customLong("node-id"), help: "Node id (reads filter on it when given).")
    var nodeID: String?

    /// The scope these ids describe, with this program as the tool.
    func scope(level: ScopeLevel? = nil) -> Scope {
        Scope(
            orgID: orgID, userID: userID, clientID: clientID, appID: appID, sessionID: sessionID,
            runID: runID, graphID: graphID, nodeID: nodeID, toolName: "artifact-search", level: level)
    }

    /// Whether reads should also filter on the graph id (it was given).
    var includesGraph: Bool { graphID.map { !$0.isEmpty } ?? false }

    /// Whether reads should also filter on the node id (it was given).
    var includesNode: Bool { nodeID.map { !$0.isEmpty } ?? false }
}
