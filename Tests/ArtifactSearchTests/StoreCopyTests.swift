import Foundation
import HybridSearch
import Testing

@testable import ArtifactSearch

@Suite("Copying a store: embedded ↔ shared")
struct StoreCopyTests {
    /// Every artifact of `facade` (all organisations) by id.
    static func everything(_ facade: ArtifactFacade) async throws -> [String: Artifact] {
        Dictionary(uniqueKeysWithValues: try await facade.index.allArtifacts().map { ($0.artifactID, $0) })
    }

    @Test("An embedded store copied to a shared one and back: same ids, records, bytes, vectors and rankings; run again, nothing is copied twice", .enabled(if: StoreBackend.available.contains(.shared)))
    func roundTrip() async throws {
        let (embedded, shared, back) = (try TemporaryFolder(), try TemporaryFolder(), try TemporaryFolder())
        defer { [embedded, shared, back].forEach { $0.remove() } }
        let source = try await openFacade(in: embedded, scope: Scope(orgID: "acme", runID: "run-1"))
        let note = try await source.saveText("the learning rate warmup fixed the divergence", kind: "note", labels: ["team": "ml"], metrics: ["f1": 0.8])
        _ = try await source.pin(note.artifactID)
        let other = source.scoped(to: Scope(orgID: "globex", runID: "run-2"))
        _ = try await other.saveJSON(.object(["loss": .number(0.5)]), kind: "metrics")
        let folder = try embedded.file("run/config.yaml", text: "lr: 0.1\n").deletingLastPathComponent()
        _ = try embedded.file("run/notes/readme.txt", text: "warmup notes\n")
        let directory = try await source.ingestDirectory(at: folder, kind: "run-folder", cleanup: false)
        let deleted = try await source.saveText("deleted before the copy", kind: "note")
        _ = try await source.delete(ids: [deleted.artifactID])

        let target = try await openFacade(in: shared, backend: .shared, scope: Scope(orgID: "acme", runID: "run-1"))
        let report = try await source.copy(to: target)
        #expect(report.copied == 3 && report.alreadyPresent == 0)
        let before = try await Self.everything(source)
        let after = try await Self.everything(target)
        #expect(Set(after.keys) == Set(before.keys))
        for (id, artifact) in before {
            var copied = try #require(after[id])
            #expect(copied.uri?.hasPrefix("s3://") == true)
            copied.uri = artifact.uri
            #expect(copied == artifact, "\(id)")
        }
        #expect(after[note.artifactID]?.pinned == true)
        #expect(try await target.loadText(id: note.artifactID) == "the learning rate warmup fixed the divergence")
        let tree = try await target.asLocalDirectory(id: directory.artifactID)
        #expect(try String(contentsOf: tree.appendingPathComponent("notes/readme.txt"), encoding: .utf8) == "warmup notes\n")
        // Stored vectors copied, not recomputed: the same hybrid scores.
        let query = "warmup divergence"
        let sourceHits = try await source.search(query, level: .org, mode: .hybrid, explain: true)
        let targetHits = try await target.search(query, level: .org, mode: .hybrid, explain: true)
        #expect(sourceHits.map(\.artifact.artifactID) == targetHits.map(\.artifact.artifactID))
        #expect(sourceHits.map(\.score) == targetHits.map(\.score))
        #expect(sourceHits.map(\.explanation) == targetHits.map(\.explanation))

        let again = try await source.copy(to: target)
        #expect(again.copied == 0 && again.alreadyPresent == 3 && again.contentsStored == 0)

        let restored = try await openFacade(in: back, scope: Scope(orgID: "acme", runID: "run-1"))
        let returned = try await target.copy(to: restored)
        #expect(returned.copied == 3)
        #expect(Set(try await Self.everything(restored).keys) == Set(before.keys))
        #expect(try await restored.loadText(id: note.artifactID) == "the learning rate warmup fixed the divergence")
        #expect(try await restored.verify().isHealthy)
        #expect(try await target.verify().isHealthy)
    }

    @Test("A file saved with skip-unchanged is skipped again in the copy, both ways; a changed file is saved", .enabled(if: StoreBackend.available.contains(.shared)))
    func unchangedKeysAreCopied() async throws {
        let (embedded, shared, back) = (try TemporaryFolder(), try TemporaryFolder(), try TemporaryFolder())
        defer { [embedded, shared, back].forEach { $0.remove() } }
        let scope = Scope(orgID: "acme", runID: "run-1")
        let file = try embedded.file("work/notes.txt", text: "first draft\n")
        let labels: [String: JSONValue] = ["path": "work/notes.txt"]
        let source = try await openFacade(in: embedded, scope: scope)
        #expect(try await source.saveFileIfChanged(at: file, unchangedLabels: labels) != nil)
        #expect(try await source.saveFileIfChanged(at: file, unchangedLabels: labels) == nil)
        _ = try await source.saveText("saved without a condition")

        let target = try await openFacade(in: shared, backend: .shared, scope: scope)
        #expect(try await source.copy(to: target).copied == 2)
        #expect(try await target.saveFileIfChanged(at: file, unchangedLabels: labels) == nil, "the copy forgot the file was saved")
        try "second draft\n".write(to: file, atomically: true, encoding: .utf8)
        #expect(try await target.saveFileIfChanged(at: file, unchangedLabels: labels) != nil)

        let restored = try await openFacade(in: back, scope: scope)
        #expect(try await target.copy(to: restored).copied == 3)
        #expect(try await restored.saveFileIfChanged(at: file, unchangedLabels: labels) == nil)
        #expect(try await restored.index.unchangedKeys(ids: try await restored.index.allArtifacts().map(\.artifactID)).count == 2)
    }
}
