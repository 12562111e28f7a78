import Hummingbird

/// `HEAD` on every `GET` route (RFC 9110 §9.3.2: a general-purpose server must support it):
/// the request is answered as a `GET` — same status and headers, `Content-Length` of the body
/// a `GET` would send — without the body, which is never produced (a content stream is not
/// read). Wraps the router's responder: Hummingbird matches a route's method exactly, before
/// any middleware runs, so without this a `HEAD` (`curl -I`, load balancers' health checks)
/// was 404.
struct HeadResponder<Base: HTTPResponder>: HTTPResponder where Base.Context == ArtifactRequestContext {
    typealias Context = ArtifactRequestContext
    let base: Base

    func respond(to request: Request, context: Context) async throws -> Response {
        guard request.method == .head else { return try await base.respond(to: request, context: context) }
        var head = request.head
        head.method = .get
        let response = try await base.respond(to: Request(head: head, body: request.body), context: context)
        var headers = response.headers
        if headers[.contentLength] == nil, let length = response.body.contentLength { headers[.contentLength] = String(length) }
        // A new response: setting `body` on this one would reset Content-Length to 0.
        return Response(status: response.status, headers: headers, body: ResponseBody())
    }
}
