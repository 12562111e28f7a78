import ArgumentParser

/// The subcommands of `artifact-search`, in help order.
enum CommandRegistry {
    static let subcommands: [any ParsableCommand.Type] = [
        IngestCommand.self, SearchCommand.self, ListCommand.self, GetCommand.self, CatCommand.self,
        BestCommand.self, PinCommand.self, UnpinCommand.self, DeleteCommand.self, GarbageCollectCommand.self,
        VerifyCommand.self, CopyCommand.self, ReembedCommand.self, EvalCommand.self, EmbedCommand.self, McpCommand.self, ServeCommand.self,
    ]
}
