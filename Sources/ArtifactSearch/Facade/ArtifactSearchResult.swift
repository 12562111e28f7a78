import HybridSearch

/// One result of ``ArtifactFacade/search(_:kind:tags:labels:metric:metricMode:level:extraScopeLabels:limit:includeGraph:includeNode:timeWindow:mode:explain:)``.
public struct ArtifactSearchResult: Sendable, Hashable {
    public var artifact: Artifact
    /// Query mode: the backend's score (see ``HybridSearch/SearchHit/score``; higher is
    /// better). Structured mode: the ranking metric's value, or `nil` when ordered by time.
    public var score: Double?
    /// Each leg's rank and raw score, when asked for in query mode.
    public var explanation: HitExplanation?

    public init(artifact: Artifact, score: Double?, explanation: HitExplanation? = nil) {
        self.artifact = artifact
        self.score = score
        self.explanation = explanation
    }
}
