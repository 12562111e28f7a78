import Foundation
import HybridSearch

/// What ``ArtifactFacade/delete(ids:)`` or ``ArtifactFacade/collectGarbage(olderThan:kind:level:extraScopeLabels:dryRun:)`` did.
public struct DeletionReport: Sendable, Hashable {
    /// The artifacts deleted (for a dry run: that would be), oldest first.
    public var deleted: [Artifact] = []
    /// SHA-256 of each blob removed: no remaining artifact refers to those bytes.
    public var removedContent: [String] = []
    /// Bytes of the blobs removed.
    public var freedBytes: Int = 0
    /// Blobs kept because another artifact (or a directory artifact's file) has the same bytes.
    public var sharedContent: Int = 0
    /// `true` when the bytes could not be removed yet because other processes kept saving for
    /// longer than the busy timeout; the next delete, gc or `verify --repair` removes them.
    public var contentRemovalDeferred = false
    /// `true` when the search index's segments were rewritten without the deleted items (their
    /// terms and vectors are then gone from disk, not only hidden); `false` when another
    /// process held the index's write lock — the items are hidden from every search all the
    /// same, and dropped from disk by a later merge.
    public var indexRewritten = false
    /// Artifacts a gc left because they are pinned.
    public var pinnedKept = 0
    /// Ids that were checked but deleted by another process before this delete's transaction.
    public var alreadyDeleted: [String] = []
    /// `true` for ``ArtifactFacade/collectGarbage(olderThan:kind:level:extraScopeLabels:dryRun:)`` with `dryRun`.
    public var dryRun = false
}

extension ArtifactFacade {
    /// Deletes artifacts: their records (with their vectors) go in one transaction (SQLite `secure_delete`: the freed pages are zeroed), so they vanish from
    /// every read and from both search legs at once — in this process and, at their next
    /// search, in every other (the change feed replays the delete). Then their bytes are removed
    /// unless another artifact refers to the same bytes, and the index's segments holding them
    /// are rewritten without them.
    ///
    /// All or nothing: every id is checked first. Pinned artifacts are deleted too (a pin
    /// protects from ``collectGarbage(olderThan:kind:level:extraScopeLabels:dryRun:)``, not from an explicit delete).
    /// - Throws: ``ArtifactError/notFound(id:)`` for an unknown id or one of another
    ///   organisation (nothing is deleted); ``ArtifactError/readOnlyStore(path:)``;
    ///   ``ArtifactError/invalidArgument(_:)`` for more than ``maximumDeletionBatch`` ids.
    @discardableResult
    public func delete(ids: [String]) async throws -> DeletionReport {
        try await delete(ids: ids, exceptPinned: false)
    }

    /// ``delete(ids:)``; with `exceptPinned`, an artifact pinned by the time the delete's
    /// transaction runs is kept (reported in ``DeletionReport/pinnedKept``): `gc` chose its
    /// candidates earlier, and a pin made since must win.
    func delete(ids: [String], exceptPinned: Bool) async throws -> DeletionReport {
        guard !store.isReadOnly else { throw ArtifactError.readOnlyStore(path: store.rootURL.path) }
        guard ids.count <= Self.maximumDeletionBatch else {
            throw ArtifactError.invalidArgument("at most \(Self.maximumDeletionBatch) ids per delete, got \(ids.count)")
        }
        var targets: [Artifact] = []
        var seen = Set<String>()
        for id in ids where seen.insert(id).inserted { targets.append(try await requireArtifact(id: id)) }
        guard !targets.isEmpty else { return DeletionReport() }
        let unique = targets.map(\.artifactID)
        // The blobs to remove are recorded with the delete, so a process killed before it
        // removes them leaves a record the next delete, gc or `verify --repair` finishes.
        var candidates = Set<String>()
        for artifact in targets {
            guard let sha = artifact.sha256 else { continue }
            candidates.insert(sha)
            if artifact.isDirectory, let manifest = try? await store.manifest(sha256: sha) {
                for entry in manifest.entries { candidates.insert(entry.sha256) }
            }
        }
        let (deleted, _, kept) = try await index.delete(ids: unique, pendingContent: candidates, exceptPinned: exceptPinned)
        var report = DeletionReport(deleted: Self.oldestFirst(deleted))
        report.pinnedKept = kept.count
        let deletedIDs = Set(deleted.map(\.artifactID)).union(kept)
        report.alreadyDeleted = unique.filter { !deletedIDs.contains($0) }
        // This process's index learns of the deletes now; others at their next catch-up.
        try await mirror.catchUp()
        try await removePendingContent(into: &report)
        if let persistent = try mirror.persistent() {
            // Rewritten only when no segment holds a deleted item any more (a damaged segment
            // is not merged: `verify --repair` rebuilds the index).
            let committed = (try? persistent.commit(expungingDeletes: true)) ?? false
            report.indexRewritten = committed && !persistent.holdsDeletedDocuments
        }
        return report
    }

