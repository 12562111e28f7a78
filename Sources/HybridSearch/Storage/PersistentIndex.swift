import Foundation

/// One corpus kept as immutable segments in a ``SegmentDirectory`` plus an in-memory tail:
/// opened by reading the newest commit point and mapping its segments and deletes files (no
/// analysis, no embedding, no rebuild), searched exactly like ``InMemorySearchBackend``
/// (``SegmentedIndex``), and committed by turning the tail into one more segment.
///
/// - Changes are upserts and deletes (``Change``). The tail holds items upserted since the
///   last commit, kept as an in-memory segment so every search goes through the same code;
///   an upsert or delete of an item already in a segment marks it deleted there
///   (``DeletedDocuments``), so at every moment each id is live at most once.
/// - ``commit()`` takes the directory's write lock without waiting (`false` when another
///   writer holds it: nobody ever blocks), writes the tail's segment and a deletes file for
///   each segment with new deletes, merges segments when the ``MergePolicy`` picks some, then
///   writes a new commit point naming every live file and the watermark, then removes
///   superseded files (a reader that mapped them keeps its mapping). A crash at any point
///   leaves the previous commit intact (files are written atomically, the commit point last).
///
/// Thread-safe; searches run on a snapshot and never wait for a commit (a commit holds the
/// index's own lock only to take its snapshot and to install the result).
public final class PersistentIndex: @unchecked Sendable {
    /// One change of the source of truth.
    public enum Change: Sendable, Hashable {
        /// Adds the item, replacing any item with its id.
        case upsert(SearchItem)
        /// Removes the item with this id (nothing when there is none).
        case delete(id: String)
    }

    private struct TailEntry {
        var serial: Int
        var document: SegmentDocument
    }

    private struct TailChunk {
        var positions: Range<Int>
        var segment: Segment
    }

    public let directory: any SegmentDirectory
    public let analyzer: any Analyzer
    public let embedder: any Embedder
    public let configuration: SearchConfiguration
    public let mergePolicy: MergePolicy
    private let lock = NSLock()
    private var generation: Int  // guarded by `lock`
    private var committedWatermark: Int64  // guarded by `lock`
    private var segments: [Segment]  // guarded by `lock`
    /// Per segment (same order): its deleted documents, committed or not.
    private var deletions: [DeletedDocuments]  // guarded by `lock`
    /// Per segment name: the deletes file and count the newest commit point names.
    private var committedDeletes: [String: (file: String?, count: Int)]  // guarded by `lock`
    /// Upserted items in arrival order; `nil` where one was deleted or replaced again.
    private var tail: [TailEntry?] = []  // guarded by `lock`
    private var tailPositions: [String: Int] = [:]  // guarded by `lock`
    private var nextSerial = 0  // guarded by `lock`
    private var tailWatermark: Int64  // guarded by `lock`
    /// The tail as searchable segments: chunk `i` encodes the live entries of tail positions
    /// `tailChunks[i].positions` — ranges in order below `tailEncoded`, apart only where every
    /// entry between them was already removed when it was encoded. Additions encode only
    /// what is new (see ``currentTailSegments()``); anything that rewrites encoded positions
    /// (a replacement or delete of an encoded entry, compaction, commit) drops them all.
    private var tailChunks: [TailChunk] = []  // guarded by `lock`
    private var tailEncoded = 0  // guarded by `lock`
    /// While a commit runs: ids changed since it took its snapshot (their snapshot versions,
    /// written into the commit's new segments, are superseded).
    private var touchedDuringCommit: Set<String>?  // guarded by `lock`
    /// Set by ``stopMerging()``: merges in flight stop, commits merge nothing more.
    private var mergingStopped = false  // guarded by `lock`
    /// A background commit's merge stops when this many documents changed while it ran: the
    /// next commit should write them (the tail must not grow behind a merge that a loaded
    /// machine starves at nice 19), and the merge is picked again later.
    var backgroundMergeChangeLimit = 4 * 1_024
    /// Called on the merging thread as a background commit's merge starts (tests: changes
    /// made during a merge). Set it only while no commit runs.
    var backgroundMergeWillStart: (@Sendable () -> Void)?
    /// Whether the tail holds items added without a sequence number (``add(_:watermark:)``):
    /// only a tail fed entirely from a source of truth may be dropped and read again.
    private var tailHasUnsequencedItems = false  // guarded by `lock`
    private var verification: Segment.Verification = .standard
    /// ``CommitPoint/source`` of every commit this index writes and accepts.
    public let source: String

