import Foundation
import HybridSearch

/// One saved artifact: content identity, provenance and caller metadata.
///
/// A value type: it never changes behind your back. Only ``pinned`` can change in the store
/// (``ArtifactFacade/pin(_:pinned:)``); re-read the artifact to see it.
///
/// JSON form (``Codable``) uses snake_case names: `artifact_id`, `run_id`, `graph_id`, `node_id`,
/// `tool_name`, `tool_version`, `kind`, `sha256`, `bytes`, `mime` (`mimetype` is accepted when
/// decoding), `created_at` (ISO 8601 UTC with milliseconds, `2024-05-01T12:00:00.123Z`), `tags`,
/// `labels`, `metrics`, `pinned`, `uri`, `preview_uri`, `org_id`, `user_id`, `client_id`,
/// `app_id`, `session_id`, plus `agent_id` and `scope_id` (the scope's memory bucket).
/// Absent optional fields are omitted; `tags`, `labels`, `metrics` default to empty and
/// `pinned` to `false` when decoding.
public struct Artifact: Sendable, Hashable, Codable, Identifiable {
    /// Unique, time-sortable id (26 Crockford base-32 characters, see ``ArtifactID``).
    public var artifactID: String
    public var runID: String?
    public var graphID: String?
    public var nodeID: String?
    public var toolName: String?
    public var toolVersion: String?
    /// Caller-chosen category, e.g. `"text"`, `"json"`, `"file"`, `"dir"`, `"report"`.
    public var kind: String?
    /// Lower-case hex SHA-256 of the content; for a directory, of its manifest.
    public var sha256: String?
    /// Size in bytes; for a directory, the total size of its files.
    public var bytes: Int?
    /// MIME type; `inode/directory` for directory artifacts.
    public var mime: String?
    /// Creation time (UTC, millisecond precision).
    public var createdAt: Date?
    /// Free tags; filters on tags are ALL-of.
    public var tags: [String]
    /// Caller labels (string keys, typed JSON values). The facade adds `filename`.
    public var labels: [String: JSONValue]
    /// Numeric metrics (finite values), used by ``ArtifactFacade/best(kind:metric:metricMode:level:tags:filters:)``.
    public var metrics: [String: Double]
    /// Pinned artifacts are meant to be kept; `false` by default.
    public var pinned: Bool
    /// `file://` URI of the stored content (for a directory, of its manifest).
    public var uri: String?
    public var previewURI: String?
    public var orgID: String?
    public var userID: String?
    public var clientID: String?
    public var appID: String?
    public var sessionID: String?
    /// The agent of the scope that saved the artifact (extension of the seed's fields).
    public var agentID: String?
    /// The scope id ("memory bucket", see ``Scope/scopeID``) the artifact was saved in.
    public var scopeID: String?
    /// At most this many bytes of the content were indexed for search (the facade's
    /// ``ArtifactFacade/Configuration/maxIndexedContentBytes`` when it was saved); kept so any
    /// rebuild of the index indexes the same bytes. `nil` for records written before it existed
    /// (they were indexed with the 256 KiB default).
    public var indexedBytesLimit: Int?

    public init(
        artifactID: String, runID: String? = nil, graphID: String? = nil, nodeID: String? = nil,
        toolName: String? = nil, toolVersion: String? = nil, kind: String? = nil,
        sha256: String? = nil, bytes: Int? = nil, mime: String? = nil, createdAt: Date? = nil,
        tags: [String] = [], labels: [String: JSONValue] = [:], metrics: [String: Double] = [:],
        pinned: Bool = false, uri: String? = nil, previewURI: String? = nil,
        orgID: String? = nil, userID: String? = nil, clientID: String? = nil,
        appID: String? = nil, sessionID: String? = nil, agentID: String? = nil,
        scopeID: String? = nil, indexedBytesLimit: Int? = nil
    ) {
        self.artifactID = artifactID
        self.runID = runID
        self.graphID = graphID
        self.nodeID = nodeID
        self.toolName = toolName
        self.toolVersion = toolVersion
        self.kind = kind
        self.sha256 = sha256
        self.bytes = bytes
        self.mime = mime
        self.createdAt = createdAt.map(ArtifactTimestamp.truncatedToMilliseconds)
        self.tags = tags
        self.labels = labels
        self.metrics = metrics
        self.pinned = pinned
        self.uri = uri
        self.previewURI = previewURI
        self.orgID = orgID
        self.userID = userID
        self.clientID = clientID
        self.appID = appID
        self.sessionID = sessionID
        self.agentID = agentID
        self.scopeID = scopeID
        self.indexedBytesLimit = indexedBytesLimit
    }

    public var id: String { artifactID }

    /// The `filename` label: the name given at save time, else the last component of the
    /// suggested URI or of the saved file.
    public var filename: String? { labels["filename"]?.stringValue }

    /// The name an agent or a service sees for the artifact (MCP hits, HTTP records' `name`):
    /// ``filename``, else the `source_path` label, else the id.
    public var displayName: String { filename ?? labels["source_path"]?.stringValue ?? artifactID }

    /// Whether the artifact is a directory (its content is a manifest).
    public var isDirectory: Bool { mime == DirectoryManifest.mimeType }

