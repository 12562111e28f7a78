import ArtifactSearch
import HybridSearch

/// An artifact record as the HTTP API answers it: the record's fields as the command line's
/// `--json` writes them, except that `uri` and `preview_uri` — locations on the server's disk,
/// meaningless (and not to be disclosed) to a remote client — are left out, and
/// `content_url`, the path of `GET /v1/artifacts/{id}/content`, and `name` (the name MCP
/// hits show: ``Artifact/displayName``) are added.
struct RecordBody: JSONBody {
    let artifact: Artifact

    init(_ artifact: Artifact) { self.artifact = artifact }

    func write(to writer: inout JSONWriter) {
        artifact.withoutLocalPaths.writeJSON(
            to: &writer,
            adding: [("content_url", "/v1/artifacts/\(artifact.artifactID)/content"), ("name", artifact.displayName)])
    }
}
