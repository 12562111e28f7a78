import ArtifactSearch
import Foundation

/// What an `ingest` run did: the artifacts saved, the bytes, the binary files (stored but not
/// content-indexed) and the skipped paths with their reasons; renders the one-line summary.
struct IngestReport {
    private(set) var ingested: [Artifact] = []
    private(set) var bytes = 0
    private(set) var binary = 0
    private(set) var directories = 0
    private(set) var skipped: [IngestPlan.Skip]
    var failedDirectories = 0
    var elapsed: TimeInterval = 0

    init(skipped: [IngestPlan.Skip]) {
        self.skipped = skipped
    }

    mutating func record(_ artifact: Artifact, isText: Bool) {
        ingested.append(artifact)
        bytes += artifact.bytes ?? 0
        if artifact.isDirectory {
            directories += 1
        } else if !isText {
            binary += 1
        }
    }

    mutating func skip(_ path: String, reason: IngestPlan.SkipReason) {
        skipped.append(IngestPlan.Skip(path: path, reason: reason))
    }

    /// `Ingested 4,012 files (118 MiB, 912 binary: stored, content not indexed) in 12.3 s —
    /// 326 files/s. Skipped 80: 78 symbolic links, 2 unreadable.`
    var summary: String {
        let files = ingested.count - directories
        var parts: [String] = []
        if files > 0 || directories == 0 { parts.append("\(ProgressBar.grouped(files)) file\(files == 1 ? "" : "s")") }
        if directories > 0 { parts.append("\(directories) director\(directories == 1 ? "y" : "ies")") }
        var details = [SizeFormatter.string(for: bytes)]
        if binary > 0 { details.append("\(ProgressBar.grouped(binary)) binary: stored, content not indexed") }
        let rate = elapsed > 0 ? Double(ingested.count) / elapsed : 0
        var line = "Ingested \(parts.joined(separator: " and ")) (\(details.joined(separator: ", ")))"
        line += " in " + String(format: "%.1f", elapsed) + " s, \(ProgressBar.grouped(Int(rate.rounded()))) files/s."
        if skipped.isEmpty {
            line += " Skipped 0."
        } else {
            var counts: [String: Int] = [:]
            for skip in skipped { counts[skip.reason.category, default: 0] += 1 }
            let reasons = counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
                .map { IngestPlan.SkipReason.counted($0.key, $0.value) }
            line += " Skipped \(ProgressBar.grouped(skipped.count)): \(reasons.joined(separator: ", "))."
        }
        return line
    }

    /// `skipped PATH: reason` lines for standard error: every skip when `all`, else the
    /// unreadable ones (at most 20, then a count).
    func skipLines(all: Bool) -> [String] {
        let shown = all ? skipped : skipped.filter { if case .unreadable = $0.reason { true } else { false } }
        let limit = all ? Int.max : 20
        var lines = shown.prefix(limit).map { "skipped \($0.path): \($0.reason)" }
        if shown.count > limit { lines.append("… and \(shown.count - limit) more unreadable (use --verbose to list all)") }
        return lines
    }
}
