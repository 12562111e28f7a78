/// Postings for metadata, so filters resolve to an ``OrdinalSet`` without scanning items:
/// (key, canonical JSON of the value) → ordinals, tag → ordinals, and a creation-time column.
///
/// Resolution gives exactly the items for which ``MetadataFilter/matches(metadata:createdAt:)``
/// is true.
struct MetadataIndex: Sendable {
    private var values: [String: [String: Set<Int32>]] = [:]
    private var tags: [String: Set<Int32>] = [:]
    private var createdAt: [Double] = []  // NaN = absent or no timestamp

    mutating func insert(ordinal: Int, metadata: [String: JSONValue], createdAt time: Double?) {
        let member = Int32(ordinal)
        for (key, value) in metadata {
            values[key, default: [:]][value.canonicalJSON, default: []].insert(member)
        }
        for tag in Self.tags(of: metadata) { tags[tag, default: []].insert(member) }
        if ordinal >= createdAt.count {
            createdAt.append(contentsOf: repeatElement(.nan, count: ordinal + 1 - createdAt.count))
        }
        createdAt[ordinal] = time ?? .nan
    }

    mutating func remove(ordinal: Int, metadata: [String: JSONValue]) {
        let member = Int32(ordinal)
        for (key, value) in metadata {
            let canonical = value.canonicalJSON
            values[key]?[canonical]?.remove(member)
            if values[key]?[canonical]?.isEmpty == true { values[key]?[canonical] = nil }
        }
        for tag in Self.tags(of: metadata) {
            tags[tag]?.remove(member)
            if tags[tag]?.isEmpty == true { tags[tag] = nil }
        }
        if ordinal < createdAt.count { createdAt[ordinal] = .nan }
    }

    /// The ordinals passing `filter`, or `nil` when the filter constrains nothing.
    /// - Parameter live: every live ordinal (used only for a pure time filter).
    func resolve(_ filter: MetadataFilter, capacity: Int, live: () -> [Int32]) -> OrdinalSet? {
        guard !filter.isEmpty else { return nil }
        var sets: [Set<Int32>] = []
        for (key, wanted) in filter.equals {
            guard let wanted else { continue }
            let options: [JSONValue]
            if case .array(let list) = wanted { options = list } else { options = [wanted] }
            var union = Set<Int32>()
            for option in options {
                if let members = values[key]?[option.canonicalJSON] { union.formUnion(members) }
            }
            sets.append(union)
        }
        for tag in filter.tags { sets.append(tags[tag] ?? []) }
        var members: [Int32]
        if sets.isEmpty {
            members = live()
        } else {
            sets.sort { $0.count < $1.count }
            var result = sets[0]
            for other in sets.dropFirst() {
                if result.isEmpty { break }
                result.formIntersection(other)
            }
            members = Array(result)
        }
        if filter.createdAtMin != nil || filter.createdAtMax != nil {
            let low = filter.createdAtMin ?? -.infinity
            let high = filter.createdAtMax ?? .infinity
            members.removeAll { ordinal in
                let time = Int(ordinal) < createdAt.count ? createdAt[Int(ordinal)] : .nan
                return !(time >= low && time <= high)  // NaN fails both
            }
        }
        return OrdinalSet(members: members, capacity: capacity)
    }

    static func tags(of metadata: [String: JSONValue]) -> Set<String> {
        Set(metadata["tags"]?.arrayValue?.compactMap(\.stringValue) ?? [])
    }
}
