import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOHTTP1

/// Requests to one bucket of an S3-compatible server, signed with ``SignatureV4``: put
/// (optionally only if absent; from memory, or streamed from a file, in parts above
/// ``multipartThreshold``), get (whole, streamed, or a prefix by range), head, delete, list.
///
/// Retries: `500`, `502`, `503` (S3's `SlowDown`), `504` and requests that got no answer are
/// tried again up to ``maximumAttempts`` times with full-jitter exponential backoff (base
/// 100 ms, capped at 5 s); every other status is a typed ``S3Error`` at once. Each attempt is
/// signed afresh (a signature is valid for 15 minutes). Requests go through one `HTTPClient`
/// for the process (async-http-client; NIO event loops; see ``httpClient``).
///
/// Keys (and a location's prefix) are limited to S3's unreserved characters and `/`
/// (`A–Z a–z 0–9 - _ . ~ /`, what content-addressed keys use): any other character reaches the
/// server in a form that depends on the HTTP client's URL handling (async-http-client sends
/// `%2B` as `+`), so its signature could not be trusted to match; such a key is
/// ``S3Error/invalidKey(_:)`` before anything is sent.
///
/// A streamed download that fails after its first bytes is not retried (the consumer has seen
/// them): it throws ``S3Error/unreachable(endpoint:reason:)``.
public struct S3ObjectClient: Sendable {
    public let location: S3Location
    private let signer: SignatureV4
    /// The endpoint without a trailing `/`, and the `host` header it implies (with its port).
    private let endpoint: String
    private let hostHeader: String
    /// Per request (a whole upload or download of one part or object). Default 30 s.
    public var timeout: TimeAmount = .seconds(30)
    public var maximumAttempts = 4
    /// Files at least this large are uploaded in parts (S3's multipart upload). Default 64 MiB.
    public var multipartThreshold = 64 << 20
    /// Bytes per part (S3's minimum is 5 MiB but for the last part); one part is in memory at
    /// a time. Default 16 MiB.
    public var partSize = 16 << 20

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
        _ = try await send("PUT", key: key, headers: headers, payload: .bytes(data))
    }

    /// The object's bytes.
    /// - Throws: ``S3Error/notFound(key:)``.
    public func get(key: String, maxBytes: Int = 1 << 30) async throws(S3Error) -> Data {
        try await send("GET", key: key, maxBytes: maxBytes).body
    }

    /// The object's size in bytes, or `nil` when there is none.
    public func size(key: String) async throws(S3Error) -> Int? {
        try await head(key: key)?.size
    }

    /// Removes the object (no error when there is none, as S3 answers).
    public func delete(key: String) async throws(S3Error) {
        _ = try await send("DELETE", key: key)
    }

    /// The object's size and `Last-Modified` time, or `nil` when there is none.
    public func head(key: String) async throws(S3Error) -> (size: Int, modified: Date)? {
        do {
            let response = try await send("HEAD", key: key)
            let size = response.headers.first(name: "content-length").flatMap { Int($0) } ?? 0
            let modified = response.headers.first(name: "last-modified").flatMap(Self.httpDate) ?? .distantPast
            return (size, modified)
        } catch .notFound {
            return nil
        }
    }

    /// Uploads `size` bytes of the file at `path` whose SHA-256 is `sha256` (hex; it signs the
    /// payload, and the server checks the bytes against it): one streamed `PUT` below
    /// ``multipartThreshold``, a multipart upload (parts of ``partSize``, each hashed and
    /// checked by the server; aborted on failure) above it.
    /// - Parameter ifAbsent: `If-None-Match: *` on the `PUT`; a multipart upload asks with a
    ///   `HEAD` first instead.
    /// - Throws: ``S3Error/alreadyExists(key:)`` when `ifAbsent` and the key exists;
    ///   ``S3Error/invalidLocation(_:)`` when the file cannot be read.
    public func putFile(path: String, size: Int, sha256: String, key: String, ifAbsent: Bool = false) async throws(S3Error) {
        if size >= multipartThreshold {
            if ifAbsent, try await head(key: key) != nil { throw .alreadyExists(key: key) }
            try await multipartUpload(path: path, size: size, key: key)
            return
        }
        var headers: [(String, String)] = [("content-length", String(size))]
        if ifAbsent { headers.append(("if-none-match", "*")) }
        _ = try await send("PUT", key: key, headers: headers, payload: .file(path: path, offset: 0, length: size, sha256: sha256))
    }

    /// Streams the object's bytes to `body` as they arrive.
    /// - Throws: ``S3Error/notFound(key:)`` before any byte; what `body` throws.
    public func read(key: String, chunks body: (ByteBuffer) throws -> Void) async throws {
        let response = try await respond("GET", key: key)
        do {
            for try await buffer in response.body { try body(buffer) }
        } catch let error as S3Error {
            throw error
        } catch let error where error is NIOCore.IOError || error is HTTPClientError {
            throw S3Error.unreachable(endpoint: endpoint, reason: "the download broke off: \(error)")
        }
    }

    /// Up to `maxBytes` bytes from the object's start (a `Range` request) and its whole size.
    /// - Throws: ``S3Error/notFound(key:)``.
    public func prefix(key: String, maxBytes: Int) async throws(S3Error) -> (bytes: Data, size: Int) {
        guard maxBytes > 0 else {
            guard let (size, _) = try await head(key: key) else { throw .notFound(key: key) }
            return (Data(), size)
        }
        let answer: Answer
        do {
            answer = try await send("GET", key: key, headers: [("range", "bytes=0-\(maxBytes - 1)")], maxBytes: maxBytes)
        } catch .server(status: 416, _, _) {
            // A range of an empty object is unsatisfiable.
            guard let (size, _) = try await head(key: key) else { throw .notFound(key: key) }
            return (Data(), size)
        }
        // `Content-Range: bytes 0-99/12345` gives the whole size; a 200 (no range applied) is the whole object.
        if answer.status == 206, let range = answer.headers.first(name: "content-range"),
            let slash = range.lastIndex(of: "/"), let size = Int(range[range.index(after: slash)...])
        {
            return (answer.body, size)
        }
        return (answer.body.prefix(maxBytes), answer.body.count)
    }

    /// Keys (under the location's prefix, which is taken off), sizes and modification times of
    /// every object whose key starts with `prefix`, in key order, a page (≤ 1,000) at a time
    /// (ListObjectsV2).
    public func list(prefix: String, page body: ([(key: String, size: Int, modified: Date)]) async throws -> Void)
        async throws
    {
        guard prefix.isEmpty || Self.isSafe(prefix) else { throw S3Error.invalidKey(prefix) }
        let base = location.prefix.isEmpty ? "" : location.prefix + "/"
        // moto (5.2.1) checks the signature of a query value holding '/' against another
        // canonical form than S3's (it refuses boto3's own such requests): the prefix sent
        // stops before its first '/', and the keys are filtered here.
        let wanted = base + prefix
        let sent = String(wanted.prefix { $0 != "/" })
        var token: String?
        repeat {
            var query = [("list-type", "2"), ("prefix", sent)]
            if let token { query.append(("continuation-token", token)) }
            let answer = try await send("GET", key: nil, query: query, maxBytes: 64 << 20)
            let listing = S3XML.parse(answer.body)
            try await body(listing.objects.compactMap { object in
                guard object.key.hasPrefix(wanted) else { return nil }
                return (String(object.key.dropFirst(base.count)), object.size, object.modified)
            })
            token = listing.isTruncated ? listing.nextToken : nil
        } while token != nil
    }

    // MARK: Multipart

    private func multipartUpload(path: String, size: Int, key: String) async throws(S3Error) {
        let created = try await send("POST", key: key, query: [("uploads", "")])
        guard let uploadID = S3XML.element("UploadId", in: created.body) else {
            throw .server(status: created.status, code: "", message: "no UploadId in the answer to CreateMultipartUpload")
        }
        do throws(S3Error) {
            var parts: [(number: Int, etag: String)] = []
            var offset = 0
            var number = 1
            while offset < size || number == 1 {
                let length = min(partSize, size - offset)
                let bytes = try Self.readPart(path: path, offset: offset, length: length)
                let answer = try await send(
                    "PUT", key: key, query: [("partNumber", String(number)), ("uploadId", uploadID)],
                    headers: [("content-length", String(length))], payload: .bytes(bytes))
                guard let etag = answer.headers.first(name: "etag") else {
                    throw S3Error.server(status: answer.status, code: "", message: "no ETag for part \(number)")
                }
                parts.append((number, etag))
                offset += length
                number += 1
            }
            var xml = "<CompleteMultipartUpload>"
            for part in parts {
                xml += "<Part><PartNumber>\(part.number)</PartNumber><ETag>\(Self.escapeXML(part.etag))</ETag></Part>"
            }
            xml += "</CompleteMultipartUpload>"
            let completed = try await send("POST", key: key, query: [("uploadId", uploadID)], payload: .bytes(Data(xml.utf8)))
            // S3 may answer 200 with an error inside the body.
            let (code, message) = Self.errorDetail(completed.body)
            if !code.isEmpty { throw S3Error.server(status: completed.status, code: code, message: message) }
        } catch {
            _ = try? await send("DELETE", key: key, query: [("uploadId", uploadID)])
            throw error
        }
    }

    private static func readPart(path: String, offset: Int, length: Int) throws(S3Error) -> Data {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw .invalidLocation("cannot read \(path) to upload it")
        }
        defer { try? handle.close() }
        do {
            try handle.seek(toOffset: UInt64(offset))
            let data = try handle.read(upToCount: length) ?? Data()
            guard data.count == length else { throw S3Error.invalidLocation("\(path) is shorter than \(offset + length) bytes") }
            return data
        } catch let error as S3Error {
            throw error
        } catch {
            throw .invalidLocation("cannot read \(path) to upload it: \(error)")
        }
    }

    static func escapeXML(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// An HTTP date (`Last-Modified: Wed, 02 Dec 2026 05:06:11 GMT`, RFC 7231 IMF-fixdate).
    static func httpDate(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: text)
    }

    // MARK: Requests

    private struct Answer {
        var status: Int
        var headers: HTTPHeaders
        var body: Data
    }

    /// What a request sends.
    enum Payload {
        case empty
        case bytes(Data)
        /// `length` bytes of a local file from `offset`, streamed; `sha256` is their hash.
        case file(path: String, offset: Int, length: Int, sha256: String)
    }

    /// The object's path: `/BUCKET/PREFIX/KEY`, decoded (the signer and the URL encode it);
    /// `/BUCKET` for a request to the bucket itself (`key` nil).
    private func path(of key: String?) -> String {
        guard let key else { return "/" + location.bucket }
        return "/" + location.bucket + "/" + (location.prefix.isEmpty ? "" : location.prefix + "/") + key
    }

    /// A request answered with its whole body (at most `maxBytes`).
    private func send(
        _ method: String, key: String?, query: [(String, String)] = [], headers extra: [(String, String)] = [],
        payload: Payload = .empty, maxBytes: Int = 1 << 20
    ) async throws(S3Error) -> Answer {
        let response = try await respond(method, key: key, query: query, headers: extra, payload: payload)
        do {
            let buffer = try await response.body.collect(upTo: maxBytes)
            return Answer(status: Int(response.status.code), headers: response.headers, body: Data(buffer.readableBytesView))
        } catch {
            throw .unreachable(endpoint: endpoint, reason: "the answer broke off: \(error)")
        }
    }

    /// A request whose `2xx` answer is returned with its body unread; other statuses are
    /// mapped to ``S3Error`` (after the retries).
    private func respond(
        _ method: String, key: String?, query: [(String, String)] = [], headers extra: [(String, String)] = [],
        payload: Payload = .empty
    ) async throws(S3Error) -> HTTPClientResponse {
        if let key { guard Self.isSafe(key), !key.isEmpty else { throw .invalidKey(key) } }
        let objectPath = path(of: key)
        let payloadSHA256: String
        switch payload {
        case .empty: payloadSHA256 = SignatureV4.emptyPayloadSHA256
        case .bytes(let data): payloadSHA256 = SignatureV4.hex(SHA256.hash(data: data))
        case .file(_, _, _, let sha256): payloadSHA256 = sha256.lowercased()
        }
        let queryText = query.map { SignatureV4.encode($0.0, keepingSlash: false) + "=" + SignatureV4.encode($0.1, keepingSlash: false) }
            .joined(separator: "&")
        let url = endpoint + SignatureV4.encode(objectPath, keepingSlash: true) + (queryText.isEmpty ? "" : "?" + queryText)
        var attempt = 0
        while true {
            attempt += 1
            var headers = extra
            headers.append(("host", hostHeader))
            headers.append(("x-amz-content-sha256", payloadSHA256))
            let signed = signer.sign(
                SignatureV4.Request(
                    method: method, path: objectPath, query: query.map { (name: $0.0, value: $0.1) }, headers: headers,
                    payloadSHA256: payloadSHA256),
                date: Date())
            var request = HTTPClientRequest(url: url)
            request.method = HTTPMethod(rawValue: method)
            for (name, value) in headers + signed where name != "host" { request.headers.add(name: name, value: value) }
            switch payload {
            case .empty: break
            case .bytes(let data): request.body = .bytes(ByteBuffer(bytes: data))
            case .file(let path, let offset, let length, _):
                request.body = .stream(FileByteChunks(path: path, offset: offset, length: length), length: .known(Int64(length)))
            }
            let response: HTTPClientResponse
            do {
                response = try await Self.httpClient.execute(request, timeout: timeout)
            } catch {
                if let problem = error as? FileByteChunks.ReadError { throw .invalidLocation(problem.description) }
                if attempt < maximumAttempts {
                    await Self.backOff(attempt)
                    continue
                }
                throw .unreachable(endpoint: endpoint, reason: "\(error)")
            }
            let status = Int(response.status.code)
            if (200..<300).contains(status) { return response }
            let body = (try? await response.body.collect(upTo: 1 << 20)).map { Data($0.readableBytesView) } ?? Data()
            switch status {
            case 404: throw .notFound(key: key ?? "")
            case 412: throw .alreadyExists(key: key ?? "")
            case let status where [500, 502, 503, 504].contains(status) && attempt < maximumAttempts:
                await Self.backOff(attempt)
                continue
            default:
                let (code, message) = Self.errorDetail(body)
                if status == 403 { throw .accessDenied(code: code, message: message) }
                throw .server(status: status, code: code, message: message)
            }
        }
    }

    /// The process's client for every bucket: async-http-client's defaults, except that a
    /// connection that cannot be made fails its attempt at once (within 5 s) instead of being
    /// retried until the request's deadline — our own attempts and backoff decide, so a dead
    /// endpoint is an error in about a second, not minutes. Never shut down (it lives as long
    /// as the process).
    private static let httpClient: HTTPClient = {
        var configuration = HTTPClient.Configuration.singletonConfiguration
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(5)
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

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
        let head = body.prefix(16_384)
        return (S3XML.element("Code", in: head) ?? "", S3XML.element("Message", in: head) ?? "")
    }
}
