import Foundation
import HybridSearch

/// A short window of an artifact's text around the query's first matching word, whitespace
/// collapsed, at most ``maxLength`` characters, with `…` where the text was cut.
///
/// The query is analysed like the index does it (case folding, identifier parts, stemming,
/// no stop words). A word of the text matches a query term when it equals it or starts with
/// it (`licenses` matches the stem `licens`); an identifier in the text (`atomic_write_json`,
/// `getUserById`) also matches through its parts. The window holding the most distinct query
/// terms wins, then the one whose first word matches most terms (a whole identifier), then the
/// earliest — so "license GPL version 3" shows the line with all of
/// them rather than the first `3`. Without any match the snippet is the start of the text.
public struct SnippetExtractor: Sendable {
    /// Longest snippet, in Unicode scalars (the `…` marks included).
    public let maxLength: Int
    /// Characters of context kept before the match: 30, at most a third of ``maxLength`` (so
    /// a short snippet still shows the match).
    public var leadingContext: Int { min(30, maxLength / 3) }
    private let analyzer: any Analyzer
    private let terms: [String]
    /// The terms' UTF-8 bytes side by side (term `i`'s at `termStarts[i]..<termStarts[i + 1]`:
    /// a candidate is compared without touching nested arrays) and their lengths in
    /// characters. Terms are in UTF-8 byte order, so those sharing a first byte are adjacent.
    private let termBytes: [UInt8]
    private let termStarts: [Int]
    private let termLengths: [Int]
    /// The terms starting with byte `b` are `byInitial[b]..<byInitial[b + 1]` (257 bounds): a
    /// word is compared only with the terms that start as it does, and a plain ASCII word
    /// whose first letter starts no term is rejected without building anything.
    private let byInitial: [Int]
    /// The analyzer is the ``StandardAnalyzer``, whose terms for an ASCII word each start at a
    /// part's first letter (identifier cuts keep it, Porter stemming never changes a first
    /// letter): an identifier none of whose part starts is an initial matches nothing, and is
    /// rejected without analysing it.
    private let partsKeepInitials: Bool

    /// - Parameter analyzer: the store's (``ArtifactFacade/backend``'s), so snippets match what the index matched.
    public init(query: String, analyzer: any Analyzer = StandardAnalyzer(), maxLength: Int = 100) {
        self.maxLength = maxLength
        self.analyzer = analyzer
        var terms = Set(analyzer.terms(in: query))
        for word in Self.words(in: query) {
            let lowered = word.lowercased()
            if analyzer.terms(in: lowered).isEmpty { continue }  // stop words
            terms.insert(lowered)
        }
        // Byte order, not String's: the grouping by first byte below relies on it.
        self.terms = terms.filter { !$0.isEmpty }.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        termBytes = self.terms.flatMap(\.utf8)
        termStarts = self.terms.reduce(into: [0]) { $0.append($0.last! + $1.utf8.count) }
        termLengths = self.terms.map(\.count)
        var byInitial = [Int](repeating: 0, count: 257)
        for first in self.terms.map({ Int($0.utf8.first!) }) { byInitial[first + 1] += 1 }
        for byte in 1...256 { byInitial[byte] += byInitial[byte - 1] }
        self.byInitial = byInitial
        partsKeepInitials = analyzer is StandardAnalyzer
    }

