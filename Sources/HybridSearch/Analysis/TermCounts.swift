import Foundation

/// A document's analysed terms as distinct terms with their frequencies, tagged with the
/// analyzer that produced them: what a store persists so that reopening it does not analyse
/// every text again.
///
/// Terms are kept in ascending order, so equal inputs give equal values and encodings.
public struct TermCounts: Sendable, Hashable {
    /// ``Analyzer/identifier`` of the analyzer that produced the terms.
    public var analyzer: String
    /// Distinct terms, ascending.
    public private(set) var terms: [String]
    /// `counts[i]` = occurrences of `terms[i]` (≥ 1).
    public private(set) var counts: [Int32]

    /// Counts `terms` (with repeats, as ``Analyzer/terms(in:)`` returns them).
    public init(analyzer: String, terms: [String]) {
        var frequencies: [String: Int32] = [:]
        for term in terms { frequencies[term, default: 0] += 1 }
        let sorted = frequencies.keys.sorted()
        self.analyzer = analyzer
        self.terms = sorted
        self.counts = sorted.map { frequencies[$0]! }
    }

    /// The field length: the number of term occurrences.
    public var fieldLength: Int { counts.reduce(0) { $0 + Int($1) } }

    /// Compact bytes: `term US count RS …` in UTF-8 (unit and record separators never occur in
    /// analysed terms, which hold letters, digits and `_` only).
    public func encoded() -> Data {
        var bytes = [UInt8]()
        bytes.reserveCapacity(terms.reduce(0) { $0 + $1.utf8.count + 4 })
        for (term, count) in zip(terms, counts) {
            bytes.append(contentsOf: term.utf8)
            bytes.append(0x1F)
            bytes.append(contentsOf: String(count).utf8)
            bytes.append(0x1E)
        }
        return Data(bytes)
    }

    /// Decodes ``encoded()``; `nil` for malformed bytes (the caller then analyses the text).
    public init?(analyzer: String, decoding data: Data) {
        var terms: [String] = []
        var counts: [Int32] = []
        let parsed: Bool = data.withUnsafeBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            var start = 0
            var separator = -1
            for index in 0..<bytes.count {
                switch bytes[index] {
                case 0x1F:
                    separator = index
                case 0x1E:
                    guard separator > start else { return false }
                    var count: Int32 = 0
                    for digit in bytes[(separator + 1)..<index] {
                        guard digit >= 0x30 && digit <= 0x39 else { return false }
                        count = count &* 10 &+ Int32(digit - 0x30)
                    }
                    guard count > 0 else { return false }
                    terms.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<separator]), as: UTF8.self))
                    counts.append(count)
                    start = index + 1
                    separator = -1
                default:
                    continue
                }
            }
            return start == bytes.count
        }
        guard parsed, zip(terms, terms.dropFirst()).allSatisfy({ $0 < $1 }) else { return nil }
        self.analyzer = analyzer
        self.terms = terms
        self.counts = counts
    }
}
