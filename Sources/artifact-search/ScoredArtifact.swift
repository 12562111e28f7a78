import ArtifactSearch
import HybridSearch

/// A search result in `--json` output: the artifact's own JSON fields, plus `score`, the
/// `explanation` (each leg's `rank` and raw `score`, with `--explain`) and the `snippet`.
struct ScoredArtifact: Encodable {
    var artifact: Artifact
    var score: Double?
    var explanation: HitExplanation?
    var snippet: String?

    private enum ExtraKeys: String, CodingKey {
        case score, explanation, snippet
    }

    func encode(to encoder: any Encoder) throws {
        try artifact.encode(to: encoder)
        var container = encoder.container(keyedBy: ExtraKeys.self)
        try container.encodeIfPresent(score, forKey: .score)
        try container.encodeIfPresent(explanation, forKey: .explanation)
        try container.encodeIfPresent(snippet, forKey: .snippet)
    }
}
