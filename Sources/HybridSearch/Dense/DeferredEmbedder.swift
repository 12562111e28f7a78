import Foundation

/// An embedder known by its identifier and dimension before it is loaded: a store that
/// records them can be opened, listed and searched structurally without loading a model
/// (≈ 90 MB mapped and a vocabulary parsed for MiniLM) or reaching a server; the embedder is
/// made on the first ``embed(_:)``.
///
/// The embedder made must have the promised identifier and dimension (a model folder whose
/// weights changed, another server model): otherwise every `embed` throws
/// ``SearchError/embedderMismatch(stored:current:)``, and nothing is embedded with it.
public final class DeferredEmbedder: Embedder, @unchecked Sendable {
    public let identifier: String
    public let dimension: Int
    public let defaultSemanticWeight: Double
    private let make: @Sendable () throws -> any Embedder
    private let lock = NSLock()
    private var made: (any Embedder)?  // guarded by `lock`

    /// - Parameter make: builds the embedder; called on the first `embed`, and again after a
    ///   failure (a model installed meanwhile is found by a running server).
    public init(
        identifier: String, dimension: Int, defaultSemanticWeight: Double,
        make: @escaping @Sendable () throws -> any Embedder
    ) {
        self.identifier = identifier
        self.dimension = dimension
        self.defaultSemanticWeight = defaultSemanticWeight
        self.make = make
    }

    /// The embedder, made on the first call.
    /// - Throws: ``SearchError/embedderMismatch(stored:current:)`` when it is not the one
    ///   promised; ``SearchError/invalidArgument(_:)`` with the reason it could not be made.
    public func embedder() throws(SearchError) -> any Embedder {
        lock.lock()
        defer { lock.unlock() }
        if let made { return made }
        let embedder: any Embedder
        do {
            embedder = try make()
        } catch let error as SearchError {
            throw error
        } catch {
            throw .embedderFailed(embedder: identifier, reason: "\(error)")
        }
        guard embedder.identifier == identifier, embedder.dimension == dimension else {
            throw .embedderMismatch(stored: identifier, current: embedder.identifier)
        }
        made = embedder
        return embedder
    }

    public func embed(_ texts: [String]) throws -> [[Float]] {
        try embedder().embed(texts)
    }
}
