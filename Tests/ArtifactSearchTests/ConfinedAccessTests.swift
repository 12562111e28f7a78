import Foundation
import HybridSearch
import Testing

@testable import ArtifactSearch

/// A confined facade (what untrusted front ends use) reads no host path outside its roots
/// and no other organisation's bytes.
@Suite("Confined access for untrusted callers")
struct ConfinedAccessTests {
    @Test("Trusted local mode keeps the seed's behaviour; confined mode allows only the roots and its own org's blobs")
    func confinedLoading() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = folder.url.appendingPathComponent("store")
        let allowed = folder.url.appendingPathComponent("allowed")
        let inside = try folder.file("allowed/in.txt", text: "inside the root")
        let outside = try folder.file("secret.txt", text: "outside the root")
        try FileManager.default.createSymbolicLink(
            at: allowed.appendingPathComponent("link-out.txt"), withDestinationURL: outside)
        let acme = try await ArtifactFacade.open(at: store, scope: Scope(orgID: "acme", userID: "ada"))
        let globex = try await ArtifactFacade.open(at: store, scope: Scope(orgID: "globex", userID: "gus"))
        let mine = try await acme.saveText("acme bytes")
        let theirs = try await globex.saveText("globex bytes")

        // Trusted: any path, any blob (the seed's behaviour for a local caller).
        #expect(try await acme.loadText(uri: outside.path) == "outside the root")
        #expect(try await acme.loadText(uri: try #require(theirs.uri)) == "globex bytes")

        let confined = try await ArtifactFacade.open(
            at: store, scope: Scope(orgID: "acme", userID: "ada"),
            configuration: ArtifactFacade.Configuration(access: .confined(roots: [allowed])))
        #expect(try await confined.loadText(uri: inside.path) == "inside the root")
        #expect(try await confined.loadText(uri: try #require(mine.uri)) == "acme bytes")
        let denied: [String] = [
            outside.path, "file://" + outside.path, allowed.appendingPathComponent("../secret.txt").path,
            allowed.appendingPathComponent("link-out.txt").path, try #require(theirs.uri),
            store.appendingPathComponent("index.sqlite").path, "/etc/passwd",
        ]
        for uri in denied {
            await #expect(throws: ArtifactError.self, "\(uri)") { try await confined.loadBytes(uri: uri) }
            do {
                _ = try await confined.loadBytes(uri: uri)
            } catch let error as ArtifactError {
                guard case .accessDenied = error else {
                    Issue.record("\(uri): \(error)")
                    continue
                }
            }
        }
        await #expect(throws: ArtifactError.self) { try await confined.asLocalFile(uri: outside.path) }
        await #expect(throws: ArtifactError.self) { try await confined.asLocalDirectory(uri: folder.url.path) }
        // A forged record naming another org's bytes is looked up by id: not found.
        var forged = theirs
        forged.orgID = "acme"
        await #expect(throws: ArtifactError.notFound(id: theirs.artifactID)) { try await confined.asLocalFile(forged) }
        // Saving reads host files only below the roots.
        _ = try await confined.saveFile(at: inside, cleanup: false)
        await #expect(throws: ArtifactError.self) { try await confined.saveFile(at: outside, cleanup: true) }
        #expect(FileManager.default.fileExists(atPath: outside.path), "a refused save deletes nothing")
        await #expect(throws: ArtifactError.self) { try await confined.ingestDirectory(at: folder.url) }
    }
}
