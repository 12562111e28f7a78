import Foundation
import HybridSearch

/// The durable records of artifacts: each artifact's record and the vector of its indexed
/// text, written in one transaction, plus a change feed (saves and deletes in one order) that
/// search indexes follow.
///
/// Nothing the search engine derives lives here — no text copy, no analysed terms, no filter
/// columns: filters, orders and rankings are the engine's (``HybridSearch/SearchBackend``),
/// which rebuilds from these records and the content. Implementations are safe to call from
/// many tasks (and processes) at once.
public protocol ArtifactIndex: Sendable {
    /// Inserts artifacts with their vectors in one transaction (group commit), in order; each
    /// insert with a condition is skipped when the condition holds, decided inside the
    /// transaction seeing the batch's earlier inserts (so concurrent savers, in any process,
    /// cannot both skip or both insert). All or nothing.
    /// - Returns: one outcome per insert; an insert's sequence number is its change number
    ///   (see ``changes(after:limit:)``).
    /// - Throws: ``ArtifactError/invalidArgument(_:)`` if an id exists or a metric is not finite.
    func insert(batch: [ArtifactInsert]) async throws -> [InsertOutcome]

    /// The artifact with this id, or `nil`.
    func artifact(id: String) async throws -> Artifact?

    /// The artifacts among `ids` that exist, keyed by id.
    func artifacts(ids: [String]) async throws -> [String: Artifact]

    /// The ``UnchangedCondition/key`` each of `ids` was saved under (ids saved without one, or
    /// unknown, are absent): what a copy of the store carries, so `ingest --skip-unchanged`
    /// into the copy skips what it skipped here.
    func unchangedKeys(ids: [String]) async throws -> [String: String]

    /// Every artifact, in the order they were saved.
    func allArtifacts() async throws -> [Artifact]

    /// Sets the pinned flag; returns the updated artifact, or `nil` if the id is unknown.
    func setPinned(_ pinned: Bool, id: String) async throws -> Artifact?

    /// The changes numbered above `sequence`, in order, at most `limit`: a save (the record and
    /// its stored vector) for each artifact, a delete for each artifact removed by
    /// ``delete(ids:pendingContent:)``. Used to rebuild or catch up a search index.
    func changes(after sequence: Int64, limit: Int) async throws -> [ArtifactChange]

    /// Calls `changed` soon after any process commits a change to these records, until the
    /// calling task is cancelled (PostgreSQL: LISTEN/NOTIFY, re-subscribed after a dropped
    /// connection, with one call after each subscription for what was missed meanwhile). An
    /// index without such a signal (SQLite) returns at once: its followers poll
    /// ``lastChangeSequence()``. A signal only warms a follower early; reading the change log
    /// before each query is what makes reads see every committed write.
    func followChanges(_ changed: @escaping @Sendable () -> Void) async throws

    /// How many changes are numbered above `sequence`: what a catch-up from there will read.
    func changeCount(after sequence: Int64) async throws -> Int

    /// What identifies these records among stores that live outside a store folder (a shared
    /// database's UUID), or `nil` when the records are the folder's own (`index.sqlite`). A
    /// node's search index names it (``HybridSearch/CommitPoint/source``), so a node folder
    /// pointed at another store is rebuilt, never mixed.
    var storeIdentity: String? { get }

    // MARK: Embedder binding (see ``EmbedderBinding``)

    /// The store's embedder state. A store bound before bindings were recorded is bound to
    /// the embedder of its newest stored vector (with no choice).
    func embedderState() async throws -> EmbedderState

    /// Records ``EmbedderState/binding(after:)`` of `binding` when it differs from what is
    /// recorded (a new binding, or a choice that moves), in one transaction that decides again;
    /// `seen` is the state the caller just read (nothing is read again when nothing changes).
    /// - Returns: the binding in force.
    /// - Throws: what ``EmbedderState/binding(after:)`` throws.
    func bind(_ binding: EmbedderBinding, seen: EmbedderState) async throws -> EmbedderBinding

    /// Starts (or restarts) switching the store to `target`: from now on only vectors of
    /// `target` are accepted, and the store opens only for the re-embed.
    func beginReembed(to target: EmbedderBinding) async throws

    /// Runs `body` holding the store's re-embed lock, so two re-embeds of one store — in any
    /// process, on any machine — never interleave (saves never take it); returns `nil` at once,
    /// without running `body`, while another holder has it. The lock is released when `body`
    /// ends, or by the system when its holder's process dies.
    func withReembedLock<T: Sendable>(_ body: () async throws -> T) async throws -> T?

    /// Up to `limit` artifacts, in change order after `sequence`, whose stored vector is not
    /// `identifier`'s (or that have none), with their change numbers: what a re-embed has
    /// left to do.
    func artifactsToReembed(notEmbeddedBy identifier: String, after sequence: Int64, limit: Int) async throws
        -> [(sequence: Int64, artifact: Artifact)]

    /// How many artifacts' vectors are not `identifier`'s.
    func reembedCount(notEmbeddedBy identifier: String) async throws -> Int

    /// Replaces the stored vectors of existing artifacts (ids gone meanwhile are skipped) with
    /// the re-embed target's, in one transaction; change numbers stay (a search index is
    /// rebuilt after a re-embed).
    /// - Throws: ``ArtifactError/storeBusy(_:)`` when the vectors are not the current target's.
    func replaceVectors(_ vectors: [(artifactID: String, vector: StoredVector)]) async throws

