import ArtifactSearch
import Foundation
import HybridSearch
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
        #expect(server.requests.allSatisfy { $0.authorization == "Bearer key-7" && $0.model == "fake-model" })
        let before = server.requests.count
        let search = ["search", "--json", "--mode", "semantic", Self.query]
        let searched = try await runProgram(search, in: folder, environment: environment)
        #expect(searched.status == 0, "\(searched.standardError)")
        #expect(server.requests.count == before + 1)
        #expect(server.requests.last?.inputs == [Self.query])
        // The same store searched in this process with the server's own vectors computed here.
        let local = SameVectors(base: FakeEmbeddingServer.embedder, identifier: "openai-compatible:fake-model:d64")
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
        #expect(moved.requests.last?.inputs == [Self.query])
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

/// Another embedder's vectors under the served embedder's identity.
private struct SameVectors: Embedder {
    let base: HashedNGramEmbedder
    let identifier: String
    var dimension: Int { base.dimension }
    func embed(_ texts: [String]) throws -> [[Float]] { base.embed(texts) }
}

struct ProgramOutput: Sendable {
    var status: Int32
    var standardOutput: String
    var standardError: String
}

/// Runs the built `artifact-search` in `folder` (its store is `./.artifact-search`) on a thread
/// of its own — the test's in-process server answers it meanwhile.
func runProgram(_ arguments: [String], in folder: URL, environment: [String: String] = [:]) async throws -> ProgramOutput {
    var root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    while root.path != "/", !FileManager.default.fileExists(atPath: root.appendingPathComponent("Package.swift").path) {
        root = root.deletingLastPathComponent()
    }
    let candidates = [
        Bundle.main.executableURL?.deletingLastPathComponent().appendingPathComponent("artifact-search"),
        root.appendingPathComponent(".build/debug/artifact-search"),
    ].compactMap { $0 }
    let program = try #require(candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }, "build artifact-search first")
    return try await offPool {
        let process = Process()
        process.executableURL = program
        process.arguments = arguments
        process.currentDirectoryURL = folder
        var variables = ProcessInfo.processInfo.environment
        variables.removeValue(forKey: "ARTIFACT_SEARCH_STORE")
        variables.merge(environment) { _, new in new }
        process.environment = variables
        let output = folder.appendingPathComponent(".stdout-\(UUID().uuidString)")
        let errors = folder.appendingPathComponent(".stderr-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: output)
            try? FileManager.default.removeItem(at: errors)
        }
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = try FileHandle(forWritingTo: errors)
        try process.run()
        process.waitUntilExit()
        return ProgramOutput(
            status: process.terminationStatus, standardOutput: String(decoding: try Data(contentsOf: output), as: UTF8.self),
            standardError: String(decoding: try Data(contentsOf: errors), as: UTF8.self))
    }
}
