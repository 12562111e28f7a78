import ArgumentParser
import ArtifactSearch

struct PinCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pin",
        abstract: "Pin artifacts (mark them to keep).",
        discussion: """
            Pinning belongs to one artifact: saving the same bytes again never changes it. \
            Prints the updated artifacts (--json: one JSON array).

            Examples:
              artifact-search pin 01JQ3V6Y2C8W5D7E9F0G1H2J3K
              artifact-search list --json | jq -r '.[0].artifact_id' | xargs artifact-search pin
            """)

    @Argument(help: ArgumentHelp("Artifact ids.", valueName: "id"))
    var ids: [String] = []

    @Flag(help: "Print the updated artifacts as one JSON array.")
    var json = false

    @OptionGroup(title: "Store")
    var store: StoreOptions

    func validate() throws {
        if ids.isEmpty { throw ValidationError("give the id of the artifact to pin") }
    }

    func run() async throws {
        try await Self.setPinned(true, ids: ids, store: store, json: json)
    }

    /// Pins or unpins every id (stopping at the first unknown one) and prints the results.
    static func setPinned(_ pinned: Bool, ids: [String], store: StoreOptions, json: Bool) async throws {
        let facade = try await store.openFacade()
        var updated: [Artifact] = []
        for id in ids {
            updated.append(try await facade.pin(id, pinned: pinned))
        }
        if json {
            try JSONOutput.print(updated)
        } else {
            for artifact in updated {
                print("\(pinned ? "pinned" : "unpinned") \(artifact.artifactID)  \(TerminalText.escaped(DisplayName.of(artifact)))")
            }
        }
    }
}