    /// The record without `uri` and `previewURI`: locations on this machine's disk, which a
    /// remote client (the HTTP API, MCP over HTTP) has no use for and is not to be shown.
    public var withoutLocalPaths: Artifact {
        var record = self
        record.uri = nil
        record.previewURI = nil
        return record
    }

    enum CodingKeys: String, CodingKey {
        case artifactID = "artifact_id"
        case runID = "run_id"
        case graphID = "graph_id"
        case nodeID = "node_id"
        case toolName = "tool_name"
        case toolVersion = "tool_version"
        case kind, sha256, bytes, mime, mimetype
        case createdAt = "created_at"
        case tags, labels, metrics, pinned, uri
        case previewURI = "preview_uri"
        case orgID = "org_id"
        case userID = "user_id"
        case clientID = "client_id"
        case appID = "app_id"
        case sessionID = "session_id"
        case agentID = "agent_id"
        case scopeID = "scope_id"
        case indexedBytesLimit = "indexed_bytes_limit"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        artifactID = try c.decode(String.self, forKey: .artifactID)
        runID = try c.decodeIfPresent(String.self, forKey: .runID)
        graphID = try c.decodeIfPresent(String.self, forKey: .graphID)
        nodeID = try c.decodeIfPresent(String.self, forKey: .nodeID)
        toolName = try c.decodeIfPresent(String.self, forKey: .toolName)
        toolVersion = try c.decodeIfPresent(String.self, forKey: .toolVersion)
        kind = try c.decodeIfPresent(String.self, forKey: .kind)
        sha256 = try c.decodeIfPresent(String.self, forKey: .sha256)
        bytes = try c.decodeIfPresent(Int.self, forKey: .bytes)
        mime =
            try c.decodeIfPresent(String.self, forKey: .mime)
            ?? c.decodeIfPresent(String.self, forKey: .mimetype)
        if let text = try c.decodeIfPresent(String.self, forKey: .createdAt) {
            guard let date = ArtifactTimestamp.parse(text) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .createdAt, in: c,
                    debugDescription: "created_at \"\(text)\" is not an ISO 8601 date-time; use e.g. 2024-05-01T12:00:00.123Z")
            }
            createdAt = date
        } else {
            createdAt = nil
        }
        tags = try c.decodeIfPresent([String].self, forKey: .tags) ?? []
        labels = try c.decodeIfPresent([String: JSONValue].self, forKey: .labels) ?? [:]
        metrics = try c.decodeIfPresent([String: Double].self, forKey: .metrics) ?? [:]
        pinned = try c.decodeIfPresent(Bool.self, forKey: .pinned) ?? false
        uri = try c.decodeIfPresent(String.self, forKey: .uri)
        previewURI = try c.decodeIfPresent(String.self, forKey: .previewURI)
        orgID = try c.decodeIfPresent(String.self, forKey: .orgID)
        userID = try c.decodeIfPresent(String.self, forKey: .userID)
        clientID = try c.decodeIfPresent(String.self, forKey: .clientID)
        appID = try c.decodeIfPresent(String.self, forKey: .appID)
        sessionID = try c.decodeIfPresent(String.self, forKey: .sessionID)
        agentID = try c.decodeIfPresent(String.self, forKey: .agentID)
        scopeID = try c.decodeIfPresent(String.self, forKey: .scopeID)
        indexedBytesLimit = try c.decodeIfPresent(Int.self, forKey: .indexedBytesLimit)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(artifactID, forKey: .artifactID)
        try c.encodeIfPresent(runID, forKey: .runID)
        try c.encodeIfPresent(graphID, forKey: .graphID)
        try c.encodeIfPresent(nodeID, forKey: .nodeID)
        try c.encodeIfPresent(toolName, forKey: .toolName)
        try c.encodeIfPresent(toolVersion, forKey: .toolVersion)
        try c.encodeIfPresent(kind, forKey: .kind)
        try c.encodeIfPresent(sha256, forKey: .sha256)
        try c.encodeIfPresent(bytes, forKey: .bytes)
        try c.encodeIfPresent(mime, forKey: .mime)
        try c.encodeIfPresent(createdAt.map(ArtifactTimestamp.format), forKey: .createdAt)
        try c.encode(tags, forKey: .tags)
        try c.encode(labels, forKey: .labels)
        try c.encode(metrics, forKey: .metrics)
        try c.encode(pinned, forKey: .pinned)
        try c.encodeIfPresent(uri, forKey: .uri)
        try c.encodeIfPresent(previewURI, forKey: .previewURI)
        try c.encodeIfPresent(orgID, forKey: .orgID)
        try c.encodeIfPresent(userID, forKey: .userID)
        try c.encodeIfPresent(clientID, forKey: .clientID)
        try c.encodeIfPresent(appID, forKey: .appID)
        try c.encodeIfPresent(sessionID, forKey: .sessionID)
        try c.encodeIfPresent(agentID, forKey: .agentID)
        try c.encodeIfPresent(scopeID, forKey: .scopeID)
        try c.encodeIfPresent(indexedBytesLimit, forKey: .indexedBytesLimit)
    }
}
