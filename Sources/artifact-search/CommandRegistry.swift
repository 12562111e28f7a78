import ArgumentParser

/// The subcommands of `artifact-search`, in help order.
enum CommandRegistry {
    static let subcommands: [any ParsableCommand.Type] = [EvalCommand.self]
}
