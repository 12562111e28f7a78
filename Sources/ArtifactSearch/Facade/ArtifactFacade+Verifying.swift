import Foundation
import HybridSearch

extension ArtifactFacade {
    /// Checks the whole store (`artifact-search verify`), across every scope and organisation:
    ///
    /// - every artifact's bytes exist and hash to its `sha256` (a directory: its manifest and
    ///   every file of it) — streamed, constant memory, about the cost of reading the store;
    /// - the search index's segments are intact and hold every artifact;
    /// - no blob is unreferenced and no temporary is left (only files older than
    ///   ``Configuration/staleFileGracePeriod`` count: younger ones may be a live writer's);
    /// - the database's own integrity check.
    ///
    /// With `repair`, under the store's writer lock held exclusive (waiting up to
    /// ``Configuration/busyTimeout`` for saves in flight): removes orphan blobs and stale
    /// temporaries, rebuilds the search index from the records and whatever content is intact
    /// when it is damaged or incomplete, and rebuilds the database's indexes if it reported
    /// problems; then checks again. A damaged artifact is never deleted: its record stays,
    /// it is reported, and reads of it fail with
    /// ``ArtifactError/contentDamaged(artifactID:path:expected:actual:)``.
    /// - Returns: the report (after repair: of the repaired store, with ``StoreVerificationReport/repairs``).
    /// - Throws: ``ArtifactError/readOnlyStore(path:)`` for `repair` on a read-only store;
    ///   ``ArtifactError/io(path:reason:)`` when the lock cannot be had (someone is saving).
    public func verify(repair: Bool = false) async throws -> StoreVerificationReport {
        guard repair else { return try await inspect().report }
        guard let maintenance = store as? any StoreMaintenance else {
            throw ArtifactError.invalidArgument("this store type cannot be repaired")
        }
        let repairs = try await maintenance.withExclusiveMaintenance(timeout: configuration.busyTimeout) {
            try await self.repair(maintenance)
        }
        guard let repairs else {
            throw ArtifactError.io(
                path: store.rootURL.path,
                reason: "another process kept saving for \(Int(configuration.busyTimeout)) s, so the writer lock"
                    + " could not be had: run verify --repair again when it is done")
        }
        var report = try await inspect().report
        report.repairs = repairs
        return report
    }

    /// The report and the artifacts it concerns.
    private struct Inspection {
        var report = StoreVerificationReport()
        var artifacts: [String: Artifact] = [:]
        var orphanBlobFiles: [StoreFile] = []
        var strayFiles: [StoreFile] = []
        var staleTemporaryFiles: [StoreFile] = []
        /// False when a manifest could not be read: its files are unknown, so no blob may be
        /// called an orphan.
        var referencesKnown = true
    }

