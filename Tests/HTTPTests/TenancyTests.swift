import Foundation
import Testing

/// API keys: every request acts for its key's organisation only; 401 and 403 rules.
@Suite("HTTP API: keys and tenancy")
struct TenancyTests {
    static var keys: [[String: Any]] { [
        ["key": "key-acme-writer", "org_id": "acme", "user_id": "alice", "write": true],
        ["key": "key-acme-reader", "org_id": "acme", "user_id": "bob", "write": false],
        ["key": "key-globex-writer", "org_id": "globex", "write": true],
    ] }

    @Test("Another organisation's artifact is unreachable by id, content, search, list, best, pin, delete and MCP")
    func organisationsAreSeparate() async throws {
        try await withServer(keys: Self.keys) { server in
            let acme = server.client.with(key: "key-acme-writer")
            let globex = server.client.with(key: "key-globex-writer")
            let saved = try await acme.post(
                "/v1/artifacts", json: ["text": "acme secret roadmap quantum", "kind": "plan", "metrics": ["score": 1], "run_id": "r1"])
            #expect(saved.status == 201)
            let record = try saved.object()
            let id = try #require(record["artifact_id"] as? String)
            #expect(record["org_id"] as? String == "acme", "the organisation comes from the key")
            #expect(record["user_id"] as? String == "alice")

            #expect(try await globex.get("/v1/artifacts/\(id)").status == 404)
            #expect(try await globex.get("/v1/artifacts/\(id)/content").status == 404)
            #expect(try await globex.put("/v1/artifacts/\(id)/pin").status == 404)
            #expect(try await globex.delete("/v1/artifacts/\(id)/pin").status == 404)
            #expect(try await globex.delete("/v1/artifacts/\(id)").status == 404)
            for mode in ["lexical", "semantic", "hybrid"] {
                let search = try await globex.post("/v1/search", json: ["query": "acme secret roadmap quantum", "mode": mode, "level": "org"])
                #expect((try search.object()["hits"] as? [Any])?.isEmpty == true, "\(mode)")
            }
            #expect((try await globex.get("/v1/artifacts?level=org").object()["artifacts"] as? [Any])?.isEmpty == true)
            #expect(try await globex.post("/v1/best", json: ["kind": "plan", "metric": "score", "level": "org"]).object()["artifact"] is NSNull)
            // The body cannot name an organisation.
            let forged = try await globex.post("/v1/artifacts", json: ["text": "x", "org_id": "acme"])
            #expect(forged.status == 400)
            #expect(forged.text.contains("org_id"))

            // MCP over HTTP, same key.
            let mcp = try await MCPHTTP.call(globex, tool: "get_artifact", arguments: ["artifact_id": id])
            #expect(mcp.isError)
            let mcpSearch = try await MCPHTTP.call(globex, tool: "search_artifacts", arguments: ["query": "acme secret roadmap", "level": "org"])
            #expect((mcpSearch.structured["hits"] as? [Any])?.isEmpty == true)

            // Still there for its owner, also through the read-only key of the same organisation.
            #expect(try await acme.get("/v1/artifacts/\(id)").status == 200)
            let reader = server.client.with(key: "key-acme-reader")
            #expect(try await reader.get("/v1/artifacts/\(id)/content").text == "acme secret roadmap quantum")
            let found = try await reader.post("/v1/search", json: ["query": "roadmap", "level": "org"])
            #expect((try found.object()["hits"] as? [Any])?.count == 1)
        }
    }

    @Test("No key, an unknown key or a malformed header: 401 with WWW-Authenticate; a read-only key writing: 403")
    func authentication() async throws {
        try await withServer(keys: Self.keys) { server in
            let anonymous = server.client
            for answer in [
                try await anonymous.get("/v1/artifacts"),
                try await anonymous.post("/v1/search", json: ["query": "x"]),
                try await anonymous.send("POST", "/mcp", headers: ["Content-Type": "application/json", "Accept": "application/json"], body: Data(#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#.utf8)),
                try await server.client.with(key: "nope").get("/v1/artifacts"),
                try await anonymous.get("/v1/artifacts", headers: ["Authorization": "Basic a2V5OnZhbHVl"]),
                try await anonymous.get("/v1/artifacts", headers: ["Authorization": "Bearer"]),
            ] {
                #expect(answer.status == 401, "\(answer.text)")
                #expect(answer.errorType == "unauthorized")
                #expect(answer.headers["www-authenticate"] == "Bearer")
            }
            let writer = server.client.with(key: "key-acme-writer")
            let id = try #require(try await writer.post("/v1/artifacts", json: ["text": "t"]).object()["artifact_id"] as? String)
            let reader = server.client.with(key: "key-acme-reader")
            for answer in [
                try await reader.post("/v1/artifacts", json: ["text": "no"]),
                try await reader.post("/v1/artifacts", body: Data("raw".utf8), contentType: "text/plain"),
                try await reader.put("/v1/artifacts/\(id)/pin"),
                try await reader.delete("/v1/artifacts/\(id)/pin"),
                try await reader.delete("/v1/artifacts/\(id)"),
            ] {
                #expect(answer.status == 403, "\(answer.text)")
                #expect(answer.errorType == "forbidden")
            }
            #expect(try await reader.get("/v1/artifacts/\(id)").status == 200)
            // The read-only key's MCP tools are the reading ones.
            let tools = try await MCPHTTP.toolNames(reader)
            #expect(tools == ["search_artifacts", "list_artifacts", "get_artifact", "read_artifact", "best_artifact"])
            let writerTools = try await MCPHTTP.toolNames(writer)
            #expect(writerTools == [
                "search_artifacts", "list_artifacts", "get_artifact", "read_artifact", "save_text", "save_json",
                "best_artifact", "pin_artifact", "delete_artifact",
            ])
            let refused = try await MCPHTTP.request(reader, method: "tools/call", params: ["name": "save_text", "arguments": ["text": "x"]])
            #expect(refused["error"] != nil, "an unoffered tool is a protocol error: \(refused)")
        }
    }

    @Test("Key files that are wrong are refused with a message naming the entry")
    func keyFileErrors() throws {
        let cases: [(String, String)] = [
            ("{}", "JSON array"),
            ("[]", "no keys"),
            (#"[{"key": "a"}]"#, "org_id"),
            (#"[{"key": "", "org_id": "o"}]"#, "\"key\""),
            (#"[{"key": "a b", "org_id": "o"}]"#, "\"key\""),
            (#"[{"key": "a", "org_id": "o", "write": "yes"}]"#, "\"write\""),
            (#"[{"key": "a", "org_id": "o", "admin": true}]"#, "unknown field"),
            (#"[{"key": "a", "org_id": "o"}, {"key": "a", "org_id": "p"}]"#, "entry 2"),
            (#"[{"key": "a", "org_id": "o",}]"#, "not valid JSON"),
        ]
        for (text, expected) in cases {
            do {
                _ = try APIKeyringProbe.load(text)
                Issue.record("accepted \(text)")
            } catch {
                #expect("\(error)".contains(expected), "\(text): \(error)")
            }
        }
        #expect(try APIKeyringProbe.load(#"[{"key": "a", "org_id": "o", "user_id": null}]"#) == 1)
    }
}
