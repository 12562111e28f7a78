import Foundation
import HybridSearch
import Testing
import ArtifactSearch

/// The README's Swift quick start, verbatim in spirit: if the API it shows changes, this fails.
@Suite("README quick start")
struct ReadmeExampleTests {
    @Test("the facade example saves, searches, lists, ranks and loads")
    func facadeExample() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("readme-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }

        let scope = Scope(orgID: "acme", userID: "ada", runID: "run-42", graphID: "g1", nodeID: "summarize")
        let artifacts = try await ArtifactFacade.open(at: folder, scope: scope)

        let report = try await artifacts.saveText("Recall@100 rose to 0.94 after BM25 tuning",
                                                  kind: "note", labels: ["topic": "eval"],
                                                  metrics: ["recall_at_100": 0.94], name: "eval-notes.md")
        let hits = try await artifacts.search("bm25 tuning", limit: 5, mode: .hybrid)
        let newest = try await artifacts.list(level: .run, limit: 10)
        let best = try await artifacts.best(kind: "note", metric: "recall_at_100", metricMode: .max)
        let text = try await artifacts.loadText(id: report.artifactID)

        #expect(hits.map(\.artifact.artifactID) == [report.artifactID])
        #expect(newest.map(\.artifactID) == [report.artifactID])
        #expect(best?.artifactID == report.artifactID)
        #expect(text == "Recall@100 rose to 0.94 after BM25 tuning")
        #expect(report.labels["filename"] == "eval-notes.md")
    }

    @Test("the engine example finds an identifier by its parts inside a filter")
    func engineExample() async throws {
        let backend = InMemorySearchBackend()
        try await backend.upsert([SearchItem(corpus: "docs", id: "a", text: "atomic_write_json failed",
                                             metadata: ["run_id": "r1"], createdAt: Date().timeIntervalSince1970)])
        let hits = try await backend.search(SearchRequest(corpus: "docs", query: "atomic write", topK: 10,
                                                          filter: MetadataFilter(equals: ["run_id": "r1"]),
                                                          mode: .hybrid, explain: true))
        #expect(hits.map(\.itemID) == ["a"])
        #expect(hits.first?.explanation?.lexical?.rank == 1)
        #expect(hits.first?.explanation?.semantic?.rank == 1)
    }
}
