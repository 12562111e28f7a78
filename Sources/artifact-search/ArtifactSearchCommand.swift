import ArgumentParser
import HybridSearch
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

            Exit status: 0 on success, 1 when the command fails (one line on standard error \
            saying what to do), 2 when the command line is wrong (unknown option, bad value).

            Examples:
              artifact-search ingest notes/ runs/
              artifact-search search "out of memory"
              artifact-search list --limit 5
            """,
        subcommands: CommandRegistry.subcommands)

    static func main() async {
        OpenBLAS.chooseKernels()  // before any thread reads the environment
        let arguments = movingStoreOption(Array(CommandLine.arguments.dropFirst()))
        let subcommand = OptionLikeArgument.subcommand(in: arguments)
        if let lookalike = OptionLikeArgument.helpLookalike(in: arguments) {
            writeError(TerminalText.escapedLines(OptionLikeArgument.message(unknown: lookalike, subcommand: subcommand)))
            exitProcess(2)
        }
        if let problem = storeOptionProblem(Array(CommandLine.arguments.dropFirst())) {
            writeError("artifact-search: \(problem)")
            exitProcess(2)
        }
        let command: any ParsableCommand
        do {
            command = try parseAsRoot(arguments)
        } catch {
            let message = fullMessage(for: error)
            if exitCode(for: error) == .success {
                print(message)
                exitProcess(0)
            }
            writeError(TerminalText.escapedLines(OptionLikeArgument.rewriting(message, subcommand: subcommand)))
            exitProcess(2)
        }
        do {
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                var syncCommand = command
                try syncCommand.run()
            }
            reportMemoryIfAsked()
        } catch let error as ExitCode {
            exitProcess(error.rawValue)
        } catch let error as ValidationError {
            writeError("artifact-search: " + TerminalText.escaped(error.message))
            exitProcess(2)
        } catch where exitCode(for: error) == .success {
            // `artifact-search help search` and `SUBCOMMAND --help` arrive here as errors.
            print(fullMessage(for: error))
            exitProcess(0)
        } catch where exitCode(for: error) == .validationFailure {
            writeError(TerminalText.escapedLines(fullMessage(for: error)))
            exitProcess(2)
        } catch {
            // One line: control characters, line feeds included, are shown escaped.
            writeError("artifact-search: error: " + TerminalText.escaped(String(describing: error)))
            exitProcess(1)
        }
    }

    /// `artifact-search --store DIR search …` → `artifact-search search … --store DIR`: the
    /// store may be named before the subcommand, as in `git -C`.
    static func movingStoreOption(_ arguments: [String]) -> [String] {
        var leading: [String] = []
        var rest = arguments[...]
        while let first = rest.first {
            if first == "--store", rest.count >= 2 {
                leading += rest.prefix(2)
                rest = rest.dropFirst(2)
            } else if first.hasPrefix("--store=") {
                leading.append(first)
                rest = rest.dropFirst()
            } else {
                break
            }
        }
        // Only in front of a real subcommand: otherwise the parser's own message ("unexpected
        // argument 'bogus'") names the actual mistake.
        let names = Set(subcommandNames + ["help"])
        guard !leading.isEmpty, let subcommand = rest.first, names.contains(subcommand) else { return arguments }
        // `--store DIR help list`: help needs no store.
        if subcommand == "help" { return Array(rest) }
        return [subcommand] + leading + rest.dropFirst()
    }

    static var subcommandNames: [String] { CommandRegistry.subcommands.map { $0._commandName } }

    /// What is wrong when `--store DIR` comes first but no known subcommand follows it.
    static func storeOptionProblem(_ arguments: [String]) -> String? {
        var rest = arguments[...]
        var sawStore = false
        while let first = rest.first {
            if first == "--store", rest.count >= 2 {
                rest = rest.dropFirst(2)
            } else if first.hasPrefix("--store=") {
                rest = rest.dropFirst()
            } else {
                break
            }
            sawStore = true
        }
        guard sawStore else { return nil }
        let names = subcommandNames
        guard let next = rest.first else {
            return "--store names the store; give a subcommand after it (\(names.joined(separator: ", ")))"
        }
        if names.contains(next) || next == "help" || next.hasPrefix("-") { return nil }
        return "unknown subcommand '\(TerminalText.escaped(String(next.prefix(80))))': use one of \(names.joined(separator: ", "))"
    }

    static func writeError(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }

    /// With `ARTIFACT_SEARCH_REPORT_MEMORY=1`, one line on standard error at the end of a
    /// command: `rss_anon_kb=N peak_kb=N` (`RssAnon` and `VmHWM` of /proc/self/status), for
    /// Benchmarks/store_scale (file-backed pages of mapped segments count in the peak, not in
    /// RssAnon).
    static func reportMemoryIfAsked() {
        guard ProcessInfo.processInfo.environment["ARTIFACT_SEARCH_REPORT_MEMORY"] == "1",
            let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        else { return }
        func field(_ name: String) -> String {
            let line = status.split(separator: "\n").first { $0.hasPrefix(name + ":") }
            return line.map { $0.dropFirst(name.count + 1).trimmingCharacters(in: .whitespaces).replacingOccurrences(of: " kB", with: "") } ?? "?"
        }
        writeError("rss_anon_kb=\(field("RssAnon")) peak_kb=\(field("VmHWM"))")
    }

    static func exitProcess(_ code: Int32) -> Never {
        Foundation.exit(code)
    }
}
