import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOHTTP1

/// Whole-object requests to one bucket of an S3-compatible server, signed with
/// ``SignatureV4``: put (optionally only if absent), get, head, delete.
///
/// Retries: `500`, `502`, `503` (S3's `SlowDown`), `504` and requests that got no answer are
/// tried again up to ``maximumAttempts`` times with full-jitter exponential backoff (base
/// 100 ms, capped at 5 s); every other status is a typed ``S3Error`` at once. Each attempt is
/// signed afresh (a signature is valid for 15 minutes). Requests go through the process's
/// shared `HTTPClient` (async-http-client; NIO event loops).
///
/// Keys (and a location's prefix) are limited to S3's unreserved characters and `/`
/// (`A–Z a–z 0–9 - _ . ~ /`, what content-addressed keys use): any other character reaches the
/// server in a form that depends on the HTTP client's URL handling (async-http-client sends
/// `%2B` as `+`), so its signature could not be trusted to match; such a key is
/// ``S3Error/invalidKey(_:)`` before anything is sent.
///
/// Whole objects only in this step: streaming and multipart uploads of large blobs come with
/// the `ArtifactStore` over S3.
public struct S3ObjectClient: Sendable {
    public let location: S3Location
    private let signer: SignatureV4
    /// The endpoint without a trailing `/`, and the `host` header it implies (with its port).
    private let endpoint: String
    private let hostHeader: String
    public var timeout: TimeAmount = .seconds(30)
    public var maximumAttempts = 4

    public init(location: S3Location, accessKeyID: String, secretAccessKey: String) {
        self.location = location
        self.signer = SignatureV4(accessKeyID: accessKeyID, secretAccessKey: secretAccessKey, region: location.region)
        let text = location.endpoint.absoluteString
        endpoint = text.hasSuffix("/") ? String(text.dropLast()) : text
        hostHeader = (location.endpoint.host ?? "") + (location.endpoint.port.map { ":\($0)" } ?? "")
    }

    /// Credentials from `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`.
    /// - Throws: ``S3Error/accessDenied(code:message:)`` naming the missing variable.
    public init(location: S3Location, environment: [String: String] = ProcessInfo.processInfo.environment) throws(S3Error) {
        guard let key = environment["AWS_ACCESS_KEY_ID"], !key.isEmpty else {
            throw .accessDenied(code: "NoCredentials", message: "AWS_ACCESS_KEY_ID is not set")
        }
        guard let secret = environment["AWS_SECRET_ACCESS_KEY"], !secret.isEmpty else {
            throw .accessDenied(code: "NoCredentials", message: "AWS_SECRET_ACCESS_KEY is not set")
        }
        self.init(location: location, accessKeyID: key, secretAccessKey: secret)
    }

    /// Stores `data` under `key`. With `ifAbsent`, sends `If-None-Match: *`: two writers of
    /// one key never overwrite each other (content-addressed keys make that a no-op).
    /// - Throws: ``S3Error/alreadyExists(key:)`` when `ifAbsent` and the key exists.
    public func put(_ data: Data, key: String, ifAbsent: Bool = false, contentType: String? = nil) async throws(S3Error) {
        var headers: [(String, String)] = [("content-length", String(data.count))]
        if ifAbsent { headers.append(("if-none-match", "*")) }
        if let contentType { headers.append(("content-type", contentType)) }
        _ = try await send("PUT", key: key, headers: headers, body: data)
    }

    /// The object's bytes.
    /// - Throws: ``S3Error/notFound(key:)``.
    public func get(key: String, maxBytes: Int = 1 << 30) async throws(S3Error) -> Data {
        try await send("GET", key: key, maxBytes: maxBytes).body
    }

    /// The object's size in bytes, or `nil` when there is none.
    public func size(key: String) async throws(S3Error) -> Int? {
        do {
            let response = try await send("HEAD", key: key)
            return response.headers.first(name: "content-length").flatMap { Int($0) }
        } catch .notFound {
            return nil
        }
    }

