import Foundation
import HybridSearch

/// The search backend seen from one ``Scope``: stamps the scope on every item written and adds
/// the level's filters to every read (SPEC §4).
///
/// Metadata keys are ``ArtifactMetadataKey`` names (`org_id`, `user_id`, `client_id`,
/// `app_id`, `agent_id`, `session_id`, `run_id`, `graph_id`, `node_id`, `scope_id`,
/// `tool_name`, `tool_version`, `kind`, …, `tags`, and `label.<key>` for labels).
public struct ScopedIndices: Sendable {
    public let scope: Scope
    public let backend: any SearchBackend
    /// The backend corpus holding the artifacts.
    public let corpus: String

    public init(scope: Scope, backend: any SearchBackend, corpus: String = "artifacts") {
        self.scope = scope
        self.backend = backend
        self.corpus = corpus
    }

    /// The scope's provenance as metadata: every present id, `tool_name`, `tool_version`, and
    /// `scope_id` (always).
    public var scopeMetadata: [String: JSONValue] {
        var metadata: [String: JSONValue] = [ArtifactMetadataKey.scopeID: .string(scope.scopeID)]
        let pairs: [(String, String?)] = [
            (ArtifactMetadataKey.orgID, scope.orgID), (ArtifactMetadataKey.userID, scope.userID),
            (ArtifactMetadataKey.clientID, scope.clientID), (ArtifactMetadataKey.appID, scope.appID),
            (ArtifactMetadataKey.agentID, scope.agentID), (ArtifactMetadataKey.sessionID, scope.sessionID),
            (ArtifactMetadataKey.runID, scope.runID), (ArtifactMetadataKey.graphID, scope.graphID),
            (ArtifactMetadataKey.nodeID, scope.nodeID), (ArtifactMetadataKey.toolName, scope.toolName),
            (ArtifactMetadataKey.toolVersion, scope.toolVersion),
        ]
        for (key, value) in pairs {
            if let value = Scope.present(value) { metadata[key] = .string(value) }
        }
        return metadata
    }

    /// `metadata` with the scope's provenance written over it: callers cannot forge another
    /// scope's ids.
    public func stamp(_ metadata: [String: JSONValue]) -> [String: JSONValue] {
        metadata.merging(scopeMetadata) { _, scoped in scoped }
    }

    /// The search item of an artifact, stamped with this scope.
    public func item(for artifact: Artifact, text: String, vector: [Float]?) -> SearchItem {
        SearchItem(
            corpus: corpus, id: artifact.artifactID, text: text,
            metadata: stamp(ArtifactMetadataKey.metadata(of: artifact)),
            createdAt: artifact.createdAt.map(ArtifactTimestamp.seconds), vector: vector)
    }

    /// Upserts items after stamping them with this scope.
    public func upsert(_ items: [SearchItem]) async throws {
        var stamped = items
        for index in stamped.indices {
            stamped[index].corpus = corpus
            stamped[index].metadata = stamp(stamped[index].metadata)
        }
        try await backend.upsert(stamped)
    }

    /// The `equals` filters a read at `level` adds (SPEC §4 table):
    /// - `org_id` whenever the scope has an org (at every level; never removable);
    /// - `scope` → `scope_id`; `session` → `session_id`; `run` → `run_id`;
    ///   `user` → `user_id`, else `client_id`; `org` → nothing more; a missing id adds nothing;
    /// - `includeGraph` → `graph_id`, `includeNode` → `node_id` (when the scope has them);
    /// - then `extraScopeLabels` override: a field key (`run_id`, …) or `label.<key>` is used as
    ///   is, any other key means the label `label.<key>`; a `nil` value removes the filter.
    /// - Throws: ``ArtifactError/invalidArgument(_:)`` if `extraScopeLabels` tries to change or
    ///   remove `org_id` of a scope that has one.
    public func levelFilter(
        level: ScopeLevel, includeGraph: Bool = false, includeNode: Bool = false,
        extraScopeLabels: [String: JSONValue?] = [:]
    ) throws(ArtifactError) -> [String: JSONValue?] {
        var filter: [String: JSONValue?] = [:]
        func set(_ key: String, _ value: String?) {
            if let value = Scope.present(value) { filter[key] = .string(value) }
        }
        set(ArtifactMetadataKey.orgID, scope.orgID)
        switch level {
        case .scope: set(ArtifactMetadataKey.scopeID, scope.scopeID)
        case .session: set(ArtifactMetadataKey.sessionID, scope.sessionID)
        case .run: set(ArtifactMetadataKey.runID, scope.runID)
        case .user:
            if Scope.present(scope.userID) != nil {
                set(ArtifactMetadataKey.userID, scope.userID)
            } else {
                set(ArtifactMetadataKey.clientID, scope.clientID)
            }
        case .org: break
        }
        if includeGraph { set(ArtifactMetadataKey.graphID, scope.graphID) }
        if includeNode { set(ArtifactMetadataKey.nodeID, scope.nodeID) }
        for (rawKey, value) in extraScopeLabels {
            let key = Self.filterKey(rawKey)
            if key == ArtifactMetadataKey.orgID, let org = Scope.present(scope.orgID), value != .string(org) {
                throw .invalidArgument(
                    "extra_scope_labels cannot change org_id (\"\(org)\" in this scope): nothing crosses an"
                        + " organisation; open a scope of the other organisation instead")
            }
            if let value { filter[key] = .some(value) } else { filter.removeValue(forKey: key) }
        }
        return filter
    }

    /// Searches the corpus with the level's filters added to `filter` (level filters win on the
    /// same key). Every filter applies before ranking and before `topK`.
    /// - Parameter includesMetadata: whether hits carry their metadata (the facade, which
    ///   reads records, asks for none).
    /// - Throws: ``HybridSearch/SearchError`` from the backend (`invalidTopK`, …) and the errors
    ///   of ``levelFilter(level:includeGraph:includeNode:extraScopeLabels:)``.
    public func search(
        query: String, mode: SearchMode = .auto, topK: Int, filter: MetadataFilter = .none,
        level: ScopeLevel = .run, includeGraph: Bool = false, includeNode: Bool = false,
        extraScopeLabels: [String: JSONValue?] = [:], explain: Bool = false, includesMetadata: Bool = true
    ) async throws -> [SearchHit] {
        var combined = filter
        let scoped = try levelFilter(
            level: level, includeGraph: includeGraph, includeNode: includeNode,
            extraScopeLabels: extraScopeLabels)
        combined.equals.merge(scoped) { _, level in level }
        return try await backend.search(
            SearchRequest(
                corpus: corpus, query: query, topK: topK, filter: combined, mode: mode, explain: explain,
                includesMetadata: includesMetadata))
    }

    /// The metadata key for a caller-supplied key: field names and `label.` keys unchanged,
    /// anything else is a label.
    static func filterKey(_ key: String) -> String {
        if ArtifactMetadataKey.fieldSet.contains(key) || key.hasPrefix(ArtifactMetadataKey.labelPrefix) {
            return key
        }
        return ArtifactMetadataKey.label(key)
    }
}
