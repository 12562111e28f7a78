/// 64-bit FNV-1a: a stable, platform-independent hash (unlike Swift's per-process `Hasher`),
/// so hashed features land in the same bucket in every process and on every machine.
/// Source: G. Fowler, L. C. Noll, K.-P. Vo, "The FNV Non-Cryptographic Hash Algorithm".
public struct FNV1a: Sendable {
    public static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325
    public static let prime: UInt64 = 0x0000_0100_0000_01b3

    public private(set) var value: UInt64 = FNV1a.offsetBasis

    public init() {}

    @inline(__always)
    public mutating func combine(_ byte: UInt8) {
        value = (value ^ UInt64(byte)) &* FNV1a.prime
    }

    /// Feeds the scalar's UTF-8 encoding.
    @inline(__always)
    public mutating func combine(_ scalar: Unicode.Scalar) {
        if scalar.value < 0x80 {
            combine(UInt8(truncatingIfNeeded: scalar.value))
        } else {
            for byte in UTF8.encode(scalar)! { combine(byte) }
        }
    }

    public static func hash<S: Sequence>(_ bytes: S) -> UInt64 where S.Element == UInt8 {
        var hasher = FNV1a()
        for byte in bytes { hasher.combine(byte) }
        return hasher.value
    }
}
