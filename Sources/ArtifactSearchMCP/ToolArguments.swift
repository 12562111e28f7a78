import MCP

extension FieldReader {
    /// A tool call's arguments, as the SDK decoded them (``DataURLGuard`` marks taken off).
    init(tool: String, values: [String: Value]?, accepted: [String]) throws(FieldError) {
        try self.init((values ?? [:]).mapValues(ValueBridge.json), subject: tool, noun: "argument", accepted: accepted)
    }
}

/// A mistake in a tool call, reported to the agent as the tool's result (`isError`).
struct ToolCallError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
