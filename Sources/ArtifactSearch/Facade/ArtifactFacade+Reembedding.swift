import Foundation
import HybridSearch

extension ArtifactFacade {
    /// What ``reembed(at:to:choice:analyzer:configuration:blobs:records:progress:)`` reports as it goes.
    public struct ReembedProgress: Sendable, Hashable {
        /// Artifacts re-embedded so far, and how many there were to do at the start.
        public var done: Int
        public var total: Int
        /// Of `done`, those whose content was missing or damaged (`verify` lists them): embedded
        /// from their name, kind, tags and labels — what the search index indexes of them too.
        public var damaged: Int

        public init(done: Int, total: Int, damaged: Int = 0) {
            self.done = done
            self.total = total
            self.damaged = damaged
        }
    }

    /// Switches the store at `folder` to `embedder`: every artifact's vector is computed
    /// again from its indexed text (the same text a save embeds: the blobs are read, nothing
    /// else of the record changes), written into the records batch by batch, then the store
    /// is bound to `embedder` (named `choice` for later commands) and its search index is
    /// rebuilt and committed.
    ///
    /// A shared store is given as for ``open(at:scope:analyzer:configuration:clock:blobs:records:embedder:)``
    /// (`blobs`, `records`; `folder` is this node's): its records are re-embedded where they
    /// are, and this node's search index is rebuilt. Every other node rebuilds its own when it
    /// restarts with the new embedder (its folder's index is of another embedder).
    ///
    /// One re-embed runs per store at a time (``ArtifactIndex/withReembedLock(_:)``: an
    /// embedded store's `reembed.lock`, a shared store's advisory lock in PostgreSQL, both
    /// released when their process dies): another throws ``ArtifactError/storeBusy(_:)`` at once.
    ///
    /// Interrupted (kill -9, an embedder's error), the store stays unusable until a re-embed
    /// finishes — to this embedder (the vectors already done are kept) or back to the old one:
    /// opening it throws ``ArtifactError/reembedUnfinished(target:)`` naming the command.
    /// Processes that have the store open with the old embedder cannot save while it runs,
    /// nor after (``ArtifactError/reembedUnfinished(target:)``,
    /// ``ArtifactError/embedderMismatch(bound:given:)``): stop servers first — on a shared
    /// store, every node — and restart them after.
    ///
    /// Cost: one embedding per artifact (MiniLM: ≈ 30 passages/s on 2 cores) plus a rebuild.
    /// Re-embedding to the embedder the store is bound to does nothing (the choice is updated).
    /// - Parameter progress: called after each batch (and once at the start).
    /// - Returns: the facade of the switched store (unscoped).
    /// - Throws: ``ArtifactError/readOnlyStore(path:)``, ``ArtifactError/storeBusy(_:)``, the
    ///   embedder's errors, store errors.
    @discardableResult
    public static func reembed(
        at folder: URL, to embedder: any Embedder, choice: String?, analyzer: any Analyzer = StandardAnalyzer(),
        configuration: Configuration = Configuration(), blobs: (any ObjectStorage)? = nil,
        records: (any ArtifactIndex)? = nil, progress: (ReembedProgress) -> Void = { _ in }
    ) async throws -> ArtifactFacade {
        let database = folder.appendingPathComponent("index.sqlite")
        if blobs == nil { try refuseCacheFolder(folder) }
        if records == nil, !FileManager.default.fileExists(atPath: database.path) {
            throw ArtifactError.invalidArgument("no store at \(folder.path) to re-embed")
        }
        if configuration.opensReadOnly || (records == nil && isReadOnlyStore(folder: folder, database: database)) {
            throw ArtifactError.readOnlyStore(path: folder.path)
        }
        try embedder.checkDimension()
        let (store, index) = try parts(at: folder, configuration: configuration, blobs: blobs, records: records, readOnly: false)
        let target = EmbedderBinding(embedder, choice: choice)
        let ran: Void? = try await index.withReembedLock {
            let state = try await index.embedderState()
            let alreadyBound = state.target == nil
                && state.bound.map { $0.identifier == target.identifier && $0.dimension == target.dimension } ?? true
            guard !alreadyBound else { return }
            try await index.beginReembed(to: target)
            let items = StoredSearchItems(store: store, corpus: configuration.corpus, analyzer: analyzer)
            let total = try await index.reembedCount(notEmbeddedBy: target.identifier)
            var step = ReembedProgress(done: 0, total: total)
            var after: Int64 = 0
            progress(step)
            while true {
                let batch = try await index.artifactsToReembed(
                    notEmbeddedBy: target.identifier, after: after, limit: reembedBatchSize)
                guard let last = batch.last else { break }
                let documents = try await ParallelSlices.map(batch.map(\.artifact)) { try await items.itemAndDamage(for: $0) }
                let vectors = try await embedder.embeddings(documents.map(\.item.text), ids: batch.map(\.artifact.artifactID))
                try await index.replaceVectors(
                    zip(batch, vectors).map { ($0.artifact.artifactID, StoredVector(values: $1, embedder: target.identifier)) })
                step.done += batch.count
                step.total = max(step.total, step.done)
                step.damaged += documents.filter(\.damaged).count
                after = last.sequence
                progress(step)
            }
            _ = try await index.finishReembed()
        }
        guard ran != nil else {
            throw ArtifactError.storeBusy("another artifact-search reembed is running on this store: wait for it to finish")
        }
        var opening = configuration
        opening.preloadsSearchBackend = true
        // The index folder holds the old embedder's vectors: this open rebuilds it.
        let facade = try await open(at: folder, analyzer: analyzer, configuration: opening, blobs: blobs, records: records) { _ in
            (embedder, choice)
        }
        try await facade.commitSearchIndex()
        return facade
    }

    /// Artifacts per re-embed batch: one transaction and one progress step each (≈ 1 s of
    /// MiniLM on 2 cores).
    static let reembedBatchSize = 32
}
