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
    /// Set from the start of a re-embed (``ArtifactFacade/reembed(with:choice:progress:)``)
    /// until its end; while set the store refuses to be opened and refuses vectors of any
    /// other embedder.
    public var target: EmbedderBinding?

    public init(bound: EmbedderBinding?, target: EmbedderBinding? = nil) {
        self.bound = bound
        self.target = target
    }
}
