/// Postings for metadata, so filters resolve to an ``OrdinalSet`` without scanning items:
/// (key, canonical JSON of the value) → sorted ordinals, tag → sorted ordinals, and a
/// creation-time column.
///
/// Resolution gives exactly the items for which ``MetadataFilter/matches(metadata:createdAt:)``
/// is true.
struct MetadataIndex: Sendable {
    private var values: [String: [String: [Int32]]] = [:]
    private var tags: [String: [Int32]] = [:]
    private var createdAt: [Double] = []  // NaN = absent or no timestamp

    mutating func insert(ordinal: Int, metadata: [String: JSONValue], createdAt time: Double?) {
        let member = Int32(ordinal)
        for (key, value) in metadata {
            guard let canonical = Self.indexKey(value) else { continue }
            Self.insert(member, into: &values[key, default: [:]][canonical, default: []])
        }
        for tag in Self.tags(of: metadata) { Self.insert(member, into: &tags[tag, default: []]) }
        if ordinal >= createdAt.count {
            createdAt.append(contentsOf: repeatElement(.nan, count: ordinal + 1 - createdAt.count))
        }
        createdAt[ordinal] = time ?? .nan
    }

    mutating func remove(ordinal: Int, metadata: [String: JSONValue]) {
        let member = Int32(ordinal)
        for (key, value) in metadata {
            guard let canonical = Self.indexKey(value) else { continue }
            if values[key]?[canonical] != nil {
                Self.remove(member, from: &values[key]![canonical]!)
                if values[key]![canonical]!.isEmpty { values[key]![canonical] = nil }
            }
        }
        for tag in Self.tags(of: metadata) where tags[tag] != nil {
            Self.remove(member, from: &tags[tag]!)
            if tags[tag]!.isEmpty { tags[tag] = nil }
        }
        if ordinal < createdAt.count { createdAt[ordinal] = .nan }
    }

    /// Ordinal → number for every ordinal whose `key` holds a JSON number.
    func numericValues(key: String) -> [Int32: Double] {
        var result: [Int32: Double] = [:]
        for (canonical, members) in values[key] ?? [:] {
            guard let number = Self.number(fromIndexKey: Substring(canonical)) else { continue }
            for member in members { result[member] = number }
        }
        return result
    }

    /// The ordinals passing `filter`, or `nil` when the filter constrains nothing.
    /// - Parameter live: every live ordinal (used only for a pure time filter).
    /// - Complexity: O(Σ postings read + capacity / 64).
    func resolve(_ filter: MetadataFilter, capacity: Int, live: () -> [Int32]) -> OrdinalSet? {
        Self.resolve(
            filter, capacity: capacity,
            postings: { key, value in Self.indexKey(value).flatMap { values[key]?[$0] } ?? [] },
            tagged: { tags[$0] ?? [] }, live: live,
            createdAt: { ordinal in ordinal < createdAt.count ? createdAt[ordinal] : .nan })
    }

    /// Filter resolution for any ordinal space (these postings, or a set of segments), so the
    /// semantics cannot drift apart: each `equals` key gives the ordinals whose value equals the
    /// filter value (an array: any of its elements), each tag its ordinals, all intersected;
    /// the time bounds keep ordinals whose creation time lies inside (NaN: none).
    /// - Parameters:
    ///   - postings: ascending ordinals whose `key` has `value` (typed equality).
    ///   - tagged: ascending ordinals carrying a tag.
    ///   - createdAt: creation time of an ordinal, NaN when it has none.
    ///   - probe: sizes and membership tests of posting lists without building them (segments):
    ///     with two or more conditions only the shortest list is built, and its members are
    ///     kept when every other condition holds for them — the same set as intersecting all
    ///     lists, without reading the long ones (an organisation's 100,000 ordinals when the
    ///     filter also names one run).
    static func resolve(
        _ filter: MetadataFilter, capacity: Int, postings: (String, JSONValue) -> [Int32], tagged: (String) -> [Int32],
        live: () -> [Int32], createdAt: (Int) -> Double, probe: PostingProbe? = nil
    ) -> OrdinalSet? {
        guard !filter.isEmpty else { return nil }
        if let probe, let set = resolveShortestFirst(filter, capacity: capacity, postings: postings, tagged: tagged, probe: probe) {
            return Self.within(filter, set, capacity: capacity, createdAt: createdAt)
        }
        var sets: [OrdinalSet] = []
        for (key, wanted) in filter.equals {
            guard let wanted else { continue }
            let options: [JSONValue]
            if case .array(let list) = wanted { options = list } else { options = [wanted] }
            let lists = options.map { postings(key, $0) }
            if lists.count == 1 {
                sets.append(OrdinalSet(sortedMembers: lists[0], capacity: capacity))
            } else {
                sets.append(OrdinalSet(members: lists.joined(), capacity: capacity))
            }
        }
        for tag in filter.tags { sets.append(OrdinalSet(sortedMembers: tagged(tag), capacity: capacity)) }
        var result: OrdinalSet
        if sets.isEmpty {
            result = OrdinalSet(members: live(), capacity: capacity)
        } else {
            sets.sort { $0.count < $1.count }
            result = sets[0]
            for other in sets.dropFirst() where !result.isEmpty { result = result.intersection(other) }
        }
        return within(filter, result, capacity: capacity, createdAt: createdAt)
    }

