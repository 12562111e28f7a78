import ArgumentParser

struct UnpinCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unpin",
        abstract: "Unpin artifacts.",
        discussion: """
            Every id is checked first: if any is unknown, nothing is unpinned and the error \
            names each unknown id. Prints the updated artifacts (--json: one JSON array).

            Example:
              artifact-search unpin 01JQ3V6Y2C8W5D7E9F0G1H2J3K
            """)

    @Argument(help: ArgumentHelp("Artifact ids.", valueName: "id"))
    var ids: [String] = []

    @Flag(help: "Print the updated artifacts as one JSON array.")
    var json = false

    @OptionGroup(title: "Store")
    var store: StoreOptions

    func run() async throws {
        // Not in validate(): ArgumentParser validates before it reports unknown options.
        if ids.isEmpty { throw ValidationError("give the id of the artifact to unpin") }
        try await PinCommand.setPinned(false, ids: ids, store: store, json: json)
    }
}
