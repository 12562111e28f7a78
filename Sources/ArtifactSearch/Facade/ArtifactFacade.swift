import Foundation
import HybridSearch

/// Save, list, search, rank, pin and load artifacts for one ``Scope`` (SPEC §3).
///
/// A facade is bound to a scope and to a store folder. Open the folder once per process with
/// ``open(at:scope:embedder:analyzer:configuration:clock:)`` and derive facades for other scopes with
/// ``scoped(to:)``: they share the store, the index and the in-memory search backend. Every
/// method may be called from many tasks at once.
///
/// The folder holds `index.sqlite` (each artifact's record and vector, and the change feed,
/// in WAL mode), the blob tree of ``FileSystemArtifactStore`` and the search index `index/`.
///
/// Seed-to-Swift names:
///
/// | seed | Swift |
/// |---|---|
/// | `save_file` | ``saveFile(at:kind:labels:metrics:tags:suggestedURI:name:pin:cleanup:)`` |
/// | `save_text` | ``saveText(_:kind:labels:metrics:tags:suggestedURI:name:pin:)`` |
/// | `save_json` | ``saveJSON(_:kind:labels:metrics:tags:suggestedURI:name:pin:)`` |
/// | `writer` | ``writer(kind:plannedExtension:pin:labels:metrics:tags:name:isolation:body:)`` |
/// | `get_by_id` | ``artifact(id:)`` |
/// | `list` | ``list(level:includeNode:kind:tags:filters:limit:)`` |
/// | `search` | ``search(_:kind:tags:labels:metric:metricMode:level:extraScopeLabels:limit:includeGraph:includeNode:timeWindow:mode:explain:)`` |
/// | `best` | ``best(kind:metric:metricMode:level:tags:filters:)`` |
/// | `pin` | ``pin(_:pinned:)`` |
/// | `stage_path` / `stage_dir` | ``stagePath(extension:)`` / ``stageDirectory(suffix:)`` |
/// | `ingest_file` / `ingest_dir` | ``ingestFile(at:kind:tags:labels:metrics:suggestedURI:name:pin:cleanup:)`` / ``ingestDirectory(at:kind:tags:labels:metrics:suggestedURI:name:pin:cleanup:)`` |
/// | `load_bytes_by_id` / `load_text_by_id` / `load_json_by_id` | ``loadBytes(id:)`` / ``loadText(id:encoding:errors:)`` / ``loadJSON(id:)`` |
/// | `load_bytes` / `load_text` / `load_json` | ``loadBytes(uri:)`` / ``loadText(uri:encoding:errors:)`` / ``loadJSON(uri:)`` |
/// | `as_local_file` / `as_local_dir` | ``asLocalFile(_:mustExist:)`` / ``asLocalDirectory(_:mustExist:)`` (and `uri:` variants) |
public final class ArtifactFacade: Sendable {
    /// Settings of a facade (shared by its ``scoped(to:)`` copies).
    public struct Configuration: Sendable, Hashable {
        /// Backend corpus of the artifacts. Default `"artifacts"`.
        public var corpus: String
        /// Bytes of textual content indexed per artifact, from its start (a directory shares
        /// one budget across its files); words past it are not found by query. Recorded with
        /// each artifact (``Artifact/indexedBytesLimit``). 0 … ``maximumIndexedContentBytes``;
        /// default 256 KiB.
        public var maxIndexedContentBytes: Int
        /// Seconds a writer waits for another process's write lock. Default 30.
        public var busyTimeout: TimeInterval
        /// `fsync` blobs before renaming them into place. Default true.
        public var synchronizesWrites: Bool
        /// Bring the search backend up to every stored record when the facade opens.
        /// When false, the backend is filled on the first query-mode search instead, so a
        /// short-lived process that only saves, lists, gets or pins never pays for it.
        /// Default true.
        public var preloadsSearchBackend: Bool
        /// Seconds after which an unreferenced blob or a temporary counts as left behind by a
        /// process that died (younger ones may be a live writer's, and are never removed).
        /// Opening a writable store removes temporaries older than this; `verify --repair`
        /// also removes such orphan blobs. Default 3600 (one hour).
        public var staleFileGracePeriod: TimeInterval
        /// Open the store read-only even if it could be written: reads work, every save, pin
        /// or repair throws ``ArtifactError/readOnlyStore(path:)``, nothing is created. A store
        /// this process cannot write opens read-only by itself. Default false.
        public var opensReadOnly: Bool
        /// What may be read or saved by host path or URI (see ``AccessPolicy``). Untrusted front
        /// ends use ``AccessPolicy/confined(roots:)``. Default ``AccessPolicy/trustedLocal``.
        public var access: AccessPolicy
        /// Bytes of a shared store's blobs this machine keeps in the folder's cache (`nil`: no
        /// limit): least recently used blobs are evicted past it
        /// (``ObjectStoreArtifactStore/cacheLimit``). Default 10 GiB; unused by an embedded store.
        public var cacheLimit: Int?

