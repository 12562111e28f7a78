import ArtifactSearch
import Foundation
import HybridSearch

/// The fields of one request — a JSON body object, or query parameters turned into one —
/// checked against what the endpoint takes: unknown fields, wrong types and values out of
/// bounds are `400 invalid_request` errors that name the field and say what is accepted.
struct RequestFields {
    let endpoint: String
    private let values: [String: JSONValue]

    /// - Throws: ``APIError`` when `value` is not an object or has a field `accepted` lacks.
    init(_ value: JSONValue, endpoint: String, accepted: [String]) throws(APIError) {
        guard case .object(let members) = value else { throw .badRequest("\(endpoint): the body must be a JSON object") }
        let unknown = members.keys.filter { !accepted.contains($0) }.sorted()
        guard unknown.isEmpty else {
            throw .badRequest(
                "\(endpoint) has no field \(unknown.map { "\"\($0)\"" }.joined(separator: ", ")): it takes "
                    + accepted.sorted().joined(separator: ", "))
        }
        self.endpoint = endpoint
        self.values = members
    }

    /// A JSON body: at most the server's limit, parsed with the store's JSON checks.
    init(body data: Data, endpoint: String, accepted: [String]) throws {
        let value = data.isEmpty ? JSONValue.object([:]) : try ArtifactFacade.parseJSON(data, source: "the request body")
        try self.init(value, endpoint: endpoint, accepted: accepted)
    }

    func has(_ key: String) -> Bool { present(key) != nil }

    private func present(_ key: String) -> JSONValue? {
        guard let value = values[key], value != .null else { return nil }
        return value
    }

    func string(_ key: String) throws(APIError) -> String? {
        guard let value = present(key) else { return nil }
        guard case .string(let text) = value else { throw .badRequest("\(endpoint): \"\(key)\" must be a string") }
        return text
    }

    func requiredString(_ key: String) throws(APIError) -> String {
        guard let text = try string(key) else { throw .badRequest("\(endpoint): \"\(key)\" is required") }
        return text
    }

    func int(_ key: String, default fallback: Int, range: ClosedRange<Int>) throws(APIError) -> Int {
        guard let value = present(key) else { return fallback }
        let number: Int
        switch value {
        case .integer(let exact) where Int(exactly: exact) != nil: number = Int(exact)
        case .number(let double) where double.rounded() == double && abs(double) < 1e15: number = Int(double)
        default: throw .badRequest("\(endpoint): \"\(key)\" must be a whole number")
        }
        guard range.contains(number) else {
            throw .badRequest("\(endpoint): \"\(key)\" must be between \(range.lowerBound) and \(range.upperBound) (got \(number))")
        }
        return number
    }

    func bool(_ key: String, default fallback: Bool) throws(APIError) -> Bool {
        guard let value = present(key) else { return fallback }
        guard case .bool(let flag) = value else { throw .badRequest("\(endpoint): \"\(key)\" must be true or false") }
        return flag
    }

    func strings(_ key: String) throws(APIError) -> [String] {
        guard let value = present(key) else { return [] }
        guard case .array(let items) = value else { throw .badRequest("\(endpoint): \"\(key)\" must be a list of strings") }
        return try items.map { item throws(APIError) -> String in
            guard case .string(let text) = item else { throw .badRequest("\(endpoint): \"\(key)\" must be a list of strings") }
            return text
        }
    }

    /// An object of label values (typed JSON: `"5"` and `5` differ).
    func labels(_ key: String) throws(APIError) -> [String: JSONValue] {
        guard let value = present(key) else { return [:] }
        guard case .object(let members) = value else { throw .badRequest("\(endpoint): \"\(key)\" must be an object") }
        return members
    }

    /// An object of metric names → numbers (finiteness is the facade's check).
    func metrics(_ key: String) throws(APIError) -> [String: Double] {
        guard let value = present(key) else { return [:] }
        guard case .object(let members) = value else { throw .badRequest("\(endpoint): \"\(key)\" must be an object of numbers") }
        var metrics: [String: Double] = [:]
        for (name, number) in members {
            switch number {
            case .integer(let exact): metrics[name] = Double(exact)
            case .number(let double): metrics[name] = double
            default: throw .badRequest("\(endpoint): metric \"\(name)\" must be a number")
            }
        }
        return metrics
    }

    /// Any JSON value, `null` included (`nil` only when absent).
    func json(_ key: String) -> JSONValue? { values[key] }

    /// A value of a string enumeration, by its raw value (case-insensitive).
    func choice<T: RawRepresentable & CaseIterable>(_ key: String, default fallback: T, type: String) throws(APIError) -> T
    where T.RawValue == String {
        guard let text = try string(key) else { return fallback }
        guard let choice = T(rawValue: text.lowercased()) else {
            throw APIError(
                .badRequest, type,
                "\(endpoint): \"\(key)\" must be one of \(T.allCases.map(\.rawValue).joined(separator: ", ")) (got \"\(text)\")")
        }
        return choice
    }
}
