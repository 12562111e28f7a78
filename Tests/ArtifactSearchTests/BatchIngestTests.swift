import Foundation
import HybridSearch
import Testing

@testable import ArtifactSearch

/// `ingestFiles`: a group commit records what single saves record, reports unreadable files
/// without failing the batch, and decides skip-unchanged inside its one transaction.
@Suite("Batch ingest (group commit)")
struct BatchIngestTests {
    @Test("A batch records what saveFile records; an unreadable file or a folder is reported, the rest go in", arguments: StoreBackend.available)
    func batchLikeSingleSaves(backend: StoreBackend) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let facade = try await openFacade(in: folder, backend: backend)
        let text = try folder.file("notes.md", text: "# Budget\nthe quarterly budget forecast")
        let binary = try folder.file("image.bin", contents: Data([0x89, 0x50, 0x4E, 0x47, 0, 0, 1, 2, 3]))
        let copy = try folder.file("copy.md", text: "# Budget\nthe quarterly budget forecast")
        let missing = folder.url.appendingPathComponent("missing.txt")
        let outcomes = try await facade.ingestFiles([
            FileIngest(url: text, kind: "note", labels: ["team": .string("ml")], metrics: ["score": 0.5], tags: ["q3"]),
            FileIngest(url: missing),
            FileIngest(url: binary),
            FileIngest(url: folder.url),
            FileIngest(url: copy, name: "renamed.md"),
        ])
        #expect(outcomes.count == 5)
        guard case .saved(let note, true) = outcomes[0], case .failed(.io) = outcomes[1],
            case .saved(let image, false) = outcomes[2], case .failed(.wrongContentType) = outcomes[3],
            case .saved(let renamed, true) = outcomes[4]
        else {
            Issue.record("unexpected outcomes \(outcomes)")
            return
        }
        // The same record a single save makes (apart from id and time).
        let single = try await facade.saveFile(at: text, kind: "note", labels: ["team": .string("ml")], metrics: ["score": 0.5], tags: ["q3"], cleanup: false)
        for (batched, alone) in [(note, single)] {
            #expect(batched.kind == alone.kind && batched.labels == alone.labels && batched.metrics == alone.metrics)
            #expect(batched.tags == alone.tags && batched.mime == alone.mime && batched.sha256 == alone.sha256)
            #expect(batched.bytes == alone.bytes && batched.scopeID == alone.scopeID && batched.runID == alone.runID)
        }
        #expect(renamed.labels["filename"] == .string("renamed.md") && renamed.sha256 == note.sha256)
        #expect(image.mime != "text/plain")
        #expect(FileManager.default.fileExists(atPath: text.path), "a batch never deletes the caller's files")
        for id in [note.artifactID, image.artifactID, renamed.artifactID] {
            #expect(try await facade.artifact(id: id) != nil)
        }
        #expect(try await facade.loadText(id: note.artifactID).contains("quarterly"))
        // Searchable at once here and from another opener, in both legs.
        let other = try await openFacade(in: folder, backend: backend)
        for viewer in [facade, other] {
            for mode in [SearchMode.lexical, .semantic, .hybrid] {
                let found = Set(try await viewer.search("quarterly budget", limit: 10, mode: mode).map(\.artifact.artifactID))
                #expect(found.isSuperset(of: [note.artifactID, renamed.artifactID, single.artifactID]), "\(mode)")
            }
        }
        #expect(try await facade.verify().isHealthy)
    }

    @Test("Skip-unchanged in a batch: the same bytes from the same path are recorded once, even twice in one batch", arguments: StoreBackend.available)
    func unchangedInBatch(backend: StoreBackend) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let facade = try await openFacade(in: folder, backend: backend)
        let file = try folder.file("a.txt", text: "version one")
        func request() -> FileIngest {
            FileIngest(url: file, labels: ["source_path": .string(file.path)], unchangedLabels: ["source_path": .string(file.path)])
        }
        let first = try await facade.ingestFiles([request(), request()])
        guard case .saved = first[0], case .unchanged = first[1] else {
            Issue.record("\(first)")
            return
        }
        #expect(try await facade.ingestFiles([request()]) == [.unchanged])
        try Data("version two".utf8).write(to: file)
        guard case .saved(let changed, _) = try await facade.ingestFiles([request()])[0] else {
            Issue.record("a changed file was not saved")
            return
        }
        #expect(try await facade.loadText(id: changed.artifactID) == "version two")
        #expect(try await facade.list(limit: 10).count == 2)
    }

    @Test("A batch over the limit, or with a bad metric, stores nothing")
    func refusedBatches() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let facade = try await openFacade(in: folder)
        let file = try folder.file("a.txt", text: "alpha")
        await #expect(throws: ArtifactError.self) {
            try await facade.ingestFiles(Array(repeating: FileIngest(url: file), count: ArtifactFacade.maximumIngestBatch + 1))
        }
        await #expect(throws: ArtifactError.self) {
            try await facade.ingestFiles([FileIngest(url: file), FileIngest(url: file, metrics: ["loss": .nan])])
        }
        #expect(try await facade.list(limit: 10).isEmpty)
        #expect(try blobFiles(in: folder.url.appendingPathComponent("store")).isEmpty)
    }
}
