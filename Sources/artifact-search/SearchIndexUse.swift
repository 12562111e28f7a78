import ArtifactSearch
import Foundation

/// What every command that reads through the search index does around that read (`search`,
/// `list`, `best`, `gc`: filters and orders are the index's): a first rebuild of a large store
/// (or one from an older format) is shown as a progress bar on a terminal, and the tail the
/// read had to take from SQLite is committed as a segment for the next process.
enum SearchIndexUse {
    static func around<T>(_ facade: ArtifactFacade, _ read: () async throws -> T) async throws -> T {
        if ProgressBar.standardErrorIsTerminal {
            var bar: ProgressBar?
            try await facade.prepareSearchIndex { done, total in
                if bar == nil {
                    CommandOutput.error("Building the search index from the records (once per store)…")
                    bar = ProgressBar(total: total, unit: "documents")
                }
                bar?.update(done: done, force: done == total)
            }
            bar?.finish()
        }
        let result = try await read()
        _ = try? await facade.commitSearchIndex()
        return result
    }
}
