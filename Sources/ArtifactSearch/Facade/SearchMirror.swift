import Foundation
import HybridSearch

/// Keeps the search backend in step with the records: it follows the index's change feed
/// (saves and deletes, in one order) and turns each saved record into a search document
/// (``StoredSearchItems``: content from the blobs, the stored vector).
///
/// - A ``HybridSearch/PersistentSearchBackend`` already holds what its segments contain; the
///   mirror applies the changes committed after the index's watermark (by any process), in
///   sequence order, so each change enters once.
/// - Any other backend (in memory) is filled on the first catch-up with every stored record,
///   then with what was committed since.
final class SearchMirror: @unchecked Sendable {
    let index: any ArtifactIndex
    let backend: any SearchBackend
    let items: StoredSearchItems
    var corpus: String { items.corpus }
    private let lock = NSLock()
    private var lastSequence: Int64 = 0  // guarded by `lock` (in-memory backends)
    /// Whether the opened index was checked against the records (once: a database is not
    /// replaced under a running process).
    private var checkedIndexAgainstRecords = false  // guarded by `lock`
    /// Search documents of saves in flight, by artifact id: built by the saving call before
    /// its record commits, taken by a catch-up that reads that record first (a concurrent
    /// search's) instead of reading the blob and analysing the text again — which, done
    /// behind the catch-up's gate, held every search in line. Used only for the very record
    /// and vector the save built it from.
    private var prepared: [String: (artifact: Artifact, item: SearchItem)] = [:]  // guarded by `lock`
    private static let batchSize = 1_000
    /// Tail size at which a saving process commits a segment on its own.
    static let commitThreshold = 20_000

    init(index: any ArtifactIndex, backend: any SearchBackend, items: StoredSearchItems) {
        self.index = index
        self.backend = backend
        self.items = items
    }

    /// The persistent index behind the backend, if it has one (opened now if it was not).
    func persistent() throws -> PersistentIndex? { try (backend as? PersistentSearchBackend)?.index() }

    /// The persistent index if something already opened it.
    var openedPersistent: PersistentIndex? { (backend as? PersistentSearchBackend)?.openedIndex }

    /// Brings the backend up to every stored change; `progress` hears the changes applied so far
    /// after each batch.
    /// - Throws: ``HybridSearch/SearchError/embedderMismatch(stored:current:)`` for a record
    ///   whose vector another embedder made; store and index errors.
    func catchUp(progress: ((Int) -> Void)? = nil) async throws {
        // One catch-up at a time: concurrent queries behind a burst of changes (another node's
        // ingest) would each read the same blobs; the ones that waited find little left.
        try await gate.withTurn { try await catchUpInTurn(progress: progress) }
    }

    private let gate = SerialGate()

