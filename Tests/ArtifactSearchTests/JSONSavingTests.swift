import Foundation
import HybridSearch
import Testing

@testable import ArtifactSearch

/// `saveJSON` / `loadJSON`: nesting limits, numbers and the strict grammar checks.
@Suite("JSON saving and loading")
struct JSONSavingTests {
    /// `depth` arrays inside one another around `leaf`, built without recursion.
    static func nested(_ depth: Int, leaf: JSONValue = 1) -> JSONValue {
        var value = leaf
        for _ in 0..<depth { value = .array([value]) }
        return value
    }

    /// An `Encodable` whose JSON is `depth` nested arrays.
    indirect enum Nest: Encodable, Sendable {
        case leaf
        case wrap(Nest)

        static func make(_ depth: Int) -> Nest {
            var value = Nest.leaf
            for _ in 0..<depth { value = .wrap(value) }
            return value
        }

        func encode(to encoder: any Encoder) throws {
            switch self {
            case .leaf:
                var container = encoder.singleValueContainer()
                try container.encode(1)
            case .wrap(let inner):
                var container = encoder.unkeyedContainer()
                try container.encode(inner)
            }
        }
    }

    @Test("A JSON value 10,000 levels deep is refused with a typed error before anything is stored (no crash)")
    func deepValueRefused() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let facade = try await openFacade(in: folder)
        let deep = Self.nested(10_000)
        #expect(deep.nestingDepth() == 10_000)
        await #expect(throws: ArtifactError.tooDeeplyNested(what: "the JSON value", limit: 512)) {
            try await facade.saveJSON(deep)
        }
        await #expect(throws: ArtifactError.tooDeeplyNested(what: "label \"tree\"", limit: 500)) {
            try await facade.saveText("x", labels: ["tree": deep])
        }
        await #expect(throws: ArtifactError.tooDeeplyNested(what: "label \"tree\"", limit: 500)) {
            try await facade.list(filters: ["tree": deep])
        }
        #expect(try await facade.index.count() == 0)
        #expect(try blobFiles(in: facade.store.rootURL).isEmpty)
    }

    @Test("What saveJSON accepts loads again: 512 levels round-trip, 513 are refused on save", arguments: StoreBackend.available)
    func saveLoadDepthAgree(backend: StoreBackend) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let facade = try await openFacade(in: folder, backend: backend)
        let deepest = Self.nested(512, leaf: "bottom")
        let saved = try await facade.saveJSON(deepest)
        #expect(try await facade.loadJSON(id: saved.artifactID) == deepest)
        await #expect(throws: ArtifactError.tooDeeplyNested(what: "the JSON value", limit: 512)) {
            try await facade.saveJSON(Self.nested(513))
        }
        // An Encodable goes through JSONEncoder, which itself stops at 511 levels (the bytes are
        // checked against 512 too): a typed error, nothing stored.
        let encodable = try await facade.saveJSON(Nest.make(511))
        #expect(try await facade.loadJSON(id: encodable.artifactID) == Self.nested(511))
        await #expect(throws: EncodingError.self) { try await facade.saveJSON(Nest.make(600)) }
        #expect(try await facade.index.count() == 2)
    }

    @Test("The engine refuses metadata or filters nested past the limit with a typed error (no crash)")
    func engineRefusesDeepMetadata() async throws {
        let backend = InMemorySearchBackend(embedder: HashedNGramEmbedder(dimension: 16))
        let deep = Self.nested(10_000)
        await #expect(throws: SearchError.self) {
            try await backend.upsert([SearchItem(corpus: "c", id: "a", text: "alpha", metadata: ["m": deep])])
        }
        #expect(await backend.count(corpus: "c") == 0)
        await #expect(throws: SearchError.self) {
            try await backend.search(
                SearchRequest(corpus: "c", query: "alpha", topK: 1, filter: MetadataFilter(equals: ["m": deep])))
        }
    }

    @Test("saveJSON and labels with NaN/∞ are rejected with a typed error; nothing is recorded")
    func nonFiniteJSON() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let facade = try await openFacade(in: folder)
        let bad: [JSONValue] = [
            .number(.nan), .object(["x": .number(.infinity)]), .array([.number(1), .array([.number(-.infinity)])]),
        ]
        for value in bad {
            await #expect(throws: ArtifactError.self, "saveJSON(\(value))") { try await facade.saveJSON(value) }
            await #expect(throws: ArtifactError.self, "label \(value)") {
                try await facade.saveText("x", labels: ["bad": value])
            }
            await #expect(throws: (any Error).self) { try await facade.writer { writer in
                try writer.write("payload")
                writer.addLabels(["bad": value])
            } }
        }
        struct Payload: Encodable, Sendable { var score: Double }
        await #expect(throws: (any Error).self) { try await facade.saveJSON(Payload(score: .nan)) }
        #expect(try await facade.index.count() == 0)
        #expect(await facade.backend.count(corpus: "artifacts") == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: facade.store.stagingURL.path).isEmpty)
    }

    @Test("Integers in the 64-bit range load exactly; larger ones become the nearest double, the bytes keep every digit", arguments: StoreBackend.available)
    func integersStayExact(backend: StoreBackend) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let facade = try await openFacade(in: folder, backend: backend)
        let text = #"{"big":12345678901234567890,"exact":9007199254740993,"max":9223372036854775807,"small":-5,"f":2.5}"#
        let saved = try await facade.saveData(Data(text.utf8), name: "numbers.json")
        let value = try await facade.loadJSON(id: saved.artifactID)
        guard case .object(let members) = value else {
            Issue.record("not an object: \(value)")
            return
        }
        #expect(members["exact"] == .integer(9_007_199_254_740_993))
        #expect(members["exact"] != .number(9_007_199_254_740_992))
        #expect(members["max"] == .integer(Int64.max))
        #expect(members["small"] == .integer(-5))
        #expect(members["f"] == .number(2.5))
        #expect(members["big"] == .number(Double("12345678901234567890")!))
        #expect(String(decoding: try await facade.loadBytes(id: saved.artifactID), as: UTF8.self) == text)
        // Saved from a JSONValue, exact integers are written digit for digit.
        let resaved = try await facade.saveJSON(.object(["exact": .integer(9_007_199_254_740_993)]))
        #expect(
            String(decoding: try await facade.loadBytes(id: resaved.artifactID), as: UTF8.self)
                == #"{"exact":9007199254740993}"#)
    }

    @Test("JSON numbers beyond Double are an error or finite, never ∞ smuggled into a value", arguments: StoreBackend.available)
    func hugeJSONNumbers(backend: StoreBackend) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let facade = try await openFacade(in: folder, backend: backend)
        for text in ["1e400", "[-1e400]", "{\"x\": 1e999}"] {
            let artifact = try await facade.saveText(text)
            do {
                let value = try await facade.loadJSON(id: artifact.artifactID)
                #expect(!value.canonicalJSON.contains("null"), "\(text) decoded as \(value)")
            } catch {
                #expect(error is ArtifactError, "\(text): \(error)")
            }
        }
    }

    @Test("5 and 5.0 are equal values, in Swift and in label filters of both read paths", arguments: StoreBackend.available)
    func integerEqualsWholeDouble(backend: StoreBackend) async throws {
        #expect(JSONValue.integer(5) == .number(5.0))
        #expect(Set<JSONValue>([.integer(5), .number(5.0)]).count == 1)
        #expect(JSONValue.integer(5).canonicalJSON == JSONValue.number(5.0).canonicalJSON)
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let facade = try await openFacade(in: folder, backend: backend)
        let five = try await facade.saveText("epoch five report", labels: ["epoch": .integer(5)])
        _ = try await facade.saveText("epoch six report", labels: ["epoch": .number(6)])
        #expect(try await facade.list(filters: ["epoch": .number(5.0)]).map(\.artifactID) == [five.artifactID])
        let hits = try await facade.search("report", labels: ["epoch": .number(5.0)], mode: .lexical)
        #expect(hits.map(\.artifact.artifactID) == [five.artifactID])
    }

    @Test("Valid JSON that Foundation mishandles: an underflowing number reads as 0, a surrogate pair as one character", arguments: StoreBackend.available)
    func validEdgeNumbersAndStrings(backend: StoreBackend) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let facade = try await openFacade(in: folder, backend: backend)
        let saved = try await facade.saveData(
            Data(#"{"tiny":1e-400,"neg":-2.5E-999,"emoji":"\ud83d\ude00"}"#.utf8), name: "edge.json")
        let value = try await facade.loadJSON(id: saved.artifactID)
        #expect(value == .object(["tiny": 0, "neg": 0, "emoji": "😀"]))
    }

    @Test(
        "Invalid JSON is refused with its position and the real reason",
        arguments: [
            (#"{"a":1,}"#, 6, 1, 7, "trailing comma"),
            ("[1,\n 2,\n]", 6, 2, 3, "trailing comma"),
            (#"["\ud800"]"#, 2, 1, 3, "lone UTF-16 surrogate \\ud800"),
            (#""x\udc00""#, 2, 1, 3, "lone UTF-16 surrogate \\udc00"),
            (#"{"ok":1,"big":1e400}"#, 14, 1, 15, "1e400"),
        ])
    func invalidJSONReasons(text: String, offset: Int, line: Int, column: Int, reason: String) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let facade = try await openFacade(in: folder)
        let saved = try await facade.saveData(Data(text.utf8), name: "bad.json")
        do {
            _ = try await facade.loadJSON(id: saved.artifactID)
            Issue.record("\(text) loaded")
        } catch let ArtifactError.invalidJSON(_, byteOffset, foundLine, foundColumn, foundReason) {
            #expect(byteOffset == offset)
            #expect(foundLine == line)
            #expect(foundColumn == column)
            #expect(foundReason.contains(reason), "\(foundReason)")
        }
    }

    @Test("A document nested 600 levels deep is reported at the bracket past the limit")
    func deepDocumentPosition() async throws {
        let text = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        let problem = try #require(JSONTextCheck.firstProblem(in: Data(text.utf8)))
        #expect(problem.offset == 512)
        #expect(problem.reason.contains("512"))
        #expect(JSONTextCheck.firstProblem(in: Data(#"{"a":[1,{"b":"]"}],"c":"\\"}"#.utf8)) == nil)
    }
}