    /// Why an index folder cannot be used as it is (the caller rebuilds it from its source of
    /// truth).
    public enum OpenProblem: Error, Sendable, Hashable {
        /// Written with another analyzer (terms would not match): rebuild.
        case analyzerChanged(stored: String, current: String)
        /// Built from another source (``CommitPoint/source``): rebuild.
        case sourceChanged(stored: String, current: String)
        /// A segment or commit point is damaged, missing or of another format: rebuild.
        case damaged(String)
    }

    /// Opens the index in `directory` (an empty directory is an empty index).
    /// - Parameter source: what the caller derives documents from (``CommitPoint/source``); a
    ///   commit point of another source is ``OpenProblem/sourceChanged(stored:current:)``.
    /// - Throws: ``OpenProblem`` when the index must be rebuilt;
    ///   ``SearchError/embedderMismatch(stored:current:)`` when it holds another embedder's
    ///   vectors (re-embed to switch); ``SearchError/storage(path:reason:)``.
    public init(
        directory: any SegmentDirectory, analyzer: any Analyzer = StandardAnalyzer(),
        embedder: any Embedder = HashedNGramEmbedder(), configuration: SearchConfiguration = SearchConfiguration(),
        verification: Segment.Verification = .standard, mergePolicy: MergePolicy = MergePolicy(), source: String = ""
    ) throws {
        self.source = source
        self.directory = directory
        self.analyzer = analyzer
        self.embedder = embedder
        self.configuration = configuration
        self.mergePolicy = mergePolicy
        self.verification = verification
        // A writer may remove the segments of the commit we read between our two reads: retry.
        var lastProblem: OpenProblem?
        for _ in 0..<3 {
            let names = try directory.fileNames()
            guard let newest = names.compactMap(CommitPoint.generation(ofFileName:)).max() else {
                (generation, committedWatermark, segments, tailWatermark) = (0, 0, [], 0)
                (deletions, committedDeletes) = ([], [:])
                return
            }
            do {
                let opened = try Self.openCommit(
                    newest, directory: directory, analyzer: analyzer, embedder: embedder, verification: verification,
                    source: source)
                (generation, committedWatermark, segments, tailWatermark) = (newest, opened.watermark, opened.segments, opened.watermark)
                (deletions, committedDeletes) = (opened.deletions, opened.named)
                return
            } catch let error as SearchError {
                switch error {
                case .embedderMismatch: throw error
                case .storage(_, let reason), .corruptSegment(_, let reason): lastProblem = .damaged(reason)
                default: throw error
                }
            }
        }
        throw lastProblem ?? OpenProblem.damaged("unreadable commit point")
    }

    /// What one commit point names, opened: its segments mapped and checked, their deletes.
    private struct OpenedCommit {
        var watermark: Int64
        var segments: [Segment]
        var deletions: [DeletedDocuments]
        var named: [String: (file: String?, count: Int)]
    }

