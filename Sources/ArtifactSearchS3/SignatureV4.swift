import Crypto
import Foundation

/// AWS Signature Version 4 for one request, in header form (`Authorization`), as Amazon S3 and
/// S3-compatible servers (MinIO, moto, Ceph, R2) check it.
///
/// Algorithm (AWS's "Signature Version 4 signing process"): a canonical request — method,
/// URI-encoded path, sorted query, lower-cased sorted headers, the signed header names, the
/// payload's SHA-256 — is hashed into a string to sign together with the time and the
/// credential scope (`DATE/REGION/SERVICE/aws4_request`); the signing key is the HMAC-SHA256
/// chain `"AWS4" + secret` → date → region → service → `aws4_request`; the signature is the hex
/// HMAC of the string to sign under that key. Paths are encoded once (S3's rule: each byte but
/// `A–Z a–z 0–9 - _ . ~` and `/` as `%XX`), never normalised. Tested against AWS's published
/// examples and against moto with signature checking on.
public struct SignatureV4: Sendable {
    public let accessKeyID: String
    public let secretAccessKey: String
    public let region: String
    public let service: String

    public init(accessKeyID: String, secretAccessKey: String, region: String, service: String = "s3") {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.region = region
        self.service = service
    }

    /// The SHA-256 of an empty payload, hex.
    public static let emptyPayloadSHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    /// One request to sign. `path` is the decoded path (`/bucket/key with spaces`), `query`
    /// the decoded query items; `headers` must include `host` and every `x-amz-*` header sent
    /// (`x-amz-date` is added by ``sign(_:date:)``).
    public struct Request: Sendable {
        public var method: String
        public var path: String
        public var query: [(name: String, value: String)]
        public var headers: [(name: String, value: String)]
        public var payloadSHA256: String

        public init(
            method: String, path: String, query: [(name: String, value: String)] = [],
            headers: [(name: String, value: String)], payloadSHA256: String
        ) {
            self.method = method
            self.path = path
            self.query = query
            self.headers = headers
            self.payloadSHA256 = payloadSHA256
        }
    }

    /// The headers to add to `request` sent at `date`: `x-amz-date` and `Authorization`.
    public func sign(_ request: Request, date: Date) -> [(name: String, value: String)] {
        let stamp = Self.timestamp(date)
        var signed = request
        signed.headers.append(("x-amz-date", stamp.dateTime))
        let (canonical, signedHeaders) = Self.canonicalRequest(signed)
        let scope = "\(stamp.date)/\(region)/\(service)/aws4_request"
        let stringToSign = Self.stringToSign(canonical: canonical, dateTime: stamp.dateTime, scope: scope)
        let signature = Self.hex(HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: signingKey(date: stamp.date)))
        let authorization =
            "AWS4-HMAC-SHA256 Credential=\(accessKeyID)/\(scope),SignedHeaders=\(signedHeaders),Signature=\(signature)"
        return [("x-amz-date", stamp.dateTime), ("Authorization", authorization)]
    }

    /// The canonical request and its signed-header list (header names lower-cased, sorted,
    /// values trimmed with inner runs of spaces collapsed; repeated names joined with commas).
    static func canonicalRequest(_ request: Request) -> (text: String, signedHeaders: String) {
        var grouped: [String: [String]] = [:]
        for (name, value) in request.headers {
            let trimmed = value.trimmingCharacters(in: .whitespaces).split(separator: " ", omittingEmptySubsequences: true)
                .joined(separator: " ")
            grouped[name.lowercased(), default: []].append(trimmed)
        }
        let names = grouped.keys.sorted()
        let headerLines = names.map { "\($0):\(grouped[$0]!.joined(separator: ","))\n" }.joined()
        let signedHeaders = names.joined(separator: ";")
        let encoded: [(name: String, value: String)] = request.query.map { item in
            (encode(item.name, keepingSlash: false), encode(item.value, keepingSlash: false))
        }
        let sorted = encoded.sorted { a, b in a.name != b.name ? a.name < b.name : a.value < b.value }
        let query = sorted.map { item in item.name + "=" + item.value }.joined(separator: "&")
        let path = request.path.isEmpty ? "/" : encode(request.path, keepingSlash: true)
        let text = [request.method, path, query, headerLines, signedHeaders, request.payloadSHA256].joined(separator: "\n")
        return (text, signedHeaders)
    }

    static func stringToSign(canonical: String, dateTime: String, scope: String) -> String {
        "AWS4-HMAC-SHA256\n\(dateTime)\n\(scope)\n\(hex(SHA256.hash(data: Data(canonical.utf8))))"
    }

    private func signingKey(date: String) -> SymmetricKey {
        var key = SymmetricKey(data: Data("AWS4\(secretAccessKey)".utf8))
        for part in [date, region, service, "aws4_request"] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key)))
        }
        return key
    }

    /// RFC 3986 encoding as S3 wants it: unreserved bytes kept, `/` kept in paths, every other
    /// byte `%XX` with upper-case hex.
    public static func encode(_ text: String, keepingSlash: Bool) -> String {
        var out = ""
        for byte in text.utf8 {
            if isUnreserved(byte) || keepingSlash && byte == UInt8(ascii: "/") {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }

    /// RFC 3986's unreserved bytes: `A–Z a–z 0–9 - _ . ~`.
    static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
            return true
        default: return false
        }
    }

    /// `20130524T000000Z` and `20130524` of `date` (UTC).
    static func timestamp(_ date: Date) -> (dateTime: String, date: String) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let day = String(format: "%04d%02d%02d", c.year!, c.month!, c.day!)
        return (day + String(format: "T%02d%02d%02dZ", c.hour!, c.minute!, c.second!), day)
    }

    static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        digest.map { String(format: "%02x", $0) }.joined()
    }
}
