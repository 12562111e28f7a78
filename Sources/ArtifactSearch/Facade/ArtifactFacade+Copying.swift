import Foundation
import HybridSearch

/// What ``ArtifactFacade/copy(to:progress:)`` did.
public struct StoreCopyReport: Sendable, Hashable, Codable {
    /// Artifacts recorded in the target by this copy.
    public var copied = 0
    /// Artifacts the target already had (same id): a copy that was interrupted, run again.
    public var alreadyPresent = 0
    /// Distinct contents (blobs) written to the target's bytes.
    public var contentsStored = 0
    /// Bytes of those contents.
    public var bytesStored = 0

    public init() {}
}

extension ArtifactFacade {
    /// Copies every artifact of this store — every organisation's — into `target` (another
    /// store: embedded ↔ shared, `artifact-search copy`): the records with their ids, times,
    /// pins and **stored vectors** (nothing is embedded again), and the bytes they name (a
    /// directory's files before its manifest), each checked against its SHA-256 on the way.
    ///
    /// Both stores must be bound to the same embedder (`target` is bound to this store's when
    /// it is new). Artifacts already in `target` are skipped, so an interrupted copy can be
    /// run again. The target's search index is brought up to date and committed at the end.
    /// The keys `ingest --skip-unchanged` saved files under are copied too
    /// (``ArtifactIndex/unchangedKeys(ids:)``), so that ingest into the target skips what it
    /// would have skipped here.
    /// - Parameter progress: artifacts done so far (copied or present), after each batch.
    /// - Throws: ``ArtifactError/embedderMismatch(bound:given:)`` when `target` is bound to
    ///   another embedder; ``ArtifactError/contentDamaged(artifactID:path:expected:actual:)``
    ///   for damaged source bytes (nothing of that batch is recorded).
    public func copy(to target: ArtifactFacade, progress: (@Sendable (Int) -> Void)? = nil) async throws -> StoreCopyReport {
        guard target.backend.embedder.identifier == backend.embedder.identifier else {
            throw ArtifactError.embedderMismatch(
                bound: EmbedderBinding(backend.embedder), given: target.backend.embedder.identifier)
        }
        var report = StoreCopyReport()
        var watermark: Int64 = 0
        while true {
            let feed = try await index.changes(after: watermark, limit: 256)
            guard let last = feed.last else { break }
            watermark = last.sequence
            var saved: [(Artifact, StoredVector?)] = []
            for change in feed {
                if case .saved(let artifact, let vector) = change.kind { saved.append((artifact, vector)) }
            }
            let present = try await target.index.artifacts(ids: saved.map(\.0.artifactID))
            report.alreadyPresent += present.count
            let missing = saved.filter { present[$0.0.artifactID] == nil }
            let keys = try await index.unchangedKeys(ids: missing.map(\.0.artifactID))
            var inserts: [ArtifactInsert] = []
            for (artifact, vector) in missing {
                var copied = artifact
                if let sha = artifact.sha256 {
                    try await Self.attributing(to: artifact.artifactID) {
                        if artifact.isDirectory {
                            for entry in try await store.manifest(sha256: sha).entries {
                                try await copyContent(entry.sha256, to: target.store, report: &report)
                            }
                        }
                        try await copyContent(sha, to: target.store, report: &report)
                    }
                    copied.uri = target.store.contentURI(sha256: sha)
                }
                inserts.append(ArtifactInsert(artifact: copied, vector: vector, unchangedKey: keys[artifact.artifactID]))
            }
            if !inserts.isEmpty {
                try await target.store.withWriteLease {
                    _ = try await target.index.insert(batch: inserts)
                }
                report.copied += inserts.count
            }
            progress?(report.copied + report.alreadyPresent)
        }
        try await target.mirror.catchUp()
        _ = try? await target.commitSearchIndex()
        return report
    }

    /// Puts one content into `destination` unless it is there, from a local file holding the
    /// source's bytes (checked: the copy must hash to the same name).
    private func copyContent(_ sha256: String, to destination: any ArtifactStore, report: inout StoreCopyReport) async throws {
        guard try await !destination.containsContent(sha256: sha256) else { return }
        try await store.checkContent(sha256: sha256)
        let file = try await store.localFile(sha256: sha256)
        let stored = try await destination.storeFile(at: file, followSymlinks: false)
        guard stored.sha256 == sha256.lowercased() else {
            throw ArtifactError.contentDamaged(
                artifactID: nil, path: contentPath(sha256), expected: sha256.lowercased(), actual: stored.sha256)
        }
        report.contentsStored += 1
        report.bytesStored += stored.size
    }
}
