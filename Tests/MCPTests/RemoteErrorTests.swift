import ArtifactSearch
import ArtifactSearchMCP
import Foundation
import HybridSearch
import MCP
import Testing

/// What a tool call's error tells a remote client (MCP over HTTP) when the store's embedder
/// fails: that it failed, not where its model or its server is.
@Suite("MCP tools: embedder failures for remote clients")
struct RemoteErrorTests {
    /// Fails every embed naming a place on the server.
    struct FailingEmbedder: Embedder {
        struct Failure: Error, CustomStringConvertible {
            var description: String { "cannot reach the embedding server at http://10.1.2.3:8000/v1/embeddings" }
        }
        var identifier: String { "failing" }
        var dimension: Int { 4 }
        func embed(_ texts: [String]) throws -> [[Float]] { throw Failure() }
    }

    @Test("save_text with a failing embedder: the local client reads the reason, a remote one only that the embedder failed")
    func embedderFailure() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("remote-errors-" + UUID().uuidString)
        defer { try? FileManager.default.removeItem(at: folder) }
        let facade = try await ArtifactFacade.open(at: folder, embedder: FailingEmbedder())
        let arguments: [String: Value] = ["text": .string("a note")]
        let local = try await ArtifactToolbox(facade: facade).call("save_text", arguments: arguments)
        let remote = try await ArtifactToolbox(facade: facade, servesRemoteClient: true).call("save_text", arguments: arguments)
        #expect(local.isError == true && remote.isError == true)
        let localMessage = local.structuredContent?.objectValue?["error"]?.stringValue ?? ""
        let remoteMessage = remote.structuredContent?.objectValue?["error"]?.stringValue ?? ""
        #expect(localMessage.contains("10.1.2.3"))
        #expect(!remoteMessage.contains("10.1.2.3"))
        #expect(remoteMessage == SearchError.embedderFailed(embedder: "failing", reason: "").descriptionWithoutPaths)
        #expect(try await facade.index.count() == 0)
    }
}
