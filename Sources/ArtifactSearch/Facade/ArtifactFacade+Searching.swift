import Foundation
import HybridSearch

extension ArtifactFacade {
    /// The artifact with `id` (`get_by_id`), or `nil` when there is none — or when it belongs
    /// to another organisation than this scope's.
    public func artifact(id: String) async throws -> Artifact? {
        try await visibleArtifact(id: id)
    }

    /// Artifacts of this scope's `level`, newest first (`list`). Ties in `createdAt` go to the
    /// larger (later) id.
    /// - Parameters:
    ///   - includeNode: also require this scope's `node_id` (when it has one).
    ///   - kind: only this kind.
    ///   - tags: ALL of these tags.
    ///   - filters: label filters, typed exact equality (`"5"` ≠ `5`); a list value matches any
    ///     of its elements; a `nil` value is ignored.
    ///   - limit: at most this many (≥ 1), applied after every filter.
    /// - Throws: ``ArtifactError/invalidArgument(_:)`` for `limit < 1`.
    public func list(
        level: ScopeLevel = .run, includeNode: Bool = true, kind: String? = nil, tags: [String] = [],
        filters: [String: JSONValue?] = [:], limit: Int = 100
    ) async throws -> [Artifact] {
        let filter = try structuredFilter(
            level: level, includeGraph: false, includeNode: includeNode, extraScopeLabels: [:], kind: kind,
            tags: tags, labels: filters, timeWindow: nil)
        return try await structuredArtifacts(filter: filter, order: .newestFirst, limit: limit)
    }

    /// Finds artifacts (`search`).
    ///
    /// - **Structured** (blank or absent `query`, or `mode: .structural`): the index's
    ///   artifacts matching every filter, ordered by `metric` (`metricMode` `max`: highest
    ///   first; artifacts without the metric after those with it) or newest first; ties newest
    ///   first. `score` is the metric's value (or `nil`).
    /// - **Query** (non-blank `query`): ranked by the search backend in `mode` (`auto` =
    ///   hybrid); artifacts come back in ranking order, each once, with the backend's score and,
    ///   if `explain`, each leg's rank and score. `metric` is not used for ranking in query mode.
    ///   A query with no indexable word returns an empty list.
    ///
    /// In both, `kind`, `tags` (ALL-of), `labels` (typed exact equality; list = any-of; `nil`
    /// ignored), `timeWindow` (`[now − window, now]`, inclusive), the level filters and
    /// `extraScopeLabels` apply **before** ranking and before `limit`.
    /// - Throws: ``ArtifactError/invalidArgument(_:)`` for `limit < 1` or an org change in
    ///   `extraScopeLabels`; ``HybridSearch/SearchError`` from the backend.
    public func search(
        _ query: String? = nil, kind: String? = nil, tags: [String] = [], labels: [String: JSONValue?] = [:],
        metric: String? = nil, metricMode: MetricMode = .max, level: ScopeLevel = .run,
        extraScopeLabels: [String: JSONValue?] = [:], limit: Int = 10, includeGraph: Bool = false,
        includeNode: Bool = false, timeWindow: TimeWindow? = nil, mode: SearchMode = .auto,
        explain: Bool = false
    ) async throws -> [ArtifactSearchResult] {
        guard limit >= 1 else { throw ArtifactError.invalidArgument("limit must be at least 1 (got \(limit))") }
        let filter = try structuredFilter(
            level: level, includeGraph: includeGraph, includeNode: includeNode,
            extraScopeLabels: extraScopeLabels, kind: kind, tags: tags, labels: labels, timeWindow: timeWindow)
        let text = query ?? ""
        if text.allSatisfy(\.isWhitespace) || mode == .structural {
            let order = metric.map { Self.metricOrder($0, metricMode, excludingMissing: false) } ?? .newestFirst
            let artifacts = try await structuredArtifacts(filter: filter, order: order, limit: limit)
            return artifacts.map { artifact in
                ArtifactSearchResult(artifact: artifact, score: metric.flatMap { artifact.metrics[$0] })
            }
        }
        let caller = callerFilter(kind: kind, tags: tags, labels: labels, timeWindow: timeWindow)
        let (hits, artifacts) = try await liveHits {
            try await self.indices.search(
                query: text, mode: mode, topK: limit, filter: caller, level: level, includeGraph: includeGraph,
                includeNode: includeNode, extraScopeLabels: extraScopeLabels, explain: explain, includesMetadata: false)
        }
        var seen = Set<String>()
        var results: [ArtifactSearchResult] = []
        for hit in hits where seen.insert(hit.itemID).inserted {
            guard let artifact = artifacts[hit.itemID] else { continue }
            results.append(ArtifactSearchResult(artifact: artifact, score: hit.score, explanation: hit.explanation))
        }
        return results
    }