    private static func openCommit(
        _ generation: Int, directory: any SegmentDirectory, analyzer: any Analyzer, embedder: any Embedder,
        verification: Segment.Verification, source: String
    ) throws -> OpenedCommit {
        let name = CommitPoint.fileName(generation: generation)
        let point = try CommitPoint.decode(try directory.read(name), name: name)
        if point.embedder != embedder.identifier || point.dimension != embedder.dimension {
            throw SearchError.embedderMismatch(stored: point.embedder, current: embedder.identifier)
        }
        guard point.analyzer == analyzer.identifier else {
            throw OpenProblem.analyzerChanged(stored: point.analyzer, current: analyzer.identifier)
        }
        guard (point.source ?? "") == source else { throw OpenProblem.sourceChanged(stored: point.source ?? "", current: source) }
        var opened = OpenedCommit(watermark: point.watermark, segments: [], deletions: [], named: [:])
        for entry in point.segments {
            let segment = try Segment(name: entry.name, bytes: directory.read(entry.name), verification: verification)
            guard segment.documentCount == entry.documents, segment.dimension == point.dimension else {
                throw OpenProblem.damaged("segment \(entry.name) does not match its commit point")
            }
            var set = DeletedDocuments(documentCount: segment.documentCount)
            if let file = entry.deletes {
                set = try DeletedDocuments(decoding: directory.read(file), name: file, documentCount: segment.documentCount)
                guard set.count == entry.deleted ?? 0 else {
                    throw OpenProblem.damaged("deletes file \(file) does not match its commit point")
                }
            }
            opened.segments.append(segment)
            opened.deletions.append(set)
            opened.named[entry.name] = (entry.deletes, set.count)
        }
        return opened
    }

    /// The last change included in the committed segments.
    public var watermark: Int64 { lock.withLock { committedWatermark } }

    /// The last change included in segments or tail: where the next catch-up starts.
    public var tailWatermarkValue: Int64 { lock.withLock { tailWatermark } }

    /// Live items in segments and tail.
    public var count: Int {
        lock.withLock { zip(segments, deletions).reduce(0) { $0 + $1.0.documentCount - $1.1.count } + tailPositions.count }
    }

    /// Items waiting in the tail.
    public var tailCount: Int { lock.withLock { tailPositions.count } }

    /// Names of the committed segments.
    public var segmentNames: [String] { lock.withLock { segments.map(\.name) } }

    /// Whether some committed segment still holds documents marked deleted (their terms and
    /// vectors are then still in its file, hidden from every search).
    public var holdsDeletedDocuments: Bool { lock.withLock { deletions.contains { $0.count > 0 } } }

    /// Upserts items into the tail (analysed unless they carry this analyzer's terms,
    /// embedded unless they carry a vector) and records `watermark` as the last change they
    /// include. An item whose id is already indexed replaces it; of repeated ids in `items`
    /// the last wins.
    /// - Throws: ``SearchError`` for an invalid vector or metadata (nothing is applied).
    public func add(_ items: [SearchItem], watermark: Int64) throws(SearchError) {
        let documents = try prepare(items)
        lock.withLock {
            for document in documents { upsertLocked(document) }
            tailWatermark = max(tailWatermark, watermark)
            if !documents.isEmpty { tailHasUnsequencedItems = true }
        }
    }

    /// Upserts the changes of a source of truth in order (``apply(_:sequences:)``).
    public func add(_ items: [SearchItem], sequences: [Int64]) throws(SearchError) {
        try apply(items.map { .upsert($0) }, sequences: sequences)
    }

    /// Deletes items (in segments or tail; unknown ids are ignored) and records `watermark`
    /// as the last change included.
    public func delete(ids: [String], watermark: Int64? = nil) {
        lock.withLock {
            for id in ids { deleteLocked(id) }
            if let watermark { tailWatermark = max(tailWatermark, watermark) }
        }
    }

    /// Applies the changes of a source of truth in order: change `i` is number
    /// `sequences[i]`; changes at or below the tail's watermark are already in and are
    /// skipped, so overlapping catch-ups (several tasks, or a reopened index) apply each once.
    /// - Precondition: `sequences` ascending, one per change.
    /// - Throws: ``SearchError`` for an invalid item (nothing is applied).
    public func apply(_ changes: [Change], sequences: [Int64]) throws(SearchError) {
        precondition(changes.count == sequences.count, "one sequence per change")
        var items: [SearchItem] = []
        for case .upsert(let item) in changes { items.append(item) }
        var documents = try prepare(items)[...]
        lock.withLock {
            for (change, sequence) in zip(changes, sequences) {
                var document: SegmentDocument?
                if case .upsert = change { document = documents.popFirst() }
                guard sequence > tailWatermark else { continue }
                switch change {
                case .upsert: upsertLocked(document!)
                case .delete(let id): deleteLocked(id)
                }
                tailWatermark = sequence
            }
        }
    }

