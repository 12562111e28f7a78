import HybridSearch

/// The embedder a store is bound to: every stored vector is its (``HybridSearch/Embedder/identifier``
/// and ``HybridSearch/Embedder/dimension``), and `choice`, when recorded, says how to make it
/// again — the `--embedder` form (`hashed`, `minilm`, `openai:URL#MODEL`), so later commands
/// need no flag.
///
/// Kept in the index's `store_info` table (keys `embedder.identifier`, `embedder.dimension`,
/// `embedder.choice`); a re-embed under way adds the same three under `embedder.target.`.
public struct EmbedderBinding: Sendable, Hashable {
    public var identifier: String
    public var dimension: Int
    /// How the embedder is named for the command line; `nil` when the store was bound by a
    /// library caller with an embedder of its own (or by a version that did not record it).
    public var choice: String?

    public init(identifier: String, dimension: Int, choice: String? = nil) {
        self.identifier = identifier
        self.dimension = dimension
        self.choice = choice
    }

    /// The binding of `embedder`, named `choice`.
    public init(_ embedder: any Embedder, choice: String? = nil) {
        self.init(identifier: embedder.identifier, dimension: embedder.dimension, choice: choice)
    }
}

/// A store's embedder state: the binding, and the embedder a re-embed is switching it to.
public struct EmbedderState: Sendable, Hashable {
    /// `nil` for a store with no vector yet (any embedder may be bound).
    public var bound: EmbedderBinding?
    /// Set from the start of a re-embed (``ArtifactFacade/reembed(at:to:choice:analyzer:configuration:blobs:records:progress:)``)
    /// until its end; while set the store refuses to be opened and refuses vectors of any
    /// other embedder.
    public var target: EmbedderBinding?

    public init(bound: EmbedderBinding?, target: EmbedderBinding? = nil) {
        self.bound = bound
        self.target = target
    }
}

extension EmbedderState {
    /// The binding in force once `binding` is bound: `binding` itself for an unbound store;
    /// the store's own for the same embedder (identifier and dimension), with `binding`'s
    /// choice when it names one (a store follows its embedder's server to a new address).
    /// - Throws: ``ArtifactError/reembedUnfinished(target:)`` during a re-embed;
    ///   ``ArtifactError/embedderMismatch(bound:given:)`` when bound to another embedder.
    public func binding(after binding: EmbedderBinding) throws(ArtifactError) -> EmbedderBinding {
        if let target { throw .reembedUnfinished(target: target) }
        guard var bound else { return binding }
        guard bound.identifier == binding.identifier, bound.dimension == binding.dimension else {
            throw .embedderMismatch(bound: bound, given: binding.identifier)
        }
        if let choice = binding.choice { bound.choice = choice }
        return bound
    }

    /// Checks vectors about to be saved: during a re-embed only the target's are accepted,
    /// otherwise only the binding's (any, for an unbound store).
    /// - Throws: ``ArtifactError/reembedUnfinished(target:)``, ``ArtifactError/embedderMismatch(bound:given:)``.
    public func check(_ vectors: [StoredVector]) throws(ArtifactError) {
        func isOf(_ binding: EmbedderBinding) -> (StoredVector) -> Bool {
            { $0.embedder == binding.identifier && $0.values.count == binding.dimension }
        }
        if let target {
            guard vectors.allSatisfy(isOf(target)) else { throw .reembedUnfinished(target: target) }
        } else if let bound, let other = vectors.first(where: { !isOf(bound)($0) }) {
            throw .embedderMismatch(bound: bound, given: other.embedder)
        }
    }
}
