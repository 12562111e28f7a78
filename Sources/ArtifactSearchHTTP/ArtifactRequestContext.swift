import Hummingbird

/// A request's context: Hummingbird's, plus the ``Tenant`` its key resolved to
/// (``TenantMiddleware``; `nil` only on routes that need no key, such as `/healthz`).
public struct ArtifactRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    var tenant: Tenant?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = CoreRequestContextStorage(source: source)
    }

    /// The tenant, or 401 (a route reached without ``TenantMiddleware`` never gets here).
    func requireTenant() throws(APIError) -> Tenant {
        guard let tenant else { throw .unauthorized("this endpoint needs an API key: send Authorization: Bearer KEY") }
        return tenant
    }

    /// The tenant, or 403 for a read-only key.
    func requireWriter() throws(APIError) -> Tenant {
        let tenant = try requireTenant()
        guard tenant.canWrite else {
            throw APIError(.forbidden, "forbidden", "this API key may only read: use a key with \"write\": true to change the store")
        }
        return tenant
    }
}
