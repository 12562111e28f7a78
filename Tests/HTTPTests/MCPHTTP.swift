import ArtifactSearchHTTP
import Foundation
import Testing

/// JSON-RPC over `POST /mcp`, by hand (the official client has its own test).
enum MCPHTTP {
    static let headers = ["Content-Type": "application/json", "Accept": "application/json, text/event-stream"]

    static func request(_ client: LoopbackClient, method: String, params: [String: Any], id: Int = 1, headers extra: [String: String] = [:]) async throws -> [String: Any] {
        let answer = try await client.post(
            "/mcp", json: ["jsonrpc": "2.0", "id": id, "method": method, "params": params], headers: headers.merging(extra) { _, new in new })
        #expect(answer.status == 200, "\(answer.status): \(answer.text)")
        return try answer.object()
    }

    struct ToolAnswer {
        var isError: Bool
        var structured: [String: Any]
    }

    static func call(_ client: LoopbackClient, tool: String, arguments: [String: Any], path: String = "/mcp") async throws -> ToolAnswer {
        let message = try await request(client, method: "tools/call", params: ["name": tool, "arguments": arguments])
        let result = try #require(message["result"] as? [String: Any], "\(message)")
        return ToolAnswer(isError: result["isError"] as? Bool == true, structured: result["structuredContent"] as? [String: Any] ?? [:])
    }

    static func toolNames(_ client: LoopbackClient) async throws -> [String] {
        let message = try await request(client, method: "tools/list", params: [:])
        let tools = try #require((message["result"] as? [String: Any])?["tools"] as? [[String: Any]], "\(message)")
        return tools.compactMap { $0["name"] as? String }
    }
}

/// Loads a key file's text through the public API (for the key-file error cases).
enum APIKeyringProbe {
    static func load(_ text: String) throws -> Int {
        try APIKeyring(json: Data(text.utf8), source: "keys.json").count
    }
}
