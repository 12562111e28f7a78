import Foundation

/// Turns texts into fixed-length vectors for the dense leg.
///
/// Conform a model-backed embedder to replace the default ``HashedNGramEmbedder``. The
/// `identifier` and `dimension` are persisted with the vectors; opening an index with a
/// different embedder is an error (``SearchError/embedderMismatch(stored:current:)``).
///
/// `embed` may block its thread for a long time (a model) or wait on a server: callers that
/// run on Swift's cooperative pool use ``embeddings(_:ids:)``, which runs it on a queue of its
/// own. Give it whole batches: an embedder spreads a batch over the cores as suits it.
public protocol Embedder: Sendable {
    /// Stable name that changes whenever the vectors would change (include the
    /// dimension and any parameter), e.g. `"hashed-ngram-v1:d1024:n3-5"`.
    var identifier: String { get }
    /// Length of every vector returned.
    var dimension: Int { get }
    /// One vector per text, in order, each of length `dimension`. Vectors need not be
    /// normalised (the dense index normalises), and must be finite.
    func embed(_ texts: [String]) throws -> [[Float]]
    /// The RRF weight of the semantic leg beside BM25's 1 that suits this embedder's vectors
    /// (the weight of hybrid search by default). Default: ``SearchConfiguration/defaultSemanticWeight``
    /// (0.15, tuned for the hashed n-gram leg, a weak one).
    var defaultSemanticWeight: Double { get }
}

extension Embedder {
    public var defaultSemanticWeight: Double { SearchConfiguration.defaultSemanticWeight }

    /// ``checkedEmbeddings(_:ids:)`` run on a concurrent queue of its own, not on the
    /// cooperative pool (whose few threads a model would hold for tens of milliseconds per
    /// text, stalling every other task of the process).
    public func embeddings(_ texts: [String], ids: [String]) async throws(SearchError) -> [[Float]] {
        guard !texts.isEmpty else { return [] }
        let result: Result<[[Float]], SearchError> = await withCheckedContinuation { continuation in
            EmbeddingQueue.queue.async {
                continuation.resume(returning: Result { () throws(SearchError) in try checkedEmbeddings(texts, ids: ids) })
            }
        }
        return try result.get()
    }

    /// Embeds `texts` and checks the result, so every caller (backend upserts, queries, stores
    /// that persist vectors) rejects a misbehaving embedder the same way.
    ///
    /// - Parameter ids: the texts' names for error messages, one per text.
    /// - Returns: one vector per text, in order, each `dimension` finite floats.
    /// - Throws: ``SearchError/invalidArgument(_:)`` when `dimension < 1`, when the embedder
    ///   throws, or when it returns another number of vectors than texts;
    ///   ``SearchError/dimensionMismatch(expected:actual:)`` or
    ///   ``SearchError/invalidVector(id:reason:)`` for a bad vector.
    public func checkedEmbeddings(_ texts: [String], ids: [String]) throws(SearchError) -> [[Float]] {
        precondition(texts.count == ids.count, "one id per text")
        try checkDimension()
        guard !texts.isEmpty else { return [] }
        let vectors: [[Float]]
        do {
            vectors = try embed(texts)
        } catch let error as SearchError {
            throw error
        } catch {
            throw .embedderFailed(embedder: identifier, reason: "\(error)")
        }
        guard vectors.count == texts.count else {
            throw .invalidArgument(
                "embedder \"\(identifier)\" returned \(vectors.count) vector\(vectors.count == 1 ? "" : "s") for \(texts.count) text\(texts.count == 1 ? "" : "s"): it must return one per text")
        }
        for (vector, id) in zip(vectors, ids) {
            try DenseIndex.validate(vector, dimension: dimension, id: id)
        }
        return vectors
    }

    /// - Throws: ``SearchError/invalidArgument(_:)`` when `dimension < 1`.
    public func checkDimension() throws(SearchError) {
        guard dimension >= 1 else {
            throw .invalidArgument("embedder \"\(identifier)\" has dimension \(dimension); it must be at least 1")
        }
    }
}

/// Where ``Embedder/embeddings(_:ids:)`` runs embedders.
enum EmbeddingQueue {
    static let queue = DispatchQueue(label: "artifact-search.embedding", qos: .userInitiated, attributes: .concurrent)
}
