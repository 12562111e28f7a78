import Foundation
import HybridSearch

extension ArtifactFacade {
    // MARK: Save

    /// Saves a copy of the file at `url` as a new artifact (`save_file`).
    ///
    /// The bytes are hashed while copied into the store (stored once per SHA-256), the record
    /// and its vector are committed in one transaction, and only then — if `cleanup`
    /// is true — is the caller's file removed (best effort: a removal failure is ignored, the
    /// artifact stays recorded).
    /// - Parameters:
    ///   - name: becomes the `filename` label (path components are dropped: `../x` → `x`);
    ///     default: the last component of `suggestedURI`, else of `url`.
    ///   - suggestedURI: where the caller would like the artifact to live; kept as the
    ///     `suggested_uri` label.
    ///   - pin: record the artifact as pinned.
    /// - Returns: the recorded artifact, `createdAt` at millisecond precision.
    /// - Throws: ``ArtifactError/io(path:reason:)`` if the file cannot be read,
    ///   ``ArtifactError/wrongContentType(path:expected:)`` for a folder (use
    ///   ``ingestDirectory(at:kind:tags:labels:metrics:suggestedURI:name:pin:cleanup:)``),
    ///   ``ArtifactError/invalidArgument(_:)`` for a non-finite metric.
    @discardableResult
    public func saveFile(
        at url: URL, kind: String = "file", labels: [String: JSONValue] = [:],
        metrics: [String: Double] = [:], tags: [String] = [], suggestedURI: String? = nil,
        name: String? = nil, pin: Bool = false, cleanup: Bool = true
    ) async throws -> Artifact {
        try Self.checkSaveInputs(labels: labels, metrics: metrics)
        let url = try await authorizedLocalURL(url)
        let artifact = try await store.withWriteLease {
            let content = try await withConfinedFile(url) { try await store.storeFile(at: $0, followSymlinks: true) }
            return try await recordContent(
                content, kind: kind, labels: labels, metrics: metrics, tags: tags, suggestedURI: suggestedURI,
                name: Self.safeName(name) ?? Self.safeName(suggestedURI) ?? Self.safeName(url.lastPathComponent),
                pin: pin, mimeFallback: nil, sourceFileName: url.lastPathComponent)
        }
        if cleanup { try? FileManager.default.removeItem(at: url) }
        return artifact
    }

    /// ``saveFile(at:kind:labels:metrics:tags:suggestedURI:name:pin:cleanup:)`` unless the newest
    /// artifact saved under the same condition — by this call or `ingestFiles`, at `level` of
    /// this scope, with labels equal to `unchangedLabels` (e.g. the file's `source_path`) — has
    /// the same bytes. The comparison and the record happen in one
    /// transaction, so concurrent savers — tasks or processes — record a file once.
    /// - Returns: the new artifact, or `nil` when the bytes were unchanged (nothing recorded;
    ///   the caller's file is kept).
    public func saveFileIfChanged(
        at url: URL, unchangedLabels: [String: JSONValue], level: ScopeLevel = .run, kind: String = "file",
        labels: [String: JSONValue] = [:], metrics: [String: Double] = [:], tags: [String] = [],
        suggestedURI: String? = nil, name: String? = nil, pin: Bool = false, cleanup: Bool = false
    ) async throws -> Artifact? {
        try Self.checkSaveInputs(labels: labels, metrics: metrics)
        let url = try await authorizedLocalURL(url)
        let filter = try structuredFilter(
            level: level, includeGraph: false, includeNode: false, extraScopeLabels: [:], kind: nil, tags: [],
            labels: unchangedLabels.mapValues { Optional($0) }, timeWindow: nil)
        let artifact = try await store.withWriteLease { () async throws -> Artifact? in
            let content = try await withConfinedFile(url) { try await store.storeFile(at: $0, followSymlinks: true) }
            return try await recordContent(
                content, kind: kind, labels: labels, metrics: metrics, tags: tags, suggestedURI: suggestedURI,
                name: Self.safeName(name) ?? Self.safeName(suggestedURI) ?? Self.safeName(url.lastPathComponent),
                pin: pin, mimeFallback: nil, sourceFileName: url.lastPathComponent, knownPrefix: nil,
                unless: UnchangedCondition(key: UnchangedCondition.key(for: filter), sha256: content.sha256))
        }
        if artifact != nil, cleanup { try? FileManager.default.removeItem(at: url) }
        return artifact
    }

