import Foundation

/// BERT's tokenization, as the reference (Hugging Face `tokenizers`: `BertNormalizer`,
/// `BertPreTokenizer`, `WordPiece`, the `[CLS] … [SEP]` template) does it, so token ids are
/// identical to what sentence-transformers feeds the model (parity-tested on reference ids):
///
/// 1. **Clean:** U+0000, U+FFFD and control/format characters (general category C*, except
///    tab, line feed and carriage return) are removed; every White_Space character becomes a
///    space.
/// 2. **CJK ideographs** (the Unicode blocks BERT lists: U+4E00–9FFF, U+3400–4DBF,
///    U+20000–2B81F, U+2B920–2CEAF, U+F900–FAFF, U+2F800–2FA1F, as the reference spells
///    them) get a space on each side: one token each.
/// 3. **Uncased models:** accents stripped (canonical decomposition, then every non-spacing
///    mark removed), then each character lower-cased by its own full lowercase mapping (no
///    context rules: a final `Σ` becomes `σ`).
/// 4. **Words:** split at spaces, and every punctuation character (ASCII punctuation, or
///    general category P*) is a word of its own.
/// 5. **WordPiece:** each word becomes the longest vocabulary entries from its start, later
///    pieces prefixed `##` (greedy longest match first, by Unicode scalars); a word with no
///    such split, or longer than ``maximumCharactersPerWord`` scalars, is `[UNK]`.
/// 6. `[CLS]` first and `[SEP]` last, the pieces between truncated so the whole fits
///    `maximumLength` ids.
///
/// Before all of this, special tokens written in the text itself (`[CLS]`, `[SEP]`, `[PAD]`,
/// `[UNK]`, `[MASK]`, exactly so spelt) are cut out and kept as their ids, as the reference's
/// added vocabulary does; the text around them is tokenized as above.
///
/// Sources: Devlin et al., "BERT" (2019) and its reference `tokenization.py`; Wu et al.,
/// "Google's Neural Machine Translation System" (2016) for WordPiece; Hugging Face
/// `tokenizers` for the exact normalisation order.
///
/// - Complexity: O(n) scalars to clean and split; a word of w scalars costs O(w²) dictionary
///   probes at worst (w ≤ 100).
public struct WordPieceTokenizer: Sendable {
    /// Token → id, from `vocab.txt` (line number, from 0).
    public let vocabulary: [String: Int32]
    /// Lower-case and strip accents (an uncased model).
    public let lowercases: Bool
    /// Longer words are `[UNK]` (the reference's 100).
    public let maximumCharactersPerWord = 100
    public let unknownID: Int32
    public let classID: Int32
    public let separatorID: Int32
    public let paddingID: Int32
    /// Special tokens matched in the raw text (longest first), with their ids.
    let specialTokens: [(text: String, id: Int32)]

    /// - Parameter vocabulary: tokens in id order (`vocab.txt`'s lines).
    /// - Throws: ``SentenceModelError/malformed(file:reason:)`` when `[UNK]`, `[CLS]`, `[SEP]` or
    ///   `[PAD]` is missing or a token is listed twice.
    public init(vocabulary tokens: [String], lowercases: Bool, source: String = "vocab.txt") throws(SentenceModelError) {
        var vocabulary: [String: Int32] = [:]
        vocabulary.reserveCapacity(tokens.count)
        for (id, token) in tokens.enumerated() {
            guard vocabulary.updateValue(Int32(id), forKey: token) == nil else {
                throw .malformed(file: source, reason: "token \"\(token)\" is listed twice")
            }
        }
        func id(_ token: String) throws(SentenceModelError) -> Int32 {
            guard let id = vocabulary[token] else { throw .malformed(file: source, reason: "no \(token) token") }
            return id
        }
        unknownID = try id("[UNK]")
        classID = try id("[CLS]")
        separatorID = try id("[SEP]")
        paddingID = try id("[PAD]")
        specialTokens = ["[MASK]", "[CLS]", "[SEP]", "[PAD]", "[UNK]"].compactMap { token in vocabulary[token].map { (token, $0) } }
        self.vocabulary = vocabulary
        self.lowercases = lowercases
    }

