import Foundation
import HybridSearch
import Testing

@testable import ArtifactSearch

/// The facade pieces the command-line program relies on: lazy loading of the search backend
/// and text prefixes for snippets.
@Suite("Command-line support")
struct CommandLineSupportTests {
    @Test("without preloading, the first query-mode search loads what earlier openers saved")
    func lazyBackendCatchesUp() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = folder.url.appendingPathComponent("store")
        let writer = try await ArtifactFacade.open(at: store)
        let saved = try await writer.saveText("the quick brown fox", name: "fox.txt")

        let lazy = try await ArtifactFacade.open(
            at: store, configuration: ArtifactFacade.Configuration(preloadsSearchBackend: false))
        #expect(await lazy.backend.count(corpus: lazy.configuration.corpus) == 0)
        #expect(try await lazy.list().map(\.artifactID) == [saved.artifactID])
        let hits = try await lazy.search("brown fox")
        #expect(hits.map(\.artifact.artifactID) == [saved.artifactID])
        #expect(await lazy.backend.count(corpus: lazy.configuration.corpus) == 1)
    }

    @Test("textPrefix returns text, nil for binary content and directories")
    func textPrefix() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let facade = try await openFacade(in: folder)
        let text = try await facade.saveText("héllo wörld, a longer line")
        #expect(try await facade.textPrefix(of: text, maxBytes: 1_000) == "héllo wörld, a longer line")
        // A cut inside "é" (2 bytes) drops the incomplete character.
        #expect(try await facade.textPrefix(of: text, maxBytes: 2) == "h")
        let binary = try await facade.saveData(Data([0, 1, 2, 3]), name: "blob.bin")
        #expect(try await facade.textPrefix(of: binary, maxBytes: 1_000) == nil)
        let tree = folder.url.appendingPathComponent("tree")
        _ = try folder.file("tree/a.txt", text: "a")
        let directory = try await facade.ingestDirectory(at: tree)
        #expect(try await facade.textPrefix(of: directory, maxBytes: 1_000) == nil)
    }
}
