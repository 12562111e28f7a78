import ArgumentParser
import Embedders
import Foundation
import HybridSearch

struct EmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Print the vector an embedder gives each text.",
        discussion: """
            One line per text, in order: the vector's floats separated by spaces (shortest \
            round-trip decimal form). --json prints one JSON array of float arrays instead. \
            How to check an embedder, or compare it with another implementation (e.g. \
            sentence-transformers' encode with normalize_embeddings=True for minilm).

            A text with no word the embedder uses (e.g. "the" for hashed) gives the zero vector.

            --embedder: hashed (the default hashed n-gram embedder), minilm (all-MiniLM-L6-v2 \
            from $ARTIFACT_SEARCH_MODELS/all-MiniLM-L6-v2, else \
            ${XDG_CACHE_HOME:-~/.cache}/artifact-search/models/all-MiniLM-L6-v2; scripts/fetch-model \
            minilm installs it there), minilm:FOLDER (a sentence-transformer model folder), or \
            openai:URL#MODEL[#VARIABLE] (an OpenAI-compatible server: POST URL/v1/embeddings for \
            MODEL, with the key in the environment variable VARIABLE or --embedder-key-env, which \
            must then be set, else in $OPENAI_API_KEY, none if that is unset; its dimension is \
            asked of the server; batches of 256 texts, each cut to 16 KiB; a request unanswered \
            after 60 s, or answered 429, 500, 502, 503 or 504, is retried with backoff, 4 \
            attempts in all).

            Examples:
              artifact-search embed "checkpoint with the highest accuracy"
              artifact-search embed --embedder minilm --json "best model by f1" "GPU out of memory"
              artifact-search embed --embedder openai:http://127.0.0.1:8000#multilingual-e5-small "hello"
            """)

    @Option(help: ArgumentHelp(EmbedderOption.help + ".", valueName: "embedder"), transform: EmbedderOption.parse)
    var embedder: EmbedderChoice = .hashed(dimension: HashedNGramEmbedder.defaultDimension)

    @OptionGroup
    var key: EmbedderKeyOption

    @Flag(help: "Print one JSON array of float arrays.")
    var json = false

    @Argument(help: "The texts.")
    var texts: [String]

    func validate() throws {
        guard !texts.isEmpty else { throw ValidationError("give at least one text") }
    }

    func run() throws {
        let model = try EmbedderOption.load(embedder.keyed(by: key.variable))
        let vectors = try model.checkedEmbeddings(texts, ids: texts.indices.map { "text \($0 + 1)" })
        if json {
            // Floats in their shortest round-trip form (a valid JSON number: vectors are finite).
            print("[" + vectors.map { "[" + $0.map { "\($0)" }.joined(separator: ",") + "]" }.joined(separator: ",") + "]")
        } else {
            for vector in vectors { print(vector.map { "\($0)" }.joined(separator: " ")) }
        }
    }
}
