import ArtifactSearch
import HybridSearch

/// The named fields of one call — an MCP tool's arguments, an HTTP body or query — checked
/// against what the call takes: unknown names, wrong types and values out of bounds are
/// ``FieldError``s that name the field and say what is accepted. One reader for both servers,
/// so a mistake reads the same over MCP and over HTTP.
public struct FieldReader: Sendable {
    /// What the messages name: a tool (`search_artifacts`) or an endpoint (`POST /v1/search`).
    public let subject: String
    private let values: [String: JSONValue]

    /// - Parameter noun: what a field is called in the unknown-field message (`argument`, `field`).
    /// - Throws: ``FieldError`` naming the fields `accepted` lacks.
    public init(_ values: [String: JSONValue], subject: String, noun: String, accepted: [String]) throws(FieldError) {
        let unknown = values.keys.filter { !accepted.contains($0) }.sorted()
        guard unknown.isEmpty else {
            throw FieldError(
                "\(subject) has no \(noun) \(unknown.map { "\"\($0)\"" }.joined(separator: ", ")): it takes "
                    + (accepted.isEmpty ? "none" : accepted.sorted().joined(separator: ", ")))
        }
        self.subject = subject
        self.values = values
    }

    public func has(_ key: String) -> Bool { present(key) != nil }

    private func present(_ key: String) -> JSONValue? {
        guard let value = values[key], value != .null else { return nil }
        return value
    }

    public func string(_ key: String) throws(FieldError) -> String? {
        guard let value = present(key) else { return nil }
        guard case .string(let text) = value else { throw FieldError("\(subject): \"\(key)\" must be a string") }
        return text
    }

    public func requiredString(_ key: String) throws(FieldError) -> String {
        guard let text = try string(key) else { throw FieldError("\(subject): \"\(key)\" is required") }
        return text
    }

    public func int(_ key: String, default fallback: Int, range: ClosedRange<Int>) throws(FieldError) -> Int {
        guard let value = present(key) else { return fallback }
        let number: Int
        switch value {
        case .integer(let exact) where Int(exactly: exact) != nil: number = Int(exact)
        case .number(let double) where double.rounded() == double && abs(double) < 1e15: number = Int(double)
        default: throw FieldError("\(subject): \"\(key)\" must be a whole number")
        }
        guard range.contains(number) else {
            throw FieldError("\(subject): \"\(key)\" must be between \(range.lowerBound) and \(range.upperBound) (got \(number))")
        }
        return number
    }

    public func bool(_ key: String, default fallback: Bool) throws(FieldError) -> Bool {
        guard let value = present(key) else { return fallback }
        guard case .bool(let flag) = value else { throw FieldError("\(subject): \"\(key)\" must be true or false") }
        return flag
    }

    public func requiredBool(_ key: String) throws(FieldError) -> Bool {
        guard present(key) != nil else { throw FieldError("\(subject): \"\(key)\" is required") }
        return try bool(key, default: false)
    }

    public func strings(_ key: String) throws(FieldError) -> [String] {
        guard let value = present(key) else { return [] }
        guard case .array(let items) = value else { throw FieldError("\(subject): \"\(key)\" must be a list of strings") }
        return try items.map { item throws(FieldError) -> String in
            guard case .string(let text) = item else { throw FieldError("\(subject): \"\(key)\" must be a list of strings") }
            return text
        }
    }

    /// An object of label values (typed JSON: `"5"` and `5` differ).
    public func labels(_ key: String) throws(FieldError) -> [String: JSONValue] {
        guard let value = present(key) else { return [:] }
        guard case .object(let members) = value else { throw FieldError("\(subject): \"\(key)\" must be an object") }
        return members
    }

    /// An object of metric names → numbers (finiteness is the facade's check).
    public func metrics(_ key: String) throws(FieldError) -> [String: Double] {
        guard let value = present(key) else { return [:] }
        guard case .object(let members) = value else { throw FieldError("\(subject): \"\(key)\" must be an object of numbers") }
        var metrics: [String: Double] = [:]
        for (name, number) in members {
            switch number {
            case .integer(let exact): metrics[name] = Double(exact)
            case .number(let double): metrics[name] = double
            default: throw FieldError("\(subject): metric \"\(name)\" must be a number")
            }
        }
        return metrics
    }

    /// Any JSON value, `null` included (`nil` only when absent).
    public func json(_ key: String) -> JSONValue? { values[key] }

    /// A value of a string enumeration, by its raw value (case-insensitive).
    /// - Parameter kind: the error's ``FieldError/kind`` (an HTTP error type such as `unknown_mode`).
    public func choice<T: RawRepresentable & CaseIterable>(_ key: String, default fallback: T, kind: String? = nil) throws(FieldError) -> T
    where T.RawValue == String {
        guard let text = try string(key) else { return fallback }
        guard let choice = T(rawValue: text.lowercased()) else {
            throw FieldError(
                "\(subject): \"\(key)\" must be one of \(T.allCases.map(\.rawValue).joined(separator: ", ")) (got \"\(text)\")",
                kind: kind)
        }
        return choice
    }
}

/// A mistake in a call's fields: what ``FieldReader`` found, in words for the caller.
public struct FieldError: Error, CustomStringConvertible, Sendable {
    public let description: String
    /// A stable name of the mistake when it has one of its own (`unknown_mode`); `nil`: any
    /// other wrong field.
    public let kind: String?

    public init(_ description: String, kind: String? = nil) {
        self.description = description
        self.kind = kind
    }
}

/// What every save takes besides its content (MCP `save_*`, HTTP `POST /v1/artifacts`).
public struct SaveOptions: Sendable {
    public var name: String?
    public var kind: String?
    public var tags: [String]
    public var labels: [String: JSONValue]
    public var metrics: [String: Double]
    public var pin: Bool

    /// The fields' names, for a call's accepted list.
    public static let fieldNames = ["name", "kind", "tags", "labels", "metrics", "pin"]

    public init(_ fields: FieldReader) throws(FieldError) {
        name = try fields.string("name")
        kind = try fields.string("kind")
        tags = try fields.strings("tags")
        labels = try fields.labels("labels")
        metrics = try fields.metrics("metrics")
        pin = try fields.bool("pin", default: false)
    }
}
