import ArtifactSearch
import Embedders
import Foundation
import HybridSearch
import Testing

/// `--embedder` on the commands that create a store, the store's own embedder used by every
/// later command, and `reembed`.
@Suite("A store's embedder on the command line")
struct StoreEmbedderCommandTests {
    static var modelInstalled: Bool {
        FileManager.default.fileExists(atPath: EmbedderChoice.defaultModelFolder().appendingPathComponent("model.safetensors").path)
    }
    static var required: Bool { ProcessInfo.processInfo.environment["ARTIFACT_SEARCH_REQUIRE_MODELS"] == "1" }
    static let files = [
        "docs/oom.log": "CUDA error: out of memory while allocating the activations of layer 12",
        "docs/best.md": "The checkpoint from epoch 7 reached the highest validation accuracy, 0.913",
        "docs/leak.txt": "postmortem: the data loader kept every file handle open until the job died",
        "docs/lr.txt": "learning rate warmup over the first thousand steps, then cosine decay",
        "docs/cat.txt": "a cat sat on the mat and looked at the dog",
        "docs/disk.txt": "no space left on device when saving the optimizer state",
    ]
    static let query = "which model scored best"
    /// No model anywhere the default `minilm` looks.
    static let noModels = ["ARTIFACT_SEARCH_MODELS": "/nonexistent/models", "XDG_CACHE_HOME": "/nonexistent/cache"]

    static func writeFiles(_ runner: ProgramRunner) throws {
        for (path, text) in files { try runner.write(path, text: text) }
    }

    /// `search --json` hits as filename → score.
    static func scores(_ result: ProgramResult) throws -> [String: Double] {
        var scores: [String: Double] = [:]
        for hit in try result.jsonObjects() {
            let labels = try #require(hit["labels"] as? [String: Any])
            scores[try #require(labels["filename"] as? String)] = try #require(hit["score"] as? Double)
        }
        return scores
    }

    @Test("A new store records hashed; --embedder hashed opens it again; a missing model folder exits 1 saying how to install it")
    func hashedStore() async throws {
        let runner = try ProgramRunner()
        defer { runner.remove() }
        try Self.writeFiles(runner)
        _ = try runner.runOK(["ingest", "docs"])
        let state = try SQLiteArtifactIndex(databaseURL: runner.folder.appendingPathComponent(".artifact-search/index.sqlite"))
        #expect(try await state.embedderState().bound == EmbedderBinding(HashedNGramEmbedder(), choice: "hashed"))
        try runner.write("more/new.txt", text: "another file")
        _ = try runner.runOK(["ingest", "--embedder", "hashed", "more"])
        let missing = try runner.run(["ingest", "--embedder", "minilm", "more"], environment: Self.noModels)
        #expect(missing.status == 1)
        #expect(missing.standardError.contains("scripts/fetch-model minilm"))
        let unknown = try runner.run(["serve", "--embedder", "bert"])
        #expect(unknown.status == 2)
        #expect(unknown.standardError.contains("hashed, minilm, minilm:FOLDER or openai:URL#MODEL"))
    }

    @Test(
        "ingest --embedder minilm: later commands use MiniLM without the flag (the library's scores), another embedder is refused naming reembed, and only searches that embed need the model",
        .enabled(if: modelInstalled || required, "install the model: scripts/fetch-model minilm (the README's test command does)"))
    func minilmStore() async throws {
        let runner = try ProgramRunner()
        defer { runner.remove() }
        try Self.writeFiles(runner)
        _ = try runner.runOK(["ingest", "--embedder", "minilm", "docs"])
        let cli = try Self.scores(try runner.runOK(["search", "--json", "--mode", "semantic", Self.query]))
        #expect(cli.count == Self.files.count)
        // The same store searched in this process with the model itself.
        let model = try SentenceTransformerEmbedder(folder: EmbedderChoice.defaultModelFolder(), name: EmbedderChoice.minilmFolderName)
        let facade = try await ArtifactFacade.open(at: runner.folder.appendingPathComponent(".artifact-search"), embedder: model)
        var library: [String: Double] = [:]
        for hit in try await facade.search(Self.query, level: .org, limit: 10, mode: .semantic) {
            library[try #require(hit.artifact.labels["filename"]?.stringValue)] = hit.score
        }
        #expect(Set(library.keys) == Set(cli.keys))
        for (name, score) in library { #expect(abs(score - cli[name]!) < 1e-6, "\(name)") }
        // Meaning, not words: the accuracy note is the best match for "which model scored best".
        #expect(cli.max { $0.value < $1.value }?.key == "best.md")
        // Another embedder is refused, naming the way to switch.
        try runner.write("more/x.txt", text: "x")
        let refused = try runner.run(["ingest", "--embedder", "hashed", "more"])
        #expect(refused.status == 1)
        #expect(refused.standardError.contains("reembed --embedder"))
        #expect(refused.standardError.contains("(--embedder minilm)"))
        // So are the servers, before they serve anything.
        for server in [["mcp", "--embedder", "hashed"], ["serve", "--port", "0", "--embedder", "hashed"]] {
            let result = try runner.run(server)
            #expect(result.status == 1, "\(server)")
            #expect(result.standardError.contains("reembed --embedder"), "\(server)")
        }
        // Without the model: listing and lexical search work; a hybrid search says how to install it.
        let listed = try runner.run(["list", "--json"], environment: Self.noModels)
        #expect(listed.status == 0)
        #expect(try listed.jsonObjects().count == Self.files.count)
        #expect(try runner.run(["search", "--mode", "lexical", "checkpoint"], environment: Self.noModels).status == 0)
        let hybrid = try runner.run(["search", "checkpoint"], environment: Self.noModels)
        #expect(hybrid.status == 1)
        #expect(hybrid.standardError.contains("scripts/fetch-model minilm"))
    }

    @Test(
        "reembed --embedder minilm turns a hashed store into one that searches like a store ingested with minilm, and back",
        .enabled(if: modelInstalled || required, "install the model: scripts/fetch-model minilm (the README's test command does)"))
    func reembed() throws {
        let runner = try ProgramRunner()
        defer { runner.remove() }
        try Self.writeFiles(runner)
        let search = ["search", "--json", "--mode", "hybrid", Self.query]
        _ = try runner.runOK(["ingest", "docs"])
        let hashed = try Self.scores(try runner.runOK(search))
        _ = try runner.runOK(["--store", "fresh", "ingest", "--embedder", "minilm", "docs"])
        let fresh = try Self.scores(try runner.runOK(["--store", "fresh"] + search))
        let switched = try runner.runOK(["reembed", "--embedder", "minilm"])
        #expect(switched.standardError.contains("re-embedded 6 of 6 artifacts with minilm"))
        #expect(try Self.scores(try runner.runOK(search)) == fresh)
        #expect(fresh != hashed)
        // Nothing left to do the second time; back to hashed gives the first scores again.
        #expect(try runner.runOK(["reembed", "--embedder", "minilm"]).standardError.contains("re-embedded 0 of 6"))
        _ = try runner.runOK(["reembed", "--embedder", "hashed"])
        #expect(try Self.scores(try runner.runOK(search)) == hashed)
        let none = try runner.run(["--store", "nowhere", "reembed", "--embedder", "hashed"])
        #expect(none.status == 1)
        #expect(none.standardError.contains("no store at"))
    }
}