    /// The artifact with the best value of `metric` (`best`): highest for `max`, lowest for
    /// `min`; ties go to the newest (then the larger id); artifacts without the metric never
    /// win; `nil` when no artifact matches.
    /// - Parameter filters: label filters, as in ``list(level:includeNode:kind:tags:filters:limit:)``.
    public func best(
        kind: String? = nil, metric: String, metricMode: MetricMode = .max, level: ScopeLevel = .run,
        tags: [String] = [], filters: [String: JSONValue?] = [:]
    ) async throws -> Artifact? {
        let filter = try structuredFilter(
            level: level, includeGraph: false, includeNode: false, extraScopeLabels: [:], kind: kind, tags: tags,
            labels: filters, timeWindow: nil)
        return try await structuredArtifacts(
            filter: filter, order: Self.metricOrder(metric, metricMode, excludingMissing: true), limit: 1
        ).first
    }

    /// Artifacts passing `filter` (complete: the level filters included) in `order`, at most
    /// `limit` (`nil`: all): answered by the search engine's metadata postings — the one
    /// implementation of filter semantics, shared with query-mode search — after it has caught
    /// up with every stored change, then read from the records.
    func structuredArtifacts(filter: MetadataFilter, order: StructuralOrder, limit: Int?) async throws -> [Artifact] {
        if let limit, limit < 1 { throw ArtifactError.invalidArgument("limit must be at least 1 (got \(limit))") }
        let request = SearchRequest(
            corpus: configuration.corpus, query: "", topK: limit ?? Int(Int32.max), filter: filter, mode: .structural,
            order: order, includesMetadata: false)
        let (hits, records) = try await liveHits { try await self.backend.search(request) }
        return hits.compactMap { records[$0.itemID] }
    }

    /// The hits of `search` run on the caught-up index, with their records. A hit whose record
    /// was deleted (by another process) after the catch-up means its delete is in the change
    /// feed now: catching up and searching again gives a full page of live artifacts (up to
    /// five tries; then the hits that still have records).
    func liveHits(_ search: () async throws -> [SearchHit]) async throws -> ([SearchHit], [String: Artifact]) {
        var attempt = 0
        while true {
            try await mirror.catchUp()
            let hits = try await search()
            let records = try await index.artifacts(ids: hits.map(\.itemID))
            if Set(hits.map(\.itemID)).count == records.count || attempt == 4 { return (hits, records) }
            attempt += 1
        }
    }

    /// The structural order of a metric: its number in the artifacts' metadata.
    static func metricOrder(_ metric: String, _ mode: MetricMode, excludingMissing: Bool) -> StructuralOrder {
        .number(key: ArtifactMetadataKey.metric(metric), descending: mode == .max, excludingMissing: excludingMissing)
    }

    /// The full filter of a structured read: the caller's filter plus the level filters (which
    /// win on the same key).
    func structuredFilter(
        level: ScopeLevel, includeGraph: Bool, includeNode: Bool, extraScopeLabels: [String: JSONValue?],
        kind: String?, tags: [String], labels: [String: JSONValue?], timeWindow: TimeWindow?
    ) throws -> MetadataFilter {
        try Self.checkLabelNesting(labels)
        try Self.checkLabelNesting(extraScopeLabels)
        var filter = callerFilter(kind: kind, tags: tags, labels: labels, timeWindow: timeWindow)
        let scoped = try indices.levelFilter(
            level: level, includeGraph: includeGraph, includeNode: includeNode, extraScopeLabels: extraScopeLabels)
        filter.equals.merge(scoped) { _, level in level }
        return filter
    }

    /// The caller's part of a filter: kind, labels as `label.<key>`, tags, time bounds from the
    /// facade's clock.
    func callerFilter(kind: String?, tags: [String], labels: [String: JSONValue?], timeWindow: TimeWindow?)
        -> MetadataFilter
    {
        var equals: [String: JSONValue?] = [:]
        for (key, value) in labels { equals[ArtifactMetadataKey.label(key)] = value }
        if let kind { equals[ArtifactMetadataKey.kind] = .string(kind) }
        var filter = MetadataFilter(equals: equals, tags: Self.uniqued(tags))
        if let timeWindow {
            let bounds = timeWindow.bounds(now: clock())
            filter.createdAtMin = bounds.lowerBound
            filter.createdAtMax = bounds.upperBound
        }
        return filter
    }
}

extension ArtifactFacade {
    /// Brings the search index up to every stored change now — what the first query-mode
    /// search would otherwise do silently — and commits what it read as a segment, so the next
    /// process maps it. `progress` is called with (changes read, changes to read) after each
    /// batch when there are at least `threshold` to read (a first rebuild of a large store, or
    /// a store migrated from an older index format), else never.
    /// - Returns: the number of changes read.
    @discardableResult
    public func prepareSearchIndex(progressThreshold threshold: Int = 5_000, progress: @escaping (Int, Int) -> Void) async throws
        -> Int
    {
        let start = (try mirror.persistent())?.tailWatermarkValue ?? 0
        let total = try await index.changeCount(after: start)
        guard total > 0 else { return 0 }
        if total >= threshold { progress(0, total) }
        var read = 0
        try await mirror.catchUp { done in
            read = done
            if total >= threshold { progress(min(done, total), total) }
        }
        if !store.isReadOnly { _ = try? await commitSearchIndex() }
        return read
    }
}
