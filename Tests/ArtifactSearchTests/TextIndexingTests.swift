import Foundation
import HybridSearch
import Testing

@testable import ArtifactSearch

/// What of an artifact's content is indexed: encodings, damaged bytes, the byte limit.
@Suite("Indexed text of saved content")
struct TextIndexingTests {
    static func utf16(_ text: String, bigEndian: Bool) -> Data {
        var bytes: [UInt8] = bigEndian ? [0xFE, 0xFF] : [0xFF, 0xFE]
        for unit in text.utf16 {
            let high = UInt8(unit >> 8)
            let low = UInt8(unit & 0xFF)
            bytes += bigEndian ? [high, low] : [low, high]
        }
        return Data(bytes)
    }

    @Test("UTF-16 text with a byte-order mark (LE and BE) is text: its words are found", arguments: [false, true])
    func utf16WithBOM(bigEndian: Bool) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let facade = try await openFacade(in: folder)
        let saved = try await facade.saveData(Self.utf16("Windows exported quarterly ledger naïve", bigEndian: bigEndian), name: "export")
        #expect(saved.mime == "text/plain")
        let hits = try await facade.search("quarterly ledger", mode: .lexical)
        #expect(hits.map(\.artifact.artifactID) == [saved.artifactID])
        #expect(try await facade.textPrefix(of: saved, maxBytes: 1 << 16)?.hasSuffix("naïve") == true)
    }

    @Test("One invalid byte in a text file costs one character, not the whole text", arguments: StoreBackend.available)
    func invalidByteReplaced(backend: StoreBackend) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let facade = try await openFacade(in: folder, backend: backend)
        var bytes = Data("first words kestrel ".utf8)
        bytes.append(0xFF)
        bytes.append(contentsOf: Data(" later words osprey".utf8))
        let saved = try await facade.saveData(bytes, name: "log.txt")
        for word in ["kestrel", "osprey"] {
            #expect(try await facade.search(word, mode: .lexical).map(\.artifact.artifactID) == [saved.artifactID])
        }
        // Binary stays binary: NUL bytes, or mostly invalid sequences.
        #expect(TextDecoder.indexableText(Data([0x41, 0x00, 0x42])) == nil)
        #expect(TextDecoder.indexableText(Data((0..<200).map { UInt8(0x80 + $0 % 64) })) == nil)
        #expect(TextDecoder.indexableText(Data("abc\u{e9}".utf8).dropLast()) == "abc", "a cut character is dropped")
    }

    @Test("The indexed-bytes limit is settable, recorded with each artifact and used when the index is rebuilt")
    func indexedBytesLimit() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = folder.url.appendingPathComponent("store")
        var long = String(repeating: "filler line of a long log\n", count: 20_000)  // ≈ 520 KB
        long += "final error zanzibar\n"
        let small = try await ArtifactFacade.open(at: store, embedder: HashedNGramEmbedder(dimension: 64))
        let cut = try await small.saveText(long, name: "default.log")
        #expect(cut.indexedBytesLimit == 256 * 1024)
        #expect(try await small.search("zanzibar", mode: .lexical).isEmpty)
        let large = try await ArtifactFacade.open(
            at: store, embedder: HashedNGramEmbedder(dimension: 64),
            configuration: ArtifactFacade.Configuration(maxIndexedContentBytes: 1 << 20))
        let whole = try await large.saveText(long, name: "large.log")
        #expect(whole.indexedBytesLimit == 1 << 20)
        #expect(try await large.search("zanzibar", mode: .lexical).map(\.artifact.artifactID) == [whole.artifactID])
        // A rebuild by a facade with the default limit indexes what each artifact was saved with.
        try #require(try small.mirror.persistent()).reset()
        let fresh = try await ArtifactFacade.open(at: store, embedder: HashedNGramEmbedder(dimension: 64))
        #expect(try await fresh.search("zanzibar", mode: .lexical).map(\.artifact.artifactID) == [whole.artifactID])
        await #expect(throws: ArtifactError.self) {
            try await ArtifactFacade.open(
                at: store, configuration: ArtifactFacade.Configuration(maxIndexedContentBytes: (256 << 20) + 1))
        }
    }

    @Test("saveFileIfChanged records a file once however many tasks save it at the same time", arguments: StoreBackend.available)
    func unchangedCheckIsAtomic(backend: StoreBackend) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let facade = try await openFacade(in: folder, backend: backend)
        let file = try folder.file("same.txt", text: "identical bytes")
        let labels: [String: JSONValue] = ["source_path": .string(file.path)]
        let saved = try await withThrowingTaskGroup(of: Artifact?.self) { group in
            for _ in 0..<8 {
                group.addTask { try await facade.saveFileIfChanged(at: file, unchangedLabels: labels, labels: labels) }
            }
            var results: [Artifact] = []
            for try await artifact in group { if let artifact { results.append(artifact) } }
            return results
        }
        #expect(saved.count == 1)
        #expect(try await facade.list().count == 1)
        try Data("changed bytes".utf8).write(to: file)
        #expect(try await facade.saveFileIfChanged(at: file, unchangedLabels: labels, labels: labels) != nil)
        #expect(try await facade.saveFileIfChanged(at: file, unchangedLabels: labels, labels: labels) == nil)
        #expect(FileManager.default.fileExists(atPath: file.path), "the caller's file is kept")
    }
}