        public init(
            corpus: String = "artifacts", maxIndexedContentBytes: Int = 256 * 1024,
            busyTimeout: TimeInterval = 30, synchronizesWrites: Bool = true,
            preloadsSearchBackend: Bool = true, staleFileGracePeriod: TimeInterval = 3600,
            opensReadOnly: Bool = false, access: AccessPolicy = .trustedLocal,
            cacheLimit: Int? = ObjectStoreArtifactStore.defaultCacheLimit
        ) {
            self.cacheLimit = cacheLimit
            self.corpus = corpus
            self.maxIndexedContentBytes = maxIndexedContentBytes
            self.busyTimeout = busyTimeout
            self.synchronizesWrites = synchronizesWrites
            self.preloadsSearchBackend = preloadsSearchBackend
            self.staleFileGracePeriod = staleFileGracePeriod
            self.opensReadOnly = opensReadOnly
            self.access = access
        }
    }

    /// The largest ``Configuration/maxIndexedContentBytes``: 256 MiB (the indexed text is held
    /// in memory while a save analyses and embeds it).
    public static let maximumIndexedContentBytes = 256 << 20

    /// Turns the search index's tail — what this process saved, or read from SQLite for a
    /// query-mode search, since the last commit — into a segment, so the next process maps it
    /// instead of reading it from SQLite. Reads nothing itself. Never
    /// waits: `false` when another process is committing (or the store is read-only, or the
    /// backend is not persistent). Called by `ingest` at its end and by every command that
    /// searched.
    @discardableResult
    public func commitSearchIndex() async throws -> Bool {
        // An index nobody opened holds nothing to commit.
        guard !store.isReadOnly, let persistent = mirror.openedPersistent else { return false }
        return try persistent.commit()
    }

    /// ``commitSearchIndex()`` on a thread of its own at the lowest CPU priority
    /// (``HybridSearch/PersistentIndex/commitInBackground()``): what a server's periodic
    /// commit uses, so a merge never takes a request's thread or a full share of a core.
    @discardableResult
    public func commitSearchIndexInBackground() async throws -> Bool {
        guard !store.isReadOnly, let persistent = mirror.openedPersistent else { return false }
        return try await persistent.commitInBackground()
    }

    /// Stops the search index's merge in flight and its later merges until
    /// ``resumeSearchIndexMerges()`` (``HybridSearch/PersistentIndex/stopMerging()``): for a
    /// service shutting down, whose last commits then write the tail and deletes without
    /// waiting for a merge.
    public func stopSearchIndexMerges() {
        mirror.openedPersistent?.stopMerging()
    }

    /// Commits of the search index merge again (undoes ``stopSearchIndexMerges()``).
    public func resumeSearchIndexMerges() {
        mirror.openedPersistent?.resumeMerging()
    }

    /// Brings the search index up to every change the records hold (saves and deletes of any
    /// process or node), as every search and listing does first: a long-running server calls
    /// it in the background, so a burst of saves elsewhere is not the next query's to apply.
    /// Costs one read of the change log when nothing changed.
    public func catchUpSearchIndex() async throws {
        try await mirror.catchUp()
    }

    /// The persistent search index, once a search or save has opened it (`nil` before, and for
    /// a backend that is not persistent): for reporting its size.
    public var openedSearchIndex: PersistentIndex? { mirror.openedPersistent }

    /// The time source stamped as `createdAt` and used for time windows (injectable for tests).
    public typealias Clock = @Sendable () -> Date

    public let scope: Scope
    public let store: any ArtifactStore
    public let index: any ArtifactIndex
    public let backend: any SearchBackend
    public let configuration: Configuration
    /// The backend seen from ``scope``.
    public let indices: ScopedIndices
    let clock: Clock
    let mirror: SearchMirror
    let documents: SearchDocumentBuilder

