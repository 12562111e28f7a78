import ArgumentParser
import Foundation
import HybridSearch

/// `--kind`, `--tag`, `--label`, `--time-window`: the structured filters of a read. Tags are
/// ALL-of; labels compare typed JSON values exactly (`5` ≠ `"5"`); the window is
/// `[now − window, now]`.
struct FilterOptions: ParsableArguments {
    @Option(help: "Only artifacts of this kind.")
    var kind: String?

    @Option(name: .customLong("tag"), help: "Only artifacts with this tag (repeatable; all must match).")
    var tags: [String] = []

    @Option(
        name: .customLong("label"),
        help: ArgumentHelp(LabelAssignment.help, valueName: "key=value"),
        transform: LabelAssignment.init(parsing:))
    var labels: [LabelAssignment] = []

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Only artifacts created within this window: a whole number and s, m, h, d or w (30s, 15m, 24h, 7d, 2w).",
            valueName: "window"),
        transform: FilterOptions.timeWindow(parsing:))
    var timeWindow: TimeWindow?

    /// Parses `--time-window`, naming the reason for a negative or too long number.
    @Sendable static func timeWindow(parsing text: String) throws -> TimeWindow {
        let trimmed = text.trimmingCharacters(in: CharacterSet(charactersIn: " \t"))
        if trimmed.hasPrefix("-") {
            throw ValidationError("a time window cannot be negative: use \(TimeWindow.acceptedForms)")
        }
        let digits = trimmed.prefix { $0.isASCII && $0.isNumber }
        if digits.count > maximumDigits {
            throw ValidationError(
                "too large: a time window has at most \(maximumDigits) digits (e.g. 3650d for ten years)")
        }
        do { return try TimeWindow(parsing: text) } catch { throw ValidationError(String(describing: error)) }
    }

    /// The longest number ``TimeWindow/init(parsing:)`` accepts.
    static let maximumDigits = 12

    /// The label filters for the facade.
    var labelFilters: [String: JSONValue?] {
        LabelAssignment.dictionary(labels).mapValues { Optional($0) }
    }
}
