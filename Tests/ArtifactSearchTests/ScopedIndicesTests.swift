import Foundation
import HybridSearch
import Testing

@testable import ArtifactSearch

@Suite("ScopedIndices")
struct ScopedIndicesTests {
    static let scope = Scope(
        orgID: "acme", userID: "ann", clientID: "cli", appID: "app", agentID: "agent", sessionID: "s1",
        runID: "r1", graphID: "g1", nodeID: "n1", toolName: "tool", toolVersion: "1", level: .run)

    @Test("Level filters follow the SPEC table, always with org_id")
    func levelFilters() throws {
        let indices = ScopedIndices(scope: Self.scope, backend: InMemorySearchBackend())
        #expect(try indices.levelFilter(level: .scope) == ["org_id": "acme", "scope_id": "run:r1"])
        #expect(try indices.levelFilter(level: .session) == ["org_id": "acme", "session_id": "s1"])
        #expect(try indices.levelFilter(level: .run) == ["org_id": "acme", "run_id": "r1"])
        #expect(try indices.levelFilter(level: .user) == ["org_id": "acme", "user_id": "ann"])
        #expect(try indices.levelFilter(level: .org) == ["org_id": "acme"])
        #expect(
            try indices.levelFilter(level: .org, includeGraph: true, includeNode: true)
                == ["org_id": "acme", "graph_id": "g1", "node_id": "n1"])
        // extra_scope_labels override derived filters; nil removes one; other keys are labels.
        #expect(
            try indices.levelFilter(level: .run, extraScopeLabels: ["run_id": "r9", "team": "blue"])
                == ["org_id": "acme", "run_id": "r9", "label.team": "blue"])
        #expect(try indices.levelFilter(level: .run, extraScopeLabels: ["run_id": nil]) == ["org_id": "acme"])
        #expect(throws: ArtifactError.self) { try indices.levelFilter(level: .org, extraScopeLabels: ["org_id": "evil"]) }
        #expect(throws: ArtifactError.self) { try indices.levelFilter(level: .org, extraScopeLabels: ["org_id": nil]) }
        // A user level without a user id falls back to the client id; a single-tenant scope adds nothing.
        let client = ScopedIndices(scope: Scope(clientID: "cli"), backend: InMemorySearchBackend())
        #expect(try client.levelFilter(level: .user) == ["client_id": "cli"])
        let local = ScopedIndices(scope: Scope(), backend: InMemorySearchBackend())
        #expect(try local.levelFilter(level: .run).isEmpty)
        #expect(try local.levelFilter(level: .scope) == ["scope_id": "global"])
    }

    @Test("Writes are stamped with the scope; caller metadata cannot forge it")
    func stamping() async throws {
        let backend = InMemorySearchBackend()
        let indices = ScopedIndices(scope: Self.scope, backend: backend)
        let stamped = indices.stamp(["org_id": "evil", "run_id": "other", "kind": "note"])
        #expect(stamped["org_id"] == "acme" && stamped["run_id"] == "r1" && stamped["kind"] == "note")
        #expect(stamped["scope_id"] == "run:r1" && stamped["tool_name"] == "tool" && stamped["agent_id"] == "agent")
        let artifact = Artifact(
            artifactID: "A1", kind: "note", createdAt: Date(timeIntervalSince1970: 100), tags: ["t"],
            labels: ["filename": "a.txt", "n": 5])
        let item = indices.item(for: artifact, text: "hello world", vector: nil)
        #expect(item.metadata["label.filename"] == "a.txt" && item.metadata["label.n"] == 5)
        #expect(item.metadata["tags"] == ["t"] && item.metadata["kind"] == "note" && item.metadata["org_id"] == "acme")
        #expect(item.createdAt == 100)
        try await indices.upsert([SearchItem(corpus: "ignored", id: "B", text: "hello there", metadata: ["org_id": "evil"])])
        let hits = try await indices.search(query: "hello", topK: 5, level: .org)
        #expect(hits.map(\.itemID) == ["B"])
        #expect(hits.first?.metadata["org_id"] == "acme")
        let otherOrg = ScopedIndices(scope: Scope(orgID: "evil"), backend: backend)
        #expect(try await otherOrg.search(query: "hello", topK: 5, level: .org).isEmpty)
    }
}
