import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Answers `Expect: 100-continue` with the interim `100 Continue` as the request's head
/// arrives (RFC 9110 §10.1.1), so a client that waits for it before sending its body — curl
/// does for bodies over 1 MiB — sends it at once instead of after its own timeout (curl: 1 s,
/// measured). A body declared larger than the limit gets no `100`: the final 413 comes
/// without the client sending it. Neither Hummingbird nor NIO answers the expectation.
///
/// Sits after the HTTP/1 codec (parts as HTTPTypes), before Hummingbird's request handling.
final class ExpectContinueHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundOut = HTTPResponsePart

    private let maxBodyBytes: Int

    init(maxBodyBytes: Int) {
        self.maxBodyBytes = maxBodyBytes
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head(let request) = unwrapInboundIn(data), Self.expectsContinue(request, maxBodyBytes: maxBodyBytes) {
            context.writeAndFlush(wrapOutboundOut(.head(HTTPResponse(status: .continue))), promise: nil)
        }
        context.fireChannelRead(data)
    }

    /// Whether `request` waits for `100 Continue` and may send its body: the expectation is
    /// `100-continue` (case-insensitive), and a declared `Content-Length` is within the limit.
    static func expectsContinue(_ request: HTTPRequest, maxBodyBytes: Int) -> Bool {
        guard let expectation = request.headerFields[.expect], expectation.lowercased() == "100-continue" else { return false }
        if let declared = request.headerFields[.contentLength].flatMap({ Int($0) }), declared > maxBodyBytes { return false }
        return true
    }
}
