import Foundation
import HybridSearch
import Testing

@testable import ArtifactSearch

#if canImport(Glibc)
    import Glibc
#endif

/// Bytes are checked against their SHA-256 whenever they are served whole.
@Suite("Content integrity on read")
struct ContentIntegrityTests {
    /// Overwrites a read-only blob in place (same length), as bit rot or a stray write would.
    static func overwrite(_ url: URL, with bytes: Data) throws {
        chmod(url.path, 0o644)
        try bytes.write(to: url)
        chmod(url.path, 0o444)
    }

    @Test("A blob overwritten on disk is refused with an integrity error naming the artifact and the path")
    func overwrittenBlobRefused() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let facade = try await openFacade(in: folder)
        let artifact = try await facade.saveText("the original words", name: "note.txt")
        let blob = facade.store.contentURL(sha256: try #require(artifact.sha256))
        try Self.overwrite(blob, with: Data("the damaged! words".utf8))
        let expected = ArtifactError.contentDamaged(
            artifactID: artifact.artifactID, path: blob.path, expected: artifact.sha256!,
            actual: try FileSystemArtifactStore.sha256(ofFileAt: blob))
        await #expect(throws: expected) { try await facade.loadBytes(id: artifact.artifactID) }
        await #expect(throws: expected) { try await facade.loadText(id: artifact.artifactID) }
        await #expect(throws: expected) { try await facade.verifyContent(of: artifact) }
        #expect(String(describing: expected).contains(artifact.artifactID))
        // The record stays.
        #expect(try await facade.artifact(id: artifact.artifactID) == artifact)
    }

