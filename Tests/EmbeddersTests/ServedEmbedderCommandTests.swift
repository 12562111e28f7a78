import ArtifactSearch
import Foundation
import HybridSearch
import ProgramTestSupport
import Testing

/// A store whose embedder is a server (`--embedder openai:URL#MODEL`), through the program.
@Suite("A store embedded by a server, on the command line")
struct ServedEmbedderCommandTests {
    static let files = [
        "docs/oom.log": "CUDA error: out of memory while allocating the activations of layer 12",
        "docs/best.md": "The checkpoint from epoch 7 reached the highest validation accuracy",
        "docs/leak.txt": "postmortem: the data loader kept every file handle open",
        "docs/lr.txt": "learning rate warmup over the first thousand steps",
        "docs/cat.txt": "a cat sat on the mat",
    ]
    static let query = "memory of the GPU activations"

    @Test("ingest --embedder openai:URL#MODEL: later searches use the server without the flag (only the query is embedded), score as the library does, and follow the server to a new address")
    func servedStore() async throws {
        let server = try await FakeEmbeddingServer.start()
        defer { server.stop() }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("served-embedder-" + UUID().uuidString)
        defer { try? FileManager.default.removeItem(at: folder) }
        for (path, text) in Self.files {
            let url = folder.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        let environment = ["OPENAI_API_KEY": "key-7"]
        let ingested = try await runProgram(["ingest", "--embedder", "openai:\(server.baseURL)#fake-model", "docs"], in: folder, environment: environment)
        #expect(ingested.status == 0, "\(ingested.standardError)")
        #expect(try await server.requests().allSatisfy { $0.authorization == "Bearer key-7" && $0.model == "fake-model" })
        let before = try await server.requests().count
        let search = ["search", "--json", "--mode", "semantic", Self.query]
        let searched = try await runProgram(search, in: folder, environment: environment)
        #expect(searched.status == 0, "\(searched.standardError)")
        #expect(try await server.requests().count == before + 1)
        #expect(try await server.requests().last?.inputs == [Self.query])
        // The same store searched in this process with the server's own vectors computed here.
        let local = SameVectors(identifier: "openai-compatible:fake-model:d16")
        let facade = try await ArtifactFacade.open(at: folder.appendingPathComponent(".artifact-search"), embedder: local)
        var library: [String: Double] = [:]
        for hit in try await facade.search(Self.query, level: .org, limit: 10, mode: .semantic) {
            library[hit.artifact.labels["filename"]?.stringValue ?? "?"] = hit.score
        }
        let cli = try scores(searched.standardOutput)
        #expect(Set(cli.keys) == Set(library.keys) && cli.count == Self.files.count)
        for (name, score) in library { #expect(abs(score - (cli[name] ?? .nan)) < 1e-6, "\(name)") }

        // The server moves: the recorded address fails clearly; naming the new one (same model,
        // same dimension) is accepted and recorded, and the next search uses it without the flag.
        server.stop()
        try await Task.sleep(for: .milliseconds(200))
        let lost = try await runProgram(["search", Self.query], in: folder, environment: environment)
        #expect(lost.status == 1)
        #expect(lost.standardError.contains("cannot reach the embedding server at \(server.baseURL)"))
        let moved = try await FakeEmbeddingServer.start()
        defer { moved.stop() }
        try Data("one more file".utf8).write(to: folder.appendingPathComponent("more.txt"))
        let followed = try await runProgram(["ingest", "--embedder", "openai:\(moved.baseURL)#fake-model", "more.txt"], in: folder, environment: environment)
        #expect(followed.status == 0, "\(followed.standardError)")
        let again = try await runProgram(search, in: folder, environment: environment)
        #expect(again.status == 0, "\(again.standardError)")
        #expect(try await moved.requests().last?.inputs == [Self.query])
        // Another model is another embedder: refused, naming the way to switch.
        let other = try await runProgram(["ingest", "--embedder", "openai:\(moved.baseURL)#other-model", "more.txt"], in: folder, environment: environment)
        #expect(other.status == 1)
        #expect(other.standardError.contains("reembed --embedder"))
    }

    /// `search --json` hits as filename → score.
    func scores(_ output: String) throws -> [String: Double] {
        let hits = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [[String: Any]])
        var scores: [String: Double] = [:]
        for hit in hits {
            let labels = try #require(hit["labels"] as? [String: Any])
            scores[try #require(labels["filename"] as? String)] = try #require(hit["score"] as? Double)
        }
        return scores
    }
}

/// The server's vectors, computed here, under the served embedder's identity.
private struct SameVectors: Embedder {
    let identifier: String
    var dimension: Int { FakeEmbeddingServer.dimension }
    func embed(_ texts: [String]) throws -> [[Float]] { FakeEmbeddingServer.vectors(texts) }
}

/// Runs the built `artifact-search` in `folder` (its store is `./.artifact-search`), off the
/// cooperative pool: the test's in-process server answers it meanwhile.
func runProgram(_ arguments: [String], in folder: URL, environment: [String: String] = [:]) async throws -> ProgramOutput {
    try await ChildProcess.runOffPool(try TestPackage.program(), arguments, in: folder, environment: environment)
}
