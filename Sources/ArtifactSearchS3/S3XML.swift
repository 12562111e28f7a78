import Foundation

/// The parts of S3's XML answers the client reads (ListObjectsV2's `ListBucketResult`,
/// CreateMultipartUpload's `UploadId`, an error's `Code` and `Message`): flat elements found by
/// name, entities decoded. Not a general XML parser: S3's answers have no attributes or CDATA
/// where these elements are.
enum S3XML {
    struct Listing {
        var objects: [(key: String, size: Int, modified: Date)] = []
        var isTruncated = false
        var nextToken: String?
    }

    static func parse(_ body: Data) -> Listing {
        let text = String(decoding: body, as: UTF8.self)
        var listing = Listing()
        var rest = text[...]
        while let open = rest.range(of: "<Contents>"), let close = rest.range(of: "</Contents>", range: open.upperBound..<rest.endIndex) {
            let entry = rest[open.upperBound..<close.lowerBound]
            if let key = value("Key", in: entry) {
                let size = value("Size", in: entry).flatMap { Int($0) } ?? 0
                let modified = value("LastModified", in: entry).flatMap(timestamp) ?? .distantPast
                listing.objects.append((key, size, modified))
            }
            rest = rest[close.upperBound...]
        }
        listing.isTruncated = value("IsTruncated", in: text[...]) == "true"
        listing.nextToken = value("NextContinuationToken", in: text[...])
        return listing
    }

    /// The decoded text of the first `<name>…</name>` in `body`.
    static func element(_ name: String, in body: Data) -> String? {
        value(name, in: String(decoding: body, as: UTF8.self)[...])
    }

    private static func value(_ name: String, in text: Substring) -> String? {
        guard let open = text.range(of: "<\(name)>"), let close = text.range(of: "</\(name)>", range: open.upperBound..<text.endIndex)
        else { return nil }
        return decodeEntities(String(text[open.upperBound..<close.lowerBound]))
    }

    static func decodeEntities(_ text: String) -> String {
        guard text.contains("&") else { return text }
        return text.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&apos;", with: "'")
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&amp;", with: "&")
    }

    /// `2026-12-02T05:06:11.000Z` (ISO 8601, fractional seconds optional).
    static func timestamp(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }
}
