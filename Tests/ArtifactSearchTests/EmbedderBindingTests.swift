import ArtifactSearch
import Foundation
import GRDB
import HybridSearch
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A store is bound to one embedder (recorded with how to make it), opens only with it, and
/// switches to another by a re-embed that leaves it as a fresh store of the new embedder.
@Suite("Embedder binding and re-embedding")
struct EmbedderBindingTests {
    static let texts = [
        "GPU ran out of memory during training at batch size 512",
        "checkpoint with the highest validation accuracy after epoch 12",
        "postmortem: the dataloader leaked file handles",
        "learning rate warmup schedule for the transformer",
        "evaluation report: f1 0.91 on the held-out split",
        "tokenizer vocabulary of 30522 WordPiece entries",
        "disk quota exceeded while writing checkpoints",
        "notes on gradient clipping and loss spikes",
        "the benchmark ran 100000 searches against the store",
        "a cat sat on the mat",
    ]

    /// Saves `texts` (named `t0`, `t1`, …) into a new store at `folder` with `embedder`.
    static func makeStore(_ folder: URL, embedder: any Embedder, choice: String?) async throws -> ArtifactFacade {
        let facade = try await ArtifactFacade.open(at: folder, scope: scope) { _ in (embedder, choice) }
        for (index, text) in texts.enumerated() { _ = try await facade.saveText(text, name: "t\(index)") }
        try await facade.commitSearchIndex()
        return facade
    }

    static let scope = Scope(runID: "run-1")

    /// Each query's hits as (name, score), for `mode`, in the run the texts were saved in.
    static func rankings(_ unscoped: ArtifactFacade, mode: SearchMode) async throws -> [[String: Double]] {
        let facade = unscoped.scoped(to: scope)
        var result: [[String: Double]] = []
        for query in ["memory on the GPU", "best accuracy checkpoint", "file handles leak", "cat"] {
            var scores: [String: Double] = [:]
            for hit in try await facade.search(query, limit: 10, mode: mode) {
                scores[hit.artifact.labels["filename"]?.stringValue ?? "?"] = hit.score
            }
            result.append(scores)
        }
        return result
    }