    /// The most ids one ``delete(ids:)`` takes: 100,000.
    public static let maximumDeletionBatch = 100_000

    /// Deletes the unpinned artifacts created before `cutoff` seen from this scope at `level`
    /// (optionally of one `kind`), as ``delete(ids:)`` does. Pinned artifacts are never
    /// collected: that is what a pin means. With `dryRun`, deletes nothing and reports what
    /// would go.
    /// - Throws: as ``delete(ids:)``.
    @discardableResult
    public func collectGarbage(
        olderThan cutoff: Date, kind: String? = nil, level: ScopeLevel = .org, extraScopeLabels: [String: JSONValue?] = [:],
        dryRun: Bool = false
    ) async throws -> DeletionReport {
        guard dryRun || !store.isReadOnly else { throw ArtifactError.readOnlyStore(path: store.rootURL.path) }
        var filter = try structuredFilter(
            level: level, includeGraph: true, includeNode: true, extraScopeLabels: extraScopeLabels, kind: kind, tags: [],
            labels: [:], timeWindow: nil)
        // Strictly before the cutoff (bounds are inclusive; timestamps are milliseconds).
        filter.createdAtMax = ArtifactTimestamp.seconds(cutoff) - 0.0005
        let old = try await structuredArtifacts(filter: filter, order: .newestFirst, limit: nil)
        let candidates = old.filter { !$0.pinned }
        let pinned = old.count - candidates.count
        if dryRun { return DeletionReport(deleted: Self.oldestFirst(candidates), pinnedKept: pinned, dryRun: true) }
        var report = DeletionReport(pinnedKept: pinned)
        for start in stride(from: 0, to: candidates.count, by: Self.maximumDeletionBatch) {
            let batch = candidates[start..<min(start + Self.maximumDeletionBatch, candidates.count)]
            let part = try await delete(ids: batch.map(\.artifactID), exceptPinned: true)
            report.pinnedKept += part.pinnedKept
            report.deleted += part.deleted
            report.removedContent += part.removedContent
            report.freedBytes += part.freedBytes
            report.sharedContent += part.sharedContent
            report.alreadyDeleted += part.alreadyDeleted
            report.contentRemovalDeferred = report.contentRemovalDeferred || part.contentRemovalDeferred
            report.indexRewritten = part.indexRewritten
        }
        report.deleted = Self.oldestFirst(report.deleted)
        return report
    }

    static func oldestFirst(_ artifacts: [Artifact]) -> [Artifact] {
        artifacts.sorted { ($0.createdAt ?? .distantPast, $0.artifactID) < ($1.createdAt ?? .distantPast, $1.artifactID) }
    }

    /// Removes the recorded pending blobs (and materialised folders) that no remaining artifact
    /// refers to — directly or as a file of a directory artifact — holding the store's writer
    /// lock exclusive, so no save can be between writing those bytes and recording them; then
    /// clears the record of every blob removed or found still referenced.
    func removePendingContent(into report: inout DeletionReport) async throws {
        guard let maintenance = store as? any StoreMaintenance else { return }
        guard !(try await index.pendingContentRemovals()).isEmpty else { return }
        let outcome = try await maintenance.withExclusiveMaintenance(timeout: configuration.busyTimeout) {
            try await self.removePendingContentLocked(maintenance)
        }
        guard let locked = outcome else {
            // Other processes kept saving past the busy timeout: the record stays for later.
            report.contentRemovalDeferred = true
            return
        }
        guard let outcome = locked else {
            // A manifest could not be read: nothing may be called unreferenced yet.
            report.contentRemovalDeferred = true
            return
        }
        report.removedContent += outcome.removed
        report.freedBytes += outcome.freed
        report.sharedContent += outcome.shared
    }

    /// The work of ``removePendingContent(into:)``; the caller holds the writer lock exclusive.
    /// - Returns: `nil` when a directory manifest could not be read (nothing removed).
    func removePendingContentLocked(_ maintenance: any StoreMaintenance) async throws
        -> (removed: [String], freed: Int, shared: Int)?
    {
        let candidates = Set(try await index.pendingContentRemovals())
        guard !candidates.isEmpty else { return ([], 0, 0) }
        var referenced = try await index.referencedContent(among: candidates)
        for manifest in try await index.directoryManifests() {
            // An unreadable manifest's files are unknown: keep every candidate for later.
            guard let entries = try? await store.manifest(sha256: manifest).entries else { return nil }
            for entry in entries where candidates.contains(entry.sha256) { referenced.insert(entry.sha256) }
        }
        var removed: [String] = []
        var freed = 0
        for sha in candidates.sorted() where !referenced.contains(sha) {
            freed += try await maintenance.removeContent(sha256: sha)
            removed.append(sha)
        }
        try await index.clearPendingContentRemovals(removed + referenced.sorted())
        return (removed, freed, referenced.count)
    }
}
