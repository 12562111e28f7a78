import Foundation
import HybridSearch
import Testing

@testable import ArtifactSearch

@Suite("Loading and local paths")
struct LoadingTests {
    @Test("loadText on invalid UTF-8: strict throws with the encoding and offset, replace gives U+FFFD, ignore drops", arguments: StoreBackend.available)
    func invalidUTF8(backend: StoreBackend) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let facade = try await openFacade(in: folder, backend: backend)
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

    @Test("Invalid UTF-8: strict names the first bad byte; replace and ignore are exact", arguments: [
        ([0x61, 0x62, 0xFF], 2, "ab\u{FFFD}", "ab"),
        ([0x61, 0xC0, 0xAF, 0x62], 1, "a\u{FFFD}\u{FFFD}b", "ab"),  // overlong
        ([0xED, 0xA0, 0x80, 0x7A], 0, "\u{FFFD}\u{FFFD}\u{FFFD}z", "z"),  // UTF-16 surrogate
        ([0x78, 0xE2, 0x82], 1, "x\u{FFFD}", "x"),  // truncated at the end
        ([0xE2, 0x82, 0xAC, 0x80], 3, "€\u{FFFD}", "€"),  // lone continuation
        ([0xF4, 0x90, 0x80, 0x80], 0, "\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}", ""),  // > U+10FFFF
    ] as [([UInt8], Int, String, String)])
    func invalidUTF8Offsets(bytes: [UInt8], offset: Int, replaced: String, ignored: String) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let facade = try await openFacade(in: folder)
        let id = try await facade.saveData(Data(bytes)).artifactID
        await #expect(throws: ArtifactError.undecodableText(encoding: "UTF-8", source: "artifact \(id)", byteOffset: offset)) {
            try await facade.loadText(id: id)
        }
        #expect(try await facade.loadText(id: id, errors: .replace) == replaced)
        #expect(try await facade.loadText(id: id, errors: .ignore) == ignored)
    }

    @Test("loadJSON on non-JSON reports the position; valid JSON keeps types", arguments: StoreBackend.available)
    func invalidJSON(backend: StoreBackend) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let facade = try await openFacade(in: folder, backend: backend)
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

    @Test("Malformed JSON: loadJSON throws invalidJSON with a position inside the data; nothing crashes", arguments: StoreBackend.available)
    func malformedJSON(backend: StoreBackend) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let facade = try await openFacade(in: folder, backend: backend)
        let cases: [(String, Int?)] = [
            ("", nil), ("{", nil), ("{\"a\": }", 6), ("[1, 2", nil), ("{\"a\":1} trailing", nil), ("NaN", nil),
            ("{'a': 1}", 1), ("[1,]", nil), ("\"unterminated", nil), ("{\"a\" 1}", nil), ("\u{1}", 0),
            ("[\"\\ud800\"]", nil), ("\"\\x41\"", nil), ("tru", nil), ("01", nil), ("{\"a\":1,\"a\":2,}", nil),
        ]
        for (text, offset) in cases {
            let artifact = try await facade.saveText(text)
            do {
                let value = try await facade.loadJSON(id: artifact.artifactID)
                // A lenient parser may accept a few of these; it must then return real data.
                #expect(["[\"\\ud800\"]", "01", "{\"a\":1,\"a\":2,}", "[1,]"].contains(text), "accepted \(text): \(value)")
            } catch let error as ArtifactError {
                guard case .invalidJSON(let source, let byteOffset, let line, let column, _) = error else {
                    Issue.record("\(text): \(error)")
                    continue
                }
                #expect(source.contains(artifact.artifactID))
                #expect((0...text.utf8.count).contains(byteOffset), "\(text): offset \(byteOffset)")
                #expect(line >= 1 && column >= 1)
                if let offset { #expect(byteOffset == offset, "\(text)") }
                #expect(error.description.contains("JSON"))
            }
        }
        // Invalid UTF-8 inside JSON, and a bare BOM.
        for bytes in [[0x22, 0xFF, 0x22], [0xEF, 0xBB, 0xBF], [0x7B, 0x22, 0xC0, 0xAF, 0x22, 0x3A, 0x31, 0x7D]] as [[UInt8]] {
            let artifact = try await facade.saveData(Data(bytes))
            await #expect(throws: ArtifactError.self) { try await facade.loadJSON(id: artifact.artifactID) }
        }
    }

    @Test("load by file:// URI (percent-encoded) and plain path; unknown ids and paths are typed errors", arguments: StoreBackend.available)
    func loadByURI(backend: StoreBackend) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let facade = try await openFacade(in: folder, backend: backend)
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

    @Test("URIs and paths with NUL bytes, traversal, huge lengths or foreign schemes are typed errors", arguments: StoreBackend.available)
    func hostileURIs(backend: StoreBackend) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let facade = try await openFacade(in: folder, backend: backend)
        let hostile = [
            "file:///tmp/a%00b", "/tmp/a\u{0}b", "file:///" + String(repeating: "x", count: 5_000),
            "/" + Array(repeating: String(repeating: "y", count: 255), count: 40).joined(separator: "/"),
            "file://evil.example/etc/passwd", "s3://bucket/key", "http://x/y", "file:relative", "",
            "file:///nonexistent/%2e%2e/%2e%2e/etc/nothing-here", "\u{202E}txt.exe",
        ]
        for uri in hostile {
            await #expect(throws: ArtifactError.self, "\(uri.prefix(40))") { try await facade.loadBytes(uri: uri) }
            await #expect(throws: ArtifactError.self, "\(uri.prefix(40))") { try await facade.loadText(uri: uri) }
            await #expect(throws: ArtifactError.self, "\(uri.prefix(40))") { try await facade.asLocalFile(uri: uri) }
            await #expect(throws: ArtifactError.self, "\(uri.prefix(40))") {
                try await facade.saveFile(at: URL(fileURLWithPath: uri), cleanup: true)
            }
        }
        #expect(try await facade.index.count() == 0)
    }

    @Test("asLocalFile returns the stored bytes' file; mustExist governs missing paths", arguments: StoreBackend.available)
    func localFiles(backend: StoreBackend) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let facade = try await openFacade(in: folder, backend: backend)
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

    @Test("Directory round trip: ingestDirectory then asLocalDirectory reproduces every file byte for byte", arguments: StoreBackend.available)
    func directoryRoundTrip(backend: StoreBackend) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let facade = try await openFacade(in: folder, backend: backend)
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

    @Test("A symbolic link inside an ingested folder is not followed", arguments: StoreBackend.available)
    func symlinksNotFollowed(backend: StoreBackend) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let facade = try await openFacade(in: folder, backend: backend)
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

    @Test("Directory ingest: symlink loops and escapes are skipped, empty dirs, odd names, empty and deep files round-trip", arguments: StoreBackend.available)
    func hostileDirectory(backend: StoreBackend) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let facade = try await openFacade(in: folder, backend: backend)
        let root = folder.url.appendingPathComponent("tree")
        let outside = try folder.file("outside/secret.txt", text: "outsidesecretword")
        var expected: [String: Data] = [:]
        func add(_ path: String, _ data: Data) throws {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try data.write(to: url)
            expected[path] = data
        }
        try add("zero.bin", Data())
        try add("new\nline.txt", Data("newline name".utf8))
        try add("ünïcødé ファイル.txt", Data("unicode name".utf8))
        try add(" lead and trail ", Data("spaces".utf8))
        try add("tab\tname", Data("tab".utf8))
        try add("back\\slash", Data("backslash".utf8))
        let deep = (0..<40).map { "d\($0)" }.joined(separator: "/")
        try add(deep + "/deep.txt", Data("deep content".utf8))
        try FileManager.default.createDirectory(at: root.appendingPathComponent("empty/nested"), withIntermediateDirectories: true)
        let links: [(String, String)] = [
            ("loop", "loop"), ("dotlink", "."), ("uplink", ".."), ("abs_outside", outside.path),
            ("rel_outside", "../outside/secret.txt"), ("outside_dir", outside.deletingLastPathComponent().path),
            ("dangling", "/nonexistent/nowhere"),
        ]
        for (name, target) in links {
            try FileManager.default.createSymbolicLink(
                atPath: root.appendingPathComponent(name).path, withDestinationPath: target)
        }
        #expect(mkfifo(root.appendingPathComponent("pipe").path, 0o644) == 0)

        let artifact = try await facade.ingestDirectory(at: root)
        let manifest = try await facade.store.manifest(sha256: try #require(artifact.sha256))
        #expect(Set(manifest.entries.map(\.path)) == Set(expected.keys))
        #expect(artifact.bytes == expected.values.reduce(0) { $0 + $1.count })
        let local = try await facade.asLocalDirectory(artifact)
        #expect(try treeContents(of: local) == expected)
        // Nothing from outside the folder was stored or indexed.
        #expect(try await facade.search("outsidesecretword", mode: .lexical).isEmpty)
        #expect(try await facade.search("deep content", mode: .lexical).map(\.artifact.artifactID) == [artifact.artifactID])
        // An empty folder is an artifact with an empty manifest.
        let empty = try await facade.ingestDirectory(at: root.appendingPathComponent("empty"))
        #expect(empty.bytes == 0)
        #expect(try treeContents(of: try await facade.asLocalDirectory(empty)).isEmpty)
    }

    @Test("Sibling files whose names are canonically equivalent (NFC and NFD) are both stored", arguments: StoreBackend.available)
    func canonicallyEquivalentFileNames(backend: StoreBackend) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let facade = try await openFacade(in: folder, backend: backend)
        let root = folder.url.appendingPathComponent("names")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let nfc = "caf\u{E9}.txt"
        let nfd = "cafe\u{301}.txt"
        #expect(FileManager.default.createFile(atPath: root.path + "/" + nfc, contents: Data("composed".utf8)))
        #expect(FileManager.default.createFile(atPath: root.path + "/" + nfd, contents: Data("decomposed".utf8)))
        let listed = try FileManager.default.contentsOfDirectory(atPath: root.path)
        try #require(listed.count == 2, "the file system folds the names: \(listed)")
        let artifact = try await facade.ingestDirectory(at: root)
        let manifest = try await facade.store.manifest(sha256: try #require(artifact.sha256))
        #expect(manifest.entries.count == 2)
        #expect(artifact.bytes == 18)
        let local = try await facade.asLocalDirectory(artifact)
        let rebuilt = Set(try FileManager.default.contentsOfDirectory(atPath: local.path).map { Array($0.utf8) })
        #expect(rebuilt == [Array(nfc.utf8), Array(nfd.utf8)])
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
