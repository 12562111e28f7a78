import Foundation
import HybridSearch
import Testing

@testable import ArtifactSearch

@Suite("Saving, writer, staging and pinning")
struct SavingTests {
    @Test("Identical bytes saved twice: two artifacts with their own labels, one blob")
    func identicalBytesShareOneBlob() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let facade = try await openFacade(in: folder)
        let first = try await facade.saveText("same bytes", labels: ["step": 1])
        let second = try await facade.saveText("same bytes", labels: ["step": 2])
        #expect(first.artifactID != second.artifactID)
        #expect(first.sha256 == second.sha256)
        #expect(first.sha256 == "58100dc8fc06562ce3e578231dc948e083520ee49c4b4ee5a5a28bb4b4003feb")
        #expect(try blobFiles(in: folder.url.appendingPathComponent("store")).count == 1)
        #expect(try await facade.artifact(id: first.artifactID)?.labels["step"] == .number(1))
        #expect(try await facade.artifact(id: second.artifactID)?.labels["step"] == .number(2))
        #expect(try await facade.loadText(id: second.artifactID) == "same bytes")
    }

    @Test("saveFile copies the bytes, records provenance and removes the source only when cleanup is on", arguments: StoreBackend.available)
    func saveFileCleanup(backend: StoreBackend) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let scope = Scope(
            orgID: "acme", userID: "ann", sessionID: "s1", runID: "r1", graphID: "g1", nodeID: "n1",
            toolName: "summarise", toolVersion: "2.1")
        let facade = try await openFacade(in: folder, backend: backend, scope: scope)
        let source = try folder.file("report.md", text: "# Findings\nquarterly numbers")
        let saved = try await facade.saveFile(
            at: source, kind: "report", labels: ["org_id": "forged"], metrics: ["score": 0.5], cleanup: true)
        #expect(!FileManager.default.fileExists(atPath: source.path))
        #expect(try await facade.loadText(id: saved.artifactID) == "# Findings\nquarterly numbers")
        #expect(saved.mime == "text/markdown")
        #expect(saved.filename == "report.md")
        #expect(saved.bytes == 28)
        #expect(saved.orgID == "acme" && saved.userID == "ann" && saved.sessionID == "s1")
        #expect(saved.runID == "r1" && saved.graphID == "g1" && saved.nodeID == "n1")
        #expect(saved.toolName == "summarise" && saved.toolVersion == "2.1")
        #expect(saved.scopeID == "session:s1")
        // A caller label named like a scope field stays a label; it never changes provenance.
        #expect(saved.labels["org_id"] == "forged")
        #expect(try await facade.list().map(\.artifactID) == [saved.artifactID])

        let kept = try folder.file("keep.bin", contents: Data([0, 1, 2, 3]))
        let second = try await facade.saveFile(at: kept, kind: "blob", cleanup: false)
        #expect(FileManager.default.fileExists(atPath: kept.path))
        #expect(second.mime == "application/octet-stream")
        #expect(try await facade.loadBytes(id: second.artifactID) == Data([0, 1, 2, 3]))
    }

    @Test("saveFile of a missing file fails with the path and records nothing", arguments: StoreBackend.available)
    func saveMissingFile(backend: StoreBackend) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let facade = try await openFacade(in: folder, backend: backend)
        let missing = folder.url.appendingPathComponent("nope.txt")
        await #expect {
            try await facade.saveFile(at: missing)
        } throws: { error in
            guard case ArtifactError.io(let path, _) = error else { return false }
            return path == missing.path
        }
        #expect(try await facade.index.count() == 0)
    }

    @Test("saveFile on a FIFO or a folder is a typed error and never blocks", arguments: StoreBackend.available)
    func saveSpecialFiles(backend: StoreBackend) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let facade = try await openFacade(in: folder, backend: backend)
        let fifo = folder.url.appendingPathComponent("pipe")
        #expect(mkfifo(fifo.path, 0o644) == 0)
        // If saveFile blocks opening the FIFO, open its write end after a second so the test
        // ends (the save then reads an empty stream) instead of hanging.
        let unblock = Task.detached {
            try? await Task.sleep(for: .seconds(1))
            let fd = open(fifo.path, O_WRONLY | O_NONBLOCK)
            if fd >= 0 { close(fd) }
        }
        defer { unblock.cancel() }
        await #expect(throws: ArtifactError.self) { try await facade.saveFile(at: fifo, cleanup: false) }
        await #expect(throws: ArtifactError.self) { try await facade.saveFile(at: folder.url, cleanup: true) }
        #expect(FileManager.default.fileExists(atPath: folder.url.path))
        #expect(try await facade.index.count() == 0)
    }

    @Test("MIME: extension, then sniffing, then the save kind's default", arguments: StoreBackend.available)
    func mimeTypes(backend: StoreBackend) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let facade = try await openFacade(in: folder, backend: backend)
        #expect(try await facade.saveText("a,b\n1,2", name: "t.csv").mime == "text/csv")
        #expect(try await facade.saveText("plain").mime == "text/plain")
        #expect(try await facade.saveJSON(["a": 1]).mime == "application/json")
        let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13])
        #expect(try await facade.saveData(png).mime == "image/png")
        #expect(try await facade.saveData(Data([0xFF, 0x00, 0xFE])).mime == "application/octet-stream")
        #expect(try await facade.saveData(Data("hello".utf8)).mime == "text/plain")
    }

    @Test("MIME comes from the saved file's extension when the given name has none (SPEC §2)", arguments: StoreBackend.available)
    func mimeFromFileExtensionWhenNameHasNone(backend: StoreBackend) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let facade = try await openFacade(in: folder, backend: backend)
        let csv = try folder.file("data.csv", text: "a,b\n1,2\n")
        let saved = try await facade.saveFile(at: csv, name: "quarterly report", cleanup: false)
        #expect(saved.filename == "quarterly report")
        #expect(saved.mime == "text/csv")
        // The name's own extension still wins.
        let named = try await facade.saveFile(at: csv, name: "notes.md", cleanup: false)
        #expect(named.mime == "text/markdown")
    }

    @Test("Writer records only when the body returns; a throwing body leaves no artifact and no staged file")
    func writer() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let facade = try await openFacade(in: folder)
        let staging = folder.url.appendingPathComponent("store/staging")

        struct Boom: Error {}
        var stagedURL: URL?
        await #expect(throws: Boom.self) {
            try await facade.writer(kind: "table", plannedExtension: "csv") { writer in
                stagedURL = writer.url
                try writer.write("a,b\n")
                writer.addLabels(["rows": 1])
                throw Boom()
            }
        }
        let staged = try #require(stagedURL)
        #expect(!FileManager.default.fileExists(atPath: staged.path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: staging.path).isEmpty)
        #expect(try await facade.index.count() == 0)

        let artifact = try await facade.writer(kind: "table", plannedExtension: ".csv", pin: true) { writer in
            try writer.write("a,b\n")
            try writer.write(Data("1,2\n".utf8))
            writer.addLabels(["rows": 1])
            writer.addMetrics(["rows": 1])
            writer.addTags(["csv"])
            writer.name = "results.csv"
        }
        #expect(artifact.kind == "table" && artifact.pinned)
        #expect(artifact.mime == "text/csv")
        #expect(artifact.filename == "results.csv")
        #expect(artifact.labels["rows"] == .number(1) && artifact.metrics["rows"] == 1 && artifact.tags == ["csv"])
        #expect(try await facade.loadText(id: artifact.artifactID) == "a,b\n1,2\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: staging.path).isEmpty)
    }

    @Test("writer: plannedExtension sets the MIME type even when the body names the artifact", arguments: StoreBackend.available)
    func writerPlannedExtensionSetsMIME(backend: StoreBackend) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let facade = try await openFacade(in: folder, backend: backend)
        let artifact = try await facade.writer(kind: "table", plannedExtension: "csv") { writer in
            try writer.write("a,b\n1,2\n")
            writer.name = "results"
        }
        #expect(artifact.filename == "results")
        #expect(artifact.mime == "text/csv")
    }

    @Test("stagePath/stageDirectory + ingestFile/ingestDirectory consume staged items, keep other files")
    func stageAndIngest() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let facade = try await openFacade(in: folder)
        let path = try facade.stagePath(extension: "json")
        #expect(path.pathExtension == "json")
        #expect(path.path.hasPrefix(folder.url.appendingPathComponent("store/staging").path))
        try Data(#"{"ok":true}"#.utf8).write(to: path)
        let file = try await facade.ingestFile(at: path, kind: "result", tags: ["t"], labels: ["x": "y"])
        #expect(!FileManager.default.fileExists(atPath: path.path))
        #expect(try await facade.loadJSON(id: file.artifactID) == ["ok": true])
        #expect(file.mime == "application/json" && file.tags == ["t"])

        let own = try folder.file("mine.txt", text: "keep me")
        _ = try await facade.ingestFile(at: own)
        #expect(FileManager.default.fileExists(atPath: own.path))

        let dir = try facade.stageDirectory(suffix: "-out")
        #expect(dir.lastPathComponent.hasSuffix("-out"))
        try Data("one".utf8).write(to: dir.appendingPathComponent("a.txt"))
        let directory = try await facade.ingestDirectory(at: dir, labels: ["k": "v"])
        #expect(!FileManager.default.fileExists(atPath: dir.path))
        #expect(directory.isDirectory && directory.kind == "dir" && directory.bytes == 3)

        #expect(throws: ArtifactError.self) { try facade.stagePath(extension: "../../etc") }
        #expect(throws: ArtifactError.self) { try facade.stageDirectory(suffix: "/../x") }
    }

    @Test("Names with path traversal are neutralised to their last component", arguments: StoreBackend.available)
    func pathTraversalInNames(backend: StoreBackend) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let facade = try await openFacade(in: folder, backend: backend)
        #expect(try await facade.saveText("x", name: "../x").filename == "x")
        #expect(try await facade.saveText("x", name: "../../etc/passwd").filename == "passwd")
        #expect(try await facade.saveText("x", name: "..").filename == nil)
        #expect(try await facade.saveText("x", suggestedURI: "file:///data/out/summary%20v2.md").filename == "summary v2.md")
        // Nothing was written outside the store folder.
        #expect(!FileManager.default.fileExists(atPath: folder.url.appendingPathComponent("x").path))
    }

    @Test("Hostile names and suggested URIs become one safe filename; nothing is written outside the store")
    func hostileNames() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let facade = try await openFacade(in: folder)
        let long = String(repeating: "n", count: 10_000)
        let cases: [(String?, String?, String?)] = [
            ("../../etc/passwd", nil, "passwd"), ("/etc/passwd", nil, "passwd"), ("..\\..\\x", nil, "x"),
            ("a\u{0}b", nil, "ab"), ("..", nil, nil), (".", nil, nil), ("/", nil, nil), ("", nil, nil),
            (nil, "../../etc/shadow", "shadow"), (nil, "file:///tmp/../../etc/hosts", "hosts"), (long, nil, long),
            ("dir/", nil, "dir"), ("new\nline", nil, "new\nline"), (nil, "s3://bucket/key.txt", "key.txt"),
        ]
        for (name, suggested, expected) in cases {
            let artifact = try await facade.saveText("payload", suggestedURI: suggested, name: name)
            #expect(artifact.filename == expected, "\(String(describing: name?.prefix(20))) \(String(describing: suggested))")
            #expect(!(artifact.filename ?? "").contains("/"))
            #expect(artifact.labels["suggested_uri"] == suggested.map(JSONValue.string))
        }
        // Staging extensions and suffixes either throw or stay directly inside the staging folder.
        let staging = facade.store.stagingURL.standardizedFileURL.path
        for bad in ["../x", "a/b", "..", "x\u{0}", "/etc", "...", "./../..", ".\u{0}"] {
            for make in [{ try facade.stagePath(extension: bad) }, { try facade.stageDirectory(suffix: bad) }] {
                if let url = try? make() {
                    #expect(url.standardizedFileURL.deletingLastPathComponent().path == staging, "\(bad): \(url.path)")
                }
            }
        }
        #expect(throws: ArtifactError.self) { try facade.stagePath(extension: "../x") }
        #expect(throws: ArtifactError.self) { try facade.stageDirectory(suffix: "/../x") }
        let entries = try FileManager.default.contentsOfDirectory(atPath: folder.url.path)
        #expect(entries == ["store"])
        #expect(!FileManager.default.fileExists(atPath: folder.url.appendingPathComponent("passwd").path))
    }

    @Test("pin and unpin; a later save of the same bytes never unpins an older artifact", arguments: StoreBackend.available)
    func pinning(backend: StoreBackend) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let facade = try await openFacade(in: folder, backend: backend)
        let first = try await facade.saveText("model weights v1")
        #expect(first.pinned == false)
        #expect(try await facade.pin(first.artifactID).pinned)
        let second = try await facade.saveText("model weights v1")
        #expect(second.pinned == false)
        #expect(try await facade.artifact(id: first.artifactID)?.pinned == true)
        #expect(try await facade.pin(first.artifactID, pinned: false).pinned == false)
        #expect(try await facade.artifact(id: first.artifactID)?.pinned == false)
        await #expect(throws: ArtifactError.notFound(id: "01NOTANID000000000000000000")) {
            try await facade.pin("01NOTANID000000000000000000")
        }
    }

    @Test("Non-finite metrics are rejected before anything is recorded", arguments: StoreBackend.available)
    func nonFiniteMetric(backend: StoreBackend) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let facade = try await openFacade(in: folder, backend: backend)
        await #expect(throws: ArtifactError.self) { try await facade.saveText("x", metrics: ["loss": .nan]) }
        #expect(try await facade.index.count() == 0)
    }

    /// An embedder that misbehaves whenever a text contains "poison".
    struct HostileEmbedder: Embedder {
        enum Fault: String, Sendable { case nan, wrongDimension, noVector, twoVectors, throwing }
        struct Failure: Error {}
        let fault: Fault
        let dimension = 16
        var identifier: String { "hostile-\(fault.rawValue)" }

        func embed(_ texts: [String]) throws -> [[Float]] {
            var vectors = texts.map { HashedNGramEmbedder(dimension: dimension).embed($0) }
            guard texts.contains(where: { $0.contains("poison") }) else { return vectors }
            switch fault {
            case .nan: vectors[0][2] = .nan
            case .wrongDimension: vectors[0].append(0.5)
            case .noVector: vectors.removeAll()
            case .twoVectors: vectors.append(vectors[0])
            case .throwing: throw Failure()
            }
            return vectors
        }
    }

    @Test(
        "A misbehaving embedder is a typed error naming the problem; nothing is recorded",
        arguments: [HostileEmbedder.Fault.nan, .wrongDimension, .noVector, .twoVectors, .throwing])
    func hostileEmbedder(fault: HostileEmbedder.Fault) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let facade = try await openFacade(in: folder, embedder: HostileEmbedder(fault: fault))
        let good = try await facade.saveText("a harmless note")
        do {
            let recorded = try await facade.saveText("a poison note")
            Issue.record("\(fault): recorded \(recorded.artifactID)")
        } catch let error as SearchError {
            switch (fault, error) {
            case (.nan, .invalidVector): break
            case (.wrongDimension, .dimensionMismatch(let expected, let actual)):
                #expect(expected == 16 && actual == 17, "\(error)")
            case (.noVector, .invalidArgument), (.twoVectors, .invalidArgument), (.throwing, .embedderFailed): break
            default: Issue.record("\(fault): \(error)")
            }
        } catch {
            Issue.record("\(fault): untyped error \(error)")
        }
        #expect(try await facade.index.count() == 1)
        #expect(await facade.backend.count(corpus: "artifacts") == 1)
        // A poisoned query is an error, never a crash; lexical and structured still work.
        _ = try? await facade.search("poison", mode: .hybrid)
        #expect(try await facade.search("harmless", mode: .lexical).map(\.artifact.artifactID) == [good.artifactID])
        #expect(try await facade.list().map(\.artifactID) == [good.artifactID])
    }
}
