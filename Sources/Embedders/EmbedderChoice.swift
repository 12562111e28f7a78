import Foundation
import HybridSearch

/// An embedder as a user names it (`--embedder`):
///
/// | form | embedder |
/// |---|---|
/// | `hashed` | the default ``HybridSearch/HashedNGramEmbedder`` |
/// | `minilm` | all-MiniLM-L6-v2 from ``defaultModelFolder(environment:)`` (``HybridSearch/SentenceTransformerEmbedder``) |
/// | `minilm:FOLDER` | a sentence-transformer model folder |
/// | `openai:URL#MODEL[#KEY_VARIABLE]` | ``OpenAICompatibleEmbedder`` at `URL` for `MODEL`, its key in the environment variable `KEY_VARIABLE` (named: must be set), else in `OPENAI_API_KEY` (unset: no key) |
public enum EmbedderChoice: Sendable, Hashable, CustomStringConvertible {
    case hashed(dimension: Int)
    /// `nil`: ``defaultModelFolder(environment:)``.
    case minilm(folder: String?)
    /// `keyVariable` `nil`: not named (``defaultKeyVariable``; a store's recorded one is kept).
    case openAI(baseURL: String, model: String, keyVariable: String?)

    /// The accepted forms, for messages.
    public static let forms = "hashed, minilm, minilm:FOLDER or openai:URL#MODEL"
    /// The folder name of all-MiniLM-L6-v2 inside a models folder.
    public static let minilmFolderName = "all-MiniLM-L6-v2"
    /// Where `openai:` looks for its key unless told otherwise.
    public static let defaultKeyVariable = "OPENAI_API_KEY"

    /// `hashed` stands for the default dimension.
    /// - Throws: ``HybridSearch/SearchError/invalidArgument(_:)`` naming the accepted forms.
    public init(parsing text: String) throws(SearchError) {
        if text == "hashed" {
            self = .hashed(dimension: HashedNGramEmbedder.defaultDimension)
        } else if text == "minilm" {
            self = .minilm(folder: nil)
        } else if text.hasPrefix("minilm:"), text.count > "minilm:".count {
            self = .minilm(folder: String(text.dropFirst("minilm:".count)))
        } else if text.hasPrefix("openai:") {
            let parts = text.dropFirst("openai:".count).split(separator: "#", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 2 || parts.count == 3, let url = URL(string: parts[0]),
                let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https", url.host != nil,
                !parts[1].isEmpty, parts.count == 2 || Self.isVariableName(parts[2])
            else {
                throw .invalidArgument(
                    "\"\(text)\" is not openai:URL#MODEL (an http:// or https:// address, then # and the model's name,"
                        + " e.g. openai:http://127.0.0.1:8000#text-embedding-3-small)")
            }
            self = .openAI(baseURL: parts[0], model: parts[1], keyVariable: parts.count == 3 ? parts[2] : nil)
        } else {
            throw .invalidArgument("unknown embedder \"\(text)\": use \(Self.forms)")
        }
    }

    /// Letters, digits and `_`, not starting with a digit.
    public static func isVariableName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy { $0.isASCII && ($0 == "_" || $0.properties.isAlphabetic || ("0"..."9").contains($0)) }
    }

    /// The form ``init(parsing:)`` reads back (what a store records).
    public var description: String {
        switch self {
        case .hashed: return "hashed"
        case .minilm(nil): return "minilm"
        case .minilm(let folder?): return "minilm:\(folder)"
        case .openAI(let url, let model, let variable):
            return "openai:\(url)#\(model)" + (variable.map { "#\($0)" } ?? "")
        }
    }

    /// This choice with its key in `variable` (`--embedder-key-env`); other forms unchanged.
    public func keyed(by variable: String?) -> EmbedderChoice {
        guard let variable, case .openAI(let url, let model, _) = self else { return self }
        return .openAI(baseURL: url, model: model, keyVariable: variable)
    }

    /// An `openai:` choice that names no key variable takes `recorded`'s (a store's), so
    /// naming the server again does not drop the variable its key is in.
    public func keepingKeyVariable(of recorded: EmbedderChoice?) -> EmbedderChoice {
        guard case .openAI(let url, let model, nil) = self, case .openAI(_, _, let variable?)? = recorded else { return self }
        return .openAI(baseURL: url, model: model, keyVariable: variable)
    }

    /// The RRF weight of the semantic leg that suits this embedder (the lexical leg's is 1):
    /// 0.15 for the hashed leg; 0.2 for MiniLM, the weight with the best mean nDCG@10 over
    /// `Fixtures/agent-artifacts` and SciFact's odd-numbered queries among 0.15–2 (see
    /// Benchmarks/RESULTS.md, issue 11; reported on the even-numbered ones); MiniLM's for a
    /// served model, until measured.
    public var defaultSemanticWeight: Double {
        switch self {
        case .hashed: return SearchConfiguration.defaultSemanticWeight
        case .minilm, .openAI: return SentenceTransformerEmbedder.semanticWeight
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

    /// The embedder (a model is loaded from disk: ≈ 90 MB for MiniLM; a server is asked for
    /// its dimension unless `dimension` is given).
    /// - Parameter dimension: a served model's dimension when known (a store's binding).
    /// - Throws: ``HybridSearch/SentenceModelError`` when the model folder is missing or unusable;
    ///   ``EmbeddingServiceError`` when the server cannot be asked.
    public func makeEmbedder(
        environment: [String: String] = ProcessInfo.processInfo.environment, dimension: Int? = nil
    ) throws -> any Embedder {
        switch self {
        case .hashed(let dimension):
            return HashedNGramEmbedder(dimension: dimension)
        case .minilm(let folder):
            let url = folder.map { URL(fileURLWithPath: $0) } ?? Self.defaultModelFolder(environment: environment)
            return try SentenceTransformerEmbedder(folder: url, name: folder == nil ? Self.minilmFolderName : nil)
        case .openAI(let baseURL, let model, let named):
            let variable = named ?? Self.defaultKeyVariable
            let key = environment[variable].flatMap { $0.isEmpty ? nil : $0 }
            if key == nil, let named { throw EmbeddingServiceError.missingKey(variable: named) }
            let configuration = OpenAICompatibleEmbedder.Configuration(baseURL: URL(string: baseURL)!, model: model, apiKey: key)
            return try OpenAICompatibleEmbedder(configuration, dimension: dimension)
        }
    }
}