    /// The snippet of `text`, or `nil` when the text is blank.
    ///
    /// Works on Unicode scalars, not `Character`s: grapheme breaking of every character of a
    /// 64 KiB prefix cost milliseconds per hit (measured), and a snippet is cut at spaces.
    public func snippet(of text: String) -> String? {
        let scalars = Self.collapsingWhitespace(scalarsOf: text)
        guard !scalars.isEmpty else { return nil }
        let matches = self.matches(in: scalars)
        var start = 0
        if !matches.isEmpty {
            var best = (count: 0, anchor: 0, position: 0)
            for (index, match) in matches.enumerated() {
                var seen = TermSet()
                for other in matches[index...] {
                    if other.start - match.start > maxLength - leadingContext - 10 { break }
                    seen.formUnion(other.terms)
                }
                if (seen.count, match.terms.count) > (best.count, best.anchor) {
                    best = (seen.count, match.terms.count, match.start)
                }
            }
            start = max(0, best.position - leadingContext)
            // Start at a word boundary.
            while start > 0, start < best.position, !Self.isSpace(scalars[start - 1]) { start += 1 }
        }
        var end = min(scalars.count, start + maxLength - (start > 0 ? 1 : 0))
        let cut = end < scalars.count
        if cut {
            end -= 1
            var boundary = end
            while boundary > start + maxLength / 2, !Self.isSpace(scalars[boundary]) { boundary -= 1 }
            if Self.isSpace(scalars[boundary]) { end = boundary }
        }
        var low = start
        var high = end
        while low < high, Self.isSpace(scalars[low]) { low += 1 }
        while high > low, Self.isSpace(scalars[high - 1]) { high -= 1 }
        var result = String(String.UnicodeScalarView(scalars[low..<high]))
        if start > 0 { result = "…" + result }
        if cut { result += "…" }
        return result
    }

    /// The words of `scalars` (collapsed text) that match query terms: each word's first
    /// offset and the terms it matches, in text order.
    ///
    /// One pass over the scalars' buffer: no word list, no reference counting per word.
    func matches(in scalars: [Unicode.Scalar]) -> [(start: Int, terms: TermSet)] {
        var matches: [(start: Int, terms: TermSet)] = []
        guard !terms.isEmpty else { return matches }
        // Words that need the analyzer (identifiers, capitals, non-ASCII), answered once each.
        var analysed: [String: TermSet] = [:]
        scalars.withUnsafeBufferPointer { text in
            var start = -1
            for offset in 0...text.count {
                if offset < text.count, Self.isWordScalar(text[offset]) {
                    if start < 0 { start = offset }
                    continue
                }
                guard start >= 0 else { continue }
                let found = matchingTerms(UnsafeBufferPointer(rebasing: text[start..<offset]), analysed: &analysed)
                if !found.isEmpty { matches.append((start, found)) }
                start = -1
            }
        }
        return matches
    }

