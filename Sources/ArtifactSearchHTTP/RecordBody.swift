import ArtifactSearch
import Foundation
import HybridSearch

/// An artifact record as the HTTP API answers it: the record's fields as the command line's
/// `--json` writes them, except that `uri` — a location on the server's disk, meaningless
/// (and not to be disclosed) to a remote client — is replaced by `content_url`, the path of
/// `GET /v1/artifacts/{id}/content`.
struct RecordBody: Encodable {
    let artifact: Artifact

    init(_ artifact: Artifact) { self.artifact = artifact }

    func encode(to encoder: any Encoder) throws {
        var members: [String: JSONValue] = [:]
        if case .object(let fields) = try JSONDecoder().decode(JSONValue.self, from: try JSONEncoder().encode(artifact)) {
            members = fields
        }
        members.removeValue(forKey: "uri")
        members["content_url"] = .string("/v1/artifacts/\(artifact.artifactID)/content")
        try JSONValue.object(members).encode(to: encoder)
    }
}
