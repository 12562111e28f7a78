import ArgumentParser
import ArtifactSearch
import HybridSearch

/// The store, filter and scope options of every command that reads records (`list`,
/// `search`, `best`), and the one way those commands search with them.
struct ReadOptions: ParsableArguments {
    @OptionGroup(title: "Store")
    var store: StoreOptions

    @OptionGroup(title: "Filters")
    var filters: FilterOptions

    @OptionGroup(title: "Scope")
    var scope: ReadScopeOptions

    /// Opens the existing store, reading as the given scope.
    func openFacade() async throws -> ArtifactFacade {
        try await store.openFacade(scope: scope.scope)
    }

    /// ``ArtifactFacade/search(_:kind:tags:labels:metric:metricMode:level:extraScopeLabels:limit:includeGraph:includeNode:timeWindow:mode:explain:)``
    /// with these options.
    func search(
        _ query: String?, in facade: ArtifactFacade, limit: Int, mode: SearchMode, metric: String? = nil,
        metricMode: MetricMode = .max, explain: Bool = false
    ) async throws -> [ArtifactSearchResult] {
        try await facade.search(
            query, kind: filters.kind, tags: filters.tags, labels: filters.labelFilters, metric: metric,
            metricMode: metricMode, level: scope.level, extraScopeLabels: scope.extraScopeLabels, limit: limit,
            includeGraph: scope.ids.includesGraph,
            includeNode: scope.ids.includesNode, timeWindow: filters.timeWindow, mode: mode, explain: explain)
    }
}
