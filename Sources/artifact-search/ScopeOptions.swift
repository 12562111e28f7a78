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
    @Option(
        name: .customLong("scope-id"),
        help: ArgumentHelp(
            "Scope id (memory bucket): ingest stamps it instead of the derived one; reads filter on it.",
            valueName: "id"))
    var scopeID: String?

    /// The scope these ids describe, with this program as the tool. Its scope id is
    /// `--scope-id` when given, else derived from the first present of session, user, run,
    /// org and app (SPEC §4) — what `ingest` stamps, and what `--level scope` reads.
    func scope() -> Scope {
        Scope(
            orgID: orgID, userID: userID, clientID: clientID, appID: appID, sessionID: sessionID,
            runID: runID, graphID: graphID, nodeID: nodeID, toolName: "artifact-search",
            scopeIDOverride: explicitScopeID)
    }

    /// `--scope-id`, unless absent or empty (an empty id counts as absent, as in ``Scope``).
    var explicitScopeID: String? { scopeID.flatMap { $0.isEmpty ? nil : $0 } }

    /// Whether reads should also filter on the graph id (it was given).
    var includesGraph: Bool { graphID.map { !$0.isEmpty } ?? false }

    /// Whether reads should also filter on the node id (it was given).
    var includesNode: Bool { nodeID.map { !$0.isEmpty } ?? false }
}
