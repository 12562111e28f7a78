/// Why a sentence-transformer model folder could not be loaded or run.
public enum SentenceModelError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A file the model needs is missing or unreadable.
    case missingFile(path: String)
    /// A file is there but does not hold what it should.
    case malformed(file: String, reason: String)
    /// A valid model of a kind this embedder does not run (another architecture, pooling or
    /// tensor type).
    case unsupported(reason: String)

    public var description: String {
        switch self {
        case .missingFile(let path):
            return "model file \(path) is missing or unreadable; put the model folder there "
                + "(scripts/fetch-model minilm installs all-MiniLM-L6-v2)"
        case .malformed(let file, let reason):
            return "model file \(file) is malformed: \(reason); fetch the model again (scripts/fetch-model minilm)"
        case .unsupported(let reason):
            return "unsupported model: \(reason); this embedder runs BERT encoders with mean pooling (e.g. all-MiniLM-L6-v2)"
        }
    }
}
