/// The default tokenizer: splits on everything that is not a letter or digit, keeps
/// identifiers whole *and* in parts, and cuts CJK runs into overlapping bigrams.
///
/// - `atomic_write_json` → `atomic_write_json` (identifier), `atomic`, `write`, `json` (parts)
/// - `getUserById` → `getuserbyid`, `get`, `user`, `by`, `id`
/// - `parseHTTPResponse2` → `parsehttpresponse2`, `parse`, `http`, `response`, `2`
/// - `東京都` → `東京`, `京都`; a lone `猫` → `猫`
/// - `c++`, `TODO: fix`, `38.101`, `NOT` are plain text: `c`; `todo`, `fix`; `38`, `101`; `not`.
///
/// Identifier parts are cut at underscores, lower→upper case changes, the last capital of an
/// acronym followed by a lower-case letter, and letter↔digit changes. Parts of a single
/// letter are dropped (`x86_64` → `x86_64`, `86`, `64`). Tokens longer than
/// `maximumTokenBytes` UTF-8 bytes are skipped (an identifier's shorter parts are kept).
///
/// - Complexity: O(n) in the text's length.
public struct StandardTokenizer: Tokenizer {
    public var maximumTokenBytes: Int

    public init(maximumTokenBytes: Int = 64) {
        self.maximumTokenBytes = maximumTokenBytes
    }

    public func tokens(in text: String) -> [Token] {
        let scalars = Array(TextNormalizer.compatibilityComposed(text).unicodeScalars)
        var tokens: [Token] = []
        tokens.reserveCapacity(scalars.count / 5)
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            if TextNormalizer.isCJK(scalar) {
                let start = index
                while index < scalars.count && TextNormalizer.isCJK(scalars[index]) { index += 1 }
                appendCJK(scalars[start..<index], to: &tokens)
            } else if scalar == "_" || TextNormalizer.isAlphanumeric(scalar) {
                let start = index
                while index < scalars.count {
                    let next = scalars[index]
                    guard next == "_" || (TextNormalizer.isAlphanumeric(next) && !TextNormalizer.isCJK(next))
                    else { break }
                    index += 1
                }
                appendChunk(scalars[start..<index], to: &tokens)
            } else {
                index += 1
            }
        }
        return tokens
    }

    private func appendCJK(_ run: ArraySlice<Unicode.Scalar>, to tokens: inout [Token]) {
        if run.count == 1 {
            tokens.append(Token(text: String(String.UnicodeScalarView(run)), kind: .cjk))
            return
        }
        var i = run.startIndex
        while i + 1 < run.endIndex {
            tokens.append(Token(text: String(String.UnicodeScalarView(run[i...(i + 1)])), kind: .cjk))
            i += 1
        }
    }

    private func appendChunk(_ chunk: ArraySlice<Unicode.Scalar>, to tokens: inout [Token]) {
        // Underscores at the ends carry no meaning (`__init__` is `init`).
        var lower = chunk.startIndex
        var upper = chunk.endIndex
        while lower < upper && chunk[lower] == "_" { lower += 1 }
        while upper > lower && chunk[upper - 1] == "_" { upper -= 1 }
        guard lower < upper else { return }
        let trimmed = chunk[lower..<upper]

        // Most chunks are plain words: skip building the parts list for them.
        if !Self.hasIdentifierBoundary(trimmed) {
            append(trimmed, kind: .word, to: &tokens)
            return
        }
        let parts = Self.identifierParts(trimmed)
        append(trimmed, kind: .identifier, to: &tokens)
        for part in parts {
            if part.count == 1 && !Self.isDigit(part[part.startIndex]) { continue }
            append(part, kind: .identifierPart, to: &tokens)
        }
    }

    private func append(_ scalars: ArraySlice<Unicode.Scalar>, kind: Token.Kind, to tokens: inout [Token]) {
        let text = Self.folded(scalars)
        guard text.utf8.count <= maximumTokenBytes else { return }
        tokens.append(Token(text: text, kind: kind))
    }

    static func folded(_ scalars: ArraySlice<Unicode.Scalar>) -> String {
        if scalars.allSatisfy({ $0.value < 0x80 }) {
            return String(unsafeUninitializedCapacity: scalars.count) { buffer in
                var index = 0
                for scalar in scalars {
                    let v = UInt8(scalar.value)
                    buffer[index] = v >= 0x41 && v <= 0x5A ? v + 0x20 : v
                    index += 1
                }
                return index
            }
        }
        return String(String.UnicodeScalarView(scalars)).lowercased()
    }

    /// Whether ``identifierParts(_:)`` would cut the chunk (same rules, no allocation).
    static func hasIdentifierBoundary(_ chunk: ArraySlice<Unicode.Scalar>) -> Bool {
        var i = chunk.startIndex
        while i < chunk.endIndex {
            let current = chunk[i]
            if current == "_" { return true }
            if i > chunk.startIndex {
                let previous = chunk[i - 1]
                if isDigit(previous) != isDigit(current) { return true }
                if isLower(previous) && isUpper(current) { return true }
                if isUpper(previous) && isUpper(current) && i + 1 < chunk.endIndex && isLower(chunk[i + 1]) {
                    return true
                }
            }
            i += 1
        }
        return false
    }

    private static func isDigit(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.value < 0x80 { return scalar.value >= 0x30 && scalar.value <= 0x39 }
        return scalar.properties.numericType != nil
    }

    private static func isUpper(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.value < 0x80 { return scalar.value >= 0x41 && scalar.value <= 0x5A }
        return scalar.properties.isUppercase
    }

    private static func isLower(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.value < 0x80 { return scalar.value >= 0x61 && scalar.value <= 0x7A }
        return scalar.properties.isLowercase
    }

    /// Cuts an identifier at underscores, case changes and letter↔digit changes.
    static func identifierParts(_ chunk: ArraySlice<Unicode.Scalar>) -> [ArraySlice<Unicode.Scalar>] {
        var parts: [ArraySlice<Unicode.Scalar>] = []
        var start = chunk.startIndex
        var i = chunk.startIndex
        func cut(at end: Int) {
            if end > start { parts.append(chunk[start..<end]) }
            start = end
        }
        while i < chunk.endIndex {
            let current = chunk[i]
            if current == "_" {
                cut(at: i)
                start = i + 1
                i += 1
                continue
            }
            if i > start {
                let previous = chunk[i - 1]
                let digitChange = isDigit(previous) != isDigit(current)
                let camel = isLower(previous) && isUpper(current)
                let acronymEnd =
                    isUpper(previous) && isUpper(current) && i + 1 < chunk.endIndex
                    && isLower(chunk[i + 1])
                if digitChange || camel || acronymEnd { cut(at: i) }
            }
            i += 1
        }
        cut(at: chunk.endIndex)
        return parts
    }
}
