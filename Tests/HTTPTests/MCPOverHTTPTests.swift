import Foundation
import ProgramTestSupport
import Testing

/// `/mcp`: the MCP tools over Streamable HTTP, the Origin/Host rules, and the official client.
@Suite("HTTP API: MCP at /mcp")
struct MCPOverHTTPTests {
    static var ping: [String: Any] { ["jsonrpc": "2.0", "id": 7, "method": "ping"] }

    @Test("Origin: none or a loopback origin at the server's port passes; another origin 403; a foreign Host 421 (DNS rebinding)")
    func originChecks() async throws {
        try await withServer { server in
            let client = server.client
            func status(_ headers: [String: String]) async throws -> Int {
                try await client.post("/mcp", json: Self.ping, headers: MCPHTTP.headers.merging(headers) { _, new in new }).status
            }
            #expect(try await status([:]) == 200)
            #expect(try await status(["Origin": "http://localhost:\(server.port)"]) == 200)
            #expect(try await status(["Origin": "http://127.0.0.1:\(server.port)"]) == 200)
            #expect(try await status(["Origin": "http://evil.example"]) == 403)
            #expect(try await status(["Origin": "http://localhost:\(server.port + 1)"]) == 403)
            #expect(try await status(["Origin": "null"]) == 403)
            #expect(try await status(["Host": "evil.example:\(server.port)"]) == 421)
            #expect(try await status(["Host": "localhost:\(server.port)"]) == 200)
            // The SDK's own checks still run: JSON only, Accept must allow JSON.
            let wrongType = try await client.post(
                "/mcp", body: try JSONSerialization.data(withJSONObject: Self.ping), contentType: "text/plain", headers: ["Accept": "application/json"])
            #expect(wrongType.status == 415)
            let get = try await client.get("/mcp", headers: ["Accept": "text/event-stream"])
            #expect(get.status == 405)
        }
        try await withServer(allowedOrigins: ["https://app.example.com"]) { server in
            let allowed = try await server.client.post("/mcp", json: Self.ping, headers: MCPHTTP.headers.merging(["Origin": "https://app.example.com"]) { _, new in new })
            #expect(allowed.status == 200)
        }
    }

    @Test("A request whose id is not a string or an integer, and a batch, get -32600 at once (the SDK dropped them unanswered)")
    func invalidRequestIDs() async throws {
        try await withServer { server in
            for body in [
                #"{"jsonrpc":"2.0","id":true,"method":"ping"}"#, #"{"jsonrpc":"2.0","id":null,"method":"ping"}"#,
                #"{"jsonrpc":"2.0","id":{"a":1},"method":"ping"}"#, #"{"jsonrpc":"2.0","id":1.5,"method":"ping"}"#,
                #"[{"jsonrpc":"2.0","id":1,"method":"ping"}]"#,
            ] {
                let answer = try await server.client.post("/mcp", body: Data(body.utf8), contentType: "application/json", headers: ["Accept": "application/json"])
                #expect(answer.status == 400, "\(body): \(answer.text)")
                let error = try #require(try answer.object()["error"] as? [String: Any], "\(answer.text)")
                #expect(error["code"] as? Int == -32600, "\(body): \(answer.text)")
            }
        }
    }

    @Test("initialize, tools/list and tools/call over POST; each POST stands alone, so two clients' equal ids never meet")
    func statelessCalls() async throws {
        try await withServer { server in
            let client = server.client
            let initialize = try await MCPHTTP.request(
                client, method: "initialize",
                params: ["protocolVersion": "2025-06-18", "capabilities": [String: Any](), "clientInfo": ["name": "t", "version": "1"]])
            #expect(((initialize["result"] as? [String: Any])?["serverInfo"] as? [String: Any])?["name"] as? String == "artifact-search")
            // Many calls with the same id at once: each gets its own answer.
            try await withThrowingTaskGroup(of: (Int, String).self) { group in
                for index in 0..<12 {
                    group.addTask {
                        let saved = try await MCPHTTP.call(client, tool: "save_text", arguments: ["text": "note number \(index)", "name": "n\(index).txt"])
                        return (index, saved.structured["artifact_id"] as? String ?? "")
                    }
                }
                var ids = Set<String>()
                for try await (_, id) in group { ids.insert(id) }
                #expect(ids.count == 12 && !ids.contains(""))
            }
            let listed = try await MCPHTTP.call(client, tool: "list_artifacts", arguments: ["limit": 100])
            #expect((listed.structured["artifacts"] as? [Any])?.count == 12)
            let notification = try await client.post("/mcp", json: ["jsonrpc": "2.0", "method": "notifications/initialized"], headers: MCPHTTP.headers)
            #expect(notification.status == 202)
        }
    }

    @Test(
        "The official Python client over Streamable HTTP: tools per key, saves, search, read, best, pin, delete, errors, another organisation",
        .enabled(if: OfficialHTTPClient.python != nil || OfficialHTTPClient.required, "run the README's test command (scripts/test) to set up the MCP client"))
    func officialClient() async throws {
        let python = try #require(OfficialHTTPClient.python, "ARTIFACT_SEARCH_MCP_PYTHON does not name the virtual environment's python")
        try await withServer(keys: TenancyTests.keys) { server in
            let script = OfficialHTTPClient.packageRoot.appendingPathComponent("Tests/MCPTests/client/e2e_http_client.py")
            let (status, output) = try await runToEnd(
                python, [script.path, "http://127.0.0.1:\(server.port)/mcp", "key-acme-writer", "key-acme-reader", "key-globex-writer"])
            #expect(status == 0, "\(output)")
            #expect(output.hasSuffix("ok\n"), "\(output)")
        }
    }
}

enum OfficialHTTPClient {
    static var python: String? { TestPackage.mcpPython }
    static var required: Bool { TestPackage.requiresMCPClient }
    static var packageRoot: URL { TestPackage.root }
}
