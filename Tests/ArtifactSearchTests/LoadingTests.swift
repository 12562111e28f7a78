import Foundation
import HybridSearch
import Testing

@testable import ArtifactSearch

@Suite("Loading and local paths")
struct LoadingTests {
    @Test("loadText on invalid UTF-8: strict throws with the encoding and offset, replace gives U+FFFD, ignore drops")
    func invalidUTF8() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let facade = try await openFacade(in: folder)
        let bytes = Data([0x61, 0x62, 0xFF, 0x63, 0xC3, 0xA9])  // "ab", invalid, "c", "é"
        let artifact = try await facade.saveData(bytes)
        await #expect(
            throws: ArtifactError.undecodableText(encoding: "UTF-8", source: "artifact \(artifact.artifactID)", byteOffset: 2)
        ) {
            try await facade.loadText(id: artifact.artifactID)
        }
        #expect(try await facade.loadText(id: artifact.artifactID, errors: .replace) == "ab\u{FFFD}cé")
        #expect(try await facade.loadText(id: artifact.artifactID, errors: .ignore) == "abcé")
        #expect(try await facade.loadText(id: artifact.artifactID, encoding: .isoLatin1) == "abÿcÃ©")
        await #expect(throws: ArtifactError.self) {
            try await facade.loadText(id: artifact.artifactID, encoding: .ascii)
        }
        let description = ArtifactError.undecodableText(encoding: "UTF-8", source: "x", byteOffset: 2).description
        #expect(description.contains("UTF-8") && description.contains("byte 2") && description.contains("replace"))

        let utf16 = try await facade.saveData(Data([0xFF, 0xFE, 0x68, 0x00, 0x69, 0x00]))
        #expect(try await facade.loadText(id: utf16.artifactID, encoding: .utf16) == "hi")
    }

    @Test("loadJSON on non-JSON reports the position; valid JSON keeps types")
    func invalidJSON() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let facade = try await openFacade(in: folder)
        let broken = try await facade.saveText("{\"a\": 1,\n  \"b\": tru }")
        await #expect {
            try await facade.loadJSON(id: broken.artifactID)
        } throws: { error in
            guard case ArtifactError.invalidJSON(_, let offset, let line, let column, _) = error else { return false }
            // Foundation reports where it stopped: byte 19, the space after "tru".
            return offset == 19 && line == 2 && column == 11 && "\(error)".contains("line 2, column 11")
        }
        let prose = try await facade.saveText("hello world")
        await #expect {
            try await facade.loadJSON(id: prose.artifactID)
        } throws: { error in
            guard case ArtifactError.invalidJSON(_, let offset, 1, 1, _) = error else { return false }
            return offset == 0
        }
        let truncated = try await facade.saveText("[1, 2")
        await #expect {
            try await facade.loadJSON(id: truncated.artifactID)
        } throws: { error in
            guard case ArtifactError.invalidJSON(_, 5, 1, 6, _) = error else { return false }
            return true
        }
        let good = try await facade.saveJSON(["n": 5, "s": "5", "b": true, "list": [1, nil]])
        let value = try await facade.loadJSON(id: good.artifactID)
        #expect(value == ["n": 5, "s": "5", "b": true, "list": [1, nil]])
        struct Payload: Codable, Sendable, Equatable { var name: String; var count: Int }
        let typed = try await facade.saveJSON(Payload(name: "p", count: 3))
        #expect(try await facade.loadJSON(Payload.self, id: typed.artifactID) == Payload(name: "p", count: 3))
    }

    @Test("load by file:// URI (percent-encoded) and plain path; unknown ids and paths are typed errors")
    func loadByURI() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let facade = try await openFacade(in: folder)
        let file = try folder.file("my notes #1.json", text: #"{"k":[1,2]}"#)
        let uri = FileLocation.uri(for: file)
        #expect(uri.contains("%20"))
        #expect(try await facade.loadBytes(uri: uri) == Data(#"{"k":[1,2]}"#.utf8))
        #expect(try await facade.loadText(uri: file.path) == #"{"k":[1,2]}"#)
        #expect(try await facade.loadJSON(uri: uri) == ["k": [1, 2]])
        let missing = folder.url.appendingPathComponent("missing.txt").path
        await #expect(throws: ArtifactError.io(path: missing, reason: "no such file")) {
            try await facade.loadBytes(uri: missing)
        }
        await #expect(throws: ArtifactError.unsupportedURI("https://example.com/x")) {
            try await facade.loadBytes(uri: "https://example.com/x")
        }
        await #expect(throws: ArtifactError.notFound(id: "nope")) { try await facade.loadText(id: "nope") }
        #expect(ArtifactError.notFound(id: "nope").description.contains("\"nope\""))
        #expect(try await facade.artifact(id: "nope") == nil)
        // The artifact's own uri designates its stored bytes.
        let saved = try await facade.saveText("via uri")
        #expect(try await facade.loadText(uri: try #require(saved.uri)) == "via uri")
    }

    @Test("asLocalFile returns the stored bytes' file; mustExist governs missing paths")
    func localFiles() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let facade = try await openFacade(in: folder)
        let artifact = try await facade.saveText("local copy")
        let url = try await facade.asLocalFile(artifact)
        #expect(try Data(contentsOf: url) == Data("local copy".utf8))
        #expect(try await facade.asLocalFile(id: artifact.artifactID) == url)
        #expect(try await facade.asLocalFile(uri: try #require(artifact.uri)) == url)
        let missing = folder.url.appendingPathComponent("none.txt")
        await #expect(throws: ArtifactError.self) { try await facade.asLocalFile(uri: missing.path) }
        #expect(try await facade.asLocalFile(uri: missing.path, mustExist: false) == missing)
        await #expect(throws: ArtifactError.self) { try await facade.asLocalDirectory(uri: url.path) }
        #expect(try await facade.asLocalDirectory(uri: folder.url.path).path == folder.url.standardizedFileURL.path)
        await #expect(throws: ArtifactError.self) { try await facade.asLocalDirectory(artifact) }
    }

    @Test("Directory round trip: ingestDirectory then asLocalDirectory reproduces every file byte for byte")
    func directoryRoundTrip() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let facade = try await openFacade(in: folder)
        let source = folder.url.appendingPathComponent("project")
        var random = SystemRandomNumberGenerator()
        let binary = Data((0..<70_000).map { _ in UInt8.random(in: 0...255, using: &random) })
        let files: [String: Data] = [
            "README.md": Data("# Project kestrel\n".utf8),
            "src/main.swift": Data("print(\"pelican\")\n".utf8),
            "src/deep/nested/data.csv": Data("a,b\n1,2\n".utf8),
            "blob.bin": binary,
            "empty.txt": Data(),
            "name with space é.txt": Data("unicode path".utf8),
        ]
        for (path, data) in files { _ = try folder.file("project/" + path, contents: data) }
        let artifact = try await facade.ingestDirectory(at: source, kind: "repo", labels: ["lang": "swift"])
        #expect(FileManager.default.fileExists(atPath: source.path))  // not staged: kept
        #expect(artifact.isDirectory && artifact.mime == "inode/directory")
        #expect(artifact.bytes == files.values.reduce(0) { $0 + $1.count })
        #expect(artifact.filename == "project")
        let manifest = try await facade.store.manifest(sha256: try #require(artifact.sha256))
        #expect(manifest.entries.map(\.path) == files.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) })
        #expect(try await facade.loadBytes(id: artifact.artifactID) == manifest.canonicalData)

        let local = try await facade.asLocalDirectory(artifact)
        #expect(try treeContents(of: local) == files)
        #expect(try await facade.asLocalDirectory(id: artifact.artifactID) == local)  // reused
        await #expect(throws: ArtifactError.self) { try await facade.asLocalFile(artifact) }

        // Relative paths and text content are searchable; binary content is not indexed.
        #expect(try await facade.search("pelican", mode: .lexical).map(\.artifact.artifactID) == [artifact.artifactID])
        #expect(try await facade.search("kestrel", mode: .lexical).map(\.artifact.artifactID) == [artifact.artifactID])
        #expect(try await facade.search("main.swift", mode: .lexical).first?.artifact.artifactID == artifact.artifactID)

        // Identical trees share the manifest's hash.
        let again = try await facade.ingestDirectory(at: source)
        #expect(again.sha256 == artifact.sha256 && again.artifactID != artifact.artifactID)
    }

    @Test("A symbolic link inside an ingested folder is not followed")
    func symlinksNotFollowed() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let facade = try await openFacade(in: folder)
        let secret = try folder.file("outside/secret.txt", text: "top secret albatross")
        _ = try folder.file("tree/visible.txt", text: "visible")
        let tree = folder.url.appendingPathComponent("tree")
        try FileManager.default.createSymbolicLink(
            at: tree.appendingPathComponent("link.txt"), withDestinationURL: secret)
        try FileManager.default.createSymbolicLink(
            at: tree.appendingPathComponent("linkdir"), withDestinationURL: secret.deletingLastPathComponent())
        let artifact = try await facade.ingestDirectory(at: tree)
        let manifest = try await facade.store.manifest(sha256: try #require(artifact.sha256))
        #expect(manifest.entries.map(\.path) == ["visible.txt"])
        #expect(artifact.bytes == 7)
        #expect(try treeContents(of: try await facade.asLocalDirectory(artifact)) == ["visible.txt": Data("visible".utf8)])
        #expect(try await facade.search("albatross", mode: .lexical).isEmpty)
    }

    @Test("Blob files are complete, read-only and named by their SHA-256 in a sharded tree")
    func blobLayout() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try FileSystemArtifactStore(rootURL: folder.url)
        let content = try await store.storeData(Data("same bytes".utf8))
        #expect(content.sha256 == "58100dc8fc06562ce3e578231dc948e083520ee49c4b4ee5a5a28bb4b4003feb")
        #expect(content.url.path.hasSuffix("blobs/58/10/58100dc8fc06562ce3e578231dc948e083520ee49c4b4ee5a5a28bb4b4003feb"))
        let file = try folder.file("a.txt", text: "same bytes")
        #expect(try await store.storeFile(at: file, followSymlinks: false) == content)
        let permissions = try FileManager.default.attributesOfItem(atPath: content.url.path)[.posixPermissions] as? Int
        #expect(permissions == 0o444)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.appendingPathComponent("tmp").path).isEmpty)
        #expect(try await store.readContent(sha256: content.sha256, maxBytes: 4) == Data("same".utf8))
        await #expect(throws: ArtifactError.self) {
            try await store.readContent(sha256: String(repeating: "0", count: 64), maxBytes: nil)
        }
        let link = folder.url.appendingPathComponent("link")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: file)
        await #expect(throws: ArtifactError.self) { try await store.storeFile(at: link, followSymlinks: false) }
        #expect(try await store.storeFile(at: link, followSymlinks: true).sha256 == content.sha256)
    }
}