    /// Removes the object (no error when there is none, as S3 answers).
    public func delete(key: String) async throws(S3Error) {
        _ = try await send("DELETE", key: key)
    }

    // MARK: Requests

    private struct Answer {
        var status: Int
        var headers: HTTPHeaders
        var body: Data
    }

    /// The object's path: `/BUCKET/PREFIX/KEY`, decoded (the signer and the URL encode it).
    private func path(of key: String) -> String {
        "/" + location.bucket + "/" + (location.prefix.isEmpty ? "" : location.prefix + "/") + key
    }

    private func send(
        _ method: String, key: String, headers extra: [(String, String)] = [], body: Data? = nil, maxBytes: Int = 1 << 20
    ) async throws(S3Error) -> Answer {
        guard Self.isSafe(key), !key.isEmpty else { throw .invalidKey(key) }
        let objectPath = path(of: key)
        let payloadSHA256 = body.map { SignatureV4.hex(SHA256.hash(data: $0)) } ?? SignatureV4.emptyPayloadSHA256
        var attempt = 0
        while true {
            attempt += 1
            var headers = extra
            headers.append(("host", hostHeader))
            headers.append(("x-amz-content-sha256", payloadSHA256))
            let signed = signer.sign(
                SignatureV4.Request(method: method, path: objectPath, headers: headers, payloadSHA256: payloadSHA256),
                date: Date())
            var request = HTTPClientRequest(url: endpoint + SignatureV4.encode(objectPath, keepingSlash: true))
            request.method = HTTPMethod(rawValue: method)
            for (name, value) in headers + signed where name != "host" { request.headers.add(name: name, value: value) }
            if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
            let answer: Answer
            do {
                let response = try await HTTPClient.shared.execute(request, timeout: timeout)
                let buffer = try await response.body.collect(upTo: maxBytes)
                answer = Answer(status: Int(response.status.code), headers: response.headers, body: Data(buffer.readableBytesView))
            } catch {
                if attempt < maximumAttempts {
                    await Self.backOff(attempt)
                    continue
                }
                throw .unreachable(endpoint: endpoint, reason: "\(error)")
            }
            switch answer.status {
            case 200..<300: return answer
            case 404: throw .notFound(key: key)
            case 412: throw .alreadyExists(key: key)
            case let status where [500, 502, 503, 504].contains(status) && attempt < maximumAttempts:
                await Self.backOff(attempt)
                continue
            default:
                let (code, message) = Self.errorDetail(answer.body)
                if answer.status == 403 { throw .accessDenied(code: code, message: message) }
                throw .server(status: answer.status, code: code, message: message)
            }
        }
    }

    /// Only unreserved characters and `/`: encoded and sent unchanged by every client.
    static func isSafe(_ text: String) -> Bool {
        text.utf8.allSatisfy { SignatureV4.isUnreserved($0) || $0 == UInt8(ascii: "/") }
    }

    /// Full jitter: a uniform wait in [0, min(5 s, 100 ms × 2^(attempt − 1))).
    private static func backOff(_ attempt: Int) async {
        let cap = min(5.0, 0.1 * pow(2, Double(attempt - 1)))
        try? await Task.sleep(nanoseconds: UInt64(Double.random(in: 0..<cap) * 1e9))
    }

    /// `<Code>` and `<Message>` of S3's XML error body (empty when absent).
    static func errorDetail(_ body: Data) -> (code: String, message: String) {
        let text = String(decoding: body.prefix(16_384), as: UTF8.self)
        func element(_ name: String) -> String {
            guard let open = text.range(of: "<\(name)>"), let close = text.range(of: "</\(name)>", range: open.upperBound..<text.endIndex)
            else { return "" }
            return String(text[open.upperBound..<close.lowerBound])
        }
        return (element("Code"), element("Message"))
    }
}
