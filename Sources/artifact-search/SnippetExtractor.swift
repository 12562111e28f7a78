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
struct SnippetExtractor {
    let maxLength: Int
    /// Characters of context kept before the match.
    let leadingContext = 30
    private let analyzer: any Analyzer
    private let terms: [String]

    init(query: String, analyzer: any Analyzer = StandardAnalyzer(), maxLength: Int = 100) {
        self.maxLength = maxLength
        self.analyzer = analyzer
        var terms = Set(analyzer.terms(in: query))
        for word in Self.words(in: Array(query)) {
            let lowered = word.text.lowercased()
            if analyzer.terms(in: lowered).isEmpty { continue }  // stop words
            terms.insert(lowered)
        }
        self.terms = terms.sorted()
    }

    /// The snippet of `text`, or `nil` when the text is blank.
    func snippet(of text: String) -> String? {
        let characters = Array(Self.collapsingWhitespace(text))
        guard !characters.isEmpty else { return nil }
        var matches: [(start: Int, terms: Set<Int>)] = []
        if !terms.isEmpty {
            for word in Self.words(in: characters) {
                let found = matchingTerms(word.text)
                if !found.isEmpty { matches.append((word.start, found)) }
            }
        }
        var start = 0
        if !matches.isEmpty {
            var best = (count: 0, anchor: 0, position: 0)
            for (index, match) in matches.enumerated() {
                var seen = Set<Int>()
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
            while start > 0, start < best.position, !characters[start - 1].isWhitespace { start += 1 }
        }
        var end = min(characters.count, start + maxLength - (start > 0 ? 1 : 0))
        let cut = end < characters.count
        if cut {
            end -= 1
            var boundary = end
            while boundary > start + maxLength / 2, !characters[boundary].isWhitespace { boundary -= 1 }
            if characters[boundary].isWhitespace { end = boundary }
        }
        var result = String(characters[start..<end]).trimmingCharacters(in: .whitespaces)
        if start > 0 { result = "…" + result }
        if cut { result += "…" }
        return result
    }

    /// Indices of the query terms a word of the text matches.
    private func matchingTerms(_ word: String) -> Set<Int> {
        let lowered = word.lowercased()
        var candidates = [lowered]
        let isIdentifier =
            word.contains("_") || word != lowered && word.dropFirst() != lowered.dropFirst()
            || word.contains(where: \.isNumber) && word.contains(where: \.isLetter)
        if isIdentifier { candidates += analyzer.terms(in: word) }
        var found = Set<Int>()
        for candidate in candidates {
            for (index, term) in terms.enumerated() {
                if candidate == term
                    || term.count >= 3 && candidate.count - term.count <= 4 && candidate.hasPrefix(term)
                {
                    found.insert(index)
                }
            }
        }
        return found
    }

    /// Words (runs of letters, digits and `_`) with their start offsets.
    private static func words(in characters: [Character]) -> [(text: String, start: Int)] {
        var words: [(String, Int)] = []
        var current = ""
        var start = 0
        for (offset, character) in characters.enumerated() {
            if character.isLetter || character.isNumber || character == "_" {
                if current.isEmpty { start = offset }
                current.append(character)
            } else if !current.isEmpty {
                words.append((current, start))
                current = ""
            }
        }
        if !current.isEmpty { words.append((current, start)) }
        return words
    }

    /// `text` with every run of whitespace and control characters (C0, DEL, C1) turned into one
    /// space, trimmed.
    static func collapsingWhitespace(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(min(text.utf8.count, 1 << 16))
        var pendingSpace = false
        for character in text {
            if character.isWhitespace || character.unicodeScalars.allSatisfy(TerminalText.isControl) {
                pendingSpace = !result.isEmpty
                continue
            }
            if pendingSpace {
                result.append(" ")
                pendingSpace = false
            }
            result.append(character)
        }
        return result
    }
}
