/// Tunables of ``InMemorySearchBackend``. Defaults were chosen by measurement on BEIR
/// SciFact, clean and with misspelled queries (see `Benchmarks/RESULTS.md`).
public struct SearchConfiguration: Sendable, Hashable {
    public var bm25: BM25Parameters
    /// Hybrid fusion; default RRF (k = 60) with the semantic leg weighted ``defaultSemanticWeight``.
    public var fusion: FusionMethod
    /// Dense scan kernel for single queries.
    public var scanKernel: DenseIndex.ScanKernel
    /// Whether items are embedded and the dense leg is kept. `false` builds a lexical-only
    /// index (no embedding work, no vector memory); `semantic` and `hybrid` requests then
    /// throw ``SearchError/invalidArgument(_:)``.
    public var denseLegEnabled: Bool
    /// In `hybrid` mode, semantic candidates with a cosine below this floor are dropped before
    /// fusion, so a query that shares nothing with the corpus returns nothing instead of the
    /// nearest noise. `semantic` mode is exact nearest neighbours and ignores it; 0 (or less)
    /// disables it. Default 0.1: no measurable loss on SciFact or the fixtures (misspelled
    /// queries score ≈ 0.2 against their documents, unrelated ones < 0.1).
    public var hybridSemanticFloor: Double

    public static let defaultHybridSemanticFloor = 0.1

    public static let defaultSemanticWeight = 0.15

    public init(
        bm25: BM25Parameters = BM25Parameters(),
        fusion: FusionMethod = .reciprocalRank(
            ReciprocalRankFusion(semanticWeight: SearchConfiguration.defaultSemanticWeight)),
        scanKernel: DenseIndex.ScanKernel = .simd, denseLegEnabled: Bool = true,
        hybridSemanticFloor: Double = SearchConfiguration.defaultHybridSemanticFloor
    ) {
        self.denseLegEnabled = denseLegEnabled
        self.hybridSemanticFloor = hybridSemanticFloor
        self.bm25 = bm25
        self.fusion = fusion
        self.scanKernel = scanKernel
    }
}
