import Foundation
import HybridSearch
import Testing

@testable import ArtifactSearch

/// Analysed terms are persisted with each search document, so reopening a store rebuilds the
/// inverted index without analysing the texts again — and a different analyzer re-analyses.
@Suite("Stored analysis")
struct StoredTermsTests {
    @Test("documents are stored with their terms; the text is read back only for another analyzer")
    func storedTerms() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let facade = try await openFacade(in: folder)
        let saved = try await facade.saveText("Running the atomic_write_json tests again", name: "notes.md")
        let analyzer = StandardAnalyzer()

        let items = try await facade.index.searchChanges(
            corpus: "artifacts", after: 0, limit: 10, analyzer: analyzer.identifier
        ).changes.compactMap(\.upsertedItem)
        let item = try #require(items.first { $0.id == saved.artifactID })
        let terms = try #require(item.terms)
        #expect(item.text.isEmpty)
        #expect(terms.analyzer == analyzer.identifier)
        #expect(terms.terms.contains("atomic_write_json") && terms.terms.contains("run"))
        #expect(terms.terms == terms.terms.sorted())

        let foreign = try await facade.index.searchChanges(
            corpus: "artifacts", after: 0, limit: 10, analyzer: "another-analyzer"
        ).changes.compactMap(\.upsertedItem)
        let other = try #require(foreign.first { $0.id == saved.artifactID })
        #expect(other.terms == nil)
        #expect(other.text.contains("atomic_write_json"))
        // The stored terms are exactly the analysis of the stored text.
        #expect(TermCounts(analyzer: analyzer.identifier, terms: analyzer.terms(in: other.text)) == terms)
    }

    @Test("reopening with another analyzer re-analyses stored texts and ranks like a store built with it")
    func anotherAnalyzer() async throws {
        let texts = ["running tests nightly", "the runner crashed", "run it again", "tests ran fine"]
        let stemmed = try TemporaryFolder()
        let plain = try TemporaryFolder()
        defer {
            stemmed.remove()
            plain.remove()
        }
        let unstemmed = StandardAnalyzer(stemming: false)
        let original = try await ArtifactFacade.open(at: stemmed.url, scope: Scope(runID: "r"))
        let reference = try await ArtifactFacade.open(at: plain.url, scope: Scope(runID: "r"), analyzer: unstemmed)
        for text in texts {
            _ = try await original.saveText(text)
            _ = try await reference.saveText(text)
        }
        // With stemming, "running" also finds "run it again"; without, it does not.
        let stemmedHits = try await original.search("running", limit: 10, mode: .lexical)
        #expect(stemmedHits.count == 2)

        let reopened = try await ArtifactFacade.open(at: stemmed.url, scope: Scope(runID: "r"), analyzer: unstemmed)
        let reopenedHits = try await reopened.search("running", limit: 10, mode: .lexical)
        let referenceHits = try await reference.search("running", limit: 10, mode: .lexical)
        #expect(reopenedHits.count == 1)
        #expect(reopenedHits.map(\.score) == referenceHits.map(\.score))
        #expect(reopenedHits.map(\.artifact.artifactID).count == 1)
    }
}