    /// Opens (creating if needed) the store folder `folder`: a ``FileSystemArtifactStore``, a
    /// ``SQLiteArtifactIndex`` at `folder/index.sqlite`, and the persistent search index in
    /// `folder/index/` (``HybridSearch/PersistentIndex``: its committed segments are mapped,
    /// artifacts saved after its watermark are read from SQLite into its tail — with their
    /// stored vectors, so nothing is embedded again, and their content from the blobs). A
    /// missing, damaged or outdated index folder, or one written with another analyzer, is
    /// rebuilt from SQLite and the blobs; a read-only store rebuilds it in memory and writes
    /// nothing.
    ///
    /// A store is bound to one embedder (``EmbedderBinding``): a new store to `embedder`,
    /// recorded at this open; an existing one opens only with the embedder it is bound to
    /// (``reembed(at:to:choice:analyzer:configuration:blobs:records:progress:)`` switches it).
    /// - Throws: ``ArtifactError/embedderMismatch(bound:given:)`` when the store is bound to
    ///   another embedder; ``ArtifactError/reembedUnfinished(target:)`` while a re-embed is
    ///   unfinished; ``ArtifactError/io(path:reason:)``.
    ///
    /// A shared store (issue 12) keeps its parts elsewhere, and the folder is this machine's:
    /// - Parameters:
    ///   - blobs: keep the bytes in this bucket instead of the folder's blob tree
    ///     (``ObjectStoreArtifactStore``: the folder's `blobs/` becomes this machine's cache of it).
    ///   - records: keep the records in this index (PostgreSQL's, shared by every node) instead
    ///     of `index.sqlite`; the folder's `index/` is then this node's search index of them.
    public static func open(
        at folder: URL, scope: Scope = Scope(), embedder: any Embedder = HashedNGramEmbedder(),
        analyzer: any Analyzer = StandardAnalyzer(),
        configuration: Configuration = Configuration(), clock: @escaping Clock = { Date() },
        blobs: (any ObjectStorage)? = nil, records: (any ArtifactIndex)? = nil
    ) async throws -> ArtifactFacade {
        try await open(
            at: folder, scope: scope, analyzer: analyzer, configuration: configuration, clock: clock, blobs: blobs,
            records: records
        ) { _ in
            (embedder, nil)
        }
    }

    /// ``open(at:scope:embedder:analyzer:configuration:clock:)`` with the embedder chosen from
    /// the store's ``EmbedderState`` (what it is bound to, if anything) — how the command line
    /// uses a store's own embedder without being told.
    /// - Parameter embedder: returns the embedder and, to record with a new binding (or move
    ///   an existing one to), how the command line names it (`hashed`, `minilm`,
    ///   `openai:URL#MODEL`; `nil`: not recorded).
    public static func open(
        at folder: URL, scope: Scope = Scope(), analyzer: any Analyzer = StandardAnalyzer(),
        configuration: Configuration = Configuration(), clock: @escaping Clock = { Date() },
        blobs: (any ObjectStorage)? = nil, records: (any ArtifactIndex)? = nil,
        embedder choose: (EmbedderState) async throws -> (embedder: any Embedder, choice: String?)
    ) async throws -> ArtifactFacade {
        try validate(configuration)
        let database = folder.appendingPathComponent("index.sqlite")
        let readOnly =
            configuration.opensReadOnly || (records == nil && Self.isReadOnlyStore(folder: folder, database: database))
        if blobs == nil { try refuseCacheFolder(folder) }
        let (store, index) = try parts(at: folder, configuration: configuration, blobs: blobs, records: records, readOnly: readOnly)
        // Temporaries of processes that died (kill -9, full disk); never a live writer's.
        if !readOnly { try await store.sweepStaleTemporaries(olderThan: configuration.staleFileGracePeriod) }
        // The embedder must match the records before anything looks at the index folder.
        let state = try await index.embedderState()
        let (embedder, choice) = try await choose(state)
        try await bindEmbedder(embedder, choice: choice, index: index, state: state, readOnly: readOnly)
        let backend = SearchIndexOpener.backend(
            folder: folder.appendingPathComponent("index"), readOnly: readOnly, corpus: configuration.corpus,
            analyzer: analyzer, embedder: embedder, records: index.storeIdentity)
        return try await ArtifactFacade(
            scope: scope, store: store, index: index, backend: backend, configuration: configuration, clock: clock,
            embedderBound: true)
    }