    /// Ends the re-embed begun by ``beginReembed(to:)``: the target becomes the binding.
    /// - Throws: ``ArtifactError/reembedUnfinished(target:)`` when some vector is not the
    ///   target's yet.
    func finishReembed() async throws -> EmbedderBinding

    /// Deletes artifacts in one transaction, leaving a delete change for each, and records
    /// `pendingContent` (the blobs the caller will remove if nothing else refers to them; see
    /// ``pendingContentRemovals()``). Unknown ids are skipped; with `exceptPinned`, so are
    /// artifacts pinned when the transaction runs.
    /// - Returns: the artifacts deleted, the sequence number of the last delete (or `nil` when
    ///   nothing was deleted), and the ids kept because they were pinned.
    func delete(ids: [String], pendingContent: Set<String>, exceptPinned: Bool) async throws
        -> (deleted: [Artifact], lastSequence: Int64?, keptPinned: [String])

    /// The number of the newest change (save or delete) ever made, or 0: a search index whose
    /// watermark is beyond it was not built from these records (a database replaced or
    /// restored from a backup) and is rebuilt.
    func lastChangeSequence() async throws -> Int64

    /// Blobs recorded by ``delete(ids:pendingContent:)`` and not yet cleared.
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
}

extension ArtifactIndex {
    public var storeIdentity: String? { nil }

    public func followChanges(_ changed: @escaping @Sendable () -> Void) async throws {}

    /// ``delete(ids:pendingContent:exceptPinned:)`` of pinned artifacts too.
    public func delete(ids: [String], pendingContent: Set<String>) async throws -> (deleted: [Artifact], lastSequence: Int64?) {
        let (deleted, last, _) = try await delete(ids: ids, pendingContent: pendingContent, exceptPinned: false)
        return (deleted, last)
    }

    /// One insert (see ``insert(batch:)``).
    public func insert(_ artifact: Artifact, vector: StoredVector?, unless condition: UnchangedCondition? = nil) async throws
        -> InsertOutcome
    {
        try await insert(batch: [ArtifactInsert(artifact: artifact, vector: vector, condition: condition)])[0]
    }
}

/// One artifact to insert: its record, the vector of its indexed text, and optionally the
/// condition under which it is not recorded.
public struct ArtifactInsert: Sendable, Hashable {
    public var artifact: Artifact
    public var vector: StoredVector?
    public var condition: UnchangedCondition?
    /// The key recorded with the artifact for later conditional inserts to compare against,
    /// when there is no `condition` (a copy of a record saved under one:
    /// ``ArtifactIndex/unchangedKeys(ids:)``); with a condition, its key is recorded.
    public var unchangedKey: String?

    public init(artifact: Artifact, vector: StoredVector?, condition: UnchangedCondition? = nil, unchangedKey: String? = nil) {
        self.artifact = artifact
        self.vector = vector
        self.condition = condition
        self.unchangedKey = unchangedKey
    }

    /// The key stored with the record.
    public var recordedKey: String? { condition?.key ?? unchangedKey }

    /// The record as every index stores it: the artifact as JSON with sorted keys.
    /// - Throws: ``ArtifactError/invalidArgument(_:)`` when a metric is not finite.
    public func recordJSON() throws -> String {
        for (name, value) in artifact.metrics where !value.isFinite {
            throw ArtifactError.invalidArgument("metric \"\(name)\" is \(value): metrics must be finite numbers")
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(artifact), as: UTF8.self)
    }
}

/// A vector as an artifact's record keeps it: the values and the embedder that made them.
public struct StoredVector: Sendable, Hashable {
    public var values: [Float]
    /// ``HybridSearch/Embedder/identifier`` of the embedder.
    public var embedder: String

    public init(values: [Float], embedder: String) {
        self.values = values
        self.embedder = embedder
    }
}

/// One entry of the change feed: a save or a delete, with its number.
public struct ArtifactChange: Sendable {
    public enum Kind: Sendable {
        case saved(Artifact, vector: StoredVector?)
        case deleted(id: String)
    }

    public var sequence: Int64
    public var kind: Kind

    public init(sequence: Int64, kind: Kind) {
        self.sequence = sequence
        self.kind = kind
    }
}

/// "Skip the insert if the newest artifact recorded under `key` has these bytes".
///
/// The key is opaque to the index (an equality, nothing to interpret): the facade makes it
/// from the save's scope, level and labels (``ArtifactFacade/unchangedKey(_:)``), so the
/// artifacts compared are those saved with the same condition.
public struct UnchangedCondition: Sendable, Hashable {
    public var key: String
    public var sha256: String

    public init(key: String, sha256: String) {
        self.key = key
        self.sha256 = sha256
    }
}

/// What a conditional insert did.
public enum InsertOutcome: Sendable, Hashable {
    /// Recorded, as change `sequence`.
    case inserted(sequence: Int64)
    /// Not recorded: the condition held.
    case unchanged
}

extension UnchangedCondition {
    /// The key of "the artifacts whose metadata matches `filter`'s `equals` and tags": the
    /// canonical JSON (sorted keys, strings in NFC) of those constraints, so equal filters
    /// give equal keys in every process.
    public static func key(for filter: MetadataFilter) -> String {
        var members: [String: JSONValue] = [:]
        for (key, value) in filter.equals {
            if let value { members[key.canonicallyComposed] = value.canonicallyComposed }
        }
        let tags = Set(filter.tags.map(\.canonicallyComposed)).sorted()
        return JSONValue.object(["equals": .object(members), "tags": .array(tags.map(JSONValue.string))]).canonicalJSON
    }
}
