import ArgumentParser
import ArtifactSearch

/// Byte counts on the command line: a whole number of bytes, optionally with K, M, G or T
/// (KiB, MiB, GiB, TiB).
enum ByteCount {
    /// `--max-indexed-bytes`: at most ``ArtifactSearch/ArtifactFacade/maximumIndexedContentBytes``.
    static func parse(_ text: String) throws -> Int {
        try parse(text, option: "--max-indexed-bytes", maximum: (ArtifactFacade.maximumIndexedContentBytes, "256M"))
    }

    /// `--cache-limit`: a byte count, or `none` (no limit: `nil`).
    static func parseCacheLimit(_ text: String) throws -> CacheLimit {
        if text.trimmingCharacters(in: .whitespaces).lowercased() == "none" { return CacheLimit(bytes: nil) }
        return CacheLimit(bytes: try parse(text, option: "--cache-limit", maximum: nil))
    }

    static func parse(_ text: String, option: String, maximum: (bytes: Int, text: String)?) throws -> Int {
        var digits = Substring(text.trimmingCharacters(in: .whitespaces))
        var unit = 1
        if let last = digits.last,
            let multiplier = ["k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40][last.lowercased()]
        {
            unit = multiplier
            digits = digits.dropLast()
        }
        if digits.hasPrefix("-") {
            throw ValidationError("\(option) must be at least 0 (got \(text))")
        }
        guard !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber), let value = Int(digits) else {
            throw ValidationError(
                "\"\(text)\" is not a byte count: use a whole number, optionally with K, M, G or T (e.g. 262144, 256K, 1M)"
                    + (option == "--cache-limit" ? ", or none" : ""))
        }
        let (bytes, overflow) = value.multipliedReportingOverflow(by: unit)
        guard !overflow, bytes <= maximum?.bytes ?? Int.max else {
            throw ValidationError("\(option) \(text) is too large" + (maximum.map { ": at most \($0.bytes) (\($0.text))" } ?? ""))
        }
        return bytes
    }
}

/// `--cache-limit`'s value: bytes, or `nil` for no limit.
struct CacheLimit: Sendable, Hashable {
    var bytes: Int?
}
