import HybridSearch

extension Artifact {
    /// Writes the record as one JSON object: the bytes `JSONEncoder` gives for its `Encodable`
    /// form with sorted keys and unescaped slashes (tested), without `Codable`'s cost.
    ///
    /// - Parameter extra: more string members (a server's `content_url` and `name`), each placed
    ///   in key order; none may share a key with the record.
    public func writeJSON(to writer: inout JSONWriter, adding extra: [(key: String, value: String)] = []) {
        var pending = extra.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }[...]
        func member(_ key: String, _ writer: inout JSONWriter) {
            while let extra = pending.first, extra.key.utf8.lexicographicallyPrecedes(key.utf8) {
                writer.key(extra.key)
                writer.write(extra.value)
                pending.removeFirst()
            }
            writer.key(key)
        }
        func optional(_ key: String, _ value: String?, _ writer: inout JSONWriter) {
            guard let value else { return }
            member(key, &writer)
            writer.write(value)
        }
        writer.beginObject()
        // Keys in ascending UTF-8 order, as `.sortedKeys` writes them.
        optional("agent_id", agentID, &writer)
        optional("app_id", appID, &writer)
        member("artifact_id", &writer)
        writer.write(artifactID)
        if let bytes {
            member("bytes", &writer)
            writer.write(bytes)
        }
        optional("client_id", clientID, &writer)
        optional("created_at", createdAt.map(ArtifactTimestamp.format), &writer)
        optional("graph_id", graphID, &writer)
        if let indexedBytesLimit {
            member("indexed_bytes_limit", &writer)
            writer.write(indexedBytesLimit)
        }
        optional("kind", kind, &writer)
        member("labels", &writer)
        writer.write(JSONValue.object(labels))
        member("metrics", &writer)
        writer.beginObject()
        for name in metrics.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            writer.key(name)
            writer.write(metrics[name]!)
        }
        writer.endObject()
        optional("mime", mime, &writer)
        optional("node_id", nodeID, &writer)
        optional("org_id", orgID, &writer)
        member("pinned", &writer)
        writer.write(pinned)
        optional("preview_uri", previewURI, &writer)
        optional("run_id", runID, &writer)
        optional("scope_id", scopeID, &writer)
        optional("session_id", sessionID, &writer)
        optional("sha256", sha256, &writer)
        member("tags", &writer)
        writer.beginArray()
        for tag in tags { writer.write(tag) }
        writer.endArray()
        optional("tool_name", toolName, &writer)
        optional("tool_version", toolVersion, &writer)
        optional("uri", uri, &writer)
        optional("user_id", userID, &writer)
        for extra in pending {
            writer.key(extra.key)
            writer.write(extra.value)
        }
        writer.endObject()
    }
}
