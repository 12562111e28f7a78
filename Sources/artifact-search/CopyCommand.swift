import ArgumentParser
import ArtifactSearch
import Foundation
import HybridSearch

struct CopyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "copy",
        abstract: "Copy every artifact of a store into another: embedded ↔ shared, without re-embedding.",
        discussion: """
            Copies the records of every organisation (ids, times, pins, labels, metrics and the \
            stored vectors: nothing is embedded again) and the bytes they name, each checked \
            against its SHA-256, from the store of --store / --database / --blobs into the one of \
            --to-store / --to-database / --to-blobs; then brings the target's search index up to \
            date. Artifacts the target already has are skipped, so an interrupted copy can be \
            run again. The target is bound to the source's embedder (a target bound to another \
            one is refused).

            Examples:
              artifact-search copy --store .artifact-search --to-database postgres://artifacts@db/artifacts \\
                  --to-blobs 's3://team-artifacts?endpoint=http://minio:9000' --to-store /var/lib/artifact-search/node-a
              artifact-search copy --database postgres://… --blobs s3://… --store node-a --to-store ./backup
            """)

    @OptionGroup(title: "Source store")
    var store: StoreOptions

    @Option(name: .customLong("to-store"), help: ArgumentHelp("The target's folder (with --to-database: its node folder).", valueName: "dir"))
    var targetPath: String

    @Option(name: .customLong("to-database"), help: ArgumentHelp("The target's records in PostgreSQL (postgres://…); needs --to-blobs.", valueName: "url"))
    var targetDatabase: String?

    @Option(name: .customLong("to-blobs"), help: ArgumentHelp("The target's bytes in an S3-compatible bucket (s3://…).", valueName: "url"))
    var targetBlobs: String?

    @Flag(help: "Print the report as one JSON object.")
    var json = false

    func run() async throws {
        let source = try await store.openFacade()
        let bound = try await source.index.embedderState().bound
        let targetFolder = URL(fileURLWithPath: (targetPath as NSString).expandingTildeInPath).standardizedFileURL
        if targetDatabase == nil, targetBlobs == nil, !store.isShared, store.blobsURL == nil, targetFolder == store.url {
            throw CommandLineError("--to-store is the source's own folder: give another folder, or --to-database and --to-blobs")
        }
        let objects = try StoreOptions.objectStorage(targetBlobs, option: "--to-blobs")
        let records = try await StoreOptions.records(targetDatabase, blobs: targetBlobs, options: ("--to-database", "--to-blobs"))
        let sourceEmbedder = source.backend.embedder
        let target = try await ArtifactFacade.open(
            at: targetFolder, configuration: ArtifactFacade.Configuration(preloadsSearchBackend: false, cacheLimit: try store.cacheLimit()), blobs: objects,
            records: records
        ) { _ in
            // The source's vectors are copied as they are: the target never embeds here.
            guard let bound else { return (sourceEmbedder, nil) }
            let embedder = DeferredEmbedder(
                identifier: bound.identifier, dimension: bound.dimension, defaultSemanticWeight: sourceEmbedder.defaultSemanticWeight
            ) { sourceEmbedder }
            return (embedder, bound.choice)
        }
        let report = try await source.copy(to: target) { done in
            if !json { FileHandle.standardError.write(Data("\rcopied \(done) artifact(s)…".utf8)) }
        }
        if json {
            try JSONOutput.print(report)
        } else {
            FileHandle.standardError.write(Data("\n".utf8))
            print(
                "copied \(report.copied) artifact(s) (\(report.alreadyPresent) already there); stored \(report.contentsStored)"
                    + " content(s), \(report.bytesStored) bytes")
        }
    }
}
