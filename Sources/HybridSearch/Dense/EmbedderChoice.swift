import Foundation

/// An embedder as a user names it (`--embedder`): `hashed` (the default ``HashedNGramEmbedder``),
/// `minilm` (all-MiniLM-L6-v2 from the default model folder) or `minilm:FOLDER` (a
/// sentence-transformer model folder, ``SentenceTransformerEmbedder``).
public enum EmbedderChoice: Sendable, Hashable, CustomStringConvertible {
    case hashed(dimension: Int)
    /// `nil`: ``defaultModelFolder(environment:)``.
    case minilm(folder: String?)

    /// The accepted forms, for messages.
    public static let forms = "hashed, minilm or minilm:FOLDER"
    /// The folder name of all-MiniLM-L6-v2 inside a models folder.
    public static let minilmFolderName = "all-MiniLM-L6-v2"

    /// `hashed` stands for the default dimension.
    /// - Throws: ``SearchError/invalidArgument(_:)`` naming the accepted forms.
    public init(parsing text: String) throws(SearchError) {
        if text == "hashed" {
            self = .hashed(dimension: HashedNGramEmbedder.defaultDimension)
        } else if text == "minilm" {
            self = .minilm(folder: nil)
        } else if text.hasPrefix("minilm:"), text.count > "minilm:".count {
            self = .minilm(folder: String(text.dropFirst("minilm:".count)))
        } else {
            throw .invalidArgument("unknown embedder \"\(text)\": use \(Self.forms)")
        }
    }

    public var description: String {
        switch self {
        case .hashed: return "hashed"
        case .minilm(nil): return "minilm"
        case .minilm(let folder?): return "minilm:\(folder)"
        }
    }

    /// The RRF weight of the semantic leg that suits this embedder (the lexical leg's is 1):
    /// 0.15 for the hashed leg; 0.2 for MiniLM, the weight with the best mean nDCG@10 over
    /// `Fixtures/agent-artifacts` and SciFact's odd-numbered queries among 0.15–2 (see
    /// Benchmarks/RESULTS.md, issue 11; reported on the even-numbered ones).
    public var defaultSemanticWeight: Double {
        switch self {
        case .hashed: return SearchConfiguration.defaultSemanticWeight
        case .minilm: return SentenceTransformerEmbedder.semanticWeight
        }
    }

    /// The choice that makes the embedder named `identifier`, for stores bound before
    /// bindings recorded their choice: the default hashed embedder, or all-MiniLM-L6-v2 from
    /// the default folder; `nil` for any other.
    public init?(inferringFrom identifier: String) {
        if identifier == HashedNGramEmbedder().identifier {
            self = .hashed(dimension: HashedNGramEmbedder.defaultDimension)
        } else if identifier.hasPrefix("sentence-transformer:\(Self.minilmFolderName):") {
            self = .minilm(folder: nil)
        } else {
            return nil
        }
    }

    /// `minilm:FOLDER` with the folder made absolute (against the current directory, `~`
    /// expanded), so a store records a choice that works from any directory.
    public var absolute: EmbedderChoice {
        guard case .minilm(let folder?) = self else { return self }
        return .minilm(folder: URL(fileURLWithPath: (folder as NSString).expandingTildeInPath).standardizedFileURL.path)
    }

    /// Where `minilm` alone looks: `$ARTIFACT_SEARCH_MODELS/all-MiniLM-L6-v2`, else
    /// `${XDG_CACHE_HOME:-$HOME/.cache}/artifact-search/models/all-MiniLM-L6-v2` — where
    /// `scripts/fetch-model minilm` installs it.
    public static func defaultModelFolder(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        let models: URL
        if let folder = environment["ARTIFACT_SEARCH_MODELS"], !folder.isEmpty {
            models = URL(fileURLWithPath: folder)
        } else {
            let cache = environment["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
                ?? ((environment["HOME"] ?? NSHomeDirectory()) + "/.cache")
            models = URL(fileURLWithPath: cache).appendingPathComponent("artifact-search/models")
        }
        return models.appendingPathComponent(minilmFolderName)
    }

    /// The embedder (a model is loaded from disk: ≈ 90 MB for MiniLM).
    /// - Throws: ``SentenceModelError`` when the model folder is missing or unusable.
    public func makeEmbedder(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> any Embedder {
        switch self {
        case .hashed(let dimension):
            return HashedNGramEmbedder(dimension: dimension)
        case .minilm(let folder):
            let url = folder.map { URL(fileURLWithPath: $0) } ?? Self.defaultModelFolder(environment: environment)
            return try SentenceTransformerEmbedder(folder: url, name: folder == nil ? Self.minilmFolderName : nil)
        }
    }
}
