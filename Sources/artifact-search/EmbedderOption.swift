import ArgumentParser
import HybridSearch

/// `--embedder` as every command reads it.
enum EmbedderOption {
    static let help = "\(EmbedderChoice.forms) (default hashed; see `embed --help` for where minilm looks)"

    /// A usage error (exit 2) naming the accepted forms.
    static func parse(_ text: String) throws -> EmbedderChoice {
        do { return try EmbedderChoice(parsing: text) } catch { throw ValidationError(String(describing: error)) }
    }

    /// The embedder, or a user error (exit 1) saying what is missing and how to install it.
    static func load(_ choice: EmbedderChoice) throws -> any Embedder {
        do { return try choice.makeEmbedder() } catch { throw CommandLineError("\(error)") }
    }
}
