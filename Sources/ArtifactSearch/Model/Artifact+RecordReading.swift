import Foundation
import HybridSearch

extension Artifact {
    /// The artifact a JSON record (``Artifact``'s `Codable` form) describes.
    ///
    /// Read with ``JSONReader`` (the records of one search page are decoded on every query;
    /// `JSONDecoder` spent 10 % of a filtered search's CPU on them); any record that reader does not take —
    /// unusual types, duplicate keys, syntax errors, deep labels — goes to `JSONDecoder`, so
    /// the result and the errors are exactly `Decodable`'s (tested against it).
    /// - Throws: `DecodingError` from `JSONDecoder` for a record that is not an artifact.
    public static func decodeRecord(_ text: String) throws -> Artifact {
        if let artifact = JSONReader.read(text, { (reader: inout JSONReader) throws(JSONReader.Failure) in try Artifact(reading: &reader) }) {
            return artifact
        }
        return try JSONDecoder().decode(Artifact.self, from: Data(text.utf8))
    }

    /// ``decodeRecord(_:)`` with the pinned flag an index keeps beside the record (pinning
    /// changes the flag, not the stored record).
    public static func decodeRecord(_ text: String, pinned: Bool) throws -> Artifact {
        var artifact = try decodeRecord(text)
        artifact.pinned = pinned
        return artifact
    }

    /// `init(from:)`'s rules over a ``JSONReader``: unknown keys skipped, `null` as absent,
    /// `mime` before `mimetype`; a duplicate key fails (the fallback decides).
    init(reading reader: inout JSONReader) throws(JSONReader.Failure) {
        var artifact = Artifact(artifactID: "")
        var seen = Set<String>()
        var artifactID: String?
        var mime: String?
        var mimetype: String?
        try reader.readObject { (reader: inout JSONReader, key: String) throws(JSONReader.Failure) in
            guard seen.insert(key).inserted else { throw reader.failure() }
            func string() throws(JSONReader.Failure) -> String? { try reader.readNull() ? nil : try reader.readString() }
            switch key {
            case "artifact_id": artifactID = try reader.readString()
            case "run_id": artifact.runID = try string()
            case "graph_id": artifact.graphID = try string()
            case "node_id": artifact.nodeID = try string()
            case "tool_name": artifact.toolName = try string()
            case "tool_version": artifact.toolVersion = try string()
            case "kind": artifact.kind = try string()
            case "sha256": artifact.sha256 = try string()
            case "bytes": artifact.bytes = try reader.readNull() ? nil : try reader.readInt()
            case "mime": mime = try string()
            case "mimetype": mimetype = try string()
            case "created_at":
                if let text = try string() {
                    guard let date = ArtifactTimestamp.parse(text) else { throw reader.failure() }
                    artifact.createdAt = date
                }
            case "tags":
                var values: [String] = []
                if try !reader.readNull() {
                    try reader.readArray { (reader: inout JSONReader) throws(JSONReader.Failure) in values.append(try reader.readString()) }
                }
                artifact.tags = values
            case "labels":
                artifact.labels = try reader.readNull() ? [:] : try reader.readDictionary { (reader: inout JSONReader) throws(JSONReader.Failure) in try reader.readValue() }
            case "metrics":
                artifact.metrics = try reader.readNull() ? [:] : try reader.readDictionary { (reader: inout JSONReader) throws(JSONReader.Failure) in try reader.readDouble() }
            case "pinned": artifact.pinned = try reader.readNull() ? false : try reader.readBool()
            case "uri": artifact.uri = try string()
            case "preview_uri": artifact.previewURI = try string()
            case "org_id": artifact.orgID = try string()
            case "user_id": artifact.userID = try string()
            case "client_id": artifact.clientID = try string()
            case "app_id": artifact.appID = try string()
            case "session_id": artifact.sessionID = try string()
            case "agent_id": artifact.agentID = try string()
            case "scope_id": artifact.scopeID = try string()
            case "indexed_bytes_limit": artifact.indexedBytesLimit = try reader.readNull() ? nil : try reader.readInt()
            default:
                // Not one of ours: skipped, as `Decodable` skips it.
                _ = try reader.readValue()
            }
        }
        guard let artifactID else { throw reader.failure() }
        artifact.artifactID = artifactID
        artifact.mime = mime ?? mimetype
        self = artifact
    }
}
