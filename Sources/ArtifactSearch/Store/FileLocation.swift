import Foundation

/// Turns the seed's "uri" arguments into local paths.
///
/// Accepted: `file:///abs/path`, `file://localhost/abs/path` (percent-encoding decoded, e.g.
/// `%20` → space), and plain paths (absolute, or relative to the current directory; no
/// decoding). Any other scheme (`s3://`, `https://`) throws ``ArtifactError/unsupportedURI(_:)``.
public enum FileLocation {
    /// The local file URL designated by `uri`.
    public static func url(from uri: String) throws(ArtifactError) -> URL {
        let trimmed = uri.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw .unsupportedURI(uri) }
        if let schemeEnd = trimmed.range(of: "://") {
            let scheme = trimmed[..<schemeEnd.lowerBound]
            let isScheme =
                !scheme.isEmpty && scheme.first!.isLetter
                && scheme.allSatisfy { $0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == "." }
            if isScheme {
                guard scheme.lowercased() == "file" else { throw .unsupportedURI(uri) }
                var rest = String(trimmed[schemeEnd.upperBound...])
                if rest.lowercased().hasPrefix("localhost/") { rest.removeFirst("localhost".count) }
                guard rest.hasPrefix("/") else { throw .unsupportedURI(uri) }
                if let query = rest.firstIndex(where: { $0 == "?" || $0 == "#" }) {
                    rest = String(rest[..<query])
                }
                guard let path = rest.removingPercentEncoding else { throw .unsupportedURI(uri) }
                return URL(fileURLWithPath: path).standardizedFileURL
            }
        }
        if trimmed.lowercased().hasPrefix("file:/") {
            // `file:/abs/path` (one slash) is also a file URI.
            guard let path = String(trimmed.dropFirst(5)).removingPercentEncoding else { throw .unsupportedURI(uri) }
            return URL(fileURLWithPath: path).standardizedFileURL
        }
        return URL(fileURLWithPath: uri).standardizedFileURL
    }

    /// The `file://` URI of a local file, percent-encoded.
    public static func uri(for url: URL) -> String {
        URL(fileURLWithPath: url.path).absoluteString
    }
}
