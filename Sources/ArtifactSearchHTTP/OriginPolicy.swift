import Hummingbird
import MCP
import Synchronization

/// Which requests may come from a browser page — the defence against DNS rebinding and
/// cross-site requests that the MCP specification asks of `/mcp`, applied to every route
/// (``OriginMiddleware``): a request without an `Origin` header (any non-browser client)
/// passes; one with it must name an allowed origin (403 otherwise). On loopback the allowed
/// origins are `http://localhost`, `http://127.0.0.1` and `http://[::1]` at the server's own
/// port, and the `Host` header must name one of those hosts at that port (421 otherwise: a
/// page that made its own domain resolve to 127.0.0.1 sends its domain); on other addresses
/// only the origins given with `--allow-origin`. Host names and origins compare
/// case-insensitively.
final class OriginPolicy: Sendable {
    let loopback: Bool
    let allowedOrigins: [String]
    private let boundPort = Mutex<Int?>(nil)
    private static let loopbackHosts = ["localhost", "127.0.0.1", "[::1]"]

    init(loopback: Bool, allowedOrigins: [String]) {
        self.loopback = loopback
        self.allowedOrigins = allowedOrigins.map { $0.lowercased() }
    }

    /// Called once the listening socket is bound (the port may have been 0).
    func bound(port: Int) { boundPort.withLock { $0 = port } }

    /// - Throws: ``APIError`` 421 for a foreign `Host` on loopback, 403 for an origin not allowed.
    func check(host: String?, origin: String?) throws(APIError) {
        let port = boundPort.withLock { $0 }
        if loopback, let host, let port {
            let name = host.lowercased()
            let allowed = Self.loopbackHosts.contains { name == "\($0):\(port)" || port == 80 && name == $0 }
            guard allowed else {
                throw APIError(
                    .misdirectedRequest, "misdirected_request",
                    "Host \(host) is not this loopback server (localhost, 127.0.0.1 or [::1] at port \(port))")
            }
        }
        guard let origin else { return }
        let name = origin.lowercased()
        if allowedOrigins.contains(name) { return }
        if loopback, let port, Self.loopbackHosts.contains(where: { name == "http://\($0):\(port)" }) { return }
        throw APIError(.forbidden, "forbidden_origin", "requests from the page at \(origin) are not allowed (serve --allow-origin ORIGIN)")
    }

    /// The SDK's checks of one `/mcp` request (the origin was checked by ``OriginMiddleware``).
    func mcpValidators() -> [any HTTPRequestValidator] {
        [AcceptHeaderValidator(mode: .jsonOnly), ContentTypeValidator(), ProtocolVersionValidator()]
    }
}

/// Applies ``OriginPolicy`` to every request, before its key is looked at.
struct OriginMiddleware: RouterMiddleware {
    typealias Context = ArtifactRequestContext
    let policy: OriginPolicy

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        try policy.check(host: request.head.authority, origin: request.headers[.origin])
        return try await next(request, context)
    }
}
