import ArgumentParser
import Foundation

/// Parsers for numeric option values that name the allowed range when a value is outside it.
///
/// Options using them are declared with `parsing: .unconditional`, so a negative value
/// (`--limit -1`) reaches the parser instead of being taken for an option ("Missing value").
/// Every size has an upper bound, so no value can exhaust memory.
enum NumericOption {
    /// A whole number in `range`: "must be at least 1", "too large: at most 10,000" (also for
    /// numbers beyond `Int`), "not a whole number".
    static func integer(in range: ClosedRange<Int>) -> @Sendable (String) throws -> Int {
        { text in
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            let negative = trimmed.hasPrefix("-")
            let digits = negative || trimmed.hasPrefix("+") ? trimmed.dropFirst() : Substring(trimmed)
            guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                throw ValidationError("not a whole number: use \(describe(range))")
            }
            guard let value = Int(trimmed), value >= range.lowerBound else {
                if negative || Int(trimmed) != nil { throw ValidationError(tooSmall(range)) }
                throw ValidationError(tooLarge(range))
            }
            guard value <= range.upperBound else { throw ValidationError(tooLarge(range)) }
            return value
        }
    }

    /// A finite number in `range`: "must be at least 0", "too large: at most 1", "not a
    /// number", "must be a finite number".
    static func number(in range: ClosedRange<Double>) -> @Sendable (String) throws -> Double {
        { text in
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            guard let value = Double(trimmed) else { throw ValidationError("not a number: use \(describe(range))") }
            guard value.isFinite else { throw ValidationError("must be a finite number: use \(describe(range))") }
            guard value >= range.lowerBound else { throw ValidationError(tooSmall(range)) }
            guard value <= range.upperBound else { throw ValidationError(tooLarge(range)) }
            return value
        }
    }

    /// `a whole number from 1 to 10,000`.
    static func describe(_ range: ClosedRange<Int>) -> String {
        "a whole number from \(format(range.lowerBound)) to \(format(range.upperBound))"
    }

    /// `a number from 0 to 1`.
    static func describe(_ range: ClosedRange<Double>) -> String {
        "a number from \(format(range.lowerBound)) to \(format(range.upperBound))"
    }

    /// `1…10,000` for help texts.
    static func span(_ range: ClosedRange<Int>) -> String {
        "\(format(range.lowerBound))…\(format(range.upperBound))"
    }

    /// `0…1` for help texts.
    static func span(_ range: ClosedRange<Double>) -> String {
        "\(format(range.lowerBound))…\(format(range.upperBound))"
    }

    private static func tooSmall(_ range: ClosedRange<Int>) -> String {
        "must be at least \(format(range.lowerBound)) (\(describe(range)))"
    }

    private static func tooLarge(_ range: ClosedRange<Int>) -> String {
        "too large: at most \(format(range.upperBound)) (\(describe(range)))"
    }

    private static func tooSmall(_ range: ClosedRange<Double>) -> String {
        "must be at least \(format(range.lowerBound)) (\(describe(range)))"
    }

    private static func tooLarge(_ range: ClosedRange<Double>) -> String {
        "too large: at most \(format(range.upperBound)) (\(describe(range)))"
    }

    private static func format(_ value: Int) -> String { ProgressBar.grouped(value) }

    private static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? ProgressBar.grouped(Int(value)) : "\(value)"
    }
}
