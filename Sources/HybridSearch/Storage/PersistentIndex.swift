import Foundation

/// One corpus kept as immutable segments in a ``SegmentDirectory`` plus an in-memory tail:
/// opened by reading the newest commit point and mapping its segments (no analysis, no
/// embedding, no rebuild), searched exactly like ``InMemorySearchBackend``
/// (``SegmentedIndex``), and committed by turning the tail into one more segment.
///
/// - The tail holds items added since the last commit (``add(_:watermark:)``), kept as an
///   in-memory segment so every search goes through the same code.
/// - ``commit()`` takes the directory's write lock without waiting (`false` when another
///   writer holds it: nobody ever blocks), writes the tail's segment, then a new commit point
///   naming every live segment and the tail's watermark, then removes superseded commit
///   points. A crash at any point leaves the previous commit intact (files are written
///   atomically, the commit point last).
/// - Each id may be added once (updates and deletes across segments need alive bitsets,
///   the next step).
///
/// Thread-safe; searches run on a snapshot and never wait for a commit.
public final class PersistentIndex: @unchecked Sendable {
    public let directory: any SegmentDirectory
    public let analyzer: any Analyzer
    public let embedder: any Embedder
    public let configuration: SearchConfiguration
    private let lock = NSLock()
    private var generation: Int  // guarded by `lock`
    private var committedWatermark: Int64  // guarded by `lock`
    private var segments: [Segment]  // guarded by `lock`
    private var tail: [SegmentDocument] = []  // guarded by `lock`
    private var tailWatermark: Int64  // guarded by `lock`
    private var tailSegment: Segment?  // guarded by `lock`
    private var tailIsStale = false  // guarded by `lock`: `tailSegment` lags `tail`
    private var tailIDs = Set<String>()  // guarded by `lock`: the ids in `tail`

    /// Why an index folder cannot be used as it is (the caller rebuilds it from its source of
    /// truth).
    public enum OpenProblem: Error, Sendable, Hashable {
        /// Written with another analyzer (terms would not match): rebuild.
        case analyzerChanged(stored: String, current: String)
        /// A segment or commit point is damaged, missing or of another format: rebuild.
        case damaged(String)
    }

