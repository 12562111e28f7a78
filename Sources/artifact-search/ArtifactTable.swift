import ArtifactSearch
import Foundation

/// The terminal table of artifacts shared by `list`, `best`, `pin` and `ingest`: id, name
/// (the ingested path, else the filename), kind, size, age, and — when any row has them —
/// metrics and a pin mark.
enum ArtifactTable {
    static func render(_ artifacts: [Artifact], now: Date = Date()) -> String {
        let showsMetrics = artifacts.contains { !$0.metrics.isEmpty }
        let showsPins = artifacts.contains(where: \.pinned)
        var columns: [TextTable.Column] = [
            .init(title: "ID", maxWidth: 26),
            .init(title: "NAME", maxWidth: 56, truncation: .head),
            .init(title: "KIND", maxWidth: 16),
            .init(title: "SIZE", alignment: .right, maxWidth: 10),
            .init(title: "AGE", alignment: .right, maxWidth: 10),
        ]
        if showsMetrics { columns.append(.init(title: "METRICS", maxWidth: 64)) }
        if showsPins { columns.append(.init(title: "PINNED", maxWidth: 6)) }
        var table = TextTable(columns: columns)
        for artifact in artifacts {
            var cells = [
                artifact.artifactID, DisplayName.of(artifact), artifact.kind ?? "—",
                SizeFormatter.string(for: artifact.bytes), AgeFormatter.string(for: artifact.createdAt, now: now),
            ]
            if showsMetrics { cells.append(metrics(of: artifact)) }
            if showsPins { cells.append(artifact.pinned ? "yes" : "") }
            table.append(cells)
        }
        return table.render()
    }

    /// `accuracy=0.93 loss=0.21`, sorted by name.
    static func metrics(of artifact: Artifact) -> String {
        artifact.metrics.keys.sorted().map { "\($0)=\(number(artifact.metrics[$0]!))" }.joined(separator: " ")
    }

    /// A number without a trailing `.0`, at most 6 significant digits.
    static func number(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(format: "%.6g", value)
    }
}
