import Foundation
import Testing

/// Bad requests get a 4xx with `{"error": {"type", "message"}}` and change nothing.
@Suite("HTTP API: bad input")
struct BadInputTests {
    struct Case: CustomStringConvertible, Sendable {
        var name: String
        var method = "POST"
        var path = "/v1/search"
        var contentType: String? = "application/json"
        var headers: [String: String] = [:]
        var body: Data?
        var status: Int
        var type: String
        var mentions: String? = nil
        var description: String { name }

        init(_ name: String, method: String = "POST", path: String = "/v1/search", contentType: String? = "application/json", headers: [String: String] = [:], body: String?, status: Int = 400, type: String, mentions: String? = nil) {
            self.name = name
            self.method = method
            self.path = path
            self.contentType = contentType
            self.headers = headers
            self.body = body.map { Data($0.utf8) }
            self.status = status
            self.type = type
            self.mentions = mentions
        }
    }

    static let cases: [Case] = [
        Case("malformed JSON", body: #"{"query": "#, type: "invalid_json", mentions: "byte"),
        Case("a trailing comma", body: #"{"query": "x",}"#, type: "invalid_json", mentions: "trailing comma"),
        Case("a lone surrogate", body: #"{"query": "\ud800"}"#, type: "invalid_json", mentions: "surrogate"),
        Case("a number too large for a double", body: #"{"query": "x", "limit": 1e400}"#, type: "invalid_json"),
        Case("nesting 600 levels deep", body: #"{"query": "x", "labels": "# + String(repeating: "[", count: 600) + String(repeating: "]", count: 600) + "}", type: "invalid_json", mentions: "levels deep"),
        Case("invalid UTF-8", body: nil, type: "invalid_json"),
        Case("not an object", body: "[1, 2]", type: "invalid_request", mentions: "JSON object"),
        Case("an unknown field", body: #"{"query": "x", "top_k": 3}"#, type: "invalid_request", mentions: "top_k"),
        Case("a wrong type", body: #"{"query": 5}"#, type: "invalid_request", mentions: "\"query\" must be a string"),
        Case("a missing query", body: #"{"mode": "lexical"}"#, type: "invalid_request", mentions: "\"query\" is required"),
        Case("an unknown mode", body: #"{"query": "x", "mode": "fuzzy"}"#, type: "unknown_mode", mentions: "fuzzy"),
        Case("the structural mode", body: #"{"query": "x", "mode": "structural"}"#, type: "unknown_mode"),
        Case("an unknown level", body: #"{"query": "x", "level": "galaxy"}"#, type: "unknown_level", mentions: "galaxy"),
        Case("a limit of 0", body: #"{"query": "x", "limit": 0}"#, type: "invalid_request", mentions: "between 1 and 1000"),
        Case("an absurd limit", body: #"{"query": "x", "limit": 9223372036854775807}"#, type: "invalid_request"),
        Case("a negative offset", body: #"{"query": "x", "offset": -1}"#, type: "invalid_request"),
        Case("a fractional limit", body: #"{"query": "x", "limit": 2.5}"#, type: "invalid_request", mentions: "whole number"),
        Case("a bad time window", body: #"{"query": "x", "time_window": "yesterday"}"#, type: "invalid_time_window"),
        Case("tags not a list", body: #"{"query": "x", "tags": "a"}"#, type: "invalid_request"),
        Case("a body that is not JSON", contentType: "text/plain", body: "query=x", status: 415, type: "unsupported_media_type"),
        Case("save: no content", path: "/v1/artifacts", body: #"{"name": "x"}"#, type: "invalid_request", mentions: "exactly one of"),
        Case("save: two contents", path: "/v1/artifacts", body: #"{"text": "a", "json": 1}"#, type: "invalid_request", mentions: "text, json"),
        Case("save: bad base64", path: "/v1/artifacts", body: #"{"content_base64": "@@@"}"#, type: "invalid_base64"),
        Case("save: org_id in the body", path: "/v1/artifacts", body: #"{"text": "a", "org_id": "other"}"#, type: "invalid_request", mentions: "org_id"),
        Case("save: a metric that is not a number", path: "/v1/artifacts", body: #"{"text": "a", "metrics": {"f1": "high"}}"#, type: "invalid_request"),
        Case("save: labels nested too deep", path: "/v1/artifacts", body: #"{"text": "a", "labels": {"k": "# + String(repeating: "[", count: 505) + String(repeating: "]", count: 505) + "}}", type: "too_deeply_nested"),
        Case("save: bad metadata header", path: "/v1/artifacts", contentType: "application/octet-stream", headers: ["X-Artifact-Metadata": "{oops"], body: "bytes", type: "invalid_json"),
        Case("save: unknown metadata field", path: "/v1/artifacts", contentType: "application/octet-stream", headers: ["X-Artifact-Metadata": #"{"text":"x"}"#], body: "bytes", type: "invalid_request"),
        Case("best: no metric", path: "/v1/best", body: #"{"kind": "model"}"#, type: "invalid_request", mentions: "\"metric\" is required"),
        Case("best: a bad metric mode", path: "/v1/best", body: #"{"metric": "f1", "metric_mode": "median"}"#, type: "invalid_metric_mode"),
        Case("list: a limit that is not a number", method: "GET", path: "/v1/artifacts?limit=ten", contentType: nil, body: nil, type: "invalid_request"),
        Case("list: an unknown parameter", method: "GET", path: "/v1/artifacts?query=x", contentType: nil, body: nil, type: "invalid_request", mentions: "query"),
        Case("list: labels that are not JSON", method: "GET", path: "/v1/artifacts?labels=split", contentType: nil, body: nil, type: "invalid_json"),
        Case("list: a parameter twice", method: "GET", path: "/v1/artifacts?kind=a&kind=b", contentType: nil, body: nil, type: "invalid_request", mentions: "more than once"),
        Case("get: an unknown id", method: "GET", path: "/v1/artifacts/01J00000000000000000000000", contentType: nil, body: nil, status: 404, type: "not_found"),
        Case("get: a hostile id", method: "GET", path: "/v1/artifacts/..%2F..%2Fetc%2Fpasswd", contentType: nil, body: nil, status: 404, type: "not_found"),
        Case("content: an unknown id", method: "GET", path: "/v1/artifacts/nope/content", contentType: nil, body: nil, status: 404, type: "not_found"),
        Case("an unknown route", method: "GET", path: "/v2/everything", contentType: nil, body: nil, status: 404, type: "not_found"),
        Case("a query over 16 KiB", body: #"{"query": ""# + String(repeating: "word ", count: 4_000) + #""}"#, type: "invalid_argument", mentions: "16 KiB"),
        Case("list: limit twice", method: "GET", path: "/v1/artifacts?limit=1&limit=2", contentType: nil, body: nil, type: "invalid_request", mentions: "more than once"),
        Case("list: labels twice", method: "GET", path: "/v1/artifacts?labels=%7B%7D&labels=%7B%7D", contentType: nil, body: nil, type: "invalid_request", mentions: "more than once"),
        Case("a malformed chunked body", path: "/v1/artifacts", contentType: "text/plain", headers: ["Transfer-Encoding": "chunked"], body: "zz\r\nhello\r\n0\r\n\r\n", type: "invalid_body"),
    ]

    @Test("Each bad request: its status, a typed JSON error that names the problem, and no new artifact", arguments: cases)
    func badRequest(_ bad: Case) async throws {
        try await withServer { server in
            var body = bad.body
            if bad.name == "invalid UTF-8" { body = Data([0x7B, 0x22, 0x71, 0x22, 0x3A, 0x22, 0xFF, 0xFE, 0x22, 0x7D]) }
            var headers = bad.headers
            if let type = bad.contentType { headers["Content-Type"] = type }
            let answer = try await server.client.send(bad.method, bad.path, headers: headers, body: body)
            #expect(answer.status == bad.status, "\(answer.text)")
            #expect(answer.headers["content-type"] == "application/json")
            let error = try #require(try answer.object()["error"] as? [String: Any], "\(answer.text)")
            #expect(error["type"] as? String == bad.type, "\(answer.text)")
            let message = try #require(error["message"] as? String)
            #expect(!message.isEmpty)
            if let mentions = bad.mentions { #expect(message.contains(mentions), "\(message)") }
            #expect(try await server.facade.index.count() == 0)
        }
    }

    @Test("A body over the limit gets 413 payload_too_large (JSON and raw saves, and /mcp), and nothing is saved")
    func tooLarge() async throws {
        try await withServer(maxBodyBytes: 4_096) { server in
            let big = String(repeating: "x", count: 10_000)
            let json = try await server.client.post("/v1/artifacts", json: ["text": big])
            #expect(json.status == 413)
            #expect(json.errorType == "payload_too_large")
            let raw = try await server.client.post("/v1/artifacts", body: Data(big.utf8), contentType: "text/plain")
            #expect(raw.status == 413)
            let search = try await server.client.post("/v1/search", json: ["query": big])
            #expect(search.status == 413)
            let mcp = try await server.client.post(
                "/mcp", json: ["jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": ["name": "save_text", "arguments": ["text": big]]],
                headers: MCPHTTP.headers)
            #expect(mcp.status == 413)
            #expect(try await server.facade.index.count() == 0)
            // Just under the limit is fine.
            let fits = try await server.client.post("/v1/artifacts", json: ["text": String(repeating: "y", count: 4_000)])
            #expect(fits.status == 201)
        }
    }
}
