import Foundation
import Testing

/// `artifact-search embed`: each text's vector, and the errors a user meets first.
@Suite("artifact-search embed")
struct EmbedCommandTests {
    @Test("The hashed embedder: one line of 1,024 floats per text, in order; --json is one array of arrays with the same values; a unit vector")
    func hashedVectors() throws {
        let runner = try ProgramRunner()
        defer { runner.remove() }
        let plain = try runner.runOK(["embed", "GPU ran out of memory", "checkpoint accuracy"])
        let lines = plain.standardOutput.split(separator: "\n").map { $0.split(separator: " ").compactMap { Float(String($0)) } }
        #expect(lines.count == 2)
        #expect(lines.allSatisfy { $0.count == 1_024 })
        let json = try runner.runOK(["embed", "--json", "GPU ran out of memory", "checkpoint accuracy"])
        let arrays = try #require(try json.json() as? [[Double]])
        #expect(arrays.map { $0.map(Float.init) } == lines)
        // The default embedder gives unit vectors (the two texts share no word: different vectors).
        let norm = arrays[0].reduce(0) { $0 + $1 * $1 }.squareRoot()
        #expect(abs(norm - 1) < 1e-5)
        #expect(arrays[0] != arrays[1])
    }

    @Test("An unknown embedder exits 2 naming the forms; a model folder that is not there exits 1 saying how to install it")
    func errors() throws {
        let runner = try ProgramRunner()
        defer { runner.remove() }
        let unknown = try runner.run(["embed", "--embedder", "bert", "x"])
        #expect(unknown.status == 2)
        #expect(unknown.standardError.contains("hashed, minilm, minilm:FOLDER or openai:URL#MODEL"))
        let missing = try runner.run(["embed", "--embedder", "minilm:\(runner.folder.path)/no-model", "x"])
        #expect(missing.status == 1)
        #expect(missing.standardError.contains("scripts/fetch-model minilm"))
        #expect(missing.standardOutput.isEmpty)
        let none = try runner.run(["embed"])
        #expect(none.status == 2)
    }
}