    /// The store's bytes and records for `folder`: the bucket's ``ObjectStoreArtifactStore``
    /// (the folder its cache) or the folder's blob tree, and `records` or the folder's
    /// `index.sqlite`.
    static func parts(
        at folder: URL, configuration: Configuration, blobs: (any ObjectStorage)?, records: (any ArtifactIndex)?, readOnly: Bool
    ) throws -> (store: any ArtifactStore & StoreMaintenance, index: any ArtifactIndex) {
        let store: any ArtifactStore & StoreMaintenance
        if let blobs {
            store = try ObjectStoreArtifactStore(
                objects: blobs, cacheURL: folder, readOnly: readOnly, cacheLimit: configuration.cacheLimit)
        } else {
            store = try FileSystemArtifactStore(
                rootURL: folder, synchronizesWrites: configuration.synchronizesWrites, readOnly: readOnly)
        }
        let index =
            try records
            ?? SQLiteArtifactIndex(
                databaseURL: folder.appendingPathComponent("index.sqlite"), busyTimeout: configuration.busyTimeout,
                readOnly: readOnly)
        return (store, index)
    }

    /// Binds the store to `embedder` (a writable store records it), or throws when it is bound
    /// to another one or a re-embed is unfinished.
    /// `state` is the store's as just read.
    static func bindEmbedder(
        _ embedder: any Embedder, choice: String?, index: any ArtifactIndex, state: EmbedderState, readOnly: Bool
    ) async throws {
        let binding = EmbedderBinding(embedder, choice: choice)
        if readOnly {
            _ = try state.binding(after: binding)
        } else {
            _ = try await index.bind(binding, seen: state)
        }
    }

    /// An embedded store never opens in a node folder of a store in a bucket: its `blobs/` is
    /// a cache that is evicted (``ObjectStoreArtifactStore/cachedBucket(in:)``).
    static func refuseCacheFolder(_ folder: URL) throws(ArtifactError) {
        guard let bucket = ObjectStoreArtifactStore.cachedBucket(in: folder) else { return }
        throw .invalidArgument(
            "\(folder.path) is a node folder of a store whose bytes are in \(bucket): its blobs/ is a cache, not a store —"
                + " open it with --blobs (and --database), or give an embedded store a folder of its own")
    }

    static func validate(_ configuration: Configuration) throws(ArtifactError) {
        guard (0...Self.maximumIndexedContentBytes).contains(configuration.maxIndexedContentBytes) else {
            throw .invalidArgument(
                "maxIndexedContentBytes must be between 0 and \(Self.maximumIndexedContentBytes) (256 MiB);"
                    + " got \(configuration.maxIndexedContentBytes)")
        }
    }

    /// Whether an existing store cannot be written by this process (another user's folder, a
    /// read-only mount): its folder or its database is not writable.
    static func isReadOnlyStore(folder: URL, database: URL) -> Bool {
        guard FileManager.default.fileExists(atPath: database.path) else { return false }
        return access(folder.path, W_OK) != 0 || access(database.path, W_OK) != 0
    }

    /// Assembles a facade from its parts, checks the backend's embedder against the index and
    /// brings the backend up to every stored record (with its stored vector) — at once,
    /// or on the first query-mode search when ``Configuration/preloadsSearchBackend`` is false.
    /// - Throws: ``HybridSearch/SearchError/embedderMismatch(stored:current:)``.
    public convenience init(
        scope: Scope, store: any ArtifactStore, index: any ArtifactIndex, backend: any SearchBackend,
        configuration: Configuration = Configuration(), clock: @escaping Clock = { Date() }
    ) async throws {
        try await self.init(
            scope: scope, store: store, index: index, backend: backend, configuration: configuration, clock: clock,
            embedderBound: false)
    }

