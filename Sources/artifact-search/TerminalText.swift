/// Text from names, labels, queries and contents made safe to show on a terminal.
///
/// Every control character (Unicode category Cc: C0 U+0000–U+001F, DEL U+007F, C1
/// U+0080–U+009F) is replaced by a visible escape, so no name can move the cursor, recolour
/// the terminal, ring the bell or hide text: ESC → `\e`, CR → `\r`, LF → `\n`, TAB → `\t`,
/// any other → `\u{7}` (Swift's spelling, hexadecimal). Everything else, backslashes
/// included, is shown as it is; `--json` output keeps the exact text.
enum TerminalText {
    /// `text` with its control characters escaped.
    static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var result = ""
        result.unicodeScalars.reserveCapacity(text.unicodeScalars.count + 8)
        for scalar in text.unicodeScalars {
            guard isControl(scalar) else {
                result.unicodeScalars.append(scalar)
                continue
            }
            switch scalar {
            case "\u{1B}": result += "\\e"
            case "\r": result += "\\r"
            case "\n": result += "\\n"
            case "\t": result += "\\t"
            default: result += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            }
        }
        return result
    }

    /// Each line of `text` escaped, the line feeds between them kept: for multi-line
    /// messages such as usage errors.
    static func escapedLines(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { escaped(String($0)) }
            .joined(separator: "\n")
    }

    /// At most the first `maxLength` characters of `text`, then `…` when it was longer,
    /// escaped: user text quoted in a one-line message.
    static func excerpt(_ text: String, maxLength: Int = 80) -> String {
        let head = text.prefix(maxLength + 1)
        let shortened = head.count > maxLength ? String(head.dropLast()) + "…" : text
        return escaped(shortened)
    }

    /// Whether `scalar` is a control character (C0, DEL or C1).
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }
}
