import ArtifactSearch
import HybridSearch

extension ArtifactFacade {
    /// The one way the commands search: the command line's filter and scope options mapped
    /// onto ``ArtifactFacade/search(_:kind:tags:labels:metric:metricMode:level:extraScopeLabels:limit:includeGraph:includeNode:timeWindow:mode:explain:)``.
    func search(
        _ query: String?, filters: FilterOptions, scope: ReadScopeOptions, limit: Int, mode: SearchMode,
        metric: String? = nil, metricMode: MetricMode = .max, explain: Bool = false
    ) async throws -> [ArtifactSearchResult] {
        try await search(
            query, kind: filters.kind, tags: filters.tags, labels: filters.labelFilters, metric: metric,
            metricMode: metricMode, level: scope.level, limit: limit, includeGraph: scope.ids.includesGraph,
            includeNode: scope.ids.includesNode, timeWindow: filters.timeWindow, mode: mode, explain: explain)
    }
}
