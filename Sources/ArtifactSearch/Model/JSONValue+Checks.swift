import Foundation
import HybridSearch

extension JSONValue {
    /// Whether every number in the value (at any depth) is finite: JSON has no NaN or ∞, and
    /// `canonicalJSON` would silently write them as `null`.
    var isFinite: Bool {
        switch self {
        case .number(let value): return value.isFinite
        case .array(let values): return values.allSatisfy(\.isFinite)
        case .object(let members): return members.values.allSatisfy(\.isFinite)
        case .null, .bool, .integer, .string: return true
        }
    }

    /// The value with every string and object key in Unicode NFC (canonical composition).
    ///
    /// Swift compares strings by canonical equivalence (`"é" == "e\u{301}"`), and so does the
    /// in-memory search backend; SQLite compares bytes. The index stores and queries the NFC
    /// form so that both agree (two strings are canonically equivalent exactly when their NFC
    /// forms are byte-identical).
    var canonicallyComposed: JSONValue {
        switch self {
        case .string(let value): return .string(value.canonicallyComposed)
        case .array(let values): return .array(values.map(\.canonicallyComposed))
        case .object(let members):
            var composed: [String: JSONValue] = [:]
            for (key, value) in members { composed[key.canonicallyComposed] = value.canonicallyComposed }
            return .object(composed)
        case .null, .bool, .integer, .number: return self
        }
    }
}
