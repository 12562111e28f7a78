/// Deterministic misspelling of queries, to measure robustness to typos.
///
/// Each word of five or more letters (a maximal run of ASCII letters) is misspelled with
/// probability `rate`, by exactly one edit chosen uniformly: swap of two adjacent letters,
/// deletion of a letter, or substitution of a letter by a different lower-case letter
/// (positions uniform). The random stream is SplitMix64 seeded with `seed` XOR the FNV-1a
/// hash of the query id, so each query's typos are fixed regardless of order or process.
public struct QueryTypos: Sendable {
    public var rate: Double
    public var seed: UInt64

    public init(rate: Double, seed: UInt64 = 42) {
        self.rate = rate
        self.seed = seed
    }

    public func misspell(_ text: String, queryID: String) -> String {
        guard rate > 0 else { return text }
        var random = SplitMix64(seed: seed ^ FNV1a.hash(queryID.utf8))
        var scalars = Array(text.unicodeScalars)
        var start = 0
        var output: [Unicode.Scalar] = []
        output.reserveCapacity(scalars.count)
        func isLetter(_ s: Unicode.Scalar) -> Bool { s.isASCII && s.properties.isAlphabetic }
        while start < scalars.count {
            guard isLetter(scalars[start]) else {
                output.append(scalars[start])
                start += 1
                continue
            }
            var end = start
            while end < scalars.count && isLetter(scalars[end]) { end += 1 }
            var word = Array(scalars[start..<end])
            if word.count >= 5 && random.nextUnit() < rate {
                switch random.next() % 3 {
                case 0:
                    let i = Int(random.next() % UInt64(word.count - 1))
                    if word[i] != word[i + 1] {
                        word.swapAt(i, i + 1)
                    } else {
                        word.remove(at: i)
                    }
                case 1:
                    word.remove(at: Int(random.next() % UInt64(word.count)))
                default:
                    let i = Int(random.next() % UInt64(word.count))
                    let original = Character(word[i]).lowercased()
                    var replacement: Unicode.Scalar
                    repeat {
                        replacement = Unicode.Scalar(UInt8(97 + random.next() % 26))
                    } while String(replacement) == original
                    word[i] = replacement
                }
            }
            output.append(contentsOf: word)
            start = end
        }
        scalars = output
        return String(String.UnicodeScalarView(scalars))
    }
}

/// SplitMix64 (Steele, Lea & Flood, OOPSLA 2014): a tiny, fully specified PRNG, so fixtures
/// and perturbations are identical in every process and on every platform.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    public mutating func nextUnit() -> Double {
        Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
    }
}
