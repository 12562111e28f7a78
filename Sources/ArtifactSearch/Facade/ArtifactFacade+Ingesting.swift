import Foundation
import HybridSearch

/// One file of ``ArtifactFacade/ingestFiles(_:)``: what ``ArtifactFacade/saveFile(at:kind:labels:metrics:tags:suggestedURI:name:pin:cleanup:)``
/// takes, and optionally the condition of ``ArtifactFacade/saveFileIfChanged(at:unchangedLabels:level:kind:labels:metrics:tags:suggestedURI:name:pin:cleanup:)``.
public struct FileIngest: Sendable, Hashable {
    public var url: URL
    public var kind: String
    public var labels: [String: JSONValue]
    public var metrics: [String: Double]
    public var tags: [String]
    public var name: String?
    public var pin: Bool
    /// When set, the file is skipped if the newest artifact saved under the same condition —
    /// at ``unchangedLevel`` of the scope, with labels equal to these (e.g. its
    /// `source_path`) — has the same bytes.
    public var unchangedLabels: [String: JSONValue]?
    public var unchangedLevel: ScopeLevel

    public init(
        url: URL, kind: String = "file", labels: [String: JSONValue] = [:], metrics: [String: Double] = [:],
        tags: [String] = [], name: String? = nil, pin: Bool = false, unchangedLabels: [String: JSONValue]? = nil,
        unchangedLevel: ScopeLevel = .run
    ) {
        self.url = url
        self.kind = kind
        self.labels = labels
        self.metrics = metrics
        self.tags = tags
        self.name = name
        self.pin = pin
        self.unchangedLabels = unchangedLabels
        self.unchangedLevel = unchangedLevel
    }
}

/// What became of one file of ``ArtifactFacade/ingestFiles(_:)``.
public enum FileIngestOutcome: Sendable, Hashable {
    /// Recorded; `isText` when its content is text (indexed), false for binary content.
    case saved(Artifact, isText: Bool)
    /// Not recorded: its ``FileIngest/unchangedLabels`` condition held.
    case unchanged
    /// Not recorded: the file itself could not be read (missing, unreadable, not a regular
    /// file); the other files of the batch are not affected.
    case failed(ArtifactError)
}

extension ArtifactFacade {
    /// The most files one ``ingestFiles(_:)`` takes: 10,000.
    public static let maximumIngestBatch = 10_000

    /// Saves files as one batch — group commit: every file's bytes are written, then made
    /// durable with one flush of the file system, then the records (with their vectors) of
    /// all of them commit in one SQLite transaction, and enter the search index together. Each
    /// file becomes what ``saveFile(at:kind:labels:metrics:tags:suggestedURI:name:pin:cleanup:)``
    /// (no cleanup) or, with ``FileIngest/unchangedLabels``, ``saveFileIfChanged(at:unchangedLabels:level:kind:labels:metrics:tags:suggestedURI:name:pin:cleanup:)``
    /// makes of it; when this returns, every saved file is as durable as a single save.
    /// A file that cannot be read is reported (``FileIngestOutcome/failed(_:)``) and the rest
    /// still go in; a kill before the transaction commits records none of the batch.
    ///
    /// Analysis and embedding run on all cores, outside the write transaction.
    /// - Returns: one outcome per file, in order.
    /// - Throws: ``ArtifactError/invalidArgument(_:)`` for a bad label or metric, or more than
    ///   ``maximumIngestBatch`` files (nothing stored); ``ArtifactError/accessDenied(path:reason:)``
    ///   from the access policy; store errors.
    public func ingestFiles(_ files: [FileIngest]) async throws -> [FileIngestOutcome] {
        guard files.count <= Self.maximumIngestBatch else {
            throw ArtifactError.invalidArgument("at most \(Self.maximumIngestBatch) files per batch, got \(files.count)")
        }
        guard !files.isEmpty else { return [] }
        var urls: [URL] = []
        var conditions: [MetadataFilter?] = []
        for file in files {
            try Self.checkSaveInputs(labels: file.labels, metrics: file.metrics)
            urls.append(try await authorizedLocalURL(file.url))
            conditions.append(
                try file.unchangedLabels.map { labels in
                    try structuredFilter(
                        level: file.unchangedLevel, includeGraph: false, includeNode: false, extraScopeLabels: [:],
                        kind: nil, tags: [], labels: labels.mapValues { Optional($0) }, timeWindow: nil)
                })
        }
        let limit = max(configuration.maxIndexedContentBytes, 64)
        // The prefix also tells text from binary, as `textPrefix(of:maxBytes:)` would.
        let prefixBytes = max(limit, 4096)
        let store = self.store
        return try await store.withWriteLease { () async throws -> [FileIngestOutcome] in
            let stored = try await store.storeFiles(at: urls, followSymlinks: true, prefixBytes: prefixBytes)
            var outcomes = [FileIngestOutcome](repeating: .unchanged, count: files.count)
            var pending: [(position: Int, artifact: Artifact, prefix: Data)] = []
            let now = clock()
            for (position, result) in stored.enumerated() {
                switch result {
                case .failure(let error):
                    outcomes[position] = .failed(error)
                case .success(let (content, prefix)):
                    let file = files[position]
                    let name = Self.safeName(file.name) ?? Self.safeName(urls[position].lastPathComponent)
                    let draft = Draft(
                        kind: file.kind, labels: file.labels, metrics: file.metrics, tags: file.tags, name: name,
                        pin: file.pin,
                        mime: MIMEType.resolve(
                            filenames: [name, urls[position].lastPathComponent], prefix: prefix.prefix(limit), fallback: nil),
                        sha256: content.sha256, bytes: content.size, uri: content.uri)
                    pending.append((position, makeArtifact(draft, at: now), prefix))
                }
            }
            let items = try await searchItems(for: pending.map { ($0.artifact, $0.prefix.prefix(limit)) })
            mirror.preparing(Array(zip(pending.map(\.artifact), items)))
            defer { mirror.settled(pending.map(\.artifact.artifactID)) }
            let inserted = try await index.insert(
                batch: pending.indices.map { index in
                    let position = pending[index].position
                    return ArtifactInsert(
                        artifact: pending[index].artifact, vector: storedVector(items[index]),
                        condition: conditions[position].map {
                            UnchangedCondition(key: UnchangedCondition.key(for: $0), sha256: pending[index].artifact.sha256 ?? "")
                        })
                })
            var recordedItems: [SearchItem] = []
            var sequences: [Int64] = []
            for (index, outcome) in inserted.enumerated() {
                let entry = pending[index]
                guard case .inserted(let sequence) = outcome else { continue }
                outcomes[entry.position] = .saved(entry.artifact, isText: TextDecoder.indexableText(entry.prefix) != nil)
                recordedItems.append(items[index])
                sequences.append(sequence)
            }
            try await mirror.recorded(batch: recordedItems, sequences: sequences)
            return outcomes
        }
    }

    /// Search documents of artifacts and their content prefixes: texts built in parallel
    /// slices (one per core), then embedded as one batch and analysed.
    private func searchItems(for entries: [(artifact: Artifact, prefix: Data)]) async throws -> [SearchItem] {
        let builder = documents
        let texts = try await ParallelSlices.map(entries) { entry in builder.text(for: entry.artifact, contentPrefix: entry.prefix) }
        return try await searchItems(for: zip(entries, texts).map { ($0.artifact, $1) })
    }
}