    /// - Parameter embedderBound: ``open(at:scope:embedder:analyzer:configuration:clock:)`` has
    ///   already checked and recorded the embedder (before opening the search index).
    private init(
        scope: Scope, store: any ArtifactStore, index: any ArtifactIndex, backend: any SearchBackend,
        configuration: Configuration, clock: @escaping Clock, embedderBound: Bool
    ) async throws {
        self.scope = scope
        self.store = store
        self.index = index
        self.backend = backend
        self.configuration = configuration
        self.clock = clock
        self.indices = ScopedIndices(scope: scope, backend: backend, corpus: configuration.corpus)
        self.mirror = SearchMirror(
            index: index, backend: backend,
            items: StoredSearchItems(store: store, corpus: configuration.corpus, analyzer: backend.analyzer))
        self.documents = SearchDocumentBuilder(maxContentBytes: configuration.maxIndexedContentBytes)
        try Self.validate(configuration)
        try backend.embedder.checkDimension()
        if !embedderBound {
            try await Self.bindEmbedder(
                backend.embedder, choice: nil, index: index, state: try await index.embedderState(), readOnly: store.isReadOnly)
        }
        if configuration.preloadsSearchBackend { try await mirror.catchUp() }
    }

    private init(sharing other: ArtifactFacade, scope: Scope) {
        self.scope = scope
        self.store = other.store
        self.index = other.index
        self.backend = other.backend
        self.configuration = other.configuration
        self.clock = other.clock
        self.indices = ScopedIndices(scope: scope, backend: other.backend, corpus: other.configuration.corpus)
        self.mirror = other.mirror
        self.documents = other.documents
    }

    /// A facade for another scope sharing this one's store, index and search backend.
    public func scoped(to scope: Scope) -> ArtifactFacade {
        ArtifactFacade(sharing: self, scope: scope)
    }

    // MARK: Recording

    /// What a save contributes besides the bytes.
    struct Draft {
        var kind: String?
        var labels: [String: JSONValue]
        var metrics: [String: Double]
        var tags: [String]
        var name: String?
        var pin: Bool
        var mime: String
        var sha256: String
        var bytes: Int
        var uri: String
    }

    /// Builds the record and its search document, commits the record with the document's
    /// vector in one transaction, then upserts the document into the backend.
    func record(_ draft: Draft, indexText: (Artifact) async throws -> String) async throws -> Artifact {
        guard let artifact = try await record(draft, unless: nil, indexText: indexText) else {
            preconditionFailure("an unconditional insert always records")
        }
        return artifact
    }

    /// ``record(_:indexText:)`` unless `condition` holds when the record would be committed
    /// (then nothing is recorded and `nil` returned). Every public save has checked the
    /// draft's labels and metrics (``checkSaveInputs(labels:metrics:)``) before storing bytes.
    func record(
        _ draft: Draft, unless condition: UnchangedCondition?, indexText: (Artifact) async throws -> String
    ) async throws -> Artifact? {
        let artifact = makeArtifact(draft, at: clock())
        let text = try await indexText(artifact)
        let item = try await searchItems(for: [(artifact, text)])[0]
        mirror.preparing([(artifact, item)])
        defer { mirror.settled([artifact.artifactID]) }
        guard case .inserted(let sequence) = try await index.insert(artifact, vector: storedVector(item), unless: condition)
        else { return nil }
        try await mirror.recorded(item, sequence: sequence)
        return artifact
    }

    /// The record a draft becomes, stamped with this scope and the time `date` (milliseconds).
    func makeArtifact(_ draft: Draft, at date: Date) -> Artifact {
        let now = ArtifactTimestamp.truncatedToMilliseconds(date)
        var labels = draft.labels
        if let name = draft.name { labels["filename"] = .string(name) }
        return Artifact(
            artifactID: ArtifactID.make(at: now), runID: Scope.present(scope.runID),
            graphID: Scope.present(scope.graphID), nodeID: Scope.present(scope.nodeID),
            toolName: Scope.present(scope.toolName), toolVersion: Scope.present(scope.toolVersion),
            kind: draft.kind, sha256: draft.sha256, bytes: draft.bytes, mime: draft.mime, createdAt: now,
            tags: Self.uniqued(draft.tags), labels: labels, metrics: draft.metrics, pinned: draft.pin,
            uri: draft.uri, orgID: Scope.present(scope.orgID), userID: Scope.present(scope.userID),
            clientID: Scope.present(scope.clientID), appID: Scope.present(scope.appID),
            sessionID: Scope.present(scope.sessionID), agentID: Scope.present(scope.agentID),
            scopeID: scope.scopeID, indexedBytesLimit: configuration.maxIndexedContentBytes)
    }