    /// Indices of the query terms a word of the text matches. Plain ASCII words (no `_`, no
    /// digit next to letters, no capital after the first letter: not identifiers) are compared
    /// as lower-cased bytes; any other word goes through ``matchingTerms(_:)-(String)``.
    private func matchingTerms(_ word: UnsafeBufferPointer<Unicode.Scalar>, analysed: inout [String: TermSet]) -> TermSet {
        func slowPath() -> TermSet {
            let text = Self.string(of: word)
            if let known = analysed[text] { return known }
            let found = matchingTerms(text)
            analysed[text] = found
            return found
        }
        var hasDigit = false
        var hasLetter = false
        var isIdentifier = false  // `_`, or a capital after the first letter (camelCase)
        // Whether a byte that can start a term of the word (its first, a capital, a digit, or
        // one after `_` or a digit: every identifier part's start is one) is a term's initial.
        var startsWithInitial = false
        var previous: UInt32 = 0
        for offset in 0..<word.count {
            let value = word[offset].value
            switch value {
            case 0x41...0x5A:
                if offset > 0 { isIdentifier = true }
                hasLetter = true
            case 0x61...0x7A: hasLetter = true
            case 0x30...0x39: hasDigit = true
            case 0x5F: isIdentifier = true
            default: return slowPath()  // not ASCII
            }
            if !startsWithInitial, offset == 0 || value < 0x61 || previous == 0x5F || (0x30...0x39).contains(previous) {
                startsWithInitial = isInitial(Self.lowered(word[offset]))
            }
            previous = value
        }
        if isIdentifier || hasDigit && hasLetter {
            return partsKeepInitials && !startsWithInitial ? TermSet() : slowPath()
        }
        // Plain ASCII: lower-cased into a buffer on the stack, nothing allocated.
        guard let first = word.first, isInitial(Self.lowered(first)) else { return TermSet() }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: word.count) { buffer in
            for offset in 0..<word.count { buffer[offset] = Self.lowered(word[offset]) }
            return matchingTerms(UnsafeBufferPointer(buffer), length: word.count)
        }
    }

    /// The scalars as a `String`, UTF-8 encoded in place (`String.UnicodeScalarView`'s
    /// `append(contentsOf:)` costs several times as much per word).
    static func string(of scalars: UnsafeBufferPointer<Unicode.Scalar>) -> String {
        String(unsafeUninitializedCapacity: scalars.count * 4) { buffer in
            var count = 0
            for scalar in scalars {
                for unit in UTF8.encode(scalar)! {
                    buffer[count] = unit
                    count += 1
                }
            }
            return count
        }
    }

    /// An ASCII letter or digit's byte, lower-cased.
    @inline(__always)
    private static func lowered(_ scalar: Unicode.Scalar) -> UInt8 {
        let byte = UInt8(truncatingIfNeeded: scalar.value)
        return byte &- 0x41 < 26 ? byte + 0x20 : byte
    }

    /// The one matching rule: the query terms a lower-cased candidate (its UTF-8 bytes,
    /// `length` characters) matches — equal, or, for terms of 3 or more bytes, starting with
    /// the term and at most 4 characters longer.
    private func matchingTerms(_ candidate: UnsafeBufferPointer<UInt8>, length: Int) -> TermSet {
        var found = TermSet()
        guard let first = candidate.first else { return found }
        let sharingFirstByte = byInitial[Int(first)]..<byInitial[Int(first) + 1]
        guard !sharingFirstByte.isEmpty else { return found }
        termBytes.withUnsafeBufferPointer { bytes in
            for index in sharingFirstByte {
                let start = termStarts[index]
                let count = termStarts[index + 1] - start
                guard candidate.count >= count, candidate.count == count || count >= 3 && length - termLengths[index] <= 4
                else { continue }
                if memcmp(candidate.baseAddress!, bytes.baseAddress! + start, count) == 0 { found.insert(index) }
            }
        }
        return found
    }

    /// Whether some term starts with `byte`.
    @inline(__always)
    private func isInitial(_ byte: UInt8) -> Bool {
        byInitial[Int(byte)] < byInitial[Int(byte) + 1]
    }

    /// Indices of the query terms a word of the text matches (any word: the plain-ASCII path
    /// above gives the same answer for the words it takes).
    func matchingTerms(_ word: String) -> TermSet {
        let lowered = word.lowercased()
        var candidates = [lowered]
        let isIdentifier =
            word.utf8.contains(UInt8(ascii: "_")) || word != lowered && word.dropFirst() != lowered.dropFirst()
            || word.unicodeScalars.contains(where: { $0.properties.numericType != nil })
                && word.unicodeScalars.contains(where: { $0.properties.isAlphabetic })
        if isIdentifier { candidates += analyzer.terms(in: word) }
        return candidates.reduce(into: TermSet()) { found, candidate in
            var candidate = candidate
            let length = candidate.count
            found.formUnion(candidate.withUTF8 { matchingTerms($0, length: length) })
        }
    }

    static func isSpace(_ scalar: Unicode.Scalar) -> Bool { scalar == " " }

    static func isWordScalar(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII {
            let value = scalar.value
            return (0x30...0x39).contains(value) || (0x41...0x5A).contains(value) || (0x61...0x7A).contains(value) || value == 0x5F
        }
        return scalar.properties.isAlphabetic || scalar.properties.numericType != nil
            || scalar.properties.generalCategory == .nonspacingMark || scalar.properties.generalCategory == .spacingMark
    }

    /// Words (runs of letters, digits and `_`) as scalar offset ranges.
    private static func wordRanges(in scalars: [Unicode.Scalar]) -> [Range<Int>] {
        var words: [Range<Int>] = []
        var start = -1
        for (offset, scalar) in scalars.enumerated() {
            if isWordScalar(scalar) {
                if start < 0 { start = offset }
            } else if start >= 0 {
                words.append(start..<offset)
                start = -1
            }
        }
        if start >= 0 { words.append(start..<scalars.count) }
        return words
    }

    /// Words of a query (``init(query:analyzer:maxLength:)``).
    private static func words(in text: String) -> [String] {
        let scalars = Array(text.unicodeScalars)
        return wordRanges(in: scalars).map { String(String.UnicodeScalarView(scalars[$0])) }
    }

    /// The scalars of `text` with every run of whitespace and control characters (C0, DEL,
    /// C1) turned into one space, trimmed.
    static func collapsingWhitespace(scalarsOf text: String) -> [Unicode.Scalar] {
        var text = text
        // Decoded from the UTF-8 bytes in place (a String's bytes are valid UTF-8): ASCII
        // bytes, nearly all of a log's or an abstract's, cost a comparison each; Unicode
        // property lookups (tens of nanoseconds) only for other scalars.
        return text.withUTF8 { utf8 in
            [Unicode.Scalar](unsafeUninitializedCapacity: utf8.count) { buffer, count in
                var written = 0
                var pendingSpace = false
                var index = 0
                while index < utf8.count {
                    let lead = utf8[index]
                    let scalar: Unicode.Scalar
                    let isSpace: Bool
                    if lead < 0x80 {
                        index += 1
                        isSpace = lead <= 0x20 || lead == 0x7F
                        scalar = Unicode.Scalar(lead)
                    } else {
                        let length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2
                        var value = UInt32(lead) & (0xFF >> (length + 1))
                        for next in 1..<length { value = value << 6 | UInt32(utf8[index + next] & 0x3F) }
                        index += length
                        scalar = Unicode.Scalar(value) ?? "\u{FFFD}"
                        isSpace = scalar.properties.isWhitespace || (0x80...0x9F).contains(value)  // C1 controls
                    }
                    if isSpace {
                        pendingSpace = written > 0
                        continue
                    }
                    if pendingSpace {
                        buffer[written] = " "
                        written += 1
                        pendingSpace = false
                    }
                    buffer[written] = scalar
                    written += 1
                }
                count = written
            }
        }
    }
}

