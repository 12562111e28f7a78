import ArgumentParser
import ArtifactSearch
import Foundation

struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check the store: bytes against their SHA-256, index against records, leftovers.",
        discussion: """
            Reads every artifact's bytes (a directory: its manifest and every file) and checks \
            them against the recorded SHA-256; checks that every artifact has a search document \
            and every search document an artifact; looks for blobs no artifact refers to and \
            temporaries left by a process that died (only files older than one hour count: \
            younger ones may belong to a save in progress); runs SQLite's integrity check. \
            Prints a report; exit status 1 when anything is wrong.

            --repair also fixes what can be rebuilt, holding the store's writer lock (it waits \
            up to 30 s for saves in progress): removes orphan blobs and stale temporaries, \
            removes search documents without an artifact, re-indexes artifacts without one, \
            and rebuilds the database's indexes. A damaged or missing blob is never "repaired" \
            by deleting its artifact: the record stays, is reported, and reads of it fail with \
            an integrity error until the file is restored. Exit status 0 when the store is \
            healthy afterwards.

            Examples:
              artifact-search verify
              artifact-search verify --repair
              artifact-search --store /data/agent-store verify --json
            """)

    @Flag(help: "Fix what can be rebuilt (see above).")
    var repair = false

    @Flag(help: "Print the report as one JSON object.")
    var json = false

    @OptionGroup(title: "Store")
    var store: StoreOptions

    func run() async throws {
        let facade = try await store.openFacade()
        let report = try await facade.verify(repair: repair)
        if json {
            try JSONOutput.print(report)
        } else {
            print(Self.render(report))
        }
        if !report.isHealthy { throw ExitCode(1) }
    }

    static func render(_ report: StoreVerificationReport) -> String {
        var lines: [String] = []
        for repair in report.repairs { lines.append("repaired: \(repair)") }
        for damage in report.damagedArtifacts {
            lines.append("damaged: artifact \(damage.artifactID): \(damage.path): \(damage.problem)")
        }
        for id in report.unindexedArtifacts { lines.append("not indexed: artifact \(id) (verify --repair rebuilds the index)") }
        for path in report.orphanBlobs { lines.append("orphan blob: \(path)") }
        for path in report.staleTemporaries { lines.append("stale temporary: \(path)") }
        for path in report.strayFiles { lines.append("stray file: \(path)") }
        for problem in report.databaseProblems { lines.append("database: \(problem)") }
        for problem in report.searchIndexProblems { lines.append("search index: \(problem)") }
        let counts =
            "\(report.artifacts) artifact(s), \(report.blobFiles) blob file(s)"
            + (report.recentFiles > 0 ? ", \(report.recentFiles) recent file(s) left alone" : "")
        if report.isHealthy {
            lines.append("ok: \(counts), everything matches")
        } else {
            let problems = report.problemCount
            let onlyDamage = problems == report.damagedArtifacts.count
            let advice =
                report.isRepairable
                ? "run artifact-search verify --repair"
                : "restore the damaged files from a backup (or save those artifacts again, without --skip-unchanged)"
                    + (onlyDamage ? "" : "; verify --repair fixes the rest")
            lines.append("\(problems) problem(s) in \(counts): \(advice)")
        }
        return lines.joined(separator: "\n")
    }
}
