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
            indexed (their name, path and labels still are). Text is indexed up to \
            --max-indexed-bytes from its start (default 256 KiB): a word after that is not found. Files that cannot be read are \
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
              artifact-search ingest workspace/ --skip-unchanged
            """)

    @Argument(help: ArgumentHelp("Files and folders to ingest.", valueName: "path"))
    var paths: [String] = []

    @OptionGroup(title: "Store")
    var store: StoreOptions

    @OptionGroup
    var embedder: StoreEmbedderOptions

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

    @Flag(
        help: ArgumentHelp(
            "Skip files already ingested from the same path with the same bytes.",
            discussion: "Compares the SHA-256 with the newest artifact whose source_path is the file (in this run's scope)."))
    var skipUnchanged = false

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Index at most this many bytes of each file's text, from its start (default 256K; K, M, G = KiB, MiB, GiB; at most 256M).",
            discussion: "Words past the limit are not found by search (the whole file is still stored). Recorded with each artifact.",
            valueName: "bytes"),
        transform: ByteCount.parse)
    var maxIndexedBytes: Int?

    @Flag(help: "List every skipped path (by default only unreadable ones, up to 20).")
    var verbose = false

    @Flag(help: "Print the new artifacts as one JSON array (summary on standard error).")
    var json = false

    func run() async throws {
        // Checked here, not in validate(): ArgumentParser validates before it reports unknown
        // options, so `ingest -q.txt` would answer this instead of naming -q.txt.
        if paths.isEmpty {
            throw ValidationError("give at least one file or folder to ingest, e.g. artifact-search ingest notes/")
        }
        let started = Date()
        // Check the paths before creating the store: a typo leaves nothing behind.
        let plan = try IngestPlan(paths: paths, storeFolder: store.url.path, asDirectories: asDirectory)
        let facade = try await store.openFacade(
            scope: scopeOptions.scope(), creating: true, maxIndexedBytes: maxIndexedBytes, embedder: embedder.choice)
        var report = IngestReport(skipped: plan.skipped)
        let progress = ProgressBar(total: plan.files.count + plan.directories.count)
        let baseLabels = LabelAssignment.dictionary(labels)
        let metricValues = MetricAssignment.dictionary(metrics)
        var done = 0

        // Files are saved in batches (group commit: one flush of the file system and one
        // transaction per batch), reported in walk order.
        let request = FileRequest(
            kind: kind ?? "file", tags: tags, labels: baseLabels, metrics: metricValues, pin: pin,
            skipsUnchanged: skipUnchanged)
        var outcomes = [FileOutcome?](repeating: nil, count: plan.files.count)
        // Two batches in flight: one storing and committing while the other is analysed and
        // embedded keeps both cores busy (each batch is still one transaction).
        let starts = Array(stride(from: 0, to: plan.files.count, by: Self.batchSize))
        try await withThrowingTaskGroup(of: (Int, [FileOutcome]).self) { group in
            var next = 0
            while next < starts.count || !group.isEmpty {
                while next < starts.count, next - done / Self.batchSize < 2 {
                    let start = starts[next]
                    let paths = Array(plan.files[start..<min(start + Self.batchSize, plan.files.count)])
                    group.addTask { (start, try await Self.save(paths, request: request, facade: facade)) }
                    next += 1
                }
                guard let (start, results) = try await group.next() else { break }
                for (offset, outcome) in results.enumerated() { outcomes[start + offset] = outcome }
                done += results.count
                progress.update(done: done)
            }
        }
        for (index, outcome) in outcomes.enumerated() {
            switch outcome {
            case .saved(let artifact, let isText)?: report.record(artifact, isText: isText)
            case .skipped(let reason)?: report.skip(plan.files[index], reason: .unreadable(reason))
            case .unchanged?: report.skip(plan.files[index], reason: .unchanged)
            case nil: break
            }
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
        // What this ingest saved becomes a segment, so the next process maps it.
        _ = try? await facade.commitSearchIndex()
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

    /// What every file of one run is saved with.
    struct FileRequest: Sendable {
        var kind: String
        var tags: [String]
        var labels: [String: JSONValue]
        var metrics: [String: Double]
        var pin: Bool
        var skipsUnchanged: Bool
    }

    /// What became of one file.
    enum FileOutcome: Sendable {
        /// Saved; `isText` when its content is indexed.
        case saved(Artifact, isText: Bool)
        /// Not saved: the file could not be read (the reason).
        case skipped(String)
        /// Not saved: `--skip-unchanged` found the same bytes already ingested from this path.
        case unchanged
    }

    /// Files per group commit: large enough that the flush and the transaction are shared
    /// by many files, small enough that the progress bar moves and a batch's indexed
    /// prefixes (at most 256 KiB each by default) stay in memory comfortably.
    static let batchSize = 256

    /// Saves files, each with its `source_path` label, as one batch.
    /// - Throws: store errors (a problem with a file itself is a ``FileOutcome/skipped(_:)``).
    static func save(_ paths: [String], request: FileRequest, facade: ArtifactFacade) async throws -> [FileOutcome] {
        var outcomes = [FileOutcome?](repeating: nil, count: paths.count)
        var pending: [Int] = []
        for (position, path) in paths.enumerated() {
            // --skip-unchanged: hashing the file is cheaper than storing it; the batch checks
            // again inside its transaction, so concurrent ingests still record a file once.
            if request.skipsUnchanged,
                let previous = try await facade.list(
                    level: .run, includeNode: false, filters: [DisplayName.sourcePathLabel: .string(path)], limit: 1
                ).first,
                previous.sha256 == (try? FileSystemArtifactStore.sha256(ofFileAt: URL(fileURLWithPath: path)))
            {
                outcomes[position] = .unchanged
            } else {
                pending.append(position)
            }
        }
        let files = pending.map { position in
            let path = paths[position]
            var labels = request.labels
            labels[DisplayName.sourcePathLabel] = .string(path)
            return FileIngest(
                url: URL(fileURLWithPath: path), kind: request.kind, labels: labels, metrics: request.metrics,
                tags: request.tags, pin: request.pin,
                unchangedLabels: request.skipsUnchanged ? [DisplayName.sourcePathLabel: .string(path)] : nil)
        }
        for (position, outcome) in zip(pending, try await facade.ingestFiles(files)) {
            switch outcome {
            case .saved(let artifact, let isText): outcomes[position] = .saved(artifact, isText: isText)
            case .unchanged: outcomes[position] = .unchanged
            case .failed(let error):
                guard let reason = sourceProblem(error, path: paths[position]) else { throw error }
                outcomes[position] = .skipped(reason)
            }
        }
        return outcomes.map { $0! }
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
