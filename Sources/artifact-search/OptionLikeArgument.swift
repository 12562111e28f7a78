import ArgumentParser

/// Arguments that look like options but are meant as a file name or a query: `ingest
/// -q.txt`, `ingest -dash.txt`, `search -foo`.
///
/// The program has no short option but `-h`, so a single-dash word before `--` is never one
/// of its options. ArgumentParser splits it into short flags, though: `-dash.txt` holds `-h`
/// and would print the help (exit 0, nothing ingested). Such words are reported as unknown
/// options instead, with how to pass a name starting with `-` (`--` before it, or `./`).
enum OptionLikeArgument {
    /// The first argument before `--` that ArgumentParser would read as a cluster of short
    /// flags holding `-h`: a single dash, then more than one character, an `h` among them,
    /// and not a negative number (`-1h` is a value of `--time-window`).
    static func helpLookalike(in arguments: [String]) -> String? {
        for argument in arguments {
            if argument == "--" { return nil }
            if isShortOptionCluster(argument), argument.dropFirst().contains("h") { return argument }
        }
        return nil
    }

    /// `-ab…`: one dash, at least two more characters, the first neither a dash nor the
    /// start of a number.
    static func isShortOptionCluster(_ argument: String) -> Bool {
        guard argument.hasPrefix("-"), argument.count > 2 else { return false }
        let first = argument[argument.index(after: argument.startIndex)]
        return first != "-" && first != "." && !first.isNumber
    }

    /// The usage error for the unknown option `name` of `subcommand`, ending with where to
    /// find help.
    static func message(unknown name: String, subcommand: String?) -> String {
        var line = "Error: unknown option '\(name)'"
        switch subcommand {
        case IngestCommand.configuration.commandName?:
            line += "; to ingest a file whose name starts with '-', use -- before it (artifact-search ingest -- \(name))"
                + " or ./\(name)"
        case SearchCommand.configuration.commandName?:
            line += "; to search for text that starts with '-', use -- before it (artifact-search search -- \(name))"
        default:
            break
        }
        let help = ["artifact-search", subcommand].compactMap { $0 }.joined(separator: " ")
        return line + "\n  See '\(help) --help' for more information."
    }

    /// ArgumentParser's usage `message` with its first line, `Error: Unknown option '-x'` for
    /// a single-dash word, replaced by ``message(unknown:subcommand:)``'s (which says how to
    /// pass the word as a name); any other message unchanged.
    static func rewriting(_ message: String, subcommand: String?) -> String {
        let prefix = "Error: Unknown option '"
        let lines = message.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
        guard let first = lines.first, first.hasPrefix(prefix), first.hasSuffix("'") else { return message }
        let name = String(first.dropFirst(prefix.count).dropLast())
        guard name.hasPrefix("-"), !name.hasPrefix("--") else { return message }
        guard subcommand == IngestCommand.configuration.commandName || subcommand == SearchCommand.configuration.commandName
        else { return message }
        let rewritten = self.message(unknown: name, subcommand: subcommand).split(separator: "\n")[0]
        return lines.count > 1 ? rewritten + "\n" + lines[1] : String(rewritten)
    }

    /// The subcommand `arguments` name first, if any.
    static func subcommand(in arguments: [String]) -> String? {
        guard let first = arguments.first else { return nil }
        return CommandRegistry.subcommands.map { $0.configuration.commandName }.contains(first) ? first : nil
    }
}