    /// Forgets every segment and the tail and removes the index's files (it is derived data):
    /// the next catch-up starts from the beginning of the source of truth.
    /// - Throws: ``SearchError/storage(path:reason:)``.
    public func reset() throws(SearchError) {
        lock.lock()
        defer { lock.unlock() }
        try Self.removeIndexFiles(in: directory)
        segments = []
        deletions = []
        committedDeletes = [:]
        tail = []
        tailPositions = [:]
        dropTailChunks()
        committedWatermark = 0
        tailWatermark = 0
        tailHasUnsequencedItems = false
    }

    /// Removes every commit point, segment and deletes file of `directory` (an index folder's
    /// own files; nothing else in it).
    public static func removeIndexFiles(in directory: any SegmentDirectory) throws(SearchError) {
        for name in try directory.fileNames() where CommitPoint.isIndexFile(name) { try directory.remove(name) }
    }

    // MARK: Changes (caller holds `lock`)

    private func upsertLocked(_ document: SegmentDocument) {
        touchedDuringCommit?.insert(document.id)
        if let position = tailPositions[document.id] {
            tail[position] = nil
            if position < tailEncoded { dropTailChunks() }
        } else {
            deleteInSegments(document.id)
        }
        tailPositions[document.id] = tail.count
        tail.append(TailEntry(serial: nextSerial, document: document))
        nextSerial += 1
        compactTailIfSparse()
    }

    /// Drops the holes replaced and deleted items leave in the tail once they outnumber the
    /// live entries (a long-running process re-saving the same ids between commits).
    private func compactTailIfSparse() {
        guard tail.count > 1_024, tail.count > 2 * tailPositions.count else { return }
        var compacted: [TailEntry?] = []
        compacted.reserveCapacity(tailPositions.count)
        for case let entry? in tail {
            tailPositions[entry.document.id] = compacted.count
            compacted.append(entry)
        }
        tail = compacted
        dropTailChunks()
    }

    private func deleteLocked(_ id: String) {
        touchedDuringCommit?.insert(id)
        if let position = tailPositions.removeValue(forKey: id) {
            tail[position] = nil
            if position < tailEncoded { dropTailChunks() }
            compactTailIfSparse()
        } else {
            deleteInSegments(id)
        }
    }

    /// Marks the live document with `id` deleted in whichever segment holds it.
    /// Whether a live item has `id` (in the tail or a segment, not deleted).
    public func contains(id: String) -> Bool {
        lock.withLock {
            if tailPositions[id] != nil { return true }
            for index in segments.indices.reversed() {
                if let ordinal = segments[index].ordinal(ofID: id), !deletions[index].contains(ordinal) { return true }
            }
            return false
        }
    }

    private func deleteInSegments(_ id: String) {
        for index in segments.indices.reversed() {
            if let ordinal = segments[index].ordinal(ofID: id), deletions[index].insert(ordinal) { return }
        }
    }

