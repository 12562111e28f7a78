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

    /// A store of a test folder where `backend` keeps it: the folder (a shared store's node
    /// folder) and a shared store's records and bucket.
    struct TestStore {
        var folder: URL
        var blobs: (any ObjectStorage)?
        var records: (any ArtifactIndex)?

        init(_ name: String, in temporary: TemporaryFolder, backend: StoreBackend) async throws {
            folder = temporary.url.appendingPathComponent(name)
            blobs = backend.objects(for: temporary, store: name)
            records = try await backend.records(for: temporary, store: name)
        }

        /// Another node of the same store (shared), with a folder of its own.
        func node(_ name: String) -> TestStore {
            var other = self
            other.folder = folder.deletingLastPathComponent().appendingPathComponent(name)
            return other
        }

        /// The store's records.
        func index() throws -> any ArtifactIndex {
            try records ?? SQLiteArtifactIndex(databaseURL: folder.appendingPathComponent("index.sqlite"))
        }

        func open(_ embedder: any Embedder, choice: String? = nil) async throws -> ArtifactFacade {
            try await ArtifactFacade.open(at: folder, scope: EmbedderBindingTests.scope, blobs: blobs, records: records) { _ in
                (embedder, choice)
            }
        }

        @discardableResult
        func reembed(
            to embedder: any Embedder, choice: String?, progress: (ArtifactFacade.ReembedProgress) -> Void = { _ in }
        ) async throws -> ArtifactFacade {
            try await ArtifactFacade.reembed(
                at: folder, to: embedder, choice: choice, blobs: blobs, records: records, progress: progress)
        }
    }

    /// Saves `texts` (named `t0`, `t1`, …) into the new store `store` with `embedder`.
    static func makeStore(_ store: TestStore, embedder: any Embedder, choice: String?) async throws -> ArtifactFacade {
        let facade = try await store.open(embedder, choice: choice)
        for (index, text) in texts.enumerated() { _ = try await facade.saveText(text, name: "t\(index)") }
        try await facade.commitSearchIndex()
        return facade
    }

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

    @Test("Re-embedding gives the vectors and rankings of a store saved with the new embedder, and back again; another node rebuilds to them", arguments: StoreBackend.available)
    func reembedEqualsFreshStore(_ backend: StoreBackend) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let old = HashedNGramEmbedder(dimension: 64)
        let new = HashedNGramEmbedder(dimension: 256)
        let switched = try await TestStore("switched", in: folder, backend: backend)
        let original = try await Self.makeStore(switched, embedder: old, choice: "old")
        let before = try await Self.rankings(original, mode: .hybrid)
        // A shared store's second node, its own index built with the old embedder.
        let nodeB = switched.node("node-b")
        if backend == .shared { #expect(try await Self.rankings(try await nodeB.open(old), mode: .hybrid) == before) }
        let fresh = try await Self.makeStore(try await TestStore("fresh", in: folder, backend: backend), embedder: new, choice: "new")
        let steps = Steps()
        let facade = try await switched.reembed(to: new, choice: "new") { steps.append($0) }
        #expect(steps.values.first == ArtifactFacade.ReembedProgress(done: 0, total: Self.texts.count))
        #expect(steps.values.last == ArtifactFacade.ReembedProgress(done: Self.texts.count, total: Self.texts.count))
        for mode in [SearchMode.semantic, .hybrid, .lexical] {
            #expect(try await Self.rankings(facade, mode: mode) == (try await Self.rankings(fresh, mode: mode)))
        }
        // Every stored vector is the new embedder's vector of the text a save indexes.
        let index = try switched.index()
        #expect(try await Self.vectorsByName(index) == (try await Self.vectorsByName(fresh.index)))
        #expect(try await index.embedderState() == EmbedderState(bound: EmbedderBinding(new, choice: "new")))
        // A new process opens it with the new embedder (its search index was rebuilt and committed).
        let reopened = try await switched.open(new)
        #expect(try await Self.rankings(reopened, mode: .hybrid) == (try await Self.rankings(fresh, mode: .hybrid)))
        if backend == .shared {
            // The other node, restarted with the new embedder, rebuilds its index from the new vectors.
            await #expect(throws: ArtifactError.self) { _ = try await nodeB.open(old) }
            #expect(try await Self.rankings(try await nodeB.open(new), mode: .hybrid) == (try await Self.rankings(fresh, mode: .hybrid)))
        }
        // And back: the old rankings again.
        let back = try await switched.reembed(to: old, choice: "old")
        #expect(try await Self.rankings(back, mode: .hybrid) == before)
    }

    @Test("An interrupted re-embed blocks every open with a message naming the command, and a rerun finishes it", arguments: StoreBackend.available)
    func interruptedReembed(_ backend: StoreBackend) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let old = HashedNGramEmbedder(dimension: 64)
        let new = HashedNGramEmbedder(dimension: 256)
        let store = try await TestStore("store", in: folder, backend: backend)
        _ = try await Self.makeStore(store, embedder: old, choice: "old")
        let fresh = try await Self.makeStore(try await TestStore("fresh", in: folder, backend: backend), embedder: new, choice: "new")
        // What a re-embed killed after its first batch leaves: the target recorded, some vectors done.
        let index = try store.index()
        let target = EmbedderBinding(new, choice: "new")
        try await index.beginReembed(to: target)
        let firstThree = try await index.artifactsToReembed(notEmbeddedBy: new.identifier, after: 0, limit: 3)
        try await index.replaceVectors(
            firstThree.map { ($0.artifact.artifactID, StoredVector(values: new.embed(["x"])[0], embedder: new.identifier)) })
        #expect(try await index.reembedCount(notEmbeddedBy: new.identifier) == Self.texts.count - 3)
        await #expect(throws: ArtifactError.reembedUnfinished(target: target)) { _ = try await store.open(old) }
        await #expect(throws: ArtifactError.reembedUnfinished(target: target)) { _ = try await store.open(new) }
        #expect(ArtifactError.reembedUnfinished(target: target).description.contains("reembed --embedder new"))
        await #expect(throws: ArtifactError.reembedUnfinished(target: target)) { _ = try await index.finishReembed() }
        // A rerun redoes what is not the target's (the three done are kept as they are).
        let steps = Steps()
        _ = try await store.reembed(to: new, choice: "new") { steps.append($0) }
        #expect(steps.values.last == ArtifactFacade.ReembedProgress(done: Self.texts.count - 3, total: Self.texts.count - 3))
        // Redo those three too (their placeholder vector), by going back and forth: then equal to fresh.
        _ = try await store.reembed(to: old, choice: "old")
        let again = try await store.reembed(to: new, choice: "new")
        #expect(try await Self.rankings(again, mode: .semantic) == (try await Self.rankings(fresh, mode: .semantic)))
    }

    @Test("One re-embed per store at a time: while reembed.lock is held, another is refused at once and changes nothing")
    func oneReembedAtATime() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let old = HashedNGramEmbedder(dimension: 64)
        let store = folder.url.appendingPathComponent("store")
        _ = try await Self.makeStore(try await TestStore("store", in: folder, backend: .embedded), embedder: old, choice: "old")
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

    @Test("One re-embed per shared store at a time, whichever machine runs it: while another connection holds the store's lock, a re-embed is refused at once and changes nothing", .enabled(if: StoreBackend.available.contains(.shared)))
    func oneSharedReembedAtATime() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let old = HashedNGramEmbedder(dimension: 64)
        let new = HashedNGramEmbedder(dimension: 256)
        let store = try await TestStore("store", in: folder, backend: .shared)
        _ = try await Self.makeStore(store, embedder: old, choice: "old")
        // Another machine's reembed: the same store through a connection pool of its own.
        let elsewhere = try #require(try await StoreBackend.shared.records(for: folder, store: "store"))
        let refused: Bool? = try await elsewhere.withReembedLock {
            await #expect(throws: ArtifactError.storeBusy("another artifact-search reembed is running on this store: wait for it to finish")) {
                try await store.node("node-b").reembed(to: new, choice: "new")
            }
            return true
        }
        #expect(refused == true)
        #expect(try await store.index().embedderState() == EmbedderState(bound: EmbedderBinding(old, choice: "old")))
        // Released: it runs.
        try await store.node("node-b").reembed(to: new, choice: "new")
        #expect(try await elsewhere.embedderState() == EmbedderState(bound: EmbedderBinding(new, choice: "new")))
    }

    @Test("An artifact whose blob is gone is re-embedded from its header and counted; the rest are not")
    func damagedContentIsCounted() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = folder.url.appendingPathComponent("store")
        _ = try await Self.makeStore(
            try await TestStore("store", in: folder, backend: .embedded), embedder: HashedNGramEmbedder(dimension: 64), choice: "old")
        let blobs = try blobFiles(in: store)
        #expect(blobs.count == Self.texts.count)
        try FileManager.default.removeItem(at: blobs[0])
        let steps = Steps()
        _ = try await ArtifactFacade.reembed(at: store, to: HashedNGramEmbedder(dimension: 256), choice: "new") { steps.append($0) }
        #expect(steps.values.last == ArtifactFacade.ReembedProgress(done: Self.texts.count, total: Self.texts.count, damaged: 1))
    }

    @Test("A process (a node) that opened the store before a switch cannot save with the old embedder; nothing is recorded", arguments: StoreBackend.available)
    func staleProcessCannotSave(_ backend: StoreBackend) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let old = HashedNGramEmbedder(dimension: 64)
        let new = HashedNGramEmbedder(dimension: 256)
        let store = try await TestStore("store", in: folder, backend: backend)
        let stale = try await Self.makeStore(store, embedder: old, choice: "old")
        _ = try await (backend == .shared ? store.node("node-b") : store).reembed(to: new, choice: "new")
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

    static func vectorsByName(_ index: any ArtifactIndex) async throws -> [String: [Float]] {
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
