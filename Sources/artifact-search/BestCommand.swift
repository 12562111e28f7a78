import ArgumentParser
import ArtifactSearch
import Foundation

struct BestCommand: AsyncParsableCommand {
    /// Which end of the metric wins.
    enum Direction: String, EnumerableFlag {
        case max, min

        static func help(for value: Direction) -> ArgumentHelp? {
            value == .max ? "The highest value wins (default)." : "The lowest value wins."
        }
    }

    static let configuration = CommandConfiguration(
        commandName: "best",
        abstract: "Show the artifact with the best value of a metric.",
        discussion: """
            Among the artifacts matching every filter, the one with the highest (--max) or \
            lowest (--min) value of --metric; ties go to the newest; artifacts without the metric \
            never win. Exits with status 1 when no artifact has the metric. Record metrics with \
            `ingest --metric name=number`.

            \(ReadScopeOptions.discussion)

            Examples:
              artifact-search best --kind eval --metric accuracy --max
              artifact-search best --metric loss --min --label model=small --json
            """)

    @Option(help: "The metric to rank by.")
    var metric: String

    @Flag(help: "Which end wins.")
    var direction: Direction = .max

    @Flag(help: "Print the artifact as JSON.")
    var json = false

    @OptionGroup
    var read: ReadOptions

    func run() async throws {
        let facade = try await read.openFacade()
        let mode: MetricMode = direction == .max ? .max : .min
        // The facade's `best` has neither a time window nor graph/node filters; the structured
        // search orders by the metric the same way (ties newest first), with artifacts lacking
        // it last, and applies --time-window, --graph-id and --node-id like `list` and `search`.
        let best = try await SearchIndexUse.around(facade) {
            try await read.search(nil, in: facade, limit: 1, mode: .structural, metric: metric, metricMode: mode)
        }.first.map(\.artifact).flatMap { $0.metrics[metric] == nil ? nil : $0 }
        guard let best else {
            let kind = read.filters.kind.map { " of kind \"\($0)\"" } ?? ""
            throw CommandLineError(
                "no artifact\(kind) matching these filters has the metric \"\(metric)\": check the name"
                    + " (artifact-search list shows metrics) or record it with ingest --metric \(metric)=VALUE")
        }
        if json {
            try JSONOutput.print(best)
        } else {
            print(ArtifactTable.render([best]))
        }
    }
}
