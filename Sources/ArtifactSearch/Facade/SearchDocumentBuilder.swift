import Foundation
import HybridSearch

/// The text indexed for an artifact (SPEC §5): its filename, kind, tags, label keys and
/// values, metric names, then — when the content is text (valid UTF-8 without NUL bytes:
/// plain text, JSON, code, CSV, Markdown, …) — the content, up to a byte limit. A directory
/// contributes its relative paths and its text files' content, within one shared limit.
struct SearchDocumentBuilder: Sendable {
    /// Bytes of content indexed per artifact (a directory shares one budget across files).
    var maxContentBytes: Int

    func header(for artifact: Artifact) -> String {
        var lines: [String] = []
        if let filename = artifact.filename { lines.append(filename) }
        if let kind = artifact.kind { lines.append(kind) }
        if !artifact.tags.isEmpty { lines.append(artifact.tags.joined(separator: " ")) }
        for key in artifact.labels.keys.sorted() where key != "filename" {
            lines.append(key + " " + artifact.labels[key]!.indexableText)
        }
        if !artifact.metrics.isEmpty { lines.append(artifact.metrics.keys.sorted().joined(separator: " ")) }
        return lines.joined(separator: "\n")
    }

    /// Text of a file artifact whose content starts with `prefix` (read up to the limit).
    func text(for artifact: Artifact, contentPrefix prefix: Data) -> String {
        var text = header(for: artifact)
        if maxContentBytes > 0, let content = TextDecoder.indexableText(prefix.prefix(maxContentBytes)) {
            text += "\n\n" + content
        }
        return text
    }

    /// Text of a directory artifact: relative paths, then text files' content within the budget.
    func text(
        for artifact: Artifact, manifest: DirectoryManifest,
        readPrefix: (DirectoryManifest.Entry, Int) async throws -> Data
    ) async throws -> String {
        var text = header(for: artifact)
        text += "\n" + manifest.entries.map(\.path).joined(separator: "\n")
        var budget = maxContentBytes
        for entry in manifest.entries where budget > 0 && entry.size > 0 {
            let prefix = try await readPrefix(entry, min(entry.size, budget))
            if let content = TextDecoder.indexableText(prefix) {
                text += "\n\n" + content
                budget -= prefix.count
            }
        }
        return text
    }
}
