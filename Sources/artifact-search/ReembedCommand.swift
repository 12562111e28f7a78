import ArgumentParser
import ArtifactSearch
import Embedders
import Foundation
import HybridSearch

/// `artifact-search reembed --embedder …`: switches a store's embedder.
struct ReembedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reembed",
        abstract: "Switch the store's embedder: recompute every artifact's vector.",
        discussion: """
            Every artifact's vector is computed again from its indexed text (the blobs are read; \
            records, content and ids stay as they are); then the store records the new embedder \
            — every later command uses it without --embedder — and its search index is rebuilt. \
            On a terminal a progress bar shows the count, rate and time left. MiniLM embeds about \
            25 artifacts a second on 2 cores.

            Stop servers (serve, mcp) on the store first — on a shared store (--database, \
            --blobs), every node: while it runs, and after, processes that opened the store with \
            the old embedder cannot save (they are told to restart); a restarted node rebuilds \
            its search index from the new vectors. \
            If it is interrupted the store opens for nothing else until a reembed finishes — \
            rerun it (the vectors already done are kept), or reembed to the old embedder to go \
            back. Only one reembed runs per store at a time (another is refused at once). \
            Re-embedding to the store's own embedder only records the choice. Artifacts whose \
            content is missing or damaged are embedded from their name, kind, tags and labels \
            (as the search index indexes them) and counted in the summary; verify lists them.

            Examples:
              artifact-search reembed --embedder minilm
              artifact-search --store /data/agent-store reembed --embedder hashed
            """)

    @OptionGroup(title: "Store")
    var store: StoreOptions

    @Option(
        help: ArgumentHelp("The embedder to switch to: \(EmbedderChoice.forms) (see artifact-search help embed).", valueName: "embedder"),
        transform: EmbedderOption.parse)
    var embedder: EmbedderChoice

    @OptionGroup
    var key: EmbedderKeyOption

    func run() async throws {
        let folder = store.url
        if !store.isShared, !FileManager.default.fileExists(atPath: folder.appendingPathComponent("index.sqlite").path) {
            throw CommandLineError("no store at \(folder.path) to re-embed: point --store / \(StoreOptions.environmentVariable) at one")
        }
        let choice = embedder.keyed(by: key.variable)
        let model = try EmbedderOption.load(choice)
        let objects = try StoreOptions.objectStorage(store.blobsURL)
        let records = try await StoreOptions.records(store.databaseURL, blobs: store.blobsURL)
        let started = Date()
        let bar = ProgressBarBox()
        let facade = try await ArtifactFacade.reembed(
            at: folder, to: model, choice: choice.description,
            configuration: ArtifactFacade.Configuration(cacheLimit: try store.cacheLimit()), blobs: objects, records: records
        ) { step in
            bar.update(step)
        }
        bar.finish()
        let count = try await facade.index.count()
        let seconds = Date().timeIntervalSince(started)
        let done = bar.done
        var summary = "re-embedded \(ProgressBar.grouped(done)) of \(ProgressBar.grouped(count)) artifacts with \(choice)"
            + " in \(String(format: "%.1f", seconds)) s; the store now uses \(model.identifier)\n"
        if bar.damaged > 0 {
            summary += "warning: \(ProgressBar.grouped(bar.damaged)) artifact(s) had missing or damaged content and were embedded"
                + " from their name, kind, tags and labels only: artifact-search verify lists them\n"
        }
        FileHandle.standardError.write(Data(summary.utf8))
    }
}

/// The progress bar, made when the first step says how many artifacts there are.
private final class ProgressBarBox {
    private var bar: ProgressBar?
    private(set) var done = 0
    private(set) var damaged = 0

    func update(_ step: ArtifactFacade.ReembedProgress) {
        if bar == nil { bar = ProgressBar(total: step.total, unit: "artifacts") }
        done = step.done
        damaged = step.damaged
        bar?.update(done: step.done, force: step.done == step.total)
    }

    func finish() { bar?.finish() }
}
