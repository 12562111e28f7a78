import ArtifactSearch
import Foundation

/// A PostgreSQL database as `--database` names it:
/// `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=MODE&schema=SCHEMA]`
/// (`postgresql://` too).
///
/// - The password comes from the URL, else from `PGPASSWORD` (libpq's rule); ``description``
///   never shows it.
/// - `sslmode` as libpq reads it: `disable`, `prefer` (the default: TLS when the server offers
///   it), `require` (TLS, the certificate not checked), `verify-ca` / `verify-full` (TLS with
///   the certificate checked against the system's roots, and for `verify-full` the host name).
/// - `schema` keeps the store's tables in that schema (created if missing; default `public`),
///   so one database can hold several stores.
public struct PostgresLocation: Sendable, Hashable, CustomStringConvertible {
    public enum TLSMode: String, Sendable, Hashable {
        case disable, prefer, require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String
    public var tls: TLSMode
    public var schema: String?

    public init(
        host: String, port: Int = 5432, user: String, password: String?, database: String, tls: TLSMode = .prefer,
        schema: String? = nil
    ) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.database = database
        self.tls = tls
        self.schema = schema
    }

    /// - Throws: ``ArtifactError/invalidArgument(_:)`` naming what is wrong.
    public init(parsing text: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(ArtifactError) {
        func refuse(_ reason: String) -> ArtifactError {
            .invalidArgument("--database: \(reason) (expected postgres://USER@HOST:PORT/DATABASE[?sslmode=…&schema=…])")
        }
        guard let components = URLComponents(string: text), ["postgres", "postgresql"].contains(components.scheme ?? "") else {
            throw refuse("not a postgres:// URL")
        }
        guard let host = components.host, !host.isEmpty else { throw refuse("no host") }
        guard let user = components.user, !user.isEmpty else { throw refuse("no user") }
        let database = String(components.path.drop { $0 == "/" })
        guard !database.isEmpty, !database.contains("/") else { throw refuse("no database name") }
        var tls = TLSMode.prefer
        var schema: String?
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let mode = item.value.flatMap(TLSMode.init(rawValue:)) else {
                    throw refuse("sslmode must be disable, prefer, require, verify-ca or verify-full")
                }
                tls = mode
            case "schema":
                guard let value = item.value, Self.isIdentifier(value) else {
                    throw refuse("schema must be letters, digits and _ (not starting with a digit), at most 63")
                }
                // PostgreSQL folds unquoted names to lower case: say which schema it is.
                let folded = value.lowercased()
                guard !folded.hasPrefix("pg_"), folded != "information_schema" else {
                    throw refuse("schema \(value) is one of PostgreSQL's own (pg_…, information_schema): name a schema of the store")
                }
                schema = folded
            default:
                throw refuse("unknown option \"\(item.name)\" (sslmode, schema)")
            }
        }
        let password = components.password?.removingPercentEncoding ?? environment["PGPASSWORD"]
        self.init(
            host: host, port: components.port ?? 5432, user: user.removingPercentEncoding ?? user, password: password,
            database: database.removingPercentEncoding ?? database, tls: tls, schema: schema)
    }

    /// The URL without its password.
    public var description: String {
        var query: [String] = []
        if tls != .prefer { query.append("sslmode=\(tls.rawValue)") }
        if let schema { query.append("schema=\(schema)") }
        return "postgres://\(user)@\(host):\(port)/\(database)" + (query.isEmpty ? "" : "?" + query.joined(separator: "&"))
    }

    /// An unquoted SQL identifier: `[A-Za-z_][A-Za-z0-9_]*`, at most 63 bytes.
    static func isIdentifier(_ text: String) -> Bool {
        guard let first = text.utf8.first, text.utf8.count <= 63, !(0x30...0x39).contains(first) else { return false }
        return text.utf8.allSatisfy { ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F }
    }
}
