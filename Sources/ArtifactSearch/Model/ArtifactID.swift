import Foundation

/// Unique, time-sortable artifact ids in the ULID layout: a 48-bit millisecond timestamp and
/// 80 random bits, written as 26 Crockford base-32 characters (`0-9A-Z` without `I L O U`).
///
/// Lexicographic order of ids is creation order: by millisecond across processes, and strictly
/// increasing within a process (when several ids share a millisecond, or the clock steps back,
/// the random part of the previous id is incremented, as in the ULID "monotonic" variant).
public enum ArtifactID {
    /// A new id for an artifact created at `date`. Thread-safe.
    public static func make(at date: Date = Date()) -> String {
        generator.next(milliseconds: max(0, ArtifactTimestamp.milliseconds(date)))
    }

    /// The millisecond timestamp encoded in an id, or `nil` if `id` is not a 26-character
    /// Crockford base-32 string.
    public static func timestamp(of id: String) -> Date? {
        let chars = Array(id.utf8)
        guard chars.count == 26 else { return nil }
        var ms: UInt64 = 0
        for c in chars.prefix(10) {
            guard let v = decodeTable[c] else { return nil }
            ms = ms << 5 | UInt64(v)
        }
        return ArtifactTimestamp.date(milliseconds: Int64(ms & 0xFFFF_FFFF_FFFF))
    }

    private static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)
    private static let decodeTable: [UInt8: UInt8] = {
        var table: [UInt8: UInt8] = [:]
        for (index, c) in alphabet.enumerated() { table[c] = UInt8(index) }
        return table
    }()
    private static let generator = Generator()

    private final class Generator: @unchecked Sendable {
        private let lock = NSLock()
        private var lastMilliseconds: Int64 = -1
        private var high: UInt16 = 0  // top 16 of the 80 random bits
        private var low: UInt64 = 0  // bottom 64 random bits

        func next(milliseconds: Int64) -> String {
            lock.lock()
            defer { lock.unlock() }
            if milliseconds > lastMilliseconds {
                var rng = SystemRandomNumberGenerator()
                lastMilliseconds = milliseconds
                high = UInt16.random(in: .min ... .max, using: &rng)
                low = rng.next()
            } else {
                let (sum, overflow) = low.addingReportingOverflow(1)
                low = sum
                if overflow {
                    let (h, o) = high.addingReportingOverflow(1)
                    high = h
                    if o { lastMilliseconds += 1 }  // 2^80 ids in one ms: move to the next ms
                }
            }
            return ArtifactID.encode(milliseconds: UInt64(lastMilliseconds), high: high, low: low)
        }
    }

    private static func encode(milliseconds: UInt64, high: UInt16, low: UInt64) -> String {
        var out = [UInt8](repeating: 0, count: 26)
        var time = milliseconds & 0xFFFF_FFFF_FFFF
        for i in stride(from: 9, through: 0, by: -1) {
            out[i] = alphabet[Int(time & 31)]
            time >>= 5
        }
        // 80 random bits → 16 characters: 16 bits of `high` then 64 of `low`.
        var lo = low
        var hi = UInt64(high)
        for i in stride(from: 25, through: 10, by: -1) {
            out[i] = alphabet[Int(lo & 31)]
            lo = (lo >> 5) | ((hi & 31) << 59)
            hi >>= 5
        }
        return String(decoding: out, as: UTF8.self)
    }
}