    private func catchUpInTurn(progress: ((Int) -> Void)?) async throws {
        let persistent = try persistent()
        if let persistent, !lock.withLock({ checkedIndexAgainstRecords }) {
            if persistent.tailWatermarkValue > 0, persistent.tailWatermarkValue > (try await index.lastChangeSequence()) {
                // Built from changes these records never had (the database was replaced, or
                // restored from an older backup): derived data, rebuilt from the records.
                try persistent.reset()
            }
            lock.withLock { checkedIndexAgainstRecords = true }
        }
        var applied = 0
        defer { progress?(applied) }
        while true {
            let start = persistent?.tailWatermarkValue ?? lock.withLock { lastSequence }
            let feed = try await index.changes(after: start, limit: Self.batchSize)
            if feed.isEmpty { return }
            // Each save's document: the one its saving call built, else rebuilt from the blob.
            var ready: [SearchItem?] = []
            var toRebuild: [(artifact: Artifact, vector: StoredVector?)] = []
            for change in feed {
                guard case .saved(let artifact, let vector) = change.kind else { continue }
                let item = preparedItem(for: artifact, vector: vector)
                ready.append(item)
                if item == nil { toRebuild.append((artifact, vector)) }
            }
            var rebuilt = try await items.items(for: toRebuild, embedder: backend.embedder)[...]
            var built = ready.map { $0 ?? rebuilt.popFirst()! }[...]
            let changes: [PersistentIndex.Change] = feed.map { change in
                switch change.kind {
                case .saved: return .upsert(built.popFirst()!)
                case .deleted(let id): return .delete(id: id)
                }
            }
            applied += changes.count
            progress?(applied)
            if let persistent {
                try persistent.apply(changes, sequences: feed.map(\.sequence))
                // A long catch-up (a rebuild) commits as it goes: the tail held in memory
                // stays bounded. Never waits for another committer; read-only: nothing.
                if persistent.tailCount >= Self.commitThreshold { _ = try? persistent.commit() }
            } else {
                // In runs of one kind, in order.
                var run: [SearchItem] = []
                for change in changes {
                    switch change {
                    case .upsert(let item): run.append(item)
                    case .delete(let id):
                        if !run.isEmpty { try await backend.upsert(run) }
                        run = []
                        await backend.delete(corpus: corpus, ids: [id])
                    }
                }
                if !run.isEmpty { try await backend.upsert(run) }
                lock.withLock { lastSequence = max(lastSequence, feed.last!.sequence) }
            }
            if feed.count < Self.batchSize { return }
        }
    }

    /// Saves are about to commit these records with these search documents (what
    /// ``recorded(batch:sequences:)`` will get): a catch-up that reads one of the records
    /// first uses its document as built. Every call is followed by ``settled(_:)``.
    func preparing(_ entries: [(artifact: Artifact, item: SearchItem)]) {
        lock.withLock {
            for entry in entries { prepared[entry.artifact.artifactID] = entry }
        }
    }

    /// The document a save in flight built for exactly this record and vector, if any.
    private func preparedItem(for artifact: Artifact, vector: StoredVector?) -> SearchItem? {
        guard let entry = lock.withLock({ prepared[artifact.artifactID] }), entry.artifact == artifact else { return nil }
        let sameVector = vector.map { $0.values == entry.item.vector && $0.embedder == backend.embedder.identifier }
        return sameVector ?? (entry.item.vector == nil) ? entry.item : nil
    }

    /// The saves of `ids` are in the backend, or will never be: their documents are dropped.
    func settled(_ ids: [String]) {
        lock.withLock {
            for id in ids { prepared[id] = nil }
        }
    }

    /// Saves committed `items` as changes `sequences` (ascending): put them in the backend.
    /// For the persistent index, in sequence order: the saves' own items when they are the
    /// next changes (nothing read back), else a catch-up that also brings in what other
    /// processes committed before them.
    func recorded(batch items: [SearchItem], sequences: [Int64]) async throws {
        guard !items.isEmpty else { return }
        guard backend is PersistentSearchBackend else {
            try await backend.upsert(items)
            lock.withLock {
                for sequence in sequences where sequence == lastSequence + 1 { lastSequence = sequence }
            }
            return
        }
        // The records are durable: an index that cannot be opened, or an item that cannot be
        // added, is the next search's to retry and report (it catches up), never this save's.
        guard let persistent = try? persistent() else { return }
        let next = persistent.tailWatermarkValue + 1
        let ordered = sequences.enumerated().compactMap { offset, sequence in sequence == next + Int64(offset) ? sequence : nil }
        if ordered.count == items.count {
            try? persistent.add(items, sequences: ordered)
        } else {
            try? await catchUp()
        }
        // A long run of saves (an ingest) commits as it goes, so the tail other processes
        // replay stays short; never waits for another committer.
        if persistent.tailCount >= Self.commitThreshold { _ = try? persistent.commit() }
    }

    /// A save committed `item` as change `sequence`.
    func recorded(_ item: SearchItem, sequence: Int64) async throws {
        try await recorded(batch: [item], sequences: [sequence])
    }
}
