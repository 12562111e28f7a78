import Hummingbird

/// Resolves `Authorization: Bearer KEY` to the key's ``Tenant`` (401 for no key or an unknown
/// one); without a key file every request is the local tenant. `/healthz` needs no key.
struct TenantMiddleware: RouterMiddleware {
    typealias Context = ArtifactRequestContext
    let keyring: APIKeyring?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if request.uri.path == "/healthz" { return try await next(request, context) }
        guard let keyring else {
            context.tenant = .local
            return try await next(request, context)
        }
        guard let header = request.headers[.authorization] else {
            throw APIError.unauthorized("no API key: send Authorization: Bearer KEY (a key from the server's --keys file)")
        }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw APIError.unauthorized("the Authorization header must be \"Bearer KEY\"")
        }
        guard let tenant = keyring.tenant(forKey: String(parts[1]).trimmingCharacters(in: .whitespaces)) else {
            throw APIError.unauthorized("unknown API key: use a key from the server's --keys file")
        }
        context.tenant = tenant
        return try await next(request, context)
    }
}
