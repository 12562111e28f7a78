import ArgumentParser
import ArtifactSearch
import Embedders
import HybridSearch

/// `--embedder` as every command reads it, and the embedder a store's commands use.
enum EmbedderOption {
    static let help = "\(EmbedderChoice.forms) (default hashed; where minilm looks and what openai sends: artifact-search help embed)"

    /// Help of `--embedder` on commands that open a store.
    static let storeHelp = ArgumentHelp(
        "\(EmbedderChoice.forms): the embedder of a new store (default hashed).",
        discussion: "Recorded in the store: every later command on it uses it without this flag. An existing store "
            + "opens only with its own (artifact-search reembed switches it).",
        valueName: "embedder")

    /// A usage error (exit 2) naming the accepted forms; a model folder is made absolute.
    static func parse(_ text: String) throws -> EmbedderChoice {
        do { return try EmbedderChoice(parsing: text).absolute } catch { throw ValidationError(String(describing: error)) }
    }

    /// The embedder, or a user error (exit 1) saying what is missing and how to install it
    /// (or why the server did not answer).
    /// - Parameter dimension: a served model's dimension when known (spares asking the server).
    static func load(_ choice: EmbedderChoice, dimension: Int? = nil) throws -> any Embedder {
        do { return try choice.makeEmbedder(dimension: dimension) } catch { throw CommandLineError("\(error)") }
    }

    /// The embedder to open a store in `state` with, and the choice to record:
    /// - `--embedder` given: that one (loaded now, unless it is the store's recorded choice);
    /// - else the store's recorded (or inferred) choice, made on first use only
    ///   (``HybridSearch/DeferredEmbedder``: listing a MiniLM store loads no model);
    /// - else, for a store bound to nothing yet, `hashed`.
    static func embedder(for state: EmbedderState, given: EmbedderChoice?) throws -> (embedder: any Embedder, choice: String?) {
        if let target = state.target { throw ArtifactError.reembedUnfinished(target: target) }
        if var given {
            given = given.keepingKeyVariable(of: state.bound?.choice.flatMap { try? EmbedderChoice(parsing: $0) })
            if let bound = state.bound, bound.choice == given.description { return (deferred(bound, choice: given), nil) }
            return (try load(given), given.description)
        }
        guard let bound = state.bound else {
            return (HashedNGramEmbedder(), EmbedderChoice.hashed(dimension: HashedNGramEmbedder.defaultDimension).description)
        }
        guard let choice = bound.choice.flatMap({ try? EmbedderChoice(parsing: $0) }) ?? EmbedderChoice(inferringFrom: bound.identifier)
        else {
            // Bound by a library caller's own embedder: everything but embedding works.
            let identifier = bound.identifier
            return (
                DeferredEmbedder(identifier: identifier, dimension: bound.dimension, defaultSemanticWeight: SearchConfiguration.defaultSemanticWeight) {
                    throw CommandLineError(
                        "this store's embedder \"\(identifier)\" has no command-line form: search it with the program that"
                            + " made it, or switch it with artifact-search reembed --embedder \(EmbedderChoice.forms)")
                }, nil
            )
        }
        return (deferred(bound, choice: choice), bound.choice == nil ? choice.description : nil)
    }

    private static func deferred(_ bound: EmbedderBinding, choice: EmbedderChoice) -> DeferredEmbedder {
        DeferredEmbedder(identifier: bound.identifier, dimension: bound.dimension, defaultSemanticWeight: choice.defaultSemanticWeight) {
            try load(choice, dimension: bound.dimension)
        }
    }
}

/// `--embedder` on the commands that may create a store (`ingest`, `mcp`, `serve`).
struct StoreEmbedderOptions: ParsableArguments {
    @Option(name: .customLong("embedder"), help: EmbedderOption.storeHelp, transform: EmbedderOption.parse)
    var given: EmbedderChoice?

    @OptionGroup
    var key: EmbedderKeyOption

    /// `--embedder` with `--embedder-key-env` applied.
    var choice: EmbedderChoice? { given?.keyed(by: key.variable) }
}

/// `--embedder-key-env NAME`, beside every `--embedder`.
struct EmbedderKeyOption: ParsableArguments {
    @Option(
        name: .customLong("embedder-key-env"),
        help: ArgumentHelp(
            "The environment variable holding an openai: embedder's API key (default OPENAI_API_KEY; recorded by name, never the key).",
            valueName: "name"))
    var variable: String?

    func validate() throws {
        if let variable, !EmbedderChoice.isVariableName(variable) {
            throw ValidationError("--embedder-key-env takes a variable name (letters, digits, _), got \"\(variable)\"")
        }
    }
}
