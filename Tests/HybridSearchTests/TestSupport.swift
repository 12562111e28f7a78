import Foundation
import Testing

@testable import HybridSearch

/// A small mixed corpus (identifiers, SQL, CJK, accents, emoji) shared by several suites.
enum EngineFixture {
    static let texts = [
        "alpha beta gamma", "beta gamma delta", "gamma delta epsilon", "the quick brown fox",
        "atomic_write_json writes atomically", "DROP TABLE artifacts", "wildcard expansion rules",
        "near neighbours search", "東京都の会議メモ", "café crème brûlée", "emoji 🚀 launch",
    ]

    static func items(corpus: String = "c") -> [SearchItem] {
        texts.enumerated().map { index, text in
            SearchItem(
                corpus: corpus, id: String(format: "doc-%02d", index), text: text,
                metadata: ["n": .number(Double(index)), "tags": .array(index % 2 == 0 ? ["even"] : ["odd"])],
                createdAt: 1_000 + Double(index))
        }
    }

    static func backend(dimension: Int = 64, configuration: SearchConfiguration = SearchConfiguration())
        async throws -> InMemorySearchBackend
    {
        let backend = InMemorySearchBackend(embedder: HashedNGramEmbedder(dimension: dimension), configuration: configuration)
        try await backend.upsert(items())
        return backend
    }
}
