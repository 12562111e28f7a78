import ArtifactSearch
import Foundation
import HybridSearch

/// The API keys a server accepts (`artifact-search serve --keys FILE`), each bound to one
/// organisation (and optionally a user) and allowed to write or only to read.
///
/// File format: a JSON array of objects `{"key": "…", "org_id": "…", "user_id": "…" | null,
/// "write": true | false}`; `key` and `org_id` are required non-empty strings without
/// whitespace or control characters; `write` defaults to false; no other fields; no key twice.
/// Clients send `Authorization: Bearer <key>`.
public struct APIKeyring: Sendable {
    private let tenants: [String: Tenant]

    /// The number of keys.
    public var count: Int { tenants.count }

    /// - Throws: ``ServerSetupError`` naming the entry that is wrong and how.
    public init(json data: Data, source: String) throws(ServerSetupError) {
        let value: JSONValue
        do { value = try ArtifactFacade.parseJSON(data, source: source) } catch {
            throw ServerSetupError("\(error)")
        }
        guard case .array(let entries) = value else {
            throw ServerSetupError("\(source) must hold a JSON array of {\"key\", \"org_id\", \"user_id\", \"write\"} objects")
        }
        var tenants: [String: Tenant] = [:]
        for (index, entry) in entries.enumerated() {
            let place = "\(source), entry \(index + 1)"
            guard case .object(let members) = entry else { throw ServerSetupError("\(place): must be an object") }
            let unknown = members.keys.filter { !["key", "org_id", "user_id", "write"].contains($0) }.sorted()
            guard unknown.isEmpty else {
                throw ServerSetupError("\(place): unknown field(s) \(unknown.joined(separator: ", ")); the fields are key, org_id, user_id, write")
            }
            func text(_ field: String, required: Bool) throws(ServerSetupError) -> String? {
                let value = members[field] ?? .null
                if value == .null, !required { return nil }
                guard case .string(let text) = value, !text.isEmpty,
                    !text.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7F })
                else {
                    throw ServerSetupError("\(place): \"\(field)\" must be a non-empty string without spaces or control characters")
                }
                return text
            }
            guard let key = try text("key", required: true), let org = try text("org_id", required: true) else {
                throw ServerSetupError("\(place): \"key\" and \"org_id\" are required")
            }
            let write: Bool
            switch members["write"] {
            case nil, .null?: write = false
            case .bool(let flag)?: write = flag
            default: throw ServerSetupError("\(place): \"write\" must be true or false")
            }
            guard tenants[key] == nil else { throw ServerSetupError("\(place): this key is already given to another entry") }
            tenants[key] = Tenant(orgID: org, userID: try text("user_id", required: false), canWrite: write)
        }
        guard !tenants.isEmpty else { throw ServerSetupError("\(source) holds no keys: add at least one, or serve on loopback without --keys") }
        self.tenants = tenants
    }

    /// Reads a key file.
    public static func load(from url: URL) throws(ServerSetupError) -> APIKeyring {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw ServerSetupError("cannot read the key file \(url.path): \(error.localizedDescription)")
        }
        return try APIKeyring(json: data, source: url.path)
    }

    /// The tenant of a bearer key, or `nil` for a key not in the file.
    func tenant(forKey key: String) -> Tenant? { tenants[key] }
}

/// A server that cannot start as configured: the message says what to change.
public struct ServerSetupError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
