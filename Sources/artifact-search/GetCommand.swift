import ArgumentParser
import ArtifactSearch

struct GetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "Print an artifact's record as JSON.",
        discussion: """
            Prints the record (provenance, kind, sha256, bytes, mime, created_at, tags, labels, \
            metrics, pinned, uri) as indented JSON; --json prints it on one line. Use `cat` for \
            the content.

            Examples:
              artifact-search get 01JQ3V6Y2C8W5D7E9F0G1H2J3K
              artifact-search get 01JQ3V6Y2C8W5D7E9F0G1H2J3K --json | jq .labels
            """)

    @Argument(help: "The artifact id.")
    var id: String

    @Flag(help: "Print compact JSON on one line.")
    var json = false

    @OptionGroup(title: "Store")
    var store: StoreOptions

    func run() async throws {
        let facade = try await store.openFacade()
        guard let artifact = try await facade.artifact(id: id) else { throw ArtifactError.notFound(id: id) }
        try JSONOutput.print(artifact, pretty: !json)
    }
}
