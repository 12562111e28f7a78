import Foundation
import Testing

/// `HEAD` answers as `GET` would — status, headers, `Content-Length` — without the body.
@Suite("HTTP API: HEAD")
struct HeadRequestTests {
    @Test("HEAD of content, record, list and health: GET's status, ETag, Content-Type and Content-Length, no body; unknown id 404")
    func headLikeGet() async throws {
        try await withServer { server in
            let client = server.client
            let text = "a head request shows the size without the bytes"
            let saved = try await client.post("/v1/artifacts", json: ["text": text, "name": "head.txt"])
            #expect(saved.status == 201)
            let id = try #require(try saved.object()["artifact_id"] as? String)
            for path in ["/v1/artifacts/\(id)/content", "/v1/artifacts/\(id)", "/v1/artifacts", "/healthz"] {
                let get = try await client.get(path)
                let head = try await client.send("HEAD", path)
                #expect(get.status == 200, "\(path)")
                #expect(head.status == get.status, "\(path)")
                #expect(head.body.isEmpty, "\(path): \(head.text.prefix(80))")
                #expect(head.headers["content-length"] == String(get.body.count), "\(path)")
                #expect(head.headers["content-type"] == get.headers["content-type"], "\(path)")
                #expect(head.headers["etag"] == get.headers["etag"], "\(path)")
            }
            #expect(try await client.send("HEAD", "/v1/artifacts/\(id)/content").headers["content-length"] == String(text.utf8.count))
            let missing = try await client.send("HEAD", "/v1/artifacts/no-such-id")
            #expect(missing.status == 404)
            #expect(missing.body.isEmpty)
        }
    }
}
