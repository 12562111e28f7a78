import Foundation
import HybridSearch
import MCP

/// Conversions between the MCP SDK's JSON (`Value`) and the engine's (`JSONValue`).
enum ValueBridge {
    /// `Value` → `JSONValue`: integers stay integers, other numbers are numbers; strings lose
    /// the ``DataURLGuard`` marker (a `data:` URL the SDK decoded anyway is re-encoded).
    static func json(_ value: Value) -> JSONValue {
        switch value {
        case .null: return .null
        case .bool(let flag): return .bool(flag)
        case .int(let number): return .integer(Int64(number))
        case .double(let number): return .number(number)
        case .string(let text): return .string(DataURLGuard.restore(text))
        case .data: return .string(value.description)
        case .array(let items): return .array(items.map(json))
        case .object(let members): return .object(members.mapValues(json))
        }
    }

    /// `JSONValue` → `Value`.
    static func value(_ json: JSONValue) -> Value {
        switch json {
        case .null: return .null
        case .bool(let flag): return .bool(flag)
        case .integer(let number): return Int(exactly: number).map(Value.int) ?? .double(Double(number))
        case .number(let number): return .double(number)
        case .string(let text): return .string(text)
        case .array(let items): return .array(items.map(value))
        case .object(let members): return .object(members.mapValues(value))
        }
    }

    /// An `Encodable` value as the JSON its encoder writes (snake_case keys of the records).
    static func value<T: Encodable>(encoding item: T) throws -> Value {
        let data = try JSONEncoder().encode(item)
        return value(try JSONDecoder().decode(JSONValue.self, from: data))
    }
}
