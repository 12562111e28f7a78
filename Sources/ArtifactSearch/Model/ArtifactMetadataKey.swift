import Foundation
import HybridSearch

/// The metadata keys stamped on every artifact's search item, and understood by
/// structured reads (`list`, `best`, filters of every search).
///
/// - Scope and record fields, as strings (absent when the artifact has no value): `org_id`,
///   `user_id`, `client_id`, `app_id`, `agent_id`, `session_id`, `run_id`, `graph_id`,
///   `node_id`, `scope_id`, `tool_name`, `tool_version`, `kind`, `mime`, `sha256`,
///   `artifact_id`.
/// - `tags`: array of strings (filtered ALL-of).
/// - Labels: `label.<key>` with the label's typed JSON value, e.g. `label.filename`.
/// - Metrics: `metric.<name>` with the metric's value (a JSON number).
public enum ArtifactMetadataKey {
    public static let orgID = "org_id"
    public static let userID = "user_id"
    public static let clientID = "client_id"
    public static let appID = "app_id"
    public static let agentID = "agent_id"
    public static let sessionID = "session_id"
    public static let runID = "run_id"
    public static let graphID = "graph_id"
    public static let nodeID = "node_id"
    public static let scopeID = "scope_id"
    public static let toolName = "tool_name"
    public static let toolVersion = "tool_version"
    public static let kind = "kind"
    public static let mime = "mime"
    public static let sha256 = "sha256"
    public static let artifactID = "artifact_id"
    public static let tags = "tags"
    /// Prefix of label keys: the label `filename` is the metadata key `label.filename`.
    public static let labelPrefix = "label."
    /// Prefix of metric keys: the metric `f1` is the metadata key `metric.f1` (a JSON number),
    /// what `best` and metric-ordered listings rank by.
    public static let metricPrefix = "metric."

    /// The string-valued record fields.
    public static let fields: [String] = [
        orgID, userID, clientID, appID, agentID, sessionID, runID, graphID, nodeID, scopeID,
        toolName, toolVersion, kind, mime, sha256, artifactID,
    ]
    static let fieldSet = Set(fields)

    /// The metadata key of a label.
    public static func label(_ key: String) -> String { labelPrefix + key }

    /// The metadata key of a metric.
    public static func metric(_ name: String) -> String { metricPrefix + name }

    /// Search-item metadata of an artifact: every present field, `tags`, and `label.<key>`.
    public static func metadata(of artifact: Artifact) -> [String: JSONValue] {
        var metadata: [String: JSONValue] = [:]
        for key in fields {
            if let value = fieldValue(key, of: artifact) { metadata[key] = .string(value) }
        }
        metadata[tags] = .array(artifact.tags.map(JSONValue.string))
        for (key, value) in artifact.labels { metadata[label(key)] = value }
        for (name, value) in artifact.metrics { metadata[metric(name)] = .number(value) }
        return metadata
    }

    /// The value of one of ``fields`` for an artifact.
    public static func fieldValue(_ key: String, of artifact: Artifact) -> String? {
        switch key {
        case orgID: return artifact.orgID
        case userID: return artifact.userID
        case clientID: return artifact.clientID
        case appID: return artifact.appID
        case agentID: return artifact.agentID
        case sessionID: return artifact.sessionID
        case runID: return artifact.runID
        case graphID: return artifact.graphID
        case nodeID: return artifact.nodeID
        case scopeID: return artifact.scopeID
        case toolName: return artifact.toolName
        case toolVersion: return artifact.toolVersion
        case kind: return artifact.kind
        case mime: return artifact.mime
        case sha256: return artifact.sha256
        case artifactID: return artifact.artifactID
        default: return nil
        }
    }
}
