import Foundation

/// A typed JSON value: metadata of search items and labels of artifacts.
///
/// `JSONSerialization` cannot tell `true` from `1`; this enum can, so filters compare typed
/// values exactly: `.string("5") != .number(5)` and `.bool(true) != .number(1)`.
///
/// Numbers: a JSON integer within the 64-bit range decodes as ``integer(_:)`` and stays exact
/// (`9007199254740993` is not rounded); any other number (a fraction, an exponent that is not
/// a whole number, an integer beyond ±2⁶³) decodes as ``number(_:)``, a `Double` — so an
/// integer larger than `Int64.max` loses digits here (the stored bytes keep them). JSON has
/// one number type, so numbers compare by value across the two cases: `.integer(5) ==
/// .number(5.0)`, and they hash alike.
///
/// Nesting: at most ``maximumNestingDepth`` arrays and objects inside one another, the depth
/// Foundation's decoder accepts; check ``nestingDepth`` (iterative, constant stack) before
/// handing a value of unknown origin to anything recursive (``canonicalJSON``, `==`,
/// encoding).
public enum JSONValue: Sendable, Hashable, Codable, CustomStringConvertible {
    case null
    case bool(Bool)
    /// An integer within the 64-bit range, exact.
    case integer(Int64)
    /// Any other number.
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            // Foundation also yields an Int64 for `5.0`, `1e2` and an underflowing `1e-400`
            // (all whole numbers); a fraction or an integer past ±2⁶³ falls through to Double.
            self = .integer(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else if let value = try? container.decode([String: JSONValue].self) {
            self = .object(value)
        } else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "Expected a JSON value.")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .integer(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// Compact JSON text with sorted object keys: stable across processes, so it can be
    /// persisted, indexed and compared.
    public var canonicalJSON: String {
        switch self {
        case .null: return "null"
        case .bool(let value): return value ? "true" : "false"
        case .integer(let value): return String(value)
        case .number(let value): return JSONValue.format(value)
        case .string(let value): return JSONValue.quote(value)
        case .array(let values): return "[" + values.map(\.canonicalJSON).joined(separator: ",") + "]"
        case .object(let members):
            let body = members.keys.sorted().map { JSONValue.quote($0) + ":" + members[$0]!.canonicalJSON }
            return "{" + body.joined(separator: ",") + "}"
        }
    }

    public var description: String { canonicalJSON }

    /// The value as plain text for full-text indexing: strings bare, other values as JSON.
    public var indexableText: String {
        switch self {
        case .string(let value): return value
        case .array(let values): return values.map(\.indexableText).joined(separator: " ")
        case .object(let members):
            return members.keys.sorted().map { $0 + " " + members[$0]!.indexableText }.joined(separator: " ")
        default: return canonicalJSON
        }
    }

    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The value of a number (either case) as a `Double`.
    public var numberValue: Double? {
        switch self {
        case .number(let value): return value
        case .integer(let value): return Double(value)
        default: return nil
        }
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    /// A double as JSON: a whole number within the 64-bit range as its integer digits (so it
    /// reads back equal to ``integer(_:)``), anything else in Swift's shortest round-trip form.
    static func format(_ value: Double) -> String {
        guard value.isFinite else { return "null" }
        if let whole = Int64(exactly: value) { return String(whole) }
        return "\(value)"
    }

    static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    out += String(format: "\\u%04x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .integer(Int64(value)) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
    public init(nilLiteral: ()) { self = .null }
}

// MARK: Equality, hashing, nesting

extension JSONValue {
    /// Typed equality; numbers compare by value across ``integer(_:)`` and ``number(_:)``
    /// (`.integer(5) == .number(5.0)`, `.integer(2⁵³ + 1) != .number(2⁵³)`).
    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.integer(let a), .integer(let b)): return a == b
        case (.number(let a), .number(let b)): return a == b
        case (.integer(let a), .number(let b)), (.number(let b), .integer(let a)): return Int64(exactly: b) == a
        case (.string(let a), .string(let b)): return a == b
        case (.array(let a), .array(let b)): return a == b
        case (.object(let a), .object(let b)): return a == b
        default: return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case .bool(let value): hasher.combine(1); hasher.combine(value)
        case .integer(let value): hasher.combine(2); hasher.combine(value)
        case .number(let value):
            // A whole double hashes as the integer it equals.
            if let whole = Int64(exactly: value) {
                hasher.combine(2); hasher.combine(whole)
            } else {
                hasher.combine(3); hasher.combine(value)
            }
        case .string(let value): hasher.combine(4); hasher.combine(value)
        case .array(let values): hasher.combine(5); hasher.combine(values)
        case .object(let members): hasher.combine(6); hasher.combine(members)
        }
    }

    /// The most arrays and objects nested inside one another that Foundation's JSON decoder
    /// accepts, and so the most a saved JSON value may have: 512.
    public static let maximumNestingDepth = 512

    /// How many arrays and objects are nested at the deepest point: 0 for a scalar, 1 for
    /// `[1]` or `{}`, 2 for `[[1]]`. Computed with an explicit stack (no recursion), so it is
    /// safe on values of any depth; it stops counting past `limit`.
    public func nestingDepth(limit: Int = .max) -> Int {
        var deepest = 0
        var pending: [(value: JSONValue, depth: Int)] = [(self, 0)]
        while let (value, depth) = pending.popLast() {
            switch value {
            case .array(let values):
                deepest = max(deepest, depth + 1)
                if deepest > limit { return deepest }
                for element in values { pending.append((element, depth + 1)) }
            case .object(let members):
                deepest = max(deepest, depth + 1)
                if deepest > limit { return deepest }
                for element in members.values { pending.append((element, depth + 1)) }
            default:
                continue
            }
        }
        return deepest
    }

    /// Whether the value nests deeper than `limit` (default ``maximumNestingDepth``), without
    /// recursion.
    public func nestsDeeper(than limit: Int = JSONValue.maximumNestingDepth) -> Bool {
        nestingDepth(limit: limit) > limit
    }
}

extension String {
    /// Unicode NFC (canonical composition); ASCII is returned unchanged without work. Swift
    /// compares strings by canonical equivalence, bytes (SQLite, segment files) do not: two
    /// strings are canonically equivalent exactly when their NFC forms are byte-identical, so
    /// whatever is stored or looked up by bytes is composed first.
    public var canonicallyComposed: String {
        if utf8.allSatisfy({ $0 < 0x80 }) { return self }
        return precomposedStringWithCanonicalMapping
    }
}
