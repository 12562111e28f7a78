import ArtifactSearch

/// An artifact record as the HTTP API answers it: the record's fields as the command line's
/// `--json` writes them, except that `uri` and `preview_uri` — locations on the server's disk,
/// meaningless (and not to be disclosed) to a remote client — are left out, and
/// `content_url`, the path of `GET /v1/artifacts/{id}/content`, is added.
struct RecordBody: Encodable {
    let artifact: Artifact

    init(_ artifact: Artifact) { self.artifact = artifact }

    private enum ExtraKeys: String, CodingKey { case contentURL = "content_url" }

    func encode(to encoder: any Encoder) throws {
        try artifact.withoutLocalPaths.encode(to: encoder)
        // A second keyed container of the same encoder adds to the same JSON object.
        var extra = encoder.container(keyedBy: ExtraKeys.self)
        try extra.encode("/v1/artifacts/\(artifact.artifactID)/content", forKey: .contentURL)
    }
}