    @Test("A materialised folder someone wrote into is rebuilt before it is returned")
    func tamperedMaterialisedFolderRebuilt() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let facade = try await openFacade(in: folder)
        let source = folder.url.appendingPathComponent("src")
        _ = try folder.file("src/a.txt", text: "alpha")
        _ = try folder.file("src/sub/b.txt", text: "bravo")
        let original = try treeContents(of: source)
        let artifact = try await facade.ingestDirectory(at: source)
        let local = try await facade.asLocalDirectory(artifact)
        #expect(try treeContents(of: local) == original)
        // Tamper: change a file (same size), add one, remove one.
        let a = local.appendingPathComponent("a.txt")
        chmod(a.path, 0o644)
        try Data("ALPHA".utf8).write(to: a)
        try Data("extra".utf8).write(to: local.appendingPathComponent("extra.txt"))
        try FileManager.default.removeItem(at: local.appendingPathComponent("sub/b.txt"))
        let again = try await facade.asLocalDirectory(artifact)
        #expect(try treeContents(of: again) == original)
    }

    @Test("A directory whose stored file is damaged cannot be materialised: integrity error, no folder")
    func damagedDirectoryFile() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let facade = try await openFacade(in: folder)
        let source = folder.url.appendingPathComponent("src")
        _ = try folder.file("src/a.txt", text: "alpha")
        let artifact = try await facade.ingestDirectory(at: source)
        let manifest = try await facade.store.manifest(sha256: try #require(artifact.sha256))
        let blob = facade.store.contentURL(sha256: manifest.entries[0].sha256)
        try Self.overwrite(blob, with: Data("alphx".utf8))
        await #expect(throws: ArtifactError.self) { try await facade.asLocalDirectory(artifact) }
        do {
            _ = try await facade.asLocalDirectory(artifact)
        } catch let ArtifactError.contentDamaged(id, path, _, _) {
            #expect(id == artifact.artifactID)
            #expect(path == blob.path)
        }
        let materialised = facade.store.rootURL.appendingPathComponent("materialized")
            .appendingPathComponent(artifact.sha256!)
        #expect(!FileManager.default.fileExists(atPath: materialised.path))
    }

    @Test("Saving the same bytes again heals a blob damaged on disk, for the old artifact too")
    func resaveHealsDamagedBlob() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let facade = try await openFacade(in: folder)
        let first = try await facade.saveText("alpha content apple", name: "a.txt")
        let blob = facade.store.contentURL(sha256: first.sha256!)
        try Self.overwrite(blob, with: Data("alpha".utf8))
        await #expect(throws: ArtifactError.self) { try await facade.loadBytes(id: first.artifactID) }
        _ = try await facade.saveText("alpha content apple", name: "again.txt")
        #expect(try await facade.loadText(id: first.artifactID) == "alpha content apple")
        // The same through a file save.
        try Self.overwrite(blob, with: Data("ALPHA CONTENT APPLE".utf8))
        _ = try await facade.saveFile(at: try folder.file("a.txt", text: "alpha content apple"))
        #expect(try await facade.loadText(id: first.artifactID) == "alpha content apple")
        #expect(try await facade.verify().isHealthy)
    }

    @Test("A FIFO, a folder or a symbolic link in place of a blob is damage, reported at once (no hang)")
    func nonRegularBlob() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let facade = try await openFacade(in: folder)
        let outside = try folder.file("elsewhere.txt", text: "other bytes")
        for replacement in ["fifo", "folder", "link"] {
            let artifact = try await facade.saveText("content for \(replacement)")
            let blob = facade.store.contentURL(sha256: artifact.sha256!)
            try FileManager.default.removeItem(at: blob)
            switch replacement {
            case "fifo": #expect(mkfifo(blob.path, 0o644) == 0)
            case "folder": try FileManager.default.createDirectory(at: blob, withIntermediateDirectories: false)
            default: try FileManager.default.createSymbolicLink(at: blob, withDestinationURL: outside)
            }
            do {
                _ = try await facade.loadBytes(id: artifact.artifactID)
                Issue.record("\(replacement): loaded")
            } catch let ArtifactError.contentDamaged(id, path, _, actual) {
                #expect(id == artifact.artifactID)
                #expect(path == blob.path)
                #expect(actual == (replacement == "link" ? "a symbolic link" : "not a regular file"))
            }
            var delivered = 0
            await #expect(throws: ArtifactError.self) {
                try await facade.readContent(of: artifact) { delivered += $0.count }
            }
            #expect(delivered == 0)
            #expect(try await facade.verify().damagedArtifacts.map(\.artifactID).contains(artifact.artifactID))
        }
    }

    @Test("Saving bytes already stored intact keeps the existing blob file (same inode), so its folder need not be writable")
    func intactBlobKept() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let facade = try await openFacade(in: folder)
        let first = try await facade.saveFile(at: try folder.file("a.txt", text: "same bytes"), cleanup: false)
        let blob = facade.store.contentURL(sha256: first.sha256!)
        let before = try FileManager.default.attributesOfItem(atPath: blob.path)[.systemFileNumber] as? Int
        _ = try await facade.saveFile(at: try folder.file("b.txt", text: "same bytes"), cleanup: false)
        let after = try FileManager.default.attributesOfItem(atPath: blob.path)[.systemFileNumber] as? Int
        #expect(before != nil && before == after)
    }

    @Test("A blob of the wrong size is refused at once, before any byte is read (a sparse 4 GiB file)")
    func wrongSizeRefusedAtOnce() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let facade = try await openFacade(in: folder)
        let artifact = try await facade.saveText("twelve bytes")
        let blob = facade.store.contentURL(sha256: artifact.sha256!)
        chmod(blob.path, 0o644)
        #expect(truncate(blob.path, 4 << 30) == 0)
        let started = Date()
        do {
            _ = try await facade.loadBytes(id: artifact.artifactID)
            Issue.record("loaded")
        } catch let ArtifactError.contentDamaged(id, _, _, actual) {
            #expect(id == artifact.artifactID)
            #expect(actual.contains("bytes long instead of 12"))
        }
        await #expect(throws: ArtifactError.self) { try await facade.textPrefix(of: artifact, maxBytes: 100) }
        #expect(try await facade.verify().damagedArtifacts.map(\.artifactID) == [artifact.artifactID])
        #expect(Date().timeIntervalSince(started) < 30, "no 4 GiB was hashed")
    }
}