    /// Saves text as a new artifact (`save_text`), UTF-8 encoded. MIME: from the name's
    /// extension, else `text/plain`.
    /// - Throws: ``ArtifactError/io(path:reason:)``, ``ArtifactError/invalidArgument(_:)``.
    @discardableResult
    public func saveText(
        _ text: String, kind: String = "text", labels: [String: JSONValue] = [:],
        metrics: [String: Double] = [:], tags: [String] = [], suggestedURI: String? = nil,
        name: String? = nil, pin: Bool = false
    ) async throws -> Artifact {
        try await saveData(
            Data(text.utf8), kind: kind, labels: labels, metrics: metrics, tags: tags,
            suggestedURI: suggestedURI, name: name, pin: pin, mimeFallback: MIMEType.plainText)
    }

    /// Saves a JSON value as a new artifact (`save_json`): compact JSON with sorted keys.
    /// MIME: from the name's extension, else `application/json`. What is saved loads again
    /// with ``loadJSON(id:)``.
    /// - Throws: ``ArtifactError/tooDeeplyNested(what:limit:)`` when the value nests deeper than
    ///   ``HybridSearch/JSONValue/maximumNestingDepth`` (512) arrays/objects,
    ///   ``ArtifactError/invalidArgument(_:)`` when a number is NaN or infinite (JSON cannot hold
    ///   it) — both checked before anything is stored — and the errors of
    ///   ``saveText(_:kind:labels:metrics:tags:suggestedURI:name:pin:)``.
    @discardableResult
    public func saveJSON(
        _ value: JSONValue, kind: String = "json", labels: [String: JSONValue] = [:],
        metrics: [String: Double] = [:], tags: [String] = [], suggestedURI: String? = nil,
        name: String? = nil, pin: Bool = false
    ) async throws -> Artifact {
        // Depth first: every other check below recurses.
        if value.nestsDeeper() { throw ArtifactError.tooDeeplyNested(what: "the JSON value", limit: JSONValue.maximumNestingDepth) }
        guard value.isFinite else {
            throw ArtifactError.invalidArgument(
                "the JSON value holds NaN or infinity, which JSON cannot represent: use finite numbers (or strings)")
        }
        return try await saveData(
            Data(value.canonicalJSON.utf8), kind: kind, labels: labels, metrics: metrics, tags: tags,
            suggestedURI: suggestedURI, name: name, pin: pin, mimeFallback: MIMEType.json)
    }

