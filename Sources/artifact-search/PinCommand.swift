import ArgumentParser
import ArtifactSearch

struct PinCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pin",
        abstract: "Pin artifacts (mark them to keep).",
        discussion: """
            Pinning belongs to one artifact: saving the same bytes again never changes it. \
            Every id is checked first: if any is unknown, nothing is pinned and the error names \
            each unknown id. Prints the updated artifacts (--json: one JSON array).

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

    func run() async throws {
        // Not in validate(): ArgumentParser validates before it reports unknown options.
        if ids.isEmpty { throw ValidationError("give the id of the artifact to pin") }
        try await Self.setPinned(true, ids: ids, store: store, json: json)
    }

    /// Pins or unpins every id and prints the results. Every id is checked first: when any is
    /// unknown nothing changes and the error names each unknown id. An id given twice counts
    /// once.
    static func setPinned(_ pinned: Bool, ids: [String], store: StoreOptions, json: Bool) async throws {
        let facade = try await store.openFacade()
        var seen = Set<String>()
        let unique = ids.filter { seen.insert($0).inserted }
        var unknown: [String] = []
        for id in unique where try await facade.artifact(id: id) == nil {
            unknown.append(id)
        }
        if !unknown.isEmpty {
            throw CommandLineError(unknownIDsMessage(unknown, action: pinned ? "pinned" : "unpinned"))
        }
        var updated: [Artifact] = []
        for id in unique {
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

    /// `no artifact with id "X" in this store: nothing was pinned; …`, naming at most ten ids
    /// (each cut to 80 characters), then how many more.
    static func unknownIDsMessage(_ unknown: [String], action: String) -> String {
        var names = unknown.prefix(10).map { "\"\(TerminalText.excerpt($0))\"" }.joined(separator: ", ")
        if unknown.count > 10 { names += " and \(unknown.count - 10) more" }
        let subject = unknown.count == 1 ? "no artifact with id" : "no artifacts with ids"
        return "\(subject) \(names) in this store: nothing was \(action);"
            + " check the ids (artifact-search list shows them) and run again"
    }
}