    /// Reads `vocab.txt` (one token per line, UTF-8).
    public init(vocabularyFile url: URL, lowercases: Bool) throws(SentenceModelError) {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw .missingFile(path: url.path)
        }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.hasSuffix("\r") ? String($0.dropLast()) : String($0)
        }
        if lines.last == "" { lines.removeLast() }
        try self.init(vocabulary: lines, lowercases: lowercases, source: url.path)
    }

    /// The model's input ids of `text`: `[CLS]`, the word pieces (at most `maximumLength − 2`),
    /// `[SEP]`.
    /// - Precondition: `maximumLength ≥ 2`.
    public func tokenIDs(_ text: String, maximumLength: Int) -> [Int32] {
        precondition(maximumLength >= 2, "room for [CLS] and [SEP]")
        var ids: [Int32] = [classID]
        let budget = maximumLength - 2
        outer: for segment in segments(text) {
            switch segment {
            case .special(let id):
                if ids.count - 1 == budget { break outer }
                ids.append(id)
            case .text(let part):
                for word in words(part) {
                    for piece in wordPieces(word) {
                        if ids.count - 1 == budget { break outer }
                        ids.append(piece)
                    }
                }
            }
        }
        ids.append(separatorID)
        return ids
    }

    enum Segment: Equatable {
        case text(Substring)
        case special(Int32)
    }

    /// The text cut at the special tokens written in it (exact, case-sensitive matches).
    func segments(_ text: String) -> [Segment] {
        guard text.contains("[") else { return [.text(text[...])] }
        var segments: [Segment] = []
        var start = text.startIndex
        var index = text.startIndex
        while index < text.endIndex {
            if text.unicodeScalars[index] == "[",
                let special = specialTokens.first(where: { text.unicodeScalars[index...].starts(with: $0.text.unicodeScalars) })
            {
                // Cut by scalars: a token's end need not be a Character boundary ("[SEP]" + U+0301).
                if start < index { segments.append(.text(Substring(text.unicodeScalars[start..<index]))) }
                segments.append(.special(special.id))
                index = text.unicodeScalars.index(index, offsetBy: special.text.unicodeScalars.count)
                start = index
            } else {
                index = text.unicodeScalars.index(after: index)
            }
        }
        if start < text.endIndex { segments.append(.text(Substring(text.unicodeScalars[start..<text.endIndex]))) }
        return segments
    }

    /// Steps 1–4: the words of `text`, each an array of scalars.
    func words(_ text: Substring) -> [[Unicode.Scalar]] {
        // 1–2: cleaned, CJK ideographs spaced.
        var cleaned = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            let value = scalar.value
            if value == 0 || value == 0xFFFD || Self.isControl(scalar) { continue }
            if scalar.properties.isWhitespace {
                cleaned.append(" ")
            } else if Self.isCJKIdeograph(value) {
                cleaned.append(" ")
                cleaned.append(scalar)
                cleaned.append(" ")
            } else {
                cleaned.append(scalar)
            }
        }
        // 3: accents stripped, then lower-cased character by character.
        var normalized: [Unicode.Scalar] = []
        if lowercases {
            let text = String(cleaned)
            let decomposed = text.unicodeScalars.allSatisfy(\.isASCII) ? text : text.decomposedStringWithCanonicalMapping
            normalized.reserveCapacity(decomposed.unicodeScalars.count)
            for scalar in decomposed.unicodeScalars where scalar.properties.generalCategory != .nonspacingMark {
                if scalar.isASCII {
                    let value = scalar.value
                    normalized.append(value >= 0x41 && value <= 0x5A ? Unicode.Scalar(value + 0x20)! : scalar)
                } else {
                    normalized.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
                }
            }
        } else {
            normalized = Array(cleaned)
        }
        // 4: words at spaces, punctuation alone.
        var words: [[Unicode.Scalar]] = []
        var current: [Unicode.Scalar] = []
        for scalar in normalized {
            if scalar.properties.isWhitespace {
                if !current.isEmpty { words.append(current) }
                current = []
            } else if Self.isPunctuation(scalar) {
                if !current.isEmpty { words.append(current) }
                current = []
                words.append([scalar])
            } else {
                current.append(scalar)
            }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    /// Step 5: greedy longest-match-first WordPiece of one word.
    func wordPieces(_ word: [Unicode.Scalar]) -> [Int32] {
        guard word.count <= maximumCharactersPerWord else { return [unknownID] }
        var pieces: [Int32] = []
        var start = 0
        while start < word.count {
            var end = word.count
            var found: Int32?
            while start < end {
                var candidate = start > 0 ? "##" : ""
                candidate.unicodeScalars.append(contentsOf: word[start..<end])
                if let id = vocabulary[candidate] {
                    found = id
                    break
                }
                end -= 1
            }
            guard let found else { return [unknownID] }
            pieces.append(found)
            start = end
        }
        return pieces
    }

    /// General category C* (control, format, surrogate, private use, unassigned), except the
    /// three whitespace controls (cleaned to spaces instead).
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A, 0x0D: return false
        default: break
        }
        switch scalar.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned: return true
        default: return false
        }
    }

    /// BERT's "Chinese character" blocks (CJK Unified Ideographs and extensions, compatibility
    /// ideographs) — not kana or Hangul, which stay inside words.
    static func isCJKIdeograph(_ value: UInt32) -> Bool {
        switch value {
        // The reference (Hugging Face `tokenizers`) starts the extension-E/F block at U+2B920,
        // where BERT's Python list says U+2B820: U+2B820–2B91F stay inside words, as there.
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F, 0x2B740...0x2B81F,
            0x2B920...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
            return true
        default:
            return false
        }
    }

    /// ASCII punctuation (`!`–`/`, `:`–`@`, `[`–`` ` ``, `{`–`~`) or general category P*.
    static func isPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if (33...47).contains(value) || (58...64).contains(value) || (91...96).contains(value) || (123...126).contains(value) {
            return true
        }
        switch scalar.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation,
            .finalPunctuation, .otherPunctuation:
            return true
        default:
            return false
        }
    }
}
