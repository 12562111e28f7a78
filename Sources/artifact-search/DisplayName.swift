import ArtifactSearch
import Foundation

/// The name an artifact is shown under: the path it was ingested from (relative to the
/// current folder when inside it, `~/…` under the home folder), else its `filename` label,
/// else its id.
enum DisplayName {
    /// The label `ingest` records with the absolute path of each file it saves.
    static let sourcePathLabel = "source_path"

    static func of(_ artifact: Artifact, relativeTo base: String = FileManager.default.currentDirectoryPath)
        -> String
    {
        if let path = artifact.labels[sourcePathLabel]?.stringValue {
            return relative(path, to: base)
        }
        return artifact.filename ?? artifact.artifactID
    }

    /// Read once: `NSHomeDirectory()` looks the user up in the password database on every call.
    private static let home = NSHomeDirectory()

    static func relative(_ path: String, to base: String) -> String {
        let folder = base.hasSuffix("/") ? base : base + "/"
        if path.hasPrefix(folder), path.count > folder.count { return String(path.dropFirst(folder.count)) }
        if home.count > 1, path.hasPrefix(home + "/") { return "~" + path.dropFirst(home.count) }
        return path
    }
}
