import ArgumentParser
import ArtifactSearch
import Embedders
import Foundation
import HybridSearch

/// `--store DIR`: where the embedded store lives, and how a command opens it.
struct StoreOptions: ParsableArguments {
    static let environmentVariable = "ARTIFACT_SEARCH_STORE"
    static let defaultPath = ".artifact-search"

    @Option(
        name: .customLong("store"),
        help: ArgumentHelp(
            "Store folder (default: $ARTIFACT_SEARCH_STORE, else ./.artifact-search).", valueName: "dir"))
    var path: String?

    /// The store folder: `--store`, else the environment variable, else `./.artifact-search`.
    var url: URL {
        let environment = ProcessInfo.processInfo.environment[Self.environmentVariable]
        let chosen = path ?? environment.flatMap { $0.isEmpty ? nil : $0 } ?? Self.defaultPath
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
        if !creating, !FileManager.default.fileExists(atPath: folder.appendingPathComponent("index.sqlite").path) {
            throw CommandLineError(
                "no store at \(folder.path): ingest something first (artifact-search ingest PATH),"
                    + " or point --store / \(Self.environmentVariable) at an existing store")
        }
        var configuration = ArtifactFacade.Configuration(preloadsSearchBackend: false, access: access)
        if let maxIndexedBytes { configuration.maxIndexedContentBytes = maxIndexedBytes }
        return try await ArtifactFacade.open(at: folder, scope: scope, configuration: configuration) { state in
            try EmbedderOption.embedder(for: state, given: embedder)
        }
    }
}
