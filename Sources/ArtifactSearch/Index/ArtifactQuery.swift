import Foundation
import HybridSearch

/// A structured query of an ``ArtifactIndex``: filters, order and limit.
///
/// Every filter applies before the order and before the limit.
public struct ArtifactQuery: Sendable, Hashable {
    /// How results are ordered.
    public enum Order: Sendable, Hashable {
        /// Newest `createdAt` first; ties by larger artifact id first.
        case newestFirst
        /// By the metric's value (`max`: highest first, `min`: lowest first); ties and
        /// artifacts without the metric ordered newest first, artifacts without the metric
        /// after all that have it — or excluded when `excludingMissing` is true.
        case metric(String, MetricMode, excludingMissing: Bool)
    }

    /// Keys of `filter.equals` are ``ArtifactMetadataKey`` names: record fields (`run_id`,
    /// `kind`, …) and `label.<key>`; values compare as typed JSON (field values are strings,
    /// so a non-string filter value never matches a field). `filter.tags` is ALL-of; the
    /// `createdAt` bounds are inclusive seconds since 1970.
    public var filter: MetadataFilter
    public var order: Order
    /// Maximum number of results (≥ 1), or `nil` for all.
    public var limit: Int?

    public init(filter: MetadataFilter = .none, order: Order = .newestFirst, limit: Int? = nil) {
        self.filter = filter
        self.order = order
        self.limit = limit
    }
}