    private func inspect() async throws -> Inspection {
        var inspection = Inspection()
        let now = Date()
        let grace = configuration.staleFileGracePeriod
        inspection.report.databaseProblems = try await index.integrityProblems()
        let all: [Artifact]
        do {
            all = try await index.allArtifacts()
        } catch {
            // A damaged index b-tree can make the listing itself fail: report it (repair
            // rebuilds the indexes first).
            guard !inspection.report.databaseProblems.isEmpty else { throw error }
            inspection.report.databaseProblems.append("cannot list the artifacts: \(error)")
            return inspection
        }
        inspection.report.artifacts = all.count
        var referenced = Set<String>()
        for artifact in all {
            inspection.artifacts[artifact.artifactID] = artifact
            guard let sha = artifact.sha256 else { continue }
            referenced.insert(sha)
            do {
                if !artifact.isDirectory {
                    try await checkStoredSize(sha256: sha, expected: artifact.bytes, artifactID: artifact.artifactID)
                }
                try await store.checkContent(sha256: sha)
                if artifact.isDirectory {
                    for entry in try await store.manifest(sha256: sha).entries {
                        referenced.insert(entry.sha256)
                        do {
                            try await checkStoredSize(sha256: entry.sha256, expected: entry.size, artifactID: artifact.artifactID)
                            try await store.checkContent(sha256: entry.sha256)
                        } catch let error as ArtifactError {
                            inspection.report.damagedArtifacts.append(
                                Self.damage(artifact, error: error, path: contentPath(entry.sha256)))
                        }
                    }
                }
            } catch let error as ArtifactError {
                if artifact.isDirectory { inspection.referencesKnown = false }
                inspection.report.damagedArtifacts.append(
                    Self.damage(artifact, error: error, path: contentPath(sha)))
            }
        }
        if let persistent = try mirror.persistent() {
            // The persistent index: every segment intact, and every record in it (saves
            // committed after the listing are more, which is fine; a record missing is loss).
            try await mirror.catchUp()
            inspection.report.searchIndexProblems = persistent.checkSegments()
            inspection.report.unindexedArtifacts = all.map(\.artifactID).filter { !persistent.contains(id: $0) }.sorted()
            if !inspection.report.unindexedArtifacts.isEmpty {
                // Deleted since the listing (a concurrent delete) is not missing.
                let existing = try await index.artifacts(ids: inspection.report.unindexedArtifacts)
                inspection.report.unindexedArtifacts.removeAll { existing[$0] == nil }
            }
        }
        if let maintenance = store as? any StoreMaintenance {
            let blobs = try await maintenance.blobFiles()
            let orphanAge = max(grace, maintenance.minimumOrphanAge)
            inspection.report.blobFiles = blobs.count
            for file in blobs {
                guard let sha = file.sha256 else {
                    if now.timeIntervalSince(file.modified) > grace {
                        inspection.strayFiles.append(file)
                    } else {
                        inspection.report.recentFiles += 1
                    }
                    continue
                }
                guard inspection.referencesKnown, !referenced.contains(sha) else { continue }
                if now.timeIntervalSince(file.modified) > orphanAge {
                    inspection.orphanBlobFiles.append(file)
                } else {
                    inspection.report.recentFiles += 1
                }
            }
            for file in try await maintenance.temporaryFiles() {
                if now.timeIntervalSince(file.modified) > grace {
                    inspection.staleTemporaryFiles.append(file)
                } else {
                    inspection.report.recentFiles += 1
                }
            }
            inspection.report.unfinishedContentRemovals = try await index.pendingContentRemovals()
            // A blob a delete recorded is its removal's to handle, whatever its age.
            let pending = Set(inspection.report.unfinishedContentRemovals)
            inspection.orphanBlobFiles.removeAll { $0.sha256.map(pending.contains) ?? false }
            inspection.report.orphanBlobs = inspection.orphanBlobFiles.map(\.displayPath)
            inspection.report.strayFiles = inspection.strayFiles.map(\.displayPath)
            inspection.report.staleTemporaries = inspection.staleTemporaryFiles.map(\.displayPath)
        }
        return inspection
    }

    private static func damage(_ artifact: Artifact, error: ArtifactError, path: String) -> StoreVerificationReport.Damage {
        let problem: String
        switch error {
        case .contentDamaged(_, _, _, let actual):
            problem =
                actual.count == 64 && actual.allSatisfy(\.isHexDigit)
                ? "sha256 mismatch (the file hashes to \(actual))" : "damaged (the file is \(actual))"
        case .corruptStore: problem = "missing"
        default: problem = String(describing: error)
        }
        return .init(artifactID: artifact.artifactID, path: path, problem: problem)
    }

    private func repair(_ maintenance: any StoreMaintenance) async throws -> [String] {
        var repairs: [String] = []
        var inspection = try await inspect()
        if !inspection.report.databaseProblems.isEmpty {
            try await index.rebuildStructures()
            repairs.append("rebuilt the database (REINDEX, VACUUM)")
            inspection = try await inspect()
        }
        for file in inspection.orphanBlobFiles {
            try await maintenance.removeMaintenanceFile(file)
            repairs.append("removed orphan blob \(file.displayPath)")
        }
        if !inspection.report.unfinishedContentRemovals.isEmpty,
            let (removed, _, _) = try await removePendingContentLocked(maintenance)
        {
            repairs.append("finished the removal of \(removed.count) blob(s) of deleted artifacts")
        }
        for file in inspection.strayFiles {
            try await maintenance.removeMaintenanceFile(file)
            repairs.append("removed stray file \(file.displayPath)")
        }
        for file in inspection.staleTemporaryFiles {
            try await maintenance.removeMaintenanceFile(file)
            repairs.append("removed stale temporary \(file.displayPath)")
        }
        // The persistent index is derived data: rebuilt from the records when a segment is
        // damaged or a record is missing from it.
        if let persistent = try mirror.persistent(),
            !inspection.report.searchIndexProblems.isEmpty || !inspection.report.unindexedArtifacts.isEmpty
        {
            try persistent.reset()
            try await mirror.catchUp()
            _ = try persistent.commit()
            repairs.append("rebuilt the search index from the records (\(persistent.count) document(s))")
        }
        return repairs
    }
}
