import Foundation
import HybridSearch

/// The few checks Foundation's JSON decoder does not make, run on the bytes before it:
/// one linear pass with a constant stack, no parsing of values.
///
/// - **Trailing commas** (`[1,]`, `{"a":1,}`): RFC 8259 has none; Foundation accepts them.
/// - **Lone surrogates** (`"\ud800"`): Foundation rejects them as "Unexpected end of file";
///   this names the real reason and the escape's position.
/// - **Nesting** deeper than ``JSONValue/maximumNestingDepth``: reported at the bracket that
///   goes too deep (also used on the bytes an `Encodable` encodes to, before saving them).
///
/// What remains Foundation's: every other grammar rule, and numbers. A number too large for a
/// `Double` (`1e400`) is an error; one that underflows (`1e-400`) reads as 0 (RFC 8259 lets
/// an implementation choose); integers beyond the 64-bit range become the nearest `Double`
/// when decoded into ``HybridSearch/JSONValue`` (the stored bytes keep every digit).
public enum JSONTextCheck {
    public struct Problem: Error, Hashable, Sendable {
        /// Byte offset (0-based) of the offending byte.
        public var offset: Int
        public var reason: String
    }

    /// The first problem in `data`, or `nil`. Bytes that are not JSON at all pass unless one
    /// of the three problems shows first: Foundation reports the rest.
    public static func firstProblem(in data: Data, maximumDepth: Int = JSONValue.maximumNestingDepth) -> Problem? {
        data.withUnsafeBytes { raw in firstProblem(in: raw.bindMemory(to: UInt8.self), maximumDepth: maximumDepth) }
    }

    private static func firstProblem(in bytes: UnsafeBufferPointer<UInt8>, maximumDepth: Int) -> Problem? {
        var depth = 0
        var lastSignificant: (byte: UInt8, offset: Int)? = nil
        var index = 0
        let count = bytes.count
        while index < count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                if let problem = skipString(bytes, from: &index) { return problem }
                lastSignificant = (UInt8(ascii: "\""), index)
                continue  // `index` is past the closing quote
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                if depth > maximumDepth {
                    return Problem(
                        offset: index,
                        reason: "arrays/objects nest more than \(maximumDepth) levels deep here (the limit)")
                }
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                if let last = lastSignificant, last.byte == UInt8(ascii: ",") {
                    return Problem(
                        offset: last.offset,
                        reason: "trailing comma before '\(Character(Unicode.Scalar(byte)))' (JSON allows none)")
                }
                depth -= 1
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                index += 1
                continue
            default:
                break
            }
            lastSignificant = (byte, index)
            index += 1
        }
        return nil
    }

    /// Moves `index` from an opening quote to just past the closing one; checks `\u` escapes
    /// for lone surrogates. An unterminated string ends the scan (Foundation reports it).
    private static func skipString(_ bytes: UnsafeBufferPointer<UInt8>, from index: inout Int) -> Problem? {
        let count = bytes.count
        index += 1
        while index < count {
            switch bytes[index] {
            case UInt8(ascii: "\""):
                index += 1
                return nil
            case UInt8(ascii: "\\"):
                guard index + 1 < count else { index = count; return nil }
                if bytes[index + 1] == UInt8(ascii: "u"), let unit = hex4(bytes, at: index + 2) {
                    let start = index
                    if (0xD800...0xDBFF).contains(unit) {
                        let next = index + 6
                        if next + 1 < count, bytes[next] == UInt8(ascii: "\\"), bytes[next + 1] == UInt8(ascii: "u"),
                            let low = hex4(bytes, at: next + 2), (0xDC00...0xDFFF).contains(low)
                        {
                            index = next + 6
                            continue
                        }
                        return Problem(offset: start, reason: loneSurrogate(unit, high: true))
                    }
                    if (0xDC00...0xDFFF).contains(unit) {
                        return Problem(offset: start, reason: loneSurrogate(unit, high: false))
                    }
                    index += 6
                } else {
                    index += 2
                }
            default:
                index += 1
            }
        }
        return nil
    }

    private static func loneSurrogate(_ unit: UInt16, high: Bool) -> String {
        let escape = "\\u" + String(unit, radix: 16)
        return high
            ? "lone UTF-16 surrogate \(escape) in a string: a high surrogate must be followed by a low one (\\udc00–\\udfff)"
            : "lone UTF-16 surrogate \(escape) in a string: a low surrogate must follow a high one (\\ud800–\\udbff)"
    }

    private static func hex4(_ bytes: UnsafeBufferPointer<UInt8>, at start: Int) -> UInt16? {
        guard start + 4 <= bytes.count else { return nil }
        var value: UInt16 = 0
        for offset in 0..<4 {
            let byte = bytes[start + offset]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value << 4 | UInt16(digit)
        }
        return value
    }
}
