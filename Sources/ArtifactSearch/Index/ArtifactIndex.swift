import Foundation
import HybridSearch

/// Metadata of artifacts, and the persisted documents of the search backend.
///
/// An artifact row, its labels, tags, metrics and its search document (text, metadata,
/// `createdAt`, vector) are written in one transaction: all or nothing. Implementations are
/// safe to call from many tasks (and processes) at once.
public protocol ArtifactIndex: Sendable {
    /// Records which embedder produced the stored vectors, or checks it on later opens.
    /// An index holding no search document accepts (and records) any embedder.
    /// - Throws: ``HybridSearch/SearchError/embedderMismatch(stored:current:)`` or
    ///   ``HybridSearch/SearchError/dimensionMismatch(expected:actual:)``.
    func bindEmbedder(identifier: String, dimension: Int) async throws

    /// Inserts a new artifact and, if given, its search document (with its vector), atomically.
    /// - Returns: the search document's sequence number (see ``searchChanges(corpus:after:limit:analyzer:)``),
    ///   or `nil` without a document.
    /// - Throws: ``ArtifactError/invalidArgument(_:)`` if the id exists or a metric is not finite.
    @discardableResult
    func insert(_ artifact: Artifact, document: SearchItem?) async throws -> Int64?

    /// ``insert(_:document:)`` unless `condition` holds, decided inside the same transaction
    /// (so concurrent savers, in any process, cannot both skip or both insert a duplicate).
    /// - Returns: ``InsertOutcome/unchanged`` (nothing written) when the newest artifact
    ///   matching `condition.newest` has `condition.sha256`.
    func insert(_ artifact: Artifact, document: SearchItem?, unless condition: UnchangedCondition?) async throws
        -> InsertOutcome

    /// Several ``insert(_:document:unless:)`` in one transaction (group commit), in order: each
    /// condition is decided seeing the batch's earlier inserts. All or nothing.
    func insert(batch: [(artifact: Artifact, document: SearchItem?, condition: UnchangedCondition?)]) async throws
        -> [InsertOutcome]

    /// The artifact with this id, or `nil`.
    func artifact(id: String) async throws -> Artifact?

    /// The artifacts among `ids` that exist, keyed by id.
    func artifacts(ids: [String]) async throws -> [String: Artifact]

    /// Artifacts matching the query, in its order, at most `limit`.
    /// - Throws: ``ArtifactError/invalidArgument(_:)`` for an unknown filter key or a limit < 1.
    func artifacts(matching query: ArtifactQuery) async throws -> [Artifact]

    /// Sets the pinned flag; returns the updated artifact, or `nil` if the id is unknown.
    func setPinned(_ pinned: Bool, id: String) async throws -> Artifact?

    /// The changes of `corpus`'s search documents numbered above `sequence`, in order, at most
    /// `limit`: an upsert for each stored document, a delete for each tombstone (a document
    /// removed by ``delete(ids:corpus:)`` or ``deleteSearchDocuments(corpus:ids:)``), with
    /// each change's sequence number and the last one returned (or `sequence` when none).
    /// Used to rebuild or catch up the search backend.
    ///
    /// A document whose stored terms were produced by `analyzer` comes back with
    /// ``HybridSearch/SearchItem/terms`` set and an empty `text` (the text is not read); any
    /// other comes back with its text, to be analysed again.
    func searchChanges(corpus: String, after sequence: Int64, limit: Int, analyzer: String) async throws
        -> (changes: [PersistentIndex.Change], sequences: [Int64], lastSequence: Int64)

    /// How many changes (documents and tombstones) of `corpus` are numbered above `sequence`:
    /// what a catch-up from there will read.
    func searchChangeCount(corpus: String, after sequence: Int64) async throws -> Int

    /// Deletes artifacts and their search documents of `corpus` in one transaction, leaving a
    /// tombstone for each document, and records `pendingContent` (the blobs the caller will
    /// remove if nothing else refers to them; see ``pendingContentRemovals()``). Unknown ids
    /// are skipped.
    /// - Returns: the artifacts deleted, and the sequence number of the last tombstone (or
    ///   `nil` when no document was deleted).
    func delete(ids: [String], corpus: String, pendingContent: Set<String>) async throws
        -> (deleted: [Artifact], lastSequence: Int64?)

    /// Blobs recorded by ``delete(ids:corpus:pendingContent:)`` and not yet cleared.
    func pendingContentRemovals() async throws -> [String]

    /// Clears recorded pending removals (the blobs were removed, or are referenced again).
    func clearPendingContentRemovals(_ sha256s: [String]) async throws

    /// Which of `sha256s` some artifact's content (`sha256`) still is; directory manifests'
    /// entries are not looked at (the caller reads the manifests of ``directoryManifests()``).
    func referencedContent(among sha256s: Set<String>) async throws -> Set<String>

    /// The manifest `sha256` of every directory artifact.
    func directoryManifests() async throws -> [String]

    /// Number of artifacts.
    func count() async throws -> Int

    // MARK: Maintenance (`verify`)

    /// Problems the database reports about itself (SQLite `PRAGMA integrity_check`); empty
    /// when it is sound.
    func integrityProblems() async throws -> [String]

    /// Rebuilds the database's own index structures (SQLite `REINDEX`).
    func rebuildStructures() async throws

    /// Item ids of every stored search document of `corpus`.
    func searchDocumentIDs(corpus: String) async throws -> [String]

    /// Removes the search documents of `corpus` with these item ids (leaving tombstones).
    func deleteSearchDocuments(corpus: String, ids: [String]) async throws

    /// Stores a search document (with its vector), replacing one with the same corpus and id.
    func replaceSearchDocument(_ item: SearchItem) async throws
}

/// "Skip the insert if the newest artifact matching `newest` already has these bytes".
public struct UnchangedCondition: Sendable, Hashable {
    /// Which artifacts to compare with (its order and limit are replaced: newest first, 1).
    public var newest: ArtifactQuery
    public var sha256: String

    public init(newest: ArtifactQuery, sha256: String) {
        self.newest = ArtifactQuery(filter: newest.filter, order: .newestFirst, limit: 1)
        self.sha256 = sha256
    }
}

/// What a conditional insert did.
public enum InsertOutcome: Sendable, Hashable {
    /// Recorded; the search document's sequence number (if one was given).
    case inserted(sequence: Int64?)
    /// Not recorded: the condition held.
    case unchanged
}
