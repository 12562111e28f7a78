/// Turns texts into fixed-length vectors for the dense leg.
///
/// Conform a model-backed embedder to replace the default ``HashedNGramEmbedder``. The
/// `identifier` and `dimension` are persisted with the vectors; opening an index with a
/// different embedder is an error (``SearchError/embedderMismatch(stored:current:)``).
public protocol Embedder: Sendable {
    /// Stable name that changes whenever the vectors would change (include the
    /// dimension and any parameter), e.g. `"hashed-ngram-v1:d1024:n3-5"`.
    var identifier: String { get }
    /// Length of every vector returned.
    var dimension: Int { get }
    /// One vector per text, in order, each of length `dimension`. Vectors need not be
    /// normalised (the dense index normalises), and must be finite.
    func embed(_ texts: [String]) throws -> [[Float]]
}
