import Embedders
import Foundation
import Testing

@testable import HybridSearch

/// The native sentence-transformer embedder: BERT tokenization worked by hand, the safetensors
/// reader's refusals, and parity with sentence-transformers on all-MiniLM-L6-v2 (token ids and
/// vectors of `Fixtures/minilm-reference.json`, made by `Benchmarks/minilm/make_reference.py`).
///
/// The model's weights are never committed: the README's test command installs them
/// (`scripts/fetch-model minilm`) and sets ARTIFACT_SEARCH_REQUIRE_MODELS=1, so CI never skips
/// the parity tests; without the weights and that variable they are skipped.
@Suite("Sentence embedder (MiniLM)")
struct SentenceEmbeddingTests {
    static var modelFolder: URL { EmbedderChoice.defaultModelFolder() }
    static var modelInstalled: Bool {
        FileManager.default.fileExists(atPath: modelFolder.appendingPathComponent("model.safetensors").path)
    }
    static var required: Bool { ProcessInfo.processInfo.environment["ARTIFACT_SEARCH_REQUIRE_MODELS"] == "1" }

    static var fixture: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/minilm-reference.json")
    }

    /// A vocabulary small enough to work the splits out by hand.
    static func tinyTokenizer(lowercases: Bool = true) throws -> WordPieceTokenizer {
        let tokens = [
            "[PAD]", "[UNK]", "[CLS]", "[SEP]", "un", "##aff", "##able", "the", "cafe", "naive", "!", ",", "中", "文",
            "hello", "##s", "a", "##b", "-", "σ", "ς", "i", "日", "本",
        ]
        return try WordPieceTokenizer(vocabulary: tokens, lowercases: lowercases)
    }

    @Test("WordPiece by hand: longest match first with ## pieces, punctuation alone, accents stripped, CJK ideographs alone, [UNK] for what cannot be split, special tokens in the text kept")
    func wordPieceByHand() throws {
        let tokenizer = try Self.tinyTokenizer()
        func pieces(_ text: String) -> [Int32] { Array(tokenizer.tokenIDs(text, maximumLength: 64).dropFirst().dropLast()) }
        let id = tokenizer.vocabulary
        // BERT's own example: "unaffable" → un ##aff ##able.
        #expect(pieces("unaffable") == [id["un"]!, id["##aff"]!, id["##able"]!])
        #expect(pieces("UnAffable!") == [id["un"]!, id["##aff"]!, id["##able"]!, id["!"]!])
        // Accents stripped after decomposition; punctuation split off; "hellos" = hello ##s.
        #expect(pieces("Café, naïve hellos") == [id["cafe"]!, id[","]!, id["naive"]!, id["hello"]!, id["##s"]!])
        // Ideographs are words of their own even without spaces; kana would stay in the word.
        #expect(pieces("中文") == [id["中"]!, id["文"]!])
        #expect(pieces("日本") == [id["日"]!, id["本"]!])
        // No split of the whole word: one [UNK] for the word, not a partial split.
        #expect(pieces("unaffablex") == [tokenizer.unknownID])
        // Longer than 100 scalars: [UNK] even when a split exists.
        #expect(pieces(String(repeating: "a", count: 101)) == [tokenizer.unknownID])
        #expect(pieces("a" + String(repeating: "b", count: 3)) == [id["a"]!, id["##b"]!, id["##b"]!, id["##b"]!])
        // Controls removed (not spaces): "hel\u{0}lo" is one word; tab and NBSP are spaces.
        #expect(pieces("hel\u{0}lo\thello\u{00A0}hello") == [id["hello"]!, id["hello"]!, id["hello"]!])
        // Lower-casing is per character: a final capital sigma becomes σ, not ς; İ becomes i.
        #expect(pieces("Σ İ") == [id["σ"]!, id["i"]!])
        // Dashes are punctuation (P*).
        #expect(pieces("a-a") == [id["a"]!, id["-"]!, id["a"]!])
        // Special tokens spelt out in the text keep their ids (exact spelling only).
        #expect(pieces("hello[SEP]hello [CLS]") == [id["hello"]!, tokenizer.separatorID, id["hello"]!, tokenizer.classID])
        #expect(pieces("[sep]").contains(tokenizer.separatorID) == false)
        // A combining mark right after a special token is text of its own (stripped here), never
        // a second copy of the token's last character.
        #expect(pieces("[SEP]\u{0301}hello") == [tokenizer.separatorID, id["hello"]!])
    }

    @Test("[CLS] and [SEP] around the pieces; truncation keeps the first maximumLength − 2 pieces; empty text is [CLS] [SEP]")
    func framingAndTruncation() throws {
        let tokenizer = try Self.tinyTokenizer()
        let cls = tokenizer.classID
        let sep = tokenizer.separatorID
        let the = tokenizer.vocabulary["the"]!
        #expect(tokenizer.tokenIDs("", maximumLength: 8) == [cls, sep])
        #expect(tokenizer.tokenIDs(" \n\t ", maximumLength: 8) == [cls, sep])
        #expect(tokenizer.tokenIDs("the the the", maximumLength: 8) == [cls, the, the, the, sep])
        let truncated = tokenizer.tokenIDs(Array(repeating: "the", count: 50).joined(separator: " "), maximumLength: 8)
        #expect(truncated == [cls] + Array(repeating: the, count: 6) + [sep])
        // A word's pieces are cut too, not dropped whole.
        #expect(tokenizer.tokenIDs("the unaffable", maximumLength: 4) == [cls, the, tokenizer.vocabulary["un"]!, sep])
    }

    @Test("A vocabulary without [UNK], [CLS], [SEP] or [PAD], or with a token twice, is a typed error")
    func vocabularyRefusals() {
        #expect(throws: SentenceModelError.self) { try WordPieceTokenizer(vocabulary: ["[PAD]", "[CLS]", "[SEP]"], lowercases: true) }
        #expect(throws: SentenceModelError.self) {
            try WordPieceTokenizer(vocabulary: ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "a", "a"], lowercases: true)
        }
    }

    @Test("safetensors: a truncated header, offsets past the end, another type or shape are typed errors; a good file reads back its floats")
    func safeTensorsRefusals() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("safetensors-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        func file(_ header: String, data: [UInt8]) throws -> URL {
            let json = Array(header.utf8)
            var bytes = withUnsafeBytes(of: UInt64(json.count).littleEndian) { Array($0) }
            bytes += json + data
            let url = folder.appendingPathComponent(UUID().uuidString)
            try Data(bytes).write(to: url)
            return url
        }
        let floats: [Float] = [1.5, -2, 0.25]
        let payload = floats.flatMap { value in withUnsafeBytes(of: value.bitPattern.littleEndian) { Array($0) } }
        let good = try SafeTensorsFile(
            url: try file(#"{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,12]},"__metadata__":{"format":"pt"}}"#, data: payload))
        #expect(try good.floats("w", shape: [3]) == floats)
        #expect(throws: SentenceModelError.self) { try good.floats("w", shape: [1, 3]) }
        #expect(throws: SentenceModelError.self) { try good.floats("missing", shape: [3]) }
        let half = try SafeTensorsFile(url: try file(#"{"w":{"dtype":"F16","shape":[3],"data_offsets":[0,6]}}"#, data: Array(payload[0..<6])))
        #expect(throws: SentenceModelError.unsupported(reason: "tensor w is F16, not F32")) { try half.floats("w", shape: [3]) }
        #expect(throws: SentenceModelError.self) {
            try SafeTensorsFile(url: try file(#"{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,16]}}"#, data: payload))
        }
        let truncated = folder.appendingPathComponent("truncated")
        try Data([0xFF, 0xFF, 0, 0, 0, 0, 0, 0, 0x7B]).write(to: truncated)
        #expect(throws: SentenceModelError.self) { try SafeTensorsFile(url: truncated) }
        #expect(throws: SentenceModelError.missingFile(path: folder.appendingPathComponent("absent").path)) {
            try SafeTensorsFile(url: folder.appendingPathComponent("absent"))
        }
        #expect(throws: SentenceModelError.self) { try SafeTensorsFile(url: try file("[1, 2]", data: [])) }
    }

    struct Reference: Decodable {
        struct Case: Decodable {
            var name: String
            var text: String
            var token_ids: [Int32]
            var embedding_f32_base64: String
        }
        var max_seq_length: Int
        var dimension: Int
        var cases: [Case]
    }

    static func reference() throws -> Reference {
        try JSONDecoder().decode(Reference.self, from: Data(contentsOf: fixture))
    }

    static func vector(_ base64: String) throws -> [Float] {
        let data = try #require(Data(base64Encoded: base64))
        let bytes = [UInt8](data)
        return stride(from: 0, to: bytes.count, by: 4).map { offset -> Float in
            var bits = UInt32(bytes[offset])
            bits |= UInt32(bytes[offset + 1]) << 8
            bits |= UInt32(bytes[offset + 2]) << 16
            bits |= UInt32(bytes[offset + 3]) << 24
            return Float(bitPattern: bits)
        }
    }

    @Test(
        "Parity with sentence-transformers: identical token ids and cosine ≥ 0.9999 for every reference text",
        .enabled(if: modelInstalled || required, "install the model: scripts/fetch-model minilm (the README's test command does)"))
    func parity() throws {
        let embedder = try SentenceTransformerEmbedder(folder: Self.modelFolder, name: EmbedderChoice.minilmFolderName)
        let reference = try Self.reference()
        #expect(reference.cases.count >= 100)
        #expect(embedder.dimension == reference.dimension)
        #expect(embedder.maximumSequenceLength == reference.max_seq_length)
        let ids = reference.cases.map { embedder.tokenizer.tokenIDs($0.text, maximumLength: embedder.maximumSequenceLength) }
        for (found, expected) in zip(ids, reference.cases) {
            #expect(found == expected.token_ids, "\(expected.name): \(expected.text.debugDescription.prefix(80))")
        }
        let vectors = try embedder.embed(reference.cases.map(\.text))
        var worst = (cosine: 1.0, name: "")
        for (vector, expected) in zip(vectors, reference.cases) {
            let target = try Self.vector(expected.embedding_f32_base64)
            let cosine = zip(vector, target).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            if cosine < worst.cosine { worst = (cosine, expected.name) }
            #expect(cosine >= 0.9999, "\(expected.name): cosine \(cosine)")
        }
        print("MiniLM parity: \(reference.cases.count) texts, lowest cosine \(worst.cosine) (\(worst.name))")
    }

    @Test(
        "A text's vector does not depend on its batch; vectors are unit length; the identifier names model, weights hash, dimension and truncation",
        .enabled(if: modelInstalled || required, "install the model: scripts/fetch-model minilm (the README's test command does)"))
    func batchIndependenceAndIdentity() throws {
        let embedder = try SentenceTransformerEmbedder(folder: Self.modelFolder, name: EmbedderChoice.minilmFolderName)
        let texts = ["best model by f1", "checkpoint with the highest accuracy", String(repeating: "long text ", count: 40), "x"]
        let together = try embedder.embed(texts)
        for (text, vector) in zip(texts, together) {
            let alone = try embedder.embed([text])[0]
            let cosine = zip(alone, vector).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            #expect(cosine >= 0.999999, "\(text): \(cosine)")
            let norm = vector.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
            #expect(abs(norm - 1) < 1e-5)
        }
        // Meaning, not spelling: the paraphrase is closer than an unrelated sentence.
        let probe = try embedder.embed(["GPU ran out of memory", "CUDA out of memory error during training", "a recipe for apple pie"])
        let related = zip(probe[0], probe[1]).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        let unrelated = zip(probe[0], probe[2]).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        #expect(related > unrelated + 0.3, "\(related) vs \(unrelated)")
        #expect(embedder.identifier.hasPrefix("sentence-transformer:all-MiniLM-L6-v2:xxh64-"))
        #expect(embedder.identifier.hasSuffix(":d384:max256:mean"))
        // The weights hash is cached beside the weights, keyed by size and modification time.
        let cache = Self.modelFolder.appendingPathComponent("model.safetensors.xxh64")
        if FileManager.default.isWritableFile(atPath: Self.modelFolder.path) {
            let cached = try String(contentsOf: cache, encoding: .utf8)
            #expect(embedder.identifier.contains("xxh64-" + (cached.split(separator: " ").last.map(String.init) ?? "?")))
        }
    }
}
