import ArgumentParser
import ArtifactSearch

/// `--max-indexed-bytes`: a whole number of bytes, optionally with K, M or G (KiB, MiB, GiB).
enum ByteCount {
    static func parse(_ text: String) throws -> Int {
        var digits = Substring(text.trimmingCharacters(in: .whitespaces))
        var unit = 1
        if let last = digits.last, let multiplier = ["k": 1 << 10, "m": 1 << 20, "g": 1 << 30][last.lowercased()] {
            unit = multiplier
            digits = digits.dropLast()
        }
        if digits.hasPrefix("-") {
            throw ValidationError("--max-indexed-bytes must be at least 0 (got \(text))")
        }
        guard !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber), let value = Int(digits) else {
            throw ValidationError("\"\(text)\" is not a byte count: use a whole number, optionally with K, M or G (e.g. 262144, 256K, 1M)")
        }
        let (bytes, overflow) = value.multipliedReportingOverflow(by: unit)
        let maximum = ArtifactFacade.maximumIndexedContentBytes
        guard !overflow, bytes <= maximum else {
            throw ValidationError("--max-indexed-bytes \(text) is too large: at most \(maximum) (256M)")
        }
        return bytes
    }
}