extension ArtifactFacade {
    /// The line an artifact is shown with among search results — the same in the CLI, MCP and
    /// HTTP: for text, ``SnippetExtractor`` over its first 64 KiB; for a directory, its file
    /// count and first five paths; for binary content, `(binary, <mime>)`; for damaged or
    /// missing content, a note saying so (one damaged artifact never hides the results
    /// around it). `nil` for blank text.
    /// - Throws: store errors other than damage.
    public func snippet(of artifact: Artifact, using extractor: SnippetExtractor) async throws -> String? {
        let damaged = "(content damaged or missing: run artifact-search verify)"
        if artifact.isDirectory, let sha = artifact.sha256 {
            guard let manifest = try? await store.manifest(sha256: sha) else { return damaged }
            let names = manifest.entries.prefix(5).map(\.path).joined(separator: ", ")
            return "\(manifest.entries.count) files: \(names)\(manifest.entries.count > 5 ? ", …" : "")"
        }
        let prefix: String?
        do {
            prefix = try await textPrefix(of: artifact, maxBytes: 64 * 1024)
        } catch let error as ArtifactError {
            switch error {
            case .contentDamaged, .corruptStore: return damaged
            default: throw error
            }
        }
        guard let text = prefix else { return artifact.mime.map { "(binary, \($0))" } ?? "(binary)" }
        return extractor.snippet(of: text)
    }
}
