/// Filters applied to a corpus **before** ranking, in every mode and in both legs.
///
/// - `equals`: for each key, the stored value must equal the filter value exactly, as typed
///   JSON (`"5"` ≠ `5`, case-sensitive, no wildcards). A filter value that is an array matches
///   if the stored value equals any element. A `nil` value means "ignore this key".
///   A missing stored key never matches.
/// - `tags`: ALL-of: every listed tag must be in the item's `tags` metadata array.
/// - `createdAtMin`/`createdAtMax`: inclusive bounds in seconds since 1970 UTC; items
///   without a timestamp never match when either bound is set.
public struct MetadataFilter: Sendable, Hashable {
    public var equals: [String: JSONValue?]
    public var tags: [String]
    public var createdAtMin: Double?
    public var createdAtMax: Double?

    public init(
        equals: [String: JSONValue?] = [:], tags: [String] = [], createdAtMin: Double? = nil,
        createdAtMax: Double? = nil
    ) {
        self.equals = equals
        self.tags = tags
        self.createdAtMin = createdAtMin
        self.createdAtMax = createdAtMax
    }

    /// No constraint at all.
    public static let none = MetadataFilter()

    public var isEmpty: Bool {
        equals.values.allSatisfy { $0 == nil } && tags.isEmpty && createdAtMin == nil
            && createdAtMax == nil
    }

    /// Whether one item passes. The indexed path (``MetadataIndex``) gives the same answer;
    /// this is the reference used for single items and in tests.
    public func matches(metadata: [String: JSONValue], createdAt: Double?) -> Bool {
        for (key, wanted) in equals {
            guard let wanted else { continue }
            guard let stored = metadata[key] else { return false }
            if case .array(let options) = wanted {
                if !options.contains(stored) { return false }
            } else if stored != wanted {
                return false
            }
        }
        if !tags.isEmpty {
            let stored = Set(metadata["tags"]?.arrayValue?.compactMap(\.stringValue) ?? [])
            if !tags.allSatisfy(stored.contains) { return false }
        }
        if createdAtMin != nil || createdAtMax != nil {
            guard let createdAt else { return false }
            if let low = createdAtMin, createdAt < low { return false }
            if let high = createdAtMax, createdAt > high { return false }
        }
        return true
    }
}
