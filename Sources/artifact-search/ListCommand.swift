import ArgumentParser
import ArtifactSearch
import Foundation

struct ListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List artifacts, newest first.",
        discussion: """
            Shows id, name, kind, size and age (and metrics and pins when there are any) of the \
            newest artifacts matching every filter; --json prints them as one JSON array.

            \(ReadScopeOptions.discussion)

            Examples:
              artifact-search list
              artifact-search list --kind report --tag project-x --limit 5
              artifact-search list --level session --session-id s-42 --time-window 24h --json
            """)

    /// `--limit`: the whole result is held in memory.
    static let limitRange = 1...100_000

    @Option(
        parsing: .unconditional, help: "At most this many artifacts (\(NumericOption.span(limitRange)); default 20).",
        transform: NumericOption.integer(in: limitRange))
    var limit: Int = 20

    @Flag(help: "Print one JSON array of artifacts.")
    var json = false

    @OptionGroup
    var read: ReadOptions

    func run() async throws {
        let facade = try await read.openFacade()
        let artifacts = try await SearchIndexUse.around(facade) {
            try await read.search(nil, in: facade, limit: limit, mode: .structural).map(\.artifact)
        }
        if json {
            try JSONOutput.print(artifacts)
        } else if artifacts.isEmpty {
            print("No artifacts match these filters.")
        } else {
            print(ArtifactTable.render(artifacts))
        }
    }
}
