import ArgumentParser
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
        help: ArgumentHelp(
            "Only artifacts created within this window: a whole number and s, m, h, d or w (30s, 15m, 24h, 7d, 2w).",
            valueName: "window"),
        transform: { text in
            do { return try TimeWindow(parsing: text) } catch { throw ValidationError(String(describing: error)) }
        })
    var timeWindow: TimeWindow?

    /// The label filters for the facade.
    var labelFilters: [String: JSONValue?] {
        LabelAssignment.dictionary(labels).mapValues { Optional($0) }
    }
}