    /// The vector a record keeps of its search document.
    func storedVector(_ item: SearchItem) -> StoredVector? {
        item.vector.map { StoredVector(values: $0, embedder: backend.embedder.identifier) }
    }

    /// Artifacts' search documents: their texts embedded (one batch, off the cooperative
    /// pool: ``HybridSearch/Embedder/embeddings(_:ids:)``) and analysed (in parallel slices,
    /// one per core); the analysis goes to the search index with them, the record keeps only
    /// the vector.
    func searchItems(for entries: [(artifact: Artifact, text: String)]) async throws -> [SearchItem] {
        let vectors = try await backend.embedder.embeddings(entries.map(\.text), ids: entries.map(\.artifact.artifactID))
        let analyzer = backend.analyzer
        let indices = self.indices
        return try await ParallelSlices.map(Array(zip(entries, vectors))) { entry, vector in
            var item = indices.item(for: entry.artifact, text: entry.text, vector: vector)
            item.terms = TermCounts(analyzer: analyzer.identifier, terms: analyzer.terms(in: entry.text))
            return item
        }
    }

    /// The artifact with `id` if it exists and is visible from this scope (same organisation).
    func visibleArtifact(id: String) async throws -> Artifact? {
        guard let artifact = try await index.artifact(id: id) else { return nil }
        if let org = Scope.present(scope.orgID), artifact.orgID != org { return nil }
        return artifact
    }

    /// Like ``visibleArtifact(id:)`` but throws ``ArtifactError/notFound(id:)``.
    func requireArtifact(id: String) async throws -> Artifact {
        guard let artifact = try await visibleArtifact(id: id) else { throw ArtifactError.notFound(id: id) }
        return artifact
    }

    /// Checks what a save records besides the bytes — label nesting, finite metrics and label
    /// numbers — so a bad value is refused before any byte is stored.
    static func checkSaveInputs(labels: [String: JSONValue], metrics: [String: Double]) throws(ArtifactError) {
        try checkLabelNesting(labels)
        for (name, value) in metrics where !value.isFinite {
            throw .invalidArgument("metric \"\(name)\" is \(value): metrics must be finite numbers")
        }
        for (key, value) in labels where !value.isFinite {
            throw .invalidArgument(
                "label \"\(key)\" holds NaN or infinity, which JSON cannot represent: use finite numbers (or a string)")
        }
    }

    /// The deepest a label (or label filter) value may nest: 500. It lives inside the
    /// artifact's record (`{"labels": {key: value}}`), which outputs wrap further (`--json`
    /// arrays, search results) and JSONEncoder stops at 511 levels; 500 leaves room for all.
    public static let maximumLabelNestingDepth = JSONValue.maximumNestingDepth - 12

    /// Checks label (and label filter) values against ``maximumLabelNestingDepth`` without
    /// recursion, before anything else reads them.
    static func checkLabelNesting(_ labels: [String: JSONValue?]) throws(ArtifactError) {
        let limit = maximumLabelNestingDepth
        for (key, value) in labels {
            if let value, value.nestsDeeper(than: limit) {
                throw .tooDeeplyNested(what: "label \"\(key)\"", limit: limit)
            }
        }
    }

    static func checkLabelNesting(_ labels: [String: JSONValue]) throws(ArtifactError) {
        try checkLabelNesting(labels.mapValues { Optional($0) })
    }

    static func uniqued(_ tags: [String]) -> [String] {
        var seen = Set<String>()
        return tags.filter { seen.insert($0).inserted }
    }

    /// The last path component of a name or URI, with `..`, `.`, empty names and path
    /// separators neutralised (`../x` → `x`, `a/b` → `b`); `nil` when nothing is left.
    static func safeName(_ raw: String?) -> String? {
        guard var name = raw?.trimmingCharacters(in: .whitespacesAndNewlines), !name.isEmpty else { return nil }
        if name.contains("://"), let url = try? FileLocation.url(from: name) { name = url.path }
        name = name.replacingOccurrences(of: "\\", with: "/").replacingOccurrences(of: "\0", with: "")
        let component = name.split(separator: "/").last.map(String.init) ?? ""
        guard !component.isEmpty, component != ".", component != ".." else { return nil }
        return component
    }
}