    @Test("A new store records its embedder and how to make it; reopening with another throws embedderMismatch naming reembed")
    func binding() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = folder.url.appendingPathComponent("store")
        let small = HashedNGramEmbedder(dimension: 64)
        _ = try await Self.makeStore(store, embedder: small, choice: "small")
        let index = try SQLiteArtifactIndex(databaseURL: store.appendingPathComponent("index.sqlite"))
        #expect(try await index.embedderState() == EmbedderState(bound: EmbedderBinding(identifier: small.identifier, dimension: 64, choice: "small")))
        let other = HashedNGramEmbedder(dimension: 128)
        let expected = ArtifactError.embedderMismatch(bound: EmbedderBinding(small, choice: "small"), given: other.identifier)
        await #expect(throws: expected) { _ = try await ArtifactFacade.open(at: store, embedder: other) }
        #expect(expected.description.contains("reembed --embedder"))
        #expect(expected.description.contains("(--embedder small)"))
        // The resolver sees the binding; the same embedder under a new choice moves the choice.
        let seen = SeenState()
        _ = try await ArtifactFacade.open(at: store) { state in
            seen.state = state
            return (small, "small-moved")
        }
        #expect(seen.state?.bound?.choice == "small")
        #expect(try await index.embedderState().bound?.choice == "small-moved")
    }

    @Test("Re-embedding gives the vectors and rankings of a store saved with the new embedder, and back again")
    func reembedEqualsFreshStore() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let old = HashedNGramEmbedder(dimension: 64)
        let new = HashedNGramEmbedder(dimension: 256)
        let switched = folder.url.appendingPathComponent("switched")
        let original = try await Self.makeStore(switched, embedder: old, choice: "old")
        let before = try await Self.rankings(original, mode: .hybrid)
        let fresh = try await Self.makeStore(folder.url.appendingPathComponent("fresh"), embedder: new, choice: "new")
        let steps = Steps()
        let facade = try await ArtifactFacade.reembed(at: switched, to: new, choice: "new") { steps.append($0) }
        #expect(steps.values.first == ArtifactFacade.ReembedProgress(done: 0, total: Self.texts.count))
        #expect(steps.values.last == ArtifactFacade.ReembedProgress(done: Self.texts.count, total: Self.texts.count))
        for mode in [SearchMode.semantic, .hybrid, .lexical] {
            #expect(try await Self.rankings(facade, mode: mode) == (try await Self.rankings(fresh, mode: mode)))
        }
        // Every stored vector is the new embedder's vector of the text a save indexes.
        let index = try SQLiteArtifactIndex(databaseURL: switched.appendingPathComponent("index.sqlite"))
        let freshIndex = try SQLiteArtifactIndex(databaseURL: folder.url.appendingPathComponent("fresh/index.sqlite"))
        #expect(try await Self.vectorsByName(index) == (try await Self.vectorsByName(freshIndex)))
        #expect(try await index.embedderState() == EmbedderState(bound: EmbedderBinding(new, choice: "new")))
        // A new process opens it with the new embedder (its search index was rebuilt and committed).
        let reopened = try await ArtifactFacade.open(at: switched, embedder: new)
        #expect(try await Self.rankings(reopened, mode: .hybrid) == (try await Self.rankings(fresh, mode: .hybrid)))
        // And back: the old rankings again.
        let back = try await ArtifactFacade.reembed(at: switched, to: old, choice: "old")
        #expect(try await Self.rankings(back, mode: .hybrid) == before)
    }

    @Test("An interrupted re-embed blocks every open with a message naming the command, and a rerun finishes it")
    func interruptedReembed() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let old = HashedNGramEmbedder(dimension: 64)
        let new = HashedNGramEmbedder(dimension: 256)
        let store = folder.url.appendingPathComponent("store")
        _ = try await Self.makeStore(store, embedder: old, choice: "old")
        let fresh = try await Self.makeStore(folder.url.appendingPathComponent("fresh"), embedder: new, choice: "new")
        // What a re-embed killed after its first batch leaves: the target recorded, some vectors done.
        let index = try SQLiteArtifactIndex(databaseURL: store.appendingPathComponent("index.sqlite"))
        let target = EmbedderBinding(new, choice: "new")
        try await index.beginReembed(to: target)
        let firstThree = try await index.artifactsToReembed(notEmbeddedBy: new.identifier, after: 0, limit: 3)
        try await index.replaceVectors(
            firstThree.map { ($0.artifact.artifactID, StoredVector(values: new.embed(["x"])[0], embedder: new.identifier)) })
        #expect(try await index.reembedCount(notEmbeddedBy: new.identifier) == Self.texts.count - 3)
        await #expect(throws: ArtifactError.reembedUnfinished(target: target)) { _ = try await ArtifactFacade.open(at: store, embedder: old) }
        await #expect(throws: ArtifactError.reembedUnfinished(target: target)) { _ = try await ArtifactFacade.open(at: store, embedder: new) }
        #expect(ArtifactError.reembedUnfinished(target: target).description.contains("reembed --embedder new"))
        await #expect(throws: ArtifactError.reembedUnfinished(target: target)) { _ = try await index.finishReembed() }
        // A rerun redoes what is not the target's (the three done are kept as they are).
        let steps = Steps()
        let facade = try await ArtifactFacade.reembed(at: store, to: new, choice: "new") { steps.append($0) }
        #expect(steps.values.last == ArtifactFacade.ReembedProgress(done: Self.texts.count - 3, total: Self.texts.count - 3))
        // Redo those three too (their placeholder vector), by going back and forth: then equal to fresh.
        _ = try await ArtifactFacade.reembed(at: store, to: old, choice: "old")
        let again = try await ArtifactFacade.reembed(at: store, to: new, choice: "new")
        #expect(try await Self.rankings(again, mode: .semantic) == (try await Self.rankings(fresh, mode: .semantic)))
        _ = facade
    }

    @Test("One re-embed per store at a time: while reembed.lock is held, another is refused at once and changes nothing")
    func oneReembedAtATime() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let old = HashedNGramEmbedder(dimension: 64)
        let store = folder.url.appendingPathComponent("store")
        _ = try await Self.makeStore(store, embedder: old, choice: "old")
        // Another process's reembed, as the kernel sees it: an exclusive flock on the file.
        let descriptor = open(store.appendingPathComponent("reembed.lock").path, O_RDONLY | O_CREAT, 0o644)
        #expect(descriptor >= 0 && flock(descriptor, LOCK_EX | LOCK_NB) == 0)
        await #expect(throws: ArtifactError.storeBusy("another artifact-search reembed is running on this store: wait for it to finish")) {
            _ = try await ArtifactFacade.reembed(at: store, to: HashedNGramEmbedder(dimension: 256), choice: "new")
        }
        close(descriptor)
        let index = try SQLiteArtifactIndex(databaseURL: store.appendingPathComponent("index.sqlite"))
        #expect(try await index.embedderState() == EmbedderState(bound: EmbedderBinding(old, choice: "old")))
        // Released (as when that process exits or dies): it runs.
        _ = try await ArtifactFacade.reembed(at: store, to: HashedNGramEmbedder(dimension: 256), choice: "new")
        #expect(try await index.embedderState().bound?.choice == "new")
        // Vectors of anything but the target are refused while a re-embed is under way.
        try await index.beginReembed(to: EmbedderBinding(old, choice: "old"))
        let one = try await index.artifactsToReembed(notEmbeddedBy: old.identifier, after: 0, limit: 1)
        await #expect(throws: ArtifactError.self) {
            try await index.replaceVectors(one.map { ($0.artifact.artifactID, StoredVector(values: [1], embedder: "another")) })
        }
    }

    @Test("An artifact whose blob is gone is re-embedded from its header and counted; the rest are not")
    func damagedContentIsCounted() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = folder.url.appendingPathComponent("store")
        _ = try await Self.makeStore(store, embedder: HashedNGramEmbedder(dimension: 64), choice: "old")
        let blobs = try blobFiles(in: store)
        #expect(blobs.count == Self.texts.count)
        try FileManager.default.removeItem(at: blobs[0])
        let steps = Steps()
        _ = try await ArtifactFacade.reembed(at: store, to: HashedNGramEmbedder(dimension: 256), choice: "new") { steps.append($0) }
        #expect(steps.values.last == ArtifactFacade.ReembedProgress(done: Self.texts.count, total: Self.texts.count, damaged: 1))
    }

    @Test("A process that opened the store before a switch cannot save with the old embedder; nothing is recorded")
    func staleProcessCannotSave() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let old = HashedNGramEmbedder(dimension: 64)
        let new = HashedNGramEmbedder(dimension: 256)
        let store = folder.url.appendingPathComponent("store")
        let stale = try await Self.makeStore(store, embedder: old, choice: "old")
        _ = try await ArtifactFacade.reembed(at: store, to: new, choice: "new")
        await #expect(throws: ArtifactError.embedderMismatch(bound: EmbedderBinding(new, choice: "new"), given: old.identifier)) {
            _ = try await stale.saveText("saved by a process that missed the switch")
        }
        #expect(try await stale.index.count() == Self.texts.count)
        #expect(ArtifactError.embedderMismatch(bound: EmbedderBinding(new), given: old.identifier).descriptionWithoutPaths
            .contains("restarts the server"))
    }

    @Test("Hybrid fusion takes the embedder's default semantic weight: each score is 1/(60+lexical rank) + w/(60+semantic rank)")
    func semanticWeightFollowsEmbedder() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        for weight in [0.15, 2.0] {
            let store = folder.url.appendingPathComponent("store-\(weight)")
            let facade = try await Self.makeStore(store, embedder: WeightedEmbedder(weight: weight), choice: nil)
            let hits = try await facade.search("checkpoint accuracy GPU memory", limit: 10, mode: .hybrid, explain: true)
            #expect(hits.count >= 2)
            for hit in hits {
                let explanation = try #require(hit.explanation)
                let lexical = explanation.lexical.map { 1 / (60 + Double($0.rank)) } ?? 0
                let semantic = explanation.semantic.map { weight / (60 + Double($0.rank)) } ?? 0
                #expect(abs(try #require(hit.score) - (lexical + semantic)) < 1e-12)
            }
        }
    }

    static func vectorsByName(_ index: SQLiteArtifactIndex) async throws -> [String: [Float]] {
        var result: [String: [Float]] = [:]
        for change in try await index.changes(after: 0, limit: 1_000) {
            if case .saved(let artifact, let vector) = change.kind {
                result[artifact.labels["filename"]?.stringValue ?? "?"] = vector?.values
            }
        }
        return result
    }
}

/// The hashed embedder with another default semantic weight.
private struct WeightedEmbedder: Embedder {
    let weight: Double
    let base = HashedNGramEmbedder(dimension: 128)
    var identifier: String { base.identifier }
    var dimension: Int { base.dimension }
    var defaultSemanticWeight: Double { weight }
    func embed(_ texts: [String]) throws -> [[Float]] { base.embed(texts) }
}

private final class SeenState: @unchecked Sendable {
    var state: EmbedderState?
}

private final class Steps: @unchecked Sendable {
    private(set) var values: [ArtifactFacade.ReembedProgress] = []
    func append(_ step: ArtifactFacade.ReembedProgress) { values.append(step) }
}
