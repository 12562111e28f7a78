import ArgumentParser
import ArtifactSearch
import Foundation
import HybridSearch

struct IngestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Save files and folders (recursively) as artifacts.",
        discussion: """
            Every regular file below the given paths becomes one artifact (kind "file" unless \
            --kind), with its absolute path in the label source_path and its name in filename. \
            Symbolic links are never followed; binary files are stored but their content is not \
            indexed (their name, path and labels still are). Files that cannot be read are \
            reported and skipped; the run goes on. The store's own folder is never ingested.

            --as-directory saves each folder as one directory artifact (kind "dir") holding all \
            its files instead.

            On a terminal a progress bar shows the count, rate and time left; the run ends with \
            a one-line summary (files ingested, skipped with reasons, bytes, files/s). With \
            --json, standard output is one JSON array of the new artifacts and the summary goes \
            to standard error.

            \(LabelAssignment.help)

            Examples:
              artifact-search ingest notes/ results/eval.json --tag project-x
              artifact-search ingest runs/run-007 --run-id run-007 --label stage=eval --metric accuracy=0.93
              artifact-search ingest build-output --as-directory --kind build
              artifact-search --store /tmp/docs-store ingest /usr/share/doc
            """)

    @Argument(help: ArgumentHelp("Files and folders to ingest.", valueName: "path"))
    var paths: [String] = []

    @OptionGroup(title: "Store")
    var store: StoreOptions

    @OptionGroup(title: "Provenance (stamped on every artifact)")
    var scopeOptions: ScopeOptions

    @Option(help: "Kind of the new artifacts (default: file, or dir with --as-directory).")
    var kind: String?

    @Option(name: .customLong("tag"), help: "Tag every artifact (repeatable).")
    var tags: [String] = []

    @Option(
        name: .customLong("label"), help: ArgumentHelp("Label key=value (repeatable; see below).", valueName: "key=value"),
        transform: LabelAssignment.init(parsing:))
    var labels: [LabelAssignment] = []

    @Option(
        name: .customLong("metric"),
        help: ArgumentHelp("Metric name=number (repeatable), e.g. accuracy=0.93; ranks `best`.", valueName: "name=number"),
        transform: MetricAssignment.init(parsing:))
    var metrics: [MetricAssignment] = []

    @Flag(help: "Save each folder as one directory artifact instead of one artifact per file.")
    var asDirectory = false

    @Flag(help: "Pin the new artifacts.")
    var pin = false

    @Flag(help: "List every skipped path (by default only unreadable ones, up to 20).")
    var verbose = false

    @Flag(help: "Print the new artifacts as one JSON array (summary on standard error).")
    var json = false

    func validate() throws {
        if paths.isEmpty {
            throw ValidationError("give at least one file or folder to ingest, e.g. artifact-search ingest notes/")
        }
    }

    func run() async throws {
        let started = Date()
        // Check the paths before creating the store: a typo leaves nothing behind.
        let plan = try IngestPlan(paths: paths, storeFolder: store.url.path, asDirectories: asDirectory)
        let facade = try await store.openFacade(scope: scopeOptions.scope(), creating: true)
        var report = IngestReport(skipped: plan.skipped)
        let progress = ProgressBar(total: plan.files.count + plan.directories.count)
        let baseLabels = LabelAssignment.dictionary(labels)
        let metricValues = MetricAssignment.dictionary(metrics)
        let contentLimit = facade.configuration.maxIndexedContentBytes
        var done = 0

        for path in plan.files {
            var fileLabels = baseLabels
            fileLabels[DisplayName.sourcePathLabel] = .string(path)
            do {
                let artifact = try await facade.ingestFile(
                    at: URL(fileURLWithPath: path), kind: kind ?? "file", tags: tags, labels: fileLabels,
                    metrics: metricValues, pin: pin, cleanup: false)
                let isText = try await facade.textPrefix(of: artifact, maxBytes: contentLimit) != nil
                report.record(artifact, isText: isText)
            } catch let error as ArtifactError {
                guard let reason = Self.sourceProblem(error, path: path) else { throw error }
                report.skip(path, reason: .unreadable(reason))
            }
            done += 1
            progress.update(done: done)
        }
        for path in plan.directories {
            var folderLabels = baseLabels
            folderLabels[DisplayName.sourcePathLabel] = .string(path)
            do {
                let artifact = try await facade.ingestDirectory(
                    at: URL(fileURLWithPath: path), kind: kind ?? "dir", tags: tags, labels: folderLabels,
                    metrics: metricValues, pin: pin, cleanup: false)
                report.record(artifact, isText: true)
            } catch let error as ArtifactError {
                guard let reason = Self.sourceProblem(error, path: path) else { throw error }
                report.skip(path, reason: .unreadable(reason))
                report.failedDirectories += 1
            }
            done += 1
            progress.update(done: done)
        }
        progress.finish()
        report.elapsed = Date().timeIntervalSince(started)

        if json {
            try JSONOutput.print(report.ingested)
            CommandOutput.error(report.summary)
        } else {
            if !report.ingested.isEmpty, report.ingested.count <= 10 {
                print(ArtifactTable.render(report.ingested))
            }
            print(report.summary)
        }
        for line in report.skipLines(all: verbose) { CommandOutput.error(line) }
        if report.failedDirectories > 0 {
            throw CommandLineError(
                "\(report.failedDirectories) folder(s) could not be saved as a directory artifact (see above):"
                    + " make their files readable, or ingest them without --as-directory")
        }
    }

    /// The reason to skip `path` when `error` is a problem with that source file or folder
    /// (unreadable, vanished, replaced by a folder); `nil` when the store itself failed.
    static func sourceProblem(_ error: ArtifactError, path: String) -> String? {
        switch error {
        case .io(let failing, let reason) where failing == path || failing.hasPrefix(path + "/"):
            return failing == path ? reason : "\(failing): \(reason)"
        case .wrongContentType(let failing, let expected) where failing == path:
            return "no longer a \(expected)"
        case .pathEscapesDirectory(let failing):
            return "path escapes its folder: \(failing)"
        default:
            return nil
        }
    }
}
