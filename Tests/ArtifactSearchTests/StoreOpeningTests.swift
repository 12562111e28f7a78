import Foundation
import HybridSearch
import Testing

@testable import ArtifactSearch

/// Opening a store: read-only stores, damaged databases, impossible locations.
@Suite("Opening a store")
struct StoreOpeningTests {
    @Test("A store opened read-only serves every read and refuses every write with a typed error")
    func readOnlyStore() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = folder.url.appendingPathComponent("store")
        let writer = try await ArtifactFacade.open(at: store)
        let saved = try await writer.saveText("read only osprey notes", name: "n.txt")
        let reader = try await ArtifactFacade.open(
            at: store, configuration: ArtifactFacade.Configuration(opensReadOnly: true))
        #expect(try await reader.list().map(\.artifactID) == [saved.artifactID])
        #expect(try await reader.search("osprey").map(\.artifact.artifactID) == [saved.artifactID])
        #expect(try await reader.loadText(id: saved.artifactID) == "read only osprey notes")
        let refusal = ArtifactError.readOnlyStore(path: store.path)
        await #expect(throws: refusal) { try await reader.saveText("x") }
        await #expect(throws: refusal) { try await reader.pin(saved.artifactID) }
        await #expect(throws: refusal) { try await reader.verify(repair: true) }
        #expect(try await reader.verify().isHealthy)
        #expect(try await writer.list().count == 1)
    }

    @Test("A damaged index.sqlite is reported as damaged, pointing to verify")
    func damagedDatabase() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = folder.url.appendingPathComponent("store")
        _ = try await ArtifactFacade.open(at: store)
        let database = store.appendingPathComponent("index.sqlite")
        try Data(repeating: 0x5A, count: 8192).write(to: database)
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: database.path + suffix) }
        do {
            _ = try await ArtifactFacade.open(at: store)
            Issue.record("a damaged database opened")
        } catch let error as ArtifactError {
            guard case .damagedDatabase(let path, _) = error else {
                Issue.record("not damagedDatabase: \(error)")
                return
            }
            #expect(path == database.path)
            #expect(String(describing: error).contains("verify --repair"))
        }
    }

    @Test("A store below a regular file names the file that is in the way")
    func storeBelowAFile() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let file = try folder.file("plain.txt", text: "not a folder")
        do {
            _ = try await ArtifactFacade.open(at: file.appendingPathComponent("store"))
            Issue.record("opened below a file")
        } catch let error as ArtifactError {
            let message = String(describing: error)
            #expect(message.contains("\(file.path) is a file, not a folder"), "\(message)")
            #expect(!message.contains("NSCocoaErrorDomain"))
        }
    }
}
