import Embedders
import Foundation
import HybridSearch
import Testing

/// What every embedder gets from the protocol: batches off the cooperative pool, deferred
/// loading with its identity checked, and the hashed embedder's batch split over the cores.
@Suite("Embedder support")
struct EmbedderSupportTests {
    static let texts = (0..<100).map { "text number \($0) about checkpoints, GPUs and loss curves \($0 * 7919 % 1000)" }

    @Test("The hashed embedder's batch (split over the cores) gives each text's own vector, bit for bit, in order")
    func hashedBatchEqualsOneByOne() {
        let embedder = HashedNGramEmbedder(dimension: 256)
        #expect(embedder.embed(Self.texts) == Self.texts.map { embedder.embed($0) })
        #expect(embedder.embed(Array(Self.texts.prefix(3))) == Self.texts.prefix(3).map { embedder.embed($0) })
    }

    @Test("embeddings(_:ids:) returns the checked vectors of checkedEmbeddings and its errors")
    func embeddingsOffThePool() async throws {
        let embedder = HashedNGramEmbedder(dimension: 64)
        let ids = Self.texts.indices.map { "t\($0)" }
        #expect(try await embedder.embeddings(Self.texts, ids: ids) == (try embedder.checkedEmbeddings(Self.texts, ids: ids)))
        #expect(try await embedder.embeddings([], ids: []).isEmpty)
        await #expect(throws: SearchError.self) { _ = try await BrokenEmbedder().embeddings(["a", "b"], ids: ["a", "b"]) }
    }

    @Test("A deferred embedder makes nothing until the first embed, checks the identity it promised, and retries after a failure")
    func deferred() throws {
        let real = HashedNGramEmbedder(dimension: 32)
        let calls = Counter()
        let deferred = DeferredEmbedder(identifier: real.identifier, dimension: 32, defaultSemanticWeight: 0.7) {
            calls.increment()
            if calls.value == 1 { throw SearchError.invalidArgument("not installed yet") }
            return real
        }
        #expect(deferred.identifier == real.identifier && deferred.dimension == 32 && deferred.defaultSemanticWeight == 0.7)
        #expect(calls.value == 0)
        #expect(throws: SearchError.invalidArgument("not installed yet")) { _ = try deferred.embed(["x"]) }
        #expect(try deferred.embed(["x", "y"]) == real.embed(["x", "y"]))
        _ = try deferred.embed(["z"])
        #expect(calls.value == 2)
        let other = HashedNGramEmbedder(dimension: 48)
        let wrong = DeferredEmbedder(identifier: real.identifier, dimension: 32, defaultSemanticWeight: 0.15) { other }
        #expect(throws: SearchError.embedderMismatch(stored: real.identifier, current: other.identifier)) { _ = try wrong.embed(["x"]) }
    }

    @Test("Default semantic weights: 0.15 for the hashed embedder and any embedder that does not say")
    func defaultWeights() {
        #expect(HashedNGramEmbedder().defaultSemanticWeight == 0.15)
        #expect(BrokenEmbedder().defaultSemanticWeight == SearchConfiguration.defaultSemanticWeight)
        #expect(SentenceTransformerEmbedder.semanticWeight == 0.2)
        #expect(EmbedderChoice.minilm(folder: nil).defaultSemanticWeight == SentenceTransformerEmbedder.semanticWeight)
    }

    @Test("A choice is inferred from the identifiers of stores bound before choices were recorded")
    func inferredChoice() {
        #expect(EmbedderChoice(inferringFrom: HashedNGramEmbedder().identifier) == .hashed(dimension: 1_024))
        #expect(EmbedderChoice(inferringFrom: "sentence-transformer:all-MiniLM-L6-v2:xxh64-0:d384:max256:mean") == .minilm(folder: nil))
        #expect(EmbedderChoice(inferringFrom: HashedNGramEmbedder(dimension: 64).identifier) == nil)
        #expect(EmbedderChoice(inferringFrom: "sentence-transformer:other:xxh64-0:d384:max256:mean") == nil)
        #expect(EmbedderChoice.minilm(folder: "models/x").absolute.description.hasPrefix("minilm:/"))
        #expect(EmbedderChoice.minilm(folder: nil).absolute == .minilm(folder: nil))
    }
}

/// Returns one vector for two texts.
private struct BrokenEmbedder: Embedder {
    var identifier: String { "broken" }
    var dimension: Int { 4 }
    func embed(_ texts: [String]) throws -> [[Float]] { [[1, 0, 0, 0]] }
}

private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    var value: Int { lock.withLock { count } }
    func increment() { lock.withLock { count += 1 } }
}
