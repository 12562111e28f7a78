import Foundation

/// Unicode NFKC normalisation and case folding, with an ASCII fast path.
///
/// Case folding is Unicode's full lowercase mapping (`String.lowercased()`); it differs from
/// full case folding only for a handful of characters (e.g. `ß` stays `ß`).
public enum TextNormalizer {
    /// NFKC-normalised text, case preserved (identifier splitting needs the case).
    @inlinable
    public static func compatibilityComposed(_ text: String) -> String {
        if text.utf8.allSatisfy({ $0 < 0x80 }) { return text }
        return text.precomposedStringWithCompatibilityMapping
    }

    /// NFKC then case folded: what every term and n-gram is built from.
    public static func folded(_ text: String) -> String {
        compatibilityComposed(text).lowercased()
    }

    /// Whether a scalar belongs to a script written without spaces, indexed as bigrams:
    /// Han (CJK Unified Ideographs and extensions, compatibility ideographs), Hiragana,
    /// Katakana (incl. half-width), Hangul syllables and jamo, Bopomofo.
    @inlinable
    public static func isCJK(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x1100...0x11FF, 0x2E80...0x2FDF, 0x3040...0x30FF, 0x3100...0x312F,
            0x3130...0x318F, 0x31A0...0x31FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
            0xA960...0xA97F, 0xAC00...0xD7AF, 0xD7B0...0xD7FF, 0xF900...0xFAFF,
            0xFF66...0xFF9F, 0x20000...0x3FFFF:
            return true
        default:
            return false
        }
    }

    /// Letters and digits of any script (the characters tokens are made of).
    @inlinable
    public static func isAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.value < 0x80 {
            let v = scalar.value
            return (v >= 0x30 && v <= 0x39) || (v >= 0x41 && v <= 0x5A) || (v >= 0x61 && v <= 0x7A)
        }
        let properties = scalar.properties
        if properties.isAlphabetic { return true }
        switch properties.generalCategory {
        case .decimalNumber, .letterNumber, .otherNumber, .nonspacingMark, .spacingMark:
            return true
        default:
            return false
        }
    }
}
