import ArgumentParser
import Foundation

/// `artifact-search`: save, find and evaluate artifacts from the shell.
///
/// Exit status: 0 on success, 1 on a user error (one line on stderr), 2 on a usage error.
@main
struct ArtifactSearchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "artifact-search",
        abstract: "Save what agents produce and find it again with hybrid (BM25 + vector) search.",
        discussion: """
            The store is one folder (default ./.artifact-search, or --store DIR, or the \
            ARTIFACT_SEARCH_STORE environment variable) holding an SQLite database and a \
            content-addressed blob tree.
            """,
        subcommands: CommandRegistry.subcommands)

    static func main() async {
        let command: any ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            let message = fullMessage(for: error)
            if exitCode(for: error) == .success {
                print(message)
                exitProcess(0)
            }
            writeError(message)
            exitProcess(2)
        }
        do {
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                var syncCommand = command
                try syncCommand.run()
            }
        } catch let error as ExitCode {
            exitProcess(error.rawValue)
        } catch let error as ValidationError {
            writeError("artifact-search: \(error.message)")
            exitProcess(2)
        } catch {
            let text = String(describing: error).replacingOccurrences(of: "\n", with: " ")
            writeError("artifact-search: error: \(text)")
            exitProcess(1)
        }
    }

    static func writeError(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }

    static func exitProcess(_ code: Int32) -> Never {
        Foundation.exit(code)
    }
}
