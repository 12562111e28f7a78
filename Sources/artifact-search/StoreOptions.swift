import ArgumentParser
import ArtifactSearch
import ArtifactSearchPostgres
import ArtifactSearchS3
import Embedders
import Foundation
import HybridSearch

/// `--store DIR`: where the embedded store lives, and how a command opens it; with
/// `--database` and `--blobs`, a shared store (issue 12), the folder being this machine's node:
/// its search index and its cache of the bucket.
struct StoreOptions: ParsableArguments {
    static let environmentVariable = "ARTIFACT_SEARCH_STORE"
    static let databaseVariable = "ARTIFACT_SEARCH_DATABASE"
    static let blobsVariable = "ARTIFACT_SEARCH_BLOBS"
    static let defaultPath = ".artifact-search"

    @Option(
        name: .customLong("store"),
        help: ArgumentHelp(
            "Store folder (default: $ARTIFACT_SEARCH_STORE, else ./.artifact-search); with --database, this node's search index and cache.",
            valueName: "dir"))
    var path: String?

    @Option(
        name: .customLong("database"),
        help: ArgumentHelp(
            "A shared store's records in PostgreSQL: postgres://USER@HOST:PORT/DB[?sslmode=…&schema=…] (password from the URL"
                + " or PGPASSWORD; default: $ARTIFACT_SEARCH_DATABASE). Needs --blobs.",
            valueName: "url"))
    var database: String?

    @Option(
        name: .customLong("blobs"),
        help: ArgumentHelp(
            "Keep the bytes in an S3-compatible bucket: s3://BUCKET[/PREFIX]?endpoint=http://HOST:PORT&region=R (credentials"
                + " from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY; default: $ARTIFACT_SEARCH_BLOBS).",
            valueName: "url"))
    var blobs: String?

    @Option(
        name: .customLong("cache-limit"),
        help: ArgumentHelp(
            "With --blobs: bytes of the bucket this node keeps in its folder; least recently used blobs are evicted past it"
                + " (K, M, G, T; none: no limit; default: $ARTIFACT_SEARCH_CACHE_LIMIT, else 10G).",
            valueName: "size"),
        transform: ByteCount.parseCacheLimit)
    var cacheLimitOption: CacheLimit?

    static let cacheLimitVariable = "ARTIFACT_SEARCH_CACHE_LIMIT"

    /// `--cache-limit`, else `$ARTIFACT_SEARCH_CACHE_LIMIT`, else 10 GiB (`nil`: no limit).
    func cacheLimit() throws -> Int? {
        if let cacheLimitOption { return cacheLimitOption.bytes }
        // An embedded store has no cache: the variable is not even read.
        guard blobsURL != nil else { return ObjectStoreArtifactStore.defaultCacheLimit }
        guard let text = Self.fromEnvironment(Self.cacheLimitVariable) else { return ObjectStoreArtifactStore.defaultCacheLimit }
        do {
            return try ByteCount.parseCacheLimit(text).bytes
        } catch {
            throw CommandLineError("$\(Self.cacheLimitVariable): \(error)")
        }
    }

    private static func fromEnvironment(_ name: String) -> String? {
        ProcessInfo.processInfo.environment[name].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// `--database`, else `$ARTIFACT_SEARCH_DATABASE`.
    var databaseURL: String? { database ?? Self.fromEnvironment(Self.databaseVariable) }
    /// `--blobs`, else `$ARTIFACT_SEARCH_BLOBS`.
    var blobsURL: String? { blobs ?? Self.fromEnvironment(Self.blobsVariable) }
    /// Whether the records are shared (`--database`).
    var isShared: Bool { databaseURL != nil }

    /// The bucket of a `--blobs` URL, with the credentials of the environment.
    static func objectStorage(_ text: String?, option: String = "--blobs") throws -> (any ObjectStorage)? {
        guard let text else { return nil }
        do {
            return try S3ObjectClient(location: S3Location(parsing: text))
        } catch {
            throw CommandLineError("\(option): \(error)")
        }
    }

    /// The records of a `--database` URL (connected, schema checked); `nil` for the embedded store.
    /// - Parameter options: the two options' names, for the message (`copy`'s are `--to-…`).
    static func records(
        _ text: String?, blobs: String?, options: (database: String, blobs: String) = ("--database", "--blobs")
    ) async throws -> (any ArtifactIndex)? {
        guard let text else { return nil }
        guard blobs != nil else {
            throw CommandLineError(
                "\(options.database) needs \(options.blobs): a shared store keeps its bytes where"
                    + " every node reaches them (s3://BUCKET?endpoint=…), not in one machine's folder")
        }
        return try await PostgresArtifactIndex.connect(to: try PostgresLocation(parsing: text))
    }

    /// The store folder: `--store`, else the environment variable, else `./.artifact-search`.
    var url: URL {
        let chosen = path ?? Self.fromEnvironment(Self.environmentVariable) ?? Self.defaultPath
        return URL(fileURLWithPath: (chosen as NSString).expandingTildeInPath).standardizedFileURL
    }

    /// Opens the store once for this process. The search backend is filled lazily, on the
    /// first query-mode search, so commands that never rank stay fast on large stores.
    /// - Parameter creating: create the folder when missing (`ingest`); otherwise a missing
    ///   store is a user error that says how to make one.
    /// - Parameter maxIndexedBytes: bytes of each new artifact's text to index (`ingest
    ///   --max-indexed-bytes`); `nil` = the default, 256 KiB.
    /// - Parameter access: what host paths the facade may read (``ArtifactSearch/AccessPolicy``).
    /// - Parameter embedder: `--embedder`, for commands that may create a store; `nil`: the
    ///   store's own (``EmbedderOption/embedder(for:given:)``).
    func openFacade(
        scope: Scope = Scope(), creating: Bool = false, maxIndexedBytes: Int? = nil, access: AccessPolicy = .trustedLocal,
        embedder: EmbedderChoice? = nil
    ) async throws -> ArtifactFacade {
        let folder = url
        if !creating, !isShared, !FileManager.default.fileExists(atPath: folder.appendingPathComponent("index.sqlite").path) {
            throw CommandLineError(
                "no store at \(folder.path): ingest something first (artifact-search ingest PATH),"
                    + " or point --store / \(Self.environmentVariable) at an existing store")
        }
        var configuration = ArtifactFacade.Configuration(preloadsSearchBackend: false, access: access, cacheLimit: try cacheLimit())
        if let maxIndexedBytes { configuration.maxIndexedContentBytes = maxIndexedBytes }
        let objects = try Self.objectStorage(blobsURL)
        let records = try await Self.records(databaseURL, blobs: blobsURL)
        return try await ArtifactFacade.open(
            at: folder, scope: scope, configuration: configuration, blobs: objects, records: records
        ) { state in
            try EmbedderOption.embedder(for: state, given: embedder)
        }
    }
}
