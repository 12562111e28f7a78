import Foundation
import Testing

/// Many clients against one server.
@Suite("HTTP API: concurrent clients")
struct ConcurrencyTests {
    @Test("16 clients mixing saves and searches: no 5xx, nothing lost, every acknowledged save found afterwards")
    func sixteenClients() async throws {
        try await withServer(keys: [["key": "k", "org_id": "acme", "write": true]]) { server in
            let client = server.client.with(key: "k")
            // A few artifacts to search from the start.
            for index in 0..<20 {
                _ = try await client.post("/v1/artifacts", json: ["text": "seed document \(index) about gradients and losses", "run_id": "seed"])
            }
            let acknowledged = try await withThrowingTaskGroup(of: [String: String].self) { group in
                for worker in 0..<16 {
                    group.addTask {
                        var saved: [String: String] = [:]  // token → id
                        for step in 0..<24 {
                            if step % 4 == 0 {
                                let token = "tok\(worker)x\(step)q"
                                let answer = try await client.post(
                                    "/v1/artifacts", json: ["text": "worker \(worker) step \(step) \(token) gradients", "run_id": "w\(worker)"])
                                #expect(answer.status == 201, "\(answer.status) \(answer.text)")
                                if let id = try answer.object()["artifact_id"] as? String { saved[token] = id }
                            } else {
                                let body: [String: Any] = step % 2 == 0
                                    ? ["query": "gradients losses", "level": "org", "limit": 5]
                                    : ["query": "worker step gradients", "mode": "lexical", "run_id": "w\(worker)", "limit": 10]
                                let answer = try await client.post("/v1/search", json: body)
                                #expect(answer.status == 200, "\(answer.status) \(answer.text)")
                                if step % 2 == 1 {
                                    // Every save this worker had acknowledged is already searchable in its run.
                                    let hits = try #require(try answer.object()["hits"] as? [[String: Any]])
                                    let found = Set(hits.compactMap { ($0["artifact"] as? [String: Any])?["artifact_id"] as? String })
                                    #expect(Set(saved.values).isSubset(of: found), "worker \(worker) step \(step)")
                                }
                            }
                        }
                        return saved
                    }
                }
                var all: [String: String] = [:]
                for try await saved in group { all.merge(saved) { first, _ in first } }
                return all
            }
            #expect(acknowledged.count == 16 * 6)
            for (token, id) in acknowledged {
                #expect(try await client.get("/v1/artifacts/\(id)").status == 200)
                let hits = try await client.post("/v1/search", json: ["query": token, "mode": "lexical", "level": "org", "snippets": false])
                let first = (try hits.object()["hits"] as? [[String: Any]])?.first?["artifact"] as? [String: Any]
                #expect(first?["artifact_id"] as? String == id, "\(token)")
            }
            #expect(try await server.facade.index.count() == 20 + 16 * 6)
        }
    }

    @Test(
        "Saves and deletes of the same bytes at once never hang the server (a delete's exclusive store lock once deadlocked every thread)",
        .timeLimit(.minutes(2)))
    func savesAndDeletesTogether() async throws {
        try await withServer { server in
            let client = server.client
            let deadline = ContinuousClock.now + .seconds(4)
            let saved = IDQueue()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<4 {
                    group.addTask {
                        while ContinuousClock.now < deadline {
                            let answer = try await client.post(
                                "/v1/artifacts", body: Data("same bytes \(worker % 2)".utf8), contentType: "application/octet-stream")
                            #expect(answer.status == 201, "\(answer.text)")
                            if let id = try? answer.object()["artifact_id"] as? String { saved.push(id) }
                        }
                    }
                }
                for _ in 0..<2 {
                    group.addTask {
                        while ContinuousClock.now < deadline {
                            guard let id = saved.pop() else {
                                try await Task.sleep(for: .milliseconds(5))
                                continue
                            }
                            let answer = try await client.delete("/v1/artifacts/\(id)")
                            #expect(answer.status == 204, "\(answer.text)")
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await client.get("/healthz").status == 200)
            // What was saved and not deleted is there, bytes and all.
            while let id = saved.pop() {
                #expect(try await client.get("/v1/artifacts/\(id)/content").text.hasPrefix("same bytes "))
            }
        }
    }
}

/// A thread-safe stack of ids shared by test tasks.
final class IDQueue: @unchecked Sendable {
    private let lock = NSLock()
    private var ids: [String] = []
    func push(_ id: String) { lock.withLock { ids.append(id) } }
    func pop() -> String? { lock.withLock { ids.popLast() } }
}
