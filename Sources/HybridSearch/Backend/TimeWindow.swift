import Foundation

/// A relative time window such as `"24h"`: the closed interval `[now − window, now]`.
///
/// Grammar: optional spaces, a whole number, optional spaces, one unit `s`, `m`, `h`, `d` or
/// `w`, optional spaces. `"30s"`, `"15m"`, `" 7 d "`, `"2w"` parse; `"7 days"`, `"1.5h"`,
/// `"-1d"`, `"last_24_hours"` throw ``SearchError/invalidTimeWindow(_:)``.
public struct TimeWindow: Sendable, Hashable, CustomStringConvertible {
    /// Length of the window in seconds (≥ 0 when parsed; see ``bounds(now:)`` otherwise).
    public let seconds: Double

    public static let acceptedForms =
        "a whole number followed by s, m, h, d or w (for example \"30s\", \"15m\", \"24h\", \"7d\", \"2w\")"

    public init(seconds: Double) { self.seconds = seconds }

    public init(parsing text: String) throws(SearchError) {
        // Only ASCII spaces and tabs: Unicode "whitespace" includes zero-width characters.
        let blanks = CharacterSet(charactersIn: " \t")
        let trimmed = text.trimmingCharacters(in: blanks)
        guard let unit = trimmed.last, let multiplier = TimeWindow.unitSeconds[unit] else {
            throw .invalidTimeWindow(text)
        }
        let digits = trimmed.dropLast().trimmingCharacters(in: blanks)
        guard !digits.isEmpty, digits.count <= 12, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
            let count = Int(digits)
        else { throw .invalidTimeWindow(text) }
        self.seconds = Double(count) * multiplier
    }

    /// The inclusive `[now − window, now]` bounds, in seconds since 1970 UTC. A negative or
    /// NaN length (possible only through ``init(seconds:)``) counts as 0: `[now, now]`.
    public func bounds(now: Date = Date()) -> ClosedRange<Double> {
        let end = now.timeIntervalSince1970
        let length = seconds >= 0 ? seconds : 0  // NaN fails the comparison too
        return (end - length)...end
    }

    public var description: String { "\(Int(seconds))s" }

    private static let unitSeconds: [Character: Double] = [
        "s": 1, "m": 60, "h": 3_600, "d": 86_400, "w": 604_800,
    ]
}