    /// `result` restricted to the filter's creation-time bounds (when it has any).
    private static func within(_ filter: MetadataFilter, _ result: OrdinalSet, capacity: Int, createdAt: (Int) -> Double) -> OrdinalSet {
        var result = result
        if filter.createdAtMin != nil || filter.createdAtMax != nil {
            let low = filter.createdAtMin ?? -.infinity
            let high = filter.createdAtMax ?? .infinity
            let kept = result.members.filter { ordinal in
                let time = createdAt(Int(ordinal))
                return time >= low && time <= high  // NaN fails both
            }
            result = OrdinalSet(sortedMembers: kept, capacity: capacity)
        }
        return result
    }

    /// The equals and tag conditions of `filter` resolved by building the shortest posting
    /// list only (see `probe` of ``resolve(_:capacity:postings:tagged:live:createdAt:probe:)``);
    /// `nil` when there are fewer than two conditions (nothing to save).
    private static func resolveShortestFirst(
        _ filter: MetadataFilter, capacity: Int, postings: (String, JSONValue) -> [Int32], tagged: (String) -> [Int32],
        probe: PostingProbe
    ) -> OrdinalSet? {
        // Each condition: the posting lists of which any may hold an ordinal (an array value
        // means any of its elements; a tag or a plain value is one list).
        var conditions: [[PostingProbe.List]] = []
        for (key, wanted) in filter.equals {
            guard let wanted else { continue }
            if case .array(let list) = wanted {
                conditions.append(list.map { .value(key, $0) })
            } else {
                conditions.append([.value(key, wanted)])
            }
        }
        for tag in filter.tags { conditions.append([.tag(tag)]) }
        guard conditions.count >= 2 else { return nil }
        let sizes = conditions.map { lists in lists.reduce(0) { $0 + probe.count($1) } }
        let shortest = sizes.indices.min { sizes[$0] < sizes[$1] }!
        func members(_ list: PostingProbe.List) -> [Int32] {
            switch list {
            case .value(let key, let value): return postings(key, value)
            case .tag(let tag): return tagged(tag)
            }
        }
        let base = conditions[shortest].count == 1
            ? OrdinalSet(sortedMembers: members(conditions[shortest][0]), capacity: capacity)
            : OrdinalSet(members: conditions[shortest].flatMap(members), capacity: capacity)
        let tests = conditions.indices.filter { $0 != shortest }.map { conditions[$0].map(probe.membership) }
        let kept = base.members.filter { ordinal in tests.allSatisfy { anyOf in anyOf.contains { $0(ordinal) } } }
        return OrdinalSet(sortedMembers: kept, capacity: capacity)
    }

    /// The posting key of a value: its canonical JSON, except that ±∞ get keys of their own
    /// (canonical JSON would write `null`) and NaN gets none (NaN equals nothing, as in
    /// ``MetadataFilter/matches(metadata:createdAt:)``).
    static func indexKey(_ value: JSONValue) -> String? {
        if case .number(let number) = value, !number.isFinite {
            return number.isNaN ? nil : (number > 0 ? "\u{0}+inf" : "\u{0}-inf")
        }
        return value.canonicalJSON
    }

    /// The number a posting key's value holds: the canonical JSON of a JSON number, parsed
    /// (`nil` for any other value: strings, booleans, arrays, objects, null).
    static func number(fromIndexKey key: Substring) -> Double? {
        guard let first = key.first, first == "-" || first.isASCII && first.isNumber else { return nil }
        return Double(key)
    }

    static func tags(of metadata: [String: JSONValue]) -> Set<String> {
        Set(metadata["tags"]?.arrayValue?.compactMap(\.stringValue) ?? [])
    }

    /// Keeps `list` sorted; appending is the common case (ordinals grow).
    private static func insert(_ member: Int32, into list: inout [Int32]) {
        if let last = list.last, last >= member {
            let at = lowerBound(list, member)
            if at < list.count && list[at] == member { return }
            list.insert(member, at: at)
        } else {
            list.append(member)
        }
    }

    private static func remove(_ member: Int32, from list: inout [Int32]) {
        let at = lowerBound(list, member)
        if at < list.count && list[at] == member { list.remove(at: at) }
    }

    private static func lowerBound(_ list: [Int32], _ member: Int32) -> Int {
        var low = 0
        var high = list.count
        while low < high {
            let mid = (low + high) / 2
            if list[mid] < member { low = mid + 1 } else { high = mid }
        }
        return low
    }
}

/// What ``MetadataIndex/resolve(_:capacity:postings:tagged:live:createdAt:probe:)`` may ask of
/// posting lists it does not want to build: their length, and a membership test prepared once
/// per list (then O(log n) per ordinal).
struct PostingProbe {
    enum List {
        /// The ordinals whose metadata `key` equals the value (typed).
        case value(String, JSONValue)
        /// The ordinals carrying a tag.
        case tag(String)
    }

    var count: (List) -> Int
    var membership: (List) -> (Int32) -> Bool
}
