import Foundation
import Testing

@testable import HybridSearch

/// Regression tests for faults found in review.
@Suite("Review findings: search engine")
struct SearchReviewFindingsTests {
    @Test("TimeWindow(seconds:) with a negative or NaN length gives an empty-width window at now, never a trap")
    func negativeWindowDoesNotTrap() {
        let now = Date(timeIntervalSince1970: 1_000)
        for seconds in [-1.0, -.infinity, .nan] {
            let bounds = TimeWindow(seconds: seconds).bounds(now: now)
            #expect(bounds == 1_000...1_000, "\(seconds)")
        }
        #expect(TimeWindow(seconds: 60).bounds(now: now) == 940...1_000)
    }

    /// An embedder claiming zero dimensions (a misconfigured model wrapper).
    struct ZeroDimensionEmbedder: Embedder {
        var identifier: String { "zero-dimension" }
        var dimension: Int { 0 }
        func embed(_ texts: [String]) throws -> [[Float]] { texts.map { _ in [] } }
    }

    @Test("A query against a zero-dimension embedder is a typed error in semantic and hybrid mode, never a trap")
    func zeroDimensionQueryEmbedder() async throws {
        let backend = InMemorySearchBackend(embedder: ZeroDimensionEmbedder())
        for mode in [SearchMode.semantic, .hybrid, .auto] {
            await #expect(throws: SearchError.self) {
                _ = try await backend.search(SearchRequest(corpus: "c", query: "hello", mode: mode))
            }
        }
        // Lexical search does not need the embedder.
        #expect(try await backend.search(SearchRequest(corpus: "c", query: "hello", mode: .lexical)).isEmpty)
    }
}
