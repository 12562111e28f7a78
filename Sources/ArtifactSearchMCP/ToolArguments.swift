import Foundation
import HybridSearch
import MCP

/// A tool call's arguments, checked against what the tool takes: unknown names, wrong types
/// and values out of bounds are ``ToolCallError``s that say what the tool accepts (a tool
/// result with `isError`, never a protocol error or a crash).
struct ToolArguments {
    let tool: String
    private let values: [String: Value]

    init(tool: String, values: [String: Value]?, accepted: [String]) throws(ToolCallError) {
        self.tool = tool
        self.values = values ?? [:]
        let unknown = self.values.keys.filter { !accepted.contains($0) }.sorted()
        guard unknown.isEmpty else {
            throw ToolCallError(
                "\(tool) has no argument \(unknown.map { "\"\($0)\"" }.joined(separator: ", ")): it takes "
                    + (accepted.isEmpty ? "none" : accepted.joined(separator: ", ")))
        }
    }

    private func present(_ key: String) -> Value? {
        guard let value = values[key], !value.isNull else { return nil }
        return value
    }

    func string(_ key: String) throws(ToolCallError) -> String? {
        guard let value = present(key) else { return nil }
        switch value {
        case .string(let text): return DataURLGuard.restore(text)
        case .data: return value.description
        default: throw ToolCallError("\(tool): \"\(key)\" must be a string")
        }
    }

    func requiredString(_ key: String) throws(ToolCallError) -> String {
        guard let text = try string(key) else { throw ToolCallError("\(tool): \"\(key)\" is required") }
        return text
    }

    func int(_ key: String, default fallback: Int, range: ClosedRange<Int>) throws(ToolCallError) -> Int {
        guard let value = present(key) else { return fallback }
        let number: Int
        switch value {
        case .int(let exact): number = exact
        case .double(let double) where double.rounded() == double && abs(double) < 1e15: number = Int(double)
        default: throw ToolCallError("\(tool): \"\(key)\" must be a whole number")
        }
        guard range.contains(number) else {
            throw ToolCallError("\(tool): \"\(key)\" must be between \(range.lowerBound) and \(range.upperBound) (got \(number))")
        }
        return number
    }

    func bool(_ key: String, default fallback: Bool) throws(ToolCallError) -> Bool {
        guard let value = present(key) else { return fallback }
        guard case .bool(let flag) = value else { throw ToolCallError("\(tool): \"\(key)\" must be true or false") }
        return flag
    }

    func requiredBool(_ key: String) throws(ToolCallError) -> Bool {
        guard present(key) != nil else { throw ToolCallError("\(tool): \"\(key)\" is required") }
        return try bool(key, default: false)
    }

    func strings(_ key: String) throws(ToolCallError) -> [String] {
        guard let value = present(key) else { return [] }
        guard case .array(let items) = value else { throw ToolCallError("\(tool): \"\(key)\" must be a list of strings") }
        return try items.map { item throws(ToolCallError) -> String in
            guard case .string(let text) = item else { throw ToolCallError("\(tool): \"\(key)\" must be a list of strings") }
            return DataURLGuard.restore(text)
        }
    }

    /// An object of label values (typed JSON: `"5"` and `5` differ).
    func labels(_ key: String) throws(ToolCallError) -> [String: JSONValue] {
        guard let value = present(key) else { return [:] }
        guard case .object(let members) = value else { throw ToolCallError("\(tool): \"\(key)\" must be an object") }
        return members.mapValues(ValueBridge.json)
    }

    /// An object of metric names → finite numbers.
    func metrics(_ key: String) throws(ToolCallError) -> [String: Double] {
        guard let value = present(key) else { return [:] }
        guard case .object(let members) = value else { throw ToolCallError("\(tool): \"\(key)\" must be an object of numbers") }
        var metrics: [String: Double] = [:]
        for (name, number) in members {
            switch number {
            case .int(let exact): metrics[name] = Double(exact)
            case .double(let double): metrics[name] = double
            default: throw ToolCallError("\(tool): metric \"\(name)\" must be a number")
            }
        }
        return metrics
    }

    /// Any JSON value (`nil` only when absent).
    func json(_ key: String) -> JSONValue? { values[key].map(ValueBridge.json) }

    /// A value of a string enumeration, by its raw value.
    func choice<T: RawRepresentable & CaseIterable>(_ key: String, default fallback: T) throws(ToolCallError) -> T
    where T.RawValue == String {
        guard let text = try string(key) else { return fallback }
        guard let choice = T(rawValue: text.lowercased()) else {
            throw ToolCallError(
                "\(tool): \"\(key)\" must be one of \(T.allCases.map(\.rawValue).joined(separator: ", ")) (got \"\(text)\")")
        }
        return choice
    }
}

/// A mistake in a tool call, reported to the agent as the tool's result (`isError`).
struct ToolCallError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
