import Foundation
import HybridSearch
import Testing

@testable import ArtifactSearch

/// The records keep what cannot be derived — the artifact and its vector — and nothing the
/// engine derives: no copy of the text, no analysed terms. The search index is rebuilt from
/// the records and the content, without embedding anything again.
@Suite("Records and the derived search index")
struct StoredTermsTests {
    @Test("the database holds no copy of the indexed text; without its index folder the store rebuilds from records and blobs, ranking bit for bit as before, embedding no document")
    func rebuiltFromRecords() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let words = ["quokka", "wombat", "dingo", "numbat", "bilby", "echidna"]
        var before: [[String]] = []
        do {
            let facade = try await openFacade(in: folder)
            for index in 0..<30 {
                let text = (0..<5).map { words[($0 * 5 + index) % words.count] }.joined(separator: " ") + " zanzibarite\(index)"
                _ = try await facade.saveText(text, metrics: ["f1": Double(index % 7) / 10], name: "n\(index).txt")
            }
            #expect(try await facade.commitSearchIndex())
            for query in ["quokka wombat", "bilby", "echidna dingo numbat"] {
                for mode in [SearchMode.lexical, .semantic, .hybrid] {
                    before.append(try await facade.search(query, limit: 10, mode: mode).map { "\($0.artifact.artifactID) \($0.score ?? -1)" })
                }
            }
        }
        let store = folder.url.appendingPathComponent("store")
        for name in ["index.sqlite", "index.sqlite-wal"] {
            guard let bytes = FileManager.default.contents(atPath: store.appendingPathComponent(name).path) else { continue }
            #expect(bytes.range(of: Data("zanzibarite".utf8)) == nil, "\(name) holds a copy of the content")
        }
        try FileManager.default.removeItem(at: store.appendingPathComponent("index"))
        let embedder = CountingEmbedder()
        let reopened = try await openFacade(in: folder, embedder: embedder)
        var after: [[String]] = []
        for query in ["quokka wombat", "bilby", "echidna dingo numbat"] {
            for mode in [SearchMode.lexical, .semantic, .hybrid] {
                after.append(try await reopened.search(query, limit: 10, mode: mode).map { "\($0.artifact.artifactID) \($0.score ?? -1)" })
            }
        }
        #expect(after == before)
        // Only the six semantic and hybrid queries were embedded.
        #expect(embedder.count == 6)
        #expect(try await reopened.verify().isHealthy)
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