    private func prepare(_ items: [SearchItem]) throws(SearchError) -> [SegmentDocument] {
        let analyzerID = analyzer.identifier
        let missing = items.indices.filter { items[$0].vector == nil }
        let computed = try embedder.checkedEmbeddings(missing.map { items[$0].text }, ids: missing.map { items[$0].id })
        var vectors: [Int: [Float]] = [:]
        for (position, index) in missing.enumerated() { vectors[index] = computed[position] }
        var documents: [SegmentDocument] = []
        documents.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            let terms =
                item.terms?.analyzer == analyzerID
                ? item.terms! : TermCounts(analyzer: analyzerID, terms: analyzer.terms(in: item.text))
            let vector = item.vector ?? vectors[index]!
            try DenseIndex.validate(vector, dimension: embedder.dimension, id: item.id)
            try InMemorySearchBackend.checkNesting(item.metadata.values, what: "metadata of item \"\(item.id)\"")
            documents.append(
                SegmentDocument(id: item.id, terms: terms, metadata: item.metadata, createdAt: item.createdAt, vector: vector))
        }
        return documents
    }

    /// The tail as segments, encoding only what was added since the last call (caller holds
    /// `lock`).
    ///
    /// A server that saves between searches would otherwise re-encode the whole tail (up to
    /// ``SearchMirror``'s commit threshold of documents) after every save. New entries become
    /// a chunk of their own; the newest chunks are merged (re-encoded together) while the one
    /// before holds at most 4 times as many positions, so chunk sizes grow geometrically: at most
    /// about log₄ n chunks, and each document is re-encoded O(log n) times while it stays in
    /// the tail. Chunks keep arrival order, so the segments' global ordinals — and every
    /// ranking and tie — are those of one tail segment (property-tested).
    private func currentTailSegments() throws(SearchError) -> [Segment] {
        if tail.count > tailEncoded {
            var positions = tailEncoded..<tail.count
            while let last = tailChunks.last, last.positions.count <= 4 * positions.count {
                positions = last.positions.lowerBound..<positions.upperBound
                tailChunks.removeLast()
            }
            let documents = tail[positions].compactMap { $0?.document }
            if !documents.isEmpty {
                let segment = try Segment(
                    name: "tail", bytes: SegmentBytes(copying: SegmentWriter.encode(documents, dimension: embedder.dimension)),
                    verification: .standard)
                tailChunks.append(TailChunk(positions: positions, segment: segment))
            }
            tailEncoded = tail.count
        }
        return tailChunks.map(\.segment)
    }

    /// Forgets the encoded tail (caller holds `lock`): the next search encodes it afresh.
    private func dropTailChunks() {
        tailChunks = []
        tailEncoded = 0
    }

    /// How many segments the tail is searched as (tests).
    var tailSegmentCount: Int { lock.withLock { tailChunks.count } }

    /// Checks every committed segment's checksums (reads them whole); one line per damaged one.
    public func checkSegments() -> [String] {
        let current = lock.withLock { segments }
        var problems: [String] = []
        for segment in current {
            do { try segment.verifyChecksums() } catch { problems.append(String(describing: error)) }
        }
        return problems
    }

    /// Concurrent whole-index dense scans share passes over the vectors.
    let denseScans = DenseScanBatcher()

    /// Searches segments and tail as one index (``InMemorySearchBackend/search(_:)`` semantics).
    /// Blocks while a concurrent dense scan it can join runs: call it off the cooperative pool
    /// (``PersistentSearchBackend/search(_:)`` does), or ``plan(_:)`` first.
    public func search(_ request: SearchRequest) throws(SearchError) -> [SearchHit] {
        try plan(request).run()
    }

    /// A search resolved up to its ranking, on a snapshot of the segments and tail: the query
    /// analysed and embedded, the filter resolved to candidates. ``run()`` ranks it.
    /// Immutable (mapped segments, resolved sets), hence `@unchecked Sendable`.
    public struct SearchPlan: @unchecked Sendable {
        fileprivate let index: SegmentedIndex
        fileprivate let request: SearchRequest
        /// `nil`: the request matches nothing (blank, or no indexable token).
        fileprivate let query: PreparedQuery?
        fileprivate let candidates: OrdinalSet?

        /// Whether ``run()`` may wait to share a whole-index dense scan with concurrent
        /// searches (``DenseScanBatcher``): then run it off the cooperative pool. A search
        /// with a selective filter scores only its candidates' vectors and never waits.
        public var mayWaitForSharedScan: Bool {
            guard let query, query.mode == .semantic || query.mode == .hybrid else { return false }
            return candidates == nil
        }

        /// The hits, in ranking order.
        public func run() -> [SearchHit] {
            guard let query else { return [] }
            return index.rank(request, query: query, configuration: index.configuration, candidates: candidates)
        }
    }

    /// Prepares `request` on the current snapshot (see ``SearchPlan``).
    /// - Throws: as ``search(_:)``.
    public func plan(_ request: SearchRequest) throws(SearchError) -> SearchPlan {
        let index = try snapshotIndex()
        let query = try QueryPreparation.prepare(
            request, analyzer: index.analyzer, embedder: index.embedder, configuration: index.configuration)
        let candidates = query == nil ? nil : index.candidates(for: request.effectiveFilter())
        return SearchPlan(index: index, request: request, query: query, candidates: candidates)
    }

    /// The segments and tail as one index, now.
    private func snapshotIndex() throws(SearchError) -> SegmentedIndex {
        lock.lock()
        let snapshot: [Segment]
        let deleted: [DeletedDocuments?]
        do {
            snapshot = segments + (try currentTailSegments())
            deleted = deletions
        } catch {
            lock.unlock()
            throw error
        }
        lock.unlock()
        return SegmentedIndex(
            segments: snapshot, deletions: deleted, analyzer: analyzer, embedder: embedder, configuration: configuration,
            denseScans: denseScans)
    }

    /// Writes the tail as a segment, new deletes files, a merge if the policy picks one, and
    /// a new commit point.
    /// - Returns: `true` when committed (or nothing to commit), `false` when another writer
    ///   holds the directory's write lock (the tail stays) or committed a newer generation
    ///   since this index last opened one (see ``reloadLocked(_:)``).
    /// - Throws: ``SearchError/storage(path:reason:)`` when a file cannot be written (the
    ///   previous commit stays intact). A damaged merge input is not an error: the merge is
    ///   skipped, and ``checkSegments()`` (`verify`) reports the damage.
    /// - Parameter expungingDeletes: also rewrite every segment holding deleted documents
    ///   (merged into one), so their terms, metadata and vectors leave the disk — what a
    ///   delete of something saved by mistake needs.
    @discardableResult
    public func commit(expungingDeletes: Bool = false) throws(SearchError) -> Bool {
        try commit(expungingDeletes: expungingDeletes, background: false)
    }

    private func commit(expungingDeletes: Bool, background: Bool) throws(SearchError) -> Bool {
        let committed = try directory.withWriteLock { () throws(SearchError) -> Bool in
            defer { lock.withLock { touchedDuringCommit = nil } }
            return try commitLocked(expungingDeletes: expungingDeletes, background: background)
        }
        return committed ?? false
    }

    /// ``commit(expungingDeletes:)`` for a long-running process committing beside its
    /// requests: on a thread of its own (``BackgroundThread``), off the cooperative pool, and
    /// its merge, if the policy picks one, on another at the lowest CPU priority, so the merge
    /// takes only the cores the requests leave. The merge stops — the commit then writes the
    /// tail and deletes without it, and the policy picks it again at a later commit — when
    /// ``stopMerging()`` is called or when ``backgroundMergeChangeLimit`` documents changed
    /// while it ran. Searches go on over the previous commit and the tail until it installs
    /// the new one.
    @discardableResult
    public func commitInBackground() async throws(SearchError) -> Bool {
        try await BackgroundThread.run {
            Result { () throws(SearchError) in try self.commit(expungingDeletes: false, background: true) }
        }.get()
    }

    /// Stops a merge in flight (its commit goes on without it) and every later merge of this
    /// index until ``resumeMerging()``: for a process shutting down, so a merge of seconds — or
    /// of minutes on a loaded machine at nice 19 — does not hold up its exit. The merge policy
    /// picks the same merge again at a later commit, of this process or the next. A commit
    /// `expungingDeletes` still rewrites its segments: a caller asked for those bytes to go.
    public func stopMerging() {
        lock.withLock { mergingStopped = true }
    }

    /// Commits merge again (undoes ``stopMerging()``).
    public func resumeMerging() {
        lock.withLock { mergingStopped = false }
    }

    /// The bytes of `inputs` merged, or `nil` when the merge was stopped (``stopMerging()``;
    /// in the background, also ``backgroundMergeChangeLimit``). An expunge is never stopped.
    private func mergedBytes(
        _ inputs: [(segment: Segment, deleted: DeletedDocuments?)], background: Bool, expunging: Bool
    ) throws(SearchError) -> Data? {
        let dimension = embedder.dimension
        if expunging { return try SegmentMerger.merge(inputs, dimension: dimension) }
        guard background else {
            return try SegmentMerger.merge(inputs, dimension: dimension) { self.lock.withLock { self.mergingStopped } }
        }
        let limit = backgroundMergeChangeLimit
        let willStart = backgroundMergeWillStart
        return try BackgroundThread.runAndWait(priority: .lowest) {
            willStart?()
            return Result { () throws(SearchError) in
                try SegmentMerger.merge(inputs, dimension: dimension) {
                    self.lock.withLock { self.mergingStopped || (self.touchedDuringCommit?.count ?? 0) >= limit }
                }
            }
        }.get()
    }

    /// Another process committed generation `newest` after ours: when this index is fed by a
    /// source of truth (every tail item has a sequence number), map that commit instead and
    /// empty the tail — its changes are in the source of truth, and the caller's next catch-up
    /// reads those past the new watermark — so a long-running writer's tail cannot grow
    /// without bound while others commit. Holds the directory's write lock (no commit can
    /// remove those files meanwhile); on any failure keeps what it has.
    private func reloadLocked(_ newest: Int) {
        guard !lock.withLock({ tailHasUnsequencedItems }),
            let opened = try? Self.openCommit(
                newest, directory: directory, analyzer: analyzer, embedder: embedder, verification: verification,
                source: source)
        else { return }
        lock.withLock {
            generation = newest
            committedWatermark = opened.watermark
            segments = opened.segments
            deletions = opened.deletions
            committedDeletes = opened.named
            tail = []
            tailPositions = [:]
            tailWatermark = opened.watermark
            dropTailChunks()
        }
    }

    /// The commit, holding the directory's write lock.
    private func commitLocked(expungingDeletes: Bool, background: Bool) throws(SearchError) -> Bool {
        let (tailEntries, watermark, current, deleted, named, next, previousWatermark) = lock.withLock {
            touchedDuringCommit = []
            return (tail.compactMap { $0 }, tailWatermark, segments, deletions, committedDeletes, generation + 1, committedWatermark)
        }
        let changedDeletes = zip(current, deleted).contains { $1.count != (named[$0.name]?.count ?? 0) }
        let anyDeleted = deleted.contains { $0.count > 0 }
        guard !tailEntries.isEmpty || changedDeletes || watermark != previousWatermark || (expungingDeletes && anyDeleted)
        else { return true }
        // Another process committed since we opened: its commit may name segments we never
        // mapped, so ours must not replace it.
        let onDisk = try directory.fileNames().compactMap(CommitPoint.generation(ofFileName:)).max() ?? 0
        guard onDisk < next else {
            reloadLocked(onDisk)
            return false
        }

        // Surviving segments, with a new deletes file where deletes were added.
        var entries: [CommitPoint.SegmentEntry] = []
        var kept: [Segment] = []
        var keptDeletions: [DeletedDocuments] = []
        var created: Set<String> = []  // segments written by this commit
        for (segment, set) in zip(current, deleted) where set.count < segment.documentCount {
            var file = named[segment.name]?.file
            if set.count != (named[segment.name]?.count ?? 0) {
                let name = CommitPoint.deletesName(segment: segment.name, generation: next)
                try directory.write(name, set.encoded())
                file = name
            }
            entries.append(.init(name: segment.name, documents: segment.documentCount, deletes: set.count > 0 ? file : nil, deleted: set.count > 0 ? set.count : nil))
            kept.append(segment)
            keptDeletions.append(set)
        }
        if !tailEntries.isEmpty {
            let name = CommitPoint.segmentName(generation: next)
            try directory.write(name, SegmentWriter.encode(tailEntries.map(\.document), dimension: embedder.dimension))
            let segment = try Segment(name: name, bytes: directory.read(name), verification: .full)
            entries.append(.init(name: name, documents: segment.documentCount))
            kept.append(segment)
            keptDeletions.append(DeletedDocuments(documentCount: segment.documentCount))
            created.insert(name)
        }
        let picked =
            expungingDeletes && entries.contains(where: { ($0.deleted ?? 0) > 0 })
            ? entries.indices.filter { (entries[$0].deleted ?? 0) > 0 }
            : mergePolicy.selection(entries.map { ($0.documents, $0.deleted ?? 0) })
        if !picked.isEmpty {
            do {
                // nil: stopped; the commit goes on without the merge.
                let expunging = expungingDeletes && entries.contains(where: { ($0.deleted ?? 0) > 0 })
                if let data = try mergedBytes(
                    picked.map { (kept[$0], keptDeletions[$0]) }, background: background, expunging: expunging)
                {
                    let name = CommitPoint.mergedSegmentName(generation: next)
                    try directory.write(name, data)
                    let merged = try Segment(name: name, bytes: directory.read(name), verification: .full)
                    let position = picked[0]
                    for index in picked.reversed() {
                        entries.remove(at: index)
                        kept.remove(at: index)
                        keptDeletions.remove(at: index)
                    }
                    if merged.documentCount > 0 {
                        entries.insert(.init(name: name, documents: merged.documentCount), at: position)
                        kept.insert(merged, at: position)
                        keptDeletions.insert(DeletedDocuments(documentCount: merged.documentCount), at: position)
                        created.insert(name)
                    }
                }
            } catch {
                // Damage is not copied into a new segment; `verify` reports and repairs it.
            }
        }
        let point = CommitPoint(
            generation: next, analyzer: analyzer.identifier, embedder: embedder.identifier,
            dimension: embedder.dimension, watermark: watermark, segments: entries, source: source.isEmpty ? nil : source)
        try directory.write(CommitPoint.fileName(generation: next), point.encoded())

        lock.withLock {
            // Deletes made meanwhile to segments that stay are in `deletions`; the new segments
            // hold snapshot versions of ids changed meanwhile, which those changes supersede.
            let currentDeletions = Dictionary(zip(segments.map(\.name), deletions), uniquingKeysWith: { a, _ in a })
            var installed = keptDeletions
            for (index, segment) in kept.enumerated() {
                if let now = currentDeletions[segment.name] {
                    installed[index] = now
                } else if created.contains(segment.name) {
                    for id in touchedDuringCommit ?? [] {
                        if let ordinal = segment.ordinal(ofID: id) { installed[index].insert(ordinal) }
                    }
                }
            }
            generation = next
            committedWatermark = watermark
            segments = kept
            deletions = installed
            committedDeletes = Dictionary(
                entries.map { ($0.name, (file: $0.deletes, count: $0.deleted ?? 0)) }, uniquingKeysWith: { a, _ in a })
            // Tail entries committed now leave the tail; those added meanwhile stay.
            let committedSerials = Set(tailEntries.map(\.serial))
            var remaining: [TailEntry?] = []
            tailPositions = [:]
            for case let entry? in tail where !committedSerials.contains(entry.serial) {
                tailPositions[entry.document.id] = remaining.count
                remaining.append(entry)
            }
            tail = remaining
            dropTailChunks()
        }
        // Superseded commit points, segments and deletes files (readers keep their mappings).
        var live = Set(entries.map(\.name) + entries.compactMap(\.deletes))
        live.insert(CommitPoint.fileName(generation: next))
        for name in try directory.fileNames() where CommitPoint.isIndexFile(name) && !live.contains(name) {
            try directory.remove(name)
        }
        return true
    }

}
