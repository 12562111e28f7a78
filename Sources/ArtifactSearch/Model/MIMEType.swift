import Foundation

/// MIME types from file extensions and content sniffing.
public enum MIMEType {
    static let octetStream = "application/octet-stream"
    static let json = "application/json"
    static let plainText = "text/plain"

    /// The MIME type for a file name's extension (case-insensitive), or `nil` when unknown.
    static func forFilename(_ name: String) -> String? {
        let ext = (name as NSString).pathExtension.lowercased()
        guard !ext.isEmpty else { return nil }
        return byExtension[ext]
    }

    /// Sniffs well-known magic numbers, then UTF-8 text. `nil` when nothing is recognised.
    static func sniff(_ prefix: some Collection<UInt8>) -> String? {
        let head = Array(prefix.prefix(16))
        for (magic, type) in magicNumbers where head.starts(with: magic) { return type }
        if head.isEmpty { return nil }
        if TextDecoder.indexableText(prefix) != nil { return plainText }
        return nil
    }

    /// Extension first, then `fallback`, then sniffing, then `application/octet-stream`.
    static func resolve(filename: String?, prefix: some Collection<UInt8>, fallback: String?) -> String {
        resolve(filenames: [filename], prefix: prefix, fallback: fallback)
    }

    /// The first known extension among `filenames` (in order), then `fallback`, then
    /// sniffing, then `application/octet-stream`.
    public static func resolve(filenames: [String?], prefix: some Collection<UInt8>, fallback: String?) -> String {
        for case let filename? in filenames {
            if let type = forFilename(filename) { return type }
        }
        if let fallback { return fallback }
        return sniff(prefix) ?? octetStream
    }

    private static let magicNumbers: [([UInt8], String)] = [
        ([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], "image/png"),
        ([0xFF, 0xD8, 0xFF], "image/jpeg"),
        (Array("GIF8".utf8), "image/gif"),
        (Array("%PDF-".utf8), "application/pdf"),
        ([0x50, 0x4B, 0x03, 0x04], "application/zip"),
        ([0x1F, 0x8B], "application/gzip"),
        (Array("PAR1".utf8), "application/vnd.apache.parquet"),
        ([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59], "application/x-npy"),
        (Array("SQLite format 3".utf8), "application/vnd.sqlite3"),
    ]

    private static let byExtension: [String: String] = [
        "txt": "text/plain", "log": "text/plain", "text": "text/plain",
        "md": "text/markdown", "markdown": "text/markdown", "rst": "text/x-rst",
        "csv": "text/csv", "tsv": "text/tab-separated-values",
        "html": "text/html", "htm": "text/html", "css": "text/css", "xml": "application/xml",
        "json": "application/json", "jsonl": "application/jsonl", "ndjson": "application/x-ndjson",
        "yaml": "application/yaml", "yml": "application/yaml", "toml": "application/toml",
        "ipynb": "application/x-ipynb+json",
        "swift": "text/x-swift", "py": "text/x-python", "js": "text/javascript",
        "mjs": "text/javascript", "ts": "text/x-typescript", "c": "text/x-c", "h": "text/x-c",
        "cc": "text/x-c++", "cpp": "text/x-c++", "hpp": "text/x-c++", "rs": "text/x-rust",
        "go": "text/x-go", "java": "text/x-java", "kt": "text/x-kotlin", "rb": "text/x-ruby",
        "sh": "application/x-sh", "sql": "application/sql", "tex": "application/x-tex",
        "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif",
        "svg": "image/svg+xml", "webp": "image/webp", "pdf": "application/pdf",
        "zip": "application/zip", "gz": "application/gzip", "tar": "application/x-tar",
        "parquet": "application/vnd.apache.parquet", "npy": "application/x-npy",
        "wav": "audio/wav", "mp3": "audio/mpeg", "mp4": "video/mp4",
        "sqlite": "application/vnd.sqlite3", "db": "application/vnd.sqlite3",
    ]
}
