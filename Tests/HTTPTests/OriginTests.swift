import ArtifactSearchHTTP
import Foundation
import Testing

/// Browser pages cannot reach a loopback server: the Host and Origin rules on every route.
@Suite("HTTP API: Host and Origin (DNS rebinding, cross-site requests)")
struct OriginTests {
    @Test("On loopback without keys: a foreign Host is 421 and a foreign Origin 403 on every route, before anything happens")
    func everyRouteIsGuarded() async throws {
        try await withServer { server in
            let client = server.client
            let saved = try await client.post("/v1/artifacts", json: ["text": "keep me"])
            let id = try #require(try saved.object()["artifact_id"] as? String)
            let rebinding = ["Host": "evil.example:\(server.port)"]
            #expect(try await client.get("/v1/artifacts", headers: rebinding).status == 421)
            #expect(try await client.get("/v1/artifacts", headers: rebinding).errorType == "misdirected_request")
            #expect(try await client.send("DELETE", "/v1/artifacts/\(id)", headers: rebinding).status == 421)
            let foreign = ["Origin": "http://evil.example"]
            let planted = try await client.post("/v1/artifacts", body: Data("planted".utf8), contentType: "text/plain", headers: foreign)
            #expect(planted.status == 403)
            #expect(planted.errorType == "forbidden_origin")
            #expect(try await client.send("DELETE", "/v1/artifacts/\(id)", headers: foreign).status == 403)
            #expect(try await client.get("/v1/artifacts/\(id)", headers: ["Origin": "null"]).status == 403)
            #expect(try await server.facade.index.count() == 1, "nothing planted, nothing deleted")
            // The server's own loopback names pass, in any case; so does a request without Origin.
            #expect(try await client.get("/v1/artifacts/\(id)", headers: ["Host": "LOCALHOST:\(server.port)"]).status == 200)
            #expect(try await client.get("/v1/artifacts/\(id)", headers: ["Host": "[::1]:\(server.port)", "Origin": "http://localhost:\(server.port)"]).status == 200)
            #expect(try await client.get("/v1/artifacts/\(id)", headers: ["Origin": "HTTP://127.0.0.1:\(server.port)"]).status == 200)
            #expect(try await client.get("/v1/artifacts/\(id)", headers: ["Host": "127.0.0.1:\(server.port + 1)"]).status == 421)
        }
        try await withServer(allowedOrigins: ["https://app.example.com"]) { server in
            let allowed = try await server.client.get("/v1/artifacts", headers: ["Origin": "https://app.example.com"])
            #expect(allowed.status == 200)
        }
    }

    @Test("Only localhost and loopback IP literals count as loopback (a name goes through DNS)")
    func loopbackNames() {
        for host in ["127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost", "LOCALHOST", "0:0:0:0:0:0:0:1"] {
            #expect(ArtifactHTTPServer.isLoopback(host), "\(host)")
        }
        for host in ["127.attacker.example", "127.0.0.1.evil.com", "0.0.0.0", "::", "example.com", "128.0.0.1", "localhost.evil.com", ""] {
            #expect(!ArtifactHTTPServer.isLoopback(host), "\(host)")
        }
    }
}
