import ArtifactSearch
import ArtifactSearchMCP

/// Who a request acts for: the organisation and user of its API key (never of its body), and
/// whether the key may write. Without a key file the server has one local tenant — no
/// organisation, as the command line — that may write.
public struct Tenant: Sendable, Hashable {
    public var orgID: String?
    public var userID: String?
    public var canWrite: Bool

    public init(orgID: String?, userID: String?, canWrite: Bool) {
        self.orgID = orgID
        self.userID = userID
        self.canWrite = canWrite
    }

    /// The tenant of a server without a key file.
    public static let local = Tenant(orgID: nil, userID: nil, canWrite: true)

    /// The tenant's scope with a request's provenance ids (run, session, graph, node, tool).
    func scope(_ ids: ProvenanceIDs = ProvenanceIDs()) -> Scope {
        Scope(
            orgID: orgID, userID: userID, sessionID: ids.sessionID, runID: ids.runID, graphID: ids.graphID,
            nodeID: ids.nodeID, toolName: ids.toolName, toolVersion: ids.toolVersion)
    }
}

/// The provenance ids a request may name (`run_id`, `session_id`, `graph_id`, `node_id`,
/// `tool_name`, `tool_version`): stamped on saves, and the ids the level filters of reads use.
struct ProvenanceIDs: Sendable, Hashable {
    static let fieldNames = ["run_id", "session_id", "graph_id", "node_id", "tool_name", "tool_version"]

    var runID: String?
    var sessionID: String?
    var graphID: String?
    var nodeID: String?
    var toolName: String?
    var toolVersion: String?

    init(runID: String? = nil, sessionID: String? = nil, graphID: String? = nil, nodeID: String? = nil, toolName: String? = nil, toolVersion: String? = nil) {
        self.runID = runID
        self.sessionID = sessionID
        self.graphID = graphID
        self.nodeID = nodeID
        self.toolName = toolName
        self.toolVersion = toolVersion
    }

    init(_ fields: FieldReader) throws(FieldError) {
        self.init(
            runID: try fields.string("run_id"), sessionID: try fields.string("session_id"),
            graphID: try fields.string("graph_id"), nodeID: try fields.string("node_id"),
            toolName: try fields.string("tool_name"), toolVersion: try fields.string("tool_version"))
    }
}
