import ArgumentParser
import ArtifactSearch
import Foundation

struct CatCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cat",
        abstract: "Write an artifact's bytes to standard output.",
        discussion: """
            Writes the stored content byte for byte (a directory artifact prints its manifest: \
            sorted relative paths with sha256 and size). The bytes are checked against the \
            recorded SHA-256 first: damaged content is refused (exit status 1) and nothing is \
            written.

            Examples:
              artifact-search cat 01JQ3V6Y2C8W5D7E9F0G1H2J3K
              artifact-search cat 01JQ3V6Y2C8W5D7E9F0G1H2J3K > restored.json
            """)

    @Argument(help: "The artifact id.")
    var id: String

    @OptionGroup(title: "Store")
    var store: StoreOptions

    func run() async throws {
        let facade = try await store.openFacade()
        guard let artifact = try await facade.artifact(id: id) else { throw ArtifactError.notFound(id: id) }
        // Checked before the first byte goes out (damaged content is refused and nothing is
        // written), from the same open file that is then streamed.
        try await facade.readContent(of: artifact) { chunk in FileHandle.standardOutput.write(chunk) }
    }
}