    /// Saves any `Encodable` value as JSON (`JSONEncoder`, sorted keys). A ``HybridSearch/JSONValue``
    /// goes through ``saveJSON(_:kind:labels:metrics:tags:suggestedURI:name:pin:)``.
    /// - Throws: `EncodingError` when the value cannot be encoded;
    ///   ``ArtifactError/tooDeeplyNested(what:limit:)`` when the encoded JSON nests deeper than
    ///   512 levels (checked on the bytes before anything is stored); and the errors of
    ///   ``saveText(_:kind:labels:metrics:tags:suggestedURI:name:pin:)``.
    @discardableResult
    public func saveJSON<Value: Encodable & Sendable>(
        _ value: Value, kind: String = "json", labels: [String: JSONValue] = [:],
        metrics: [String: Double] = [:], tags: [String] = [], suggestedURI: String? = nil,
        name: String? = nil, pin: Bool = false
    ) async throws -> Artifact {
        if let json = value as? JSONValue {
            return try await saveJSON(
                json, kind: kind, labels: labels, metrics: metrics, tags: tags, suggestedURI: suggestedURI,
                name: name, pin: pin)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(value)
        if JSONTextCheck.firstProblem(in: data) != nil {  // JSONEncoder output can only nest too deep
            throw ArtifactError.tooDeeplyNested(what: "the encoded JSON", limit: JSONValue.maximumNestingDepth)
        }
        return try await saveData(
            data, kind: kind, labels: labels, metrics: metrics, tags: tags,
            suggestedURI: suggestedURI, name: name, pin: pin, mimeFallback: MIMEType.json)
    }

    /// Saves bytes as a new artifact. MIME: from the name's extension, else sniffed (magic
    /// numbers, then UTF-8 text → `text/plain`), else `application/octet-stream`.
    @discardableResult
    public func saveData(
        _ data: Data, kind: String = "file", labels: [String: JSONValue] = [:],
        metrics: [String: Double] = [:], tags: [String] = [], suggestedURI: String? = nil,
        name: String? = nil, pin: Bool = false
    ) async throws -> Artifact {
        try await saveData(
            data, kind: kind, labels: labels, metrics: metrics, tags: tags, suggestedURI: suggestedURI,
            name: name, pin: pin, mimeFallback: nil)
    }

    private func saveData(
        _ data: Data, kind: String, labels: [String: JSONValue], metrics: [String: Double],
        tags: [String], suggestedURI: String?, name: String?, pin: Bool, mimeFallback: String?
    ) async throws -> Artifact {
        try Self.checkSaveInputs(labels: labels, metrics: metrics)
        return try await store.withWriteLease {
            let content = try await store.storeData(data)
            return try await recordContent(
                content, kind: kind, labels: labels, metrics: metrics, tags: tags, suggestedURI: suggestedURI,
                name: Self.safeName(name) ?? Self.safeName(suggestedURI), pin: pin, mimeFallback: mimeFallback,
                knownPrefix: data)
        }
    }

    /// Records stored content: MIME type, indexed text, record with its vector, search document.
    ///
    /// MIME: the extension of `name`, else of `suggestedURI`, else of `sourceFileName` (the
    /// saved file), else `mimeFallback`, else sniffed, else `application/octet-stream`.
    func recordContent(
        _ content: StoredContent, kind: String?, labels: [String: JSONValue], metrics: [String: Double],
        tags: [String], suggestedURI: String?, name: String?, pin: Bool, mimeFallback: String?,
        sourceFileName: String? = nil, knownPrefix: Data? = nil
    ) async throws -> Artifact {
        guard
            let artifact = try await recordContent(
                content, kind: kind, labels: labels, metrics: metrics, tags: tags, suggestedURI: suggestedURI,
                name: name, pin: pin, mimeFallback: mimeFallback, sourceFileName: sourceFileName,
                knownPrefix: knownPrefix, unless: nil)
        else { preconditionFailure("an unconditional insert always records") }
        return artifact
    }

    func recordContent(
        _ content: StoredContent, kind: String?, labels: [String: JSONValue], metrics: [String: Double],
        tags: [String], suggestedURI: String?, name: String?, pin: Bool, mimeFallback: String?,
        sourceFileName: String?, knownPrefix: Data?, unless condition: UnchangedCondition?
    ) async throws -> Artifact? {
        let limit = max(configuration.maxIndexedContentBytes, 64)
        let prefix: Data
        if let knownPrefix {
            prefix = knownPrefix.prefix(limit)
        } else {
            prefix = try await store.readContent(sha256: content.sha256, maxBytes: limit)
        }
        var labels = labels
        if let suggestedURI, labels["suggested_uri"] == nil { labels["suggested_uri"] = .string(suggestedURI) }
        let draft = Draft(
            kind: kind, labels: labels, metrics: metrics, tags: tags, name: name, pin: pin,
            mime: MIMEType.resolve(
                filenames: [name, Self.safeName(suggestedURI), sourceFileName], prefix: prefix, fallback: mimeFallback),
            sha256: content.sha256, bytes: content.size, uri: content.uri)
        let builder = documents
        return try await record(draft, unless: condition) { artifact in
            builder.text(for: artifact, contentPrefix: prefix)
        }
    }

    // MARK: Writer

    /// Streams a new artifact (`writer`): `body` writes through an ``ArtifactWriter`` into a
    /// staged file (it may also add labels, metrics, tags and a name). When `body` returns
    /// normally the file is saved (as by ``saveFile(at:kind:labels:metrics:tags:suggestedURI:name:pin:cleanup:)``
    /// with cleanup) and the artifact returned; if `body` throws, nothing is recorded, the
    /// staged file is removed and the error is rethrown.
    /// - Parameter plannedExtension: extension of the staged file (e.g. `"csv"`), which also
    ///   sets the MIME type.
    @discardableResult
    public func writer(
        kind: String = "file", plannedExtension: String = "", pin: Bool = false,
        labels: [String: JSONValue] = [:], metrics: [String: Double] = [:], tags: [String] = [],
        name: String? = nil, isolation: isolated (any Actor)? = #isolation,
        body: (ArtifactWriter) async throws -> Void
    ) async throws -> Artifact {
        let writer = ArtifactWriter(url: try store.makeStagingFile(pathExtension: plannedExtension))
        do {
            try await body(writer)
            let extras = try writer.finish()
            try Self.checkSaveInputs(
                labels: labels.merging(extras.labels) { _, new in new },
                metrics: metrics.merging(extras.metrics) { _, new in new })
            let artifact = try await store.withWriteLease {
                let content = try await store.storeFile(at: writer.url, followSymlinks: false)
                return try await recordContent(
                    content, kind: kind, labels: labels.merging(extras.labels) { _, new in new },
                    metrics: metrics.merging(extras.metrics) { _, new in new }, tags: tags + extras.tags,
                    suggestedURI: nil,
                    name: Self.safeName(extras.name) ?? Self.safeName(name) ?? writer.url.lastPathComponent,
                    pin: pin, mimeFallback: nil, sourceFileName: writer.url.lastPathComponent)
            }
            writer.discard()
            return artifact
        } catch {
            writer.discard()
            throw error
        }
    }

    // MARK: Stage and ingest

    /// A fresh path in the store's staging folder with the given extension (`stage_path`);
    /// the file is not created. Hand it to a tool, then call
    /// ``ingestFile(at:kind:tags:labels:metrics:suggestedURI:name:pin:cleanup:)``.
    /// - Throws: ``ArtifactError/pathEscapesDirectory(path:)`` for an extension with `/` or `..`.
    public func stagePath(extension pathExtension: String = "") throws -> URL {
        try store.makeStagingFile(pathExtension: pathExtension)
    }

    /// A fresh, empty folder in the store's staging folder (`stage_dir`), to fill and then
    /// ingest with ``ingestDirectory(at:kind:tags:labels:metrics:suggestedURI:name:pin:cleanup:)``.
    public func stageDirectory(suffix: String = "") throws -> URL {
        try store.makeStagingDirectory(suffix: suffix)
    }

    /// Records a (usually staged) file as a new artifact (`ingest_file`).
    /// - Parameter cleanup: remove the file after recording; `nil` (default) removes it only
    ///   when it lies inside this store's staging folder, so a caller's own files are kept
    ///   unless asked.
    /// - Throws: as ``saveFile(at:kind:labels:metrics:tags:suggestedURI:name:pin:cleanup:)``.
    @discardableResult
    public func ingestFile(
        at url: URL, kind: String = "file", tags: [String] = [], labels: [String: JSONValue] = [:],
        metrics: [String: Double] = [:], suggestedURI: String? = nil, name: String? = nil,
        pin: Bool = false, cleanup: Bool? = nil
    ) async throws -> Artifact {
        try await saveFile(
            at: url, kind: kind, labels: labels, metrics: metrics, tags: tags, suggestedURI: suggestedURI,
            name: name, pin: pin, cleanup: cleanup ?? isStaged(url))
    }

    /// Records a folder as one directory artifact (`ingest_dir`): every regular file below it
    /// is stored (symbolic links are skipped, never followed; a path that would leave the
    /// folder is rejected), and a manifest (sorted relative path, sha256, size) is recorded.
    /// The artifact's `sha256` is the manifest's hash, `bytes` the total size, `mime`
    /// `inode/directory`. Indexed text: the relative paths and the text files' content.
    /// - Parameter cleanup: remove the folder after recording; `nil` (default) removes it only
    ///   when it lies inside this store's staging folder.
    /// - Throws: ``ArtifactError/wrongContentType(path:expected:)`` if `url` is not a folder,
    ///   ``ArtifactError/pathEscapesDirectory(path:)``, ``ArtifactError/io(path:reason:)``.
    @discardableResult
    public func ingestDirectory(
        at url: URL, kind: String = "dir", tags: [String] = [], labels: [String: JSONValue] = [:],
        metrics: [String: Double] = [:], suggestedURI: String? = nil, name: String? = nil,
        pin: Bool = false, cleanup: Bool? = nil
    ) async throws -> Artifact {
        try Self.checkSaveInputs(labels: labels, metrics: metrics)
        let url = isStaged(url) ? url : try await authorizedLocalURL(url)
        var labels = labels
        if let suggestedURI, labels["suggested_uri"] == nil { labels["suggested_uri"] = .string(suggestedURI) }
        let builder = documents
        let store = self.store
        let artifact = try await store.withWriteLease {
            let stored = try await store.storeDirectory(at: url)
            let draft = Draft(
                kind: kind, labels: labels, metrics: metrics, tags: tags,
                name: Self.safeName(name) ?? Self.safeName(suggestedURI) ?? Self.safeName(url.lastPathComponent),
                pin: pin, mime: DirectoryManifest.mimeType, sha256: stored.manifestContent.sha256,
                bytes: stored.manifest.totalSize, uri: stored.manifestContent.uri)
            return try await record(draft) { artifact in
                try await builder.text(for: artifact, manifest: stored.manifest) { entry, count in
                    try await store.readContent(sha256: entry.sha256, maxBytes: count)
                }
            }
        }
        if cleanup ?? isStaged(url) { try? FileManager.default.removeItem(at: url) }
        return artifact
    }

    /// Whether `url` lies inside the store's staging folder.
    func isStaged(_ url: URL) -> Bool {
        let staging = store.stagingURL.standardizedFileURL.path + "/"
        return url.standardizedFileURL.path.hasPrefix(staging)
    }

    // MARK: Pin

    /// Pins (or unpins) an artifact (`pin`). Pinning belongs to one artifact: later saves of
    /// the same bytes never change it.
    /// - Returns: the updated artifact.
    /// - Throws: ``ArtifactError/notFound(id:)`` (also for another organisation's artifact).
    @discardableResult
    public func pin(_ id: String, pinned: Bool = true) async throws -> Artifact {
        _ = try await requireArtifact(id: id)
        guard let updated = try await index.setPinned(pinned, id: id) else { throw ArtifactError.notFound(id: id) }
        return updated
    }
}
