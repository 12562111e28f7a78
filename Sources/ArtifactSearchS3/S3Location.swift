import Foundation

/// A bucket on an S3-compatible server, as `--blobs` names it:
/// `s3://BUCKET[/PREFIX]?endpoint=http://HOST:PORT&region=REGION`.
///
/// Without `endpoint`, Amazon S3 of the region (`https://s3.REGION.amazonaws.com`); without
/// `region`, `us-east-1`. Requests use path-style addressing (`ENDPOINT/BUCKET/KEY`), which
/// every S3-compatible server accepts.
public struct S3Location: Sendable, Equatable {
    public var bucket: String
    /// Prepended to every key (no leading or trailing `/`); empty for none.
    public var prefix: String
    public var endpoint: URL
    public var region: String

    public init(bucket: String, prefix: String = "", endpoint: URL, region: String = "us-east-1") {
        self.bucket = bucket
        self.prefix = prefix
        self.endpoint = endpoint
        self.region = region
    }

    /// - Throws: ``S3Error/invalidLocation(_:)`` naming what is wrong.
    public init(parsing text: String) throws(S3Error) {
        guard let components = URLComponents(string: text), components.scheme == "s3" else {
            throw .invalidLocation("\"\(text)\" is not s3://BUCKET?endpoint=http://HOST:PORT&region=REGION")
        }
        guard let bucket = components.host, !bucket.isEmpty,
            bucket.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D || $0 == 0x2E }),
            (3...63).contains(bucket.utf8.count)
        else {
            throw .invalidLocation("\"\(text)\": a bucket name is 3–63 lower-case letters, digits, '-' and '.'")
        }
        var region = "us-east-1"
        var endpoint: URL?
        for item in components.queryItems ?? [] {
            switch item.name {
            case "region":
                guard let value = item.value, !value.isEmpty else { throw .invalidLocation("\"\(text)\": empty region") }
                region = value
            case "endpoint":
                guard let value = item.value, let url = URL(string: value), ["http", "https"].contains(url.scheme ?? ""),
                    url.host != nil
                else { throw .invalidLocation("\"\(text)\": endpoint must be http(s)://HOST[:PORT]") }
                endpoint = url
            default:
                throw .invalidLocation("\"\(text)\": unknown option \"\(item.name)\" (endpoint, region)")
            }
        }
        let prefix = components.path.split(separator: "/").joined(separator: "/")
        guard S3ObjectClient.isSafe(prefix) else {
            throw .invalidLocation("\"\(text)\": a prefix may hold only A–Z a–z 0–9 - _ . ~ /")
        }
        self.init(
            bucket: bucket, prefix: prefix, endpoint: endpoint ?? URL(string: "https://s3.\(region).amazonaws.com")!,
            region: region)
    }
}