    /// Opens the index in `directory` (an empty directory is an empty index).
    /// - Throws: ``OpenProblem`` when the index must be rebuilt;
    ///   ``SearchError/embedderMismatch(stored:current:)`` when it holds another embedder's
    ///   vectors (re-embed to switch); ``SearchError/storage(path:reason:)``.
    public init(
        directory: any SegmentDirectory, analyzer: any Analyzer = StandardAnalyzer(),
        embedder: any Embedder = HashedNGramEmbedder(), configuration: SearchConfiguration = SearchConfiguration(),
        verification: Segment.Verification = .full
    ) throws {
        self.directory = directory
        self.analyzer = analyzer
        self.embedder = embedder
        self.configuration = configuration
        // A writer may remove the segments of the commit we read between our two reads: retry.
        var lastProblem: OpenProblem?
        for _ in 0..<3 {
            let names = try directory.fileNames()
            guard let newest = names.compactMap(CommitPoint.generation(ofFileName:)).max() else {
                (generation, committedWatermark, segments, tailWatermark) = (0, 0, [], 0)
                return
            }
            let name = CommitPoint.fileName(generation: newest)
            do {
                let point = try CommitPoint.decode(try directory.read(name), name: name)
                if point.embedder != embedder.identifier || point.dimension != embedder.dimension {
                    throw SearchError.embedderMismatch(stored: point.embedder, current: embedder.identifier)
                }
                guard point.analyzer == analyzer.identifier else {
                    throw OpenProblem.analyzerChanged(stored: point.analyzer, current: analyzer.identifier)
                }
                var opened: [Segment] = []
                for entry in point.segments {
                    let segment = try Segment(name: entry.name, bytes: directory.read(entry.name), verification: verification)
                    guard segment.documentCount == entry.documents, segment.dimension == point.dimension else {
                        throw OpenProblem.damaged("segment \(entry.name) does not match its commit point")
                    }
                    opened.append(segment)
                }
                (generation, committedWatermark, segments, tailWatermark) = (newest, point.watermark, opened, point.watermark)
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

    /// The last change included in the committed segments.
    public var watermark: Int64 { lock.withLock { committedWatermark } }

    /// The last change included in segments or tail: where the next catch-up starts.
    public var tailWatermarkValue: Int64 { lock.withLock { tailWatermark } }

    /// Items in segments and tail.
    public var count: Int { lock.withLock { segments.reduce(0) { $0 + $1.documentCount } + tail.count } }

    /// Items waiting in the tail.
    public var tailCount: Int { lock.withLock { tail.count } }

    /// Names of the committed segments.
    public var segmentNames: [String] { lock.withLock { segments.map(\.name) } }

    /// Adds items to the tail (analysed unless they carry this analyzer's terms, embedded
    /// unless they carry a vector) and records `watermark` as the last change they include.
    /// - Throws: ``SearchError`` for an invalid vector or an id added twice in the tail.
    public func add(_ items: [SearchItem], watermark: Int64) throws(SearchError) {
        let documents = try prepare(items)
        lock.lock()
        defer { lock.unlock() }
        try append(documents)
        tailWatermark = max(tailWatermark, watermark)
    }

    /// Adds the changes of a source of truth in order: item `i` is change `sequences[i]`;
    /// changes at or below the tail's watermark are already in and are skipped, so
    /// overlapping catch-ups (several tasks, or a reopened index) add each change once.
    /// - Precondition: `sequences` ascending, one per item.
    public func add(_ items: [SearchItem], sequences: [Int64]) throws(SearchError) {
        precondition(items.count == sequences.count, "one sequence per item")
        let documents = try prepare(items)
        lock.lock()
        defer { lock.unlock() }
        let fresh = documents.indices.filter { sequences[$0] > tailWatermark }
        try append(fresh.map { documents[$0] })
        if let last = fresh.last { tailWatermark = sequences[last] }
    }

    /// Removes items of the tail. Items already in a segment cannot be removed yet (that needs
    /// alive bitsets): their ids are returned, and the caller rebuilds (``reset()``).
    public func removeFromTail(ids: [String]) -> [String] {
        lock.withLock {
            let wanted = Set(ids)
            let present = tailIDs
            tail.removeAll { wanted.contains($0.id) }
            tailIDs.subtract(wanted)
            tailIsStale = true
            return ids.filter { !present.contains($0) }
        }
    }

    /// Forgets every segment and the tail and removes the index's files (it is derived data):
    /// the next catch-up starts from the beginning of the source of truth.
    /// - Throws: ``SearchError/storage(path:reason:)``.
    public func reset() throws(SearchError) {
        lock.lock()
        defer { lock.unlock() }
        for name in try directory.fileNames()
        where CommitPoint.generation(ofFileName: name) != nil || name.hasPrefix("segment-") {
            try directory.remove(name)
        }
        segments = []
        tail = []
        tailIDs = []
        tailSegment = nil
        tailIsStale = false
        committedWatermark = 0
        tailWatermark = 0
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

    /// Appends to the tail (caller holds `lock`); the tail's segment is rebuilt lazily, at the
    /// next search, so a long run of saves costs O(tail) once, not per save.
    private func append(_ documents: [SegmentDocument]) throws(SearchError) {
        var fresh = Set<String>()
        for document in documents where tailIDs.contains(document.id) || !fresh.insert(document.id).inserted {
            throw .invalidArgument("item \"\(document.id)\" is already in the index")
        }
        tailIDs.formUnion(fresh)
        tail += documents
        tailIsStale = true
    }

    /// The tail as a segment, re-encoded if it changed (caller holds `lock`).
    private func currentTailSegment() throws(SearchError) -> Segment? {
        if tailIsStale {
            tailSegment =
                tail.isEmpty
                ? nil
                : try Segment(
                    name: "tail", bytes: SegmentBytes(copying: SegmentWriter.encode(tail, dimension: embedder.dimension)),
                    verification: .structure)
            tailIsStale = false
        }
        return tailSegment
    }

    /// Checks every committed segment's checksums (reads them whole); one line per damaged one.
    public func checkSegments() -> [String] {
        let current = lock.withLock { segments }
        var problems: [String] = []
        for segment in current {
            do { try segment.verifyChecksums() } catch { problems.append(String(describing: error)) }
        }
        return problems
    }

    /// Searches segments and tail as one index (``InMemorySearchBackend/search(_:)`` semantics).
    public func search(_ request: SearchRequest) throws(SearchError) -> [SearchHit] {
        lock.lock()
        let snapshot: [Segment]
        do {
            snapshot = segments + (try currentTailSegment().map { [$0] } ?? [])
        } catch {
            lock.unlock()
            throw error
        }
        lock.unlock()
        return try SegmentedIndex(segments: snapshot, analyzer: analyzer, embedder: embedder, configuration: configuration)
            .search(request)
    }

    /// Writes the tail as a segment and a new commit point.
    /// - Returns: `true` when committed (or nothing to commit), `false` when another writer
    ///   holds the directory's write lock or committed a newer generation since this index was
    ///   opened (the tail stays; a process opened later will commit it).
    @discardableResult
    public func commit() throws(SearchError) -> Bool {
        let committed = try directory.withWriteLock { () throws(SearchError) -> Bool in
            let (documents, watermark, current, nextGeneration) = lock.withLock {
                (tail, tailWatermark, segments, generation + 1)
            }
            guard !documents.isEmpty || watermark != committedWatermarkValue() else { return true }
            // Another process committed since we opened: its commit may name segments we never
            // mapped, so ours must not replace it. Keep the tail (its documents are in the source
            // of truth; the next opener reads them past that commit's watermark).
            let onDisk = try directory.fileNames().compactMap(CommitPoint.generation(ofFileName:)).max() ?? 0
            guard onDisk < nextGeneration else { return false }
            var entries = current.map { CommitPoint.SegmentEntry(name: $0.name, documents: $0.documentCount) }
            var newSegments = current
            if !documents.isEmpty {
                let name = CommitPoint.segmentName(generation: nextGeneration)
                try directory.write(name, SegmentWriter.encode(documents, dimension: embedder.dimension))
                let segment = try Segment(name: name, bytes: directory.read(name), verification: .structure)
                entries.append(.init(name: name, documents: segment.documentCount))
                newSegments.append(segment)
            }
            let point = CommitPoint(
                generation: nextGeneration, analyzer: analyzer.identifier, embedder: embedder.identifier,
                dimension: embedder.dimension, watermark: watermark, segments: entries)
            try directory.write(CommitPoint.fileName(generation: nextGeneration), point.encoded())
            lock.withLock {
                generation = nextGeneration
                committedWatermark = watermark
                segments = newSegments
                // Items added meanwhile stay in the tail (they follow the committed ones).
                let committedIDs = Set(documents.map(\.id))
                tail.removeAll { committedIDs.contains($0.id) }
                tailIDs.subtract(committedIDs)
                tailIsStale = true
            }
            // Superseded commit points and unreferenced segments (readers keep their mappings).
            let live = Set(entries.map(\.name) + [CommitPoint.fileName(generation: nextGeneration)])
            for name in try directory.fileNames() where !live.contains(name) {
                if CommitPoint.generation(ofFileName: name) != nil || name.hasPrefix("segment-") { try directory.remove(name) }
            }
            return true
        }
        return committed ?? false
    }

    private func committedWatermarkValue() -> Int64 { lock.withLock { committedWatermark } }
}
