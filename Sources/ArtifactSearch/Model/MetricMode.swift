import Foundation

/// Which end of a metric wins: the highest value (``max``) or the lowest (``min``).
public enum MetricMode: String, Sendable, Hashable, Codable, CaseIterable {
    case max
    case min

    /// Parses `"max"` or `"min"` (case-insensitive).
    /// - Throws: ``ArtifactError/invalidMetricMode(_:)`` for anything else.
    public init(parsing text: String) throws(ArtifactError) {
        guard let mode = MetricMode(rawValue: text.trimmingCharacters(in: .whitespaces).lowercased())
        else { throw .invalidMetricMode(text) }
        self = mode
    }
}
