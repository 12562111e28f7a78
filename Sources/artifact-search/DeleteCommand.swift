import ArgumentParser
import ArtifactSearch
import Foundation
import HybridSearch

struct DeleteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Delete artifacts and, when nothing else refers to them, their bytes.",
        discussion: """
            The records go at once from every read and from both search legs (in this process \
            and in every other at its next search); the bytes are removed unless another \
            artifact has the same bytes, and the search index is rewritten without the items. \
            Every id is checked first: if any is unknown (or belongs to another organisation), \
            nothing is deleted. Pinned artifacts are deleted too: a pin only protects from gc. \
            Prints what was deleted (--json: one JSON object).

            Examples:
              artifact-search delete 01JQ3V6Y2C8W5D7E9F0G1H2J3K
              artifact-search list --kind scratch --json | jq -r '.[].artifact_id' | xargs artifact-search delete
            """)

    @Argument(help: ArgumentHelp("Artifact ids.", valueName: "id"))
    var ids: [String] = []

    @Flag(help: "Print one JSON object: deleted artifacts, removed blobs, bytes freed.")
    var json = false

    @OptionGroup(title: "Store")
    var store: StoreOptions

    @OptionGroup(title: "Scope")
    var scope: ScopeOptions

    func run() async throws {
        if ids.isEmpty { throw ValidationError("give the id of the artifact to delete") }
        let facade = try await store.openFacade(scope: scope.scope())
        var seen = Set<String>()
        var unknown: [String] = []
        for id in ids where seen.insert(id).inserted {
            if try await facade.artifact(id: id) == nil { unknown.append(id) }
        }
        if !unknown.isEmpty { throw CommandLineError(PinCommand.unknownIDsMessage(unknown, action: "deleted")) }
        let report = try await facade.delete(ids: ids)
        try DeletionOutput.print(report, json: json)
    }
}

struct GarbageCollectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gc",
        abstract: "Delete unpinned artifacts older than an age.",
        discussion: """
            Deletes, as `delete` does, every artifact created more than the given age ago that \
            is not pinned and matches the scope and --kind. Pinned artifacts are never \
            collected: that is what a pin means. --dry-run lists what would go and deletes \
            nothing.

            \(ReadScopeOptions.discussion)

            Examples:
              artifact-search gc --unpinned-older-than 30d --dry-run
              artifact-search gc --unpinned-older-than 2w --kind scratch
              artifact-search gc --unpinned-older-than 7d --level session --session-id s-42 --json
            """)

    @Option(
        help: ArgumentHelp("Age: \(TimeWindow.acceptedForms).", valueName: "age"),
        transform: FilterOptions.timeWindow(parsing:))
    var unpinnedOlderThan: TimeWindow

    @Option(help: "Only artifacts of this kind.")
    var kind: String?

    @Flag(help: "Delete nothing; print what would be deleted.")
    var dryRun = false

    @Flag(help: "Print one JSON object: deleted artifacts, removed blobs, bytes freed.")
    var json = false

    @OptionGroup(title: "Store")
    var store: StoreOptions

    @OptionGroup(title: "Scope")
    var scope: ReadScopeOptions

    func run() async throws {
        let facade = try await store.openFacade(scope: scope.scope)
        let cutoff = Date(timeIntervalSinceNow: -unpinnedOlderThan.seconds)
        let report = try await facade.collectGarbage(
            olderThan: cutoff, kind: kind, level: scope.level, extraScopeLabels: scope.extraScopeLabels, dryRun: dryRun)
        try DeletionOutput.print(report, json: json)
    }
}

/// How `delete` and `gc` print a ``DeletionReport``.
enum DeletionOutput {
    struct JSONForm: Encodable {
        var dryRun: Bool
        var deleted: [Artifact]
        var removedBlobs: [String]
        var freedBytes: Int
        var sharedBlobsKept: Int
        var pinnedKept: Int
        var contentRemovalDeferred: Bool
        var indexRewritten: Bool

        enum CodingKeys: String, CodingKey {
            case dryRun = "dry_run", deleted, removedBlobs = "removed_blobs", freedBytes = "freed_bytes"
            case sharedBlobsKept = "shared_blobs_kept", pinnedKept = "pinned_kept"
            case contentRemovalDeferred = "content_removal_deferred", indexRewritten = "index_rewritten"
        }
    }

    static func print(_ report: DeletionReport, json: Bool) throws {
        if json {
            try JSONOutput.print(
                JSONForm(
                    dryRun: report.dryRun, deleted: report.deleted, removedBlobs: report.removedContent,
                    freedBytes: report.freedBytes, sharedBlobsKept: report.sharedContent, pinnedKept: report.pinnedKept,
                    contentRemovalDeferred: report.contentRemovalDeferred, indexRewritten: report.indexRewritten))
            return
        }
        let verb = report.dryRun ? "would delete" : "deleted"
        for artifact in report.deleted {
            Swift.print("\(verb) \(artifact.artifactID)  \(TerminalText.escaped(DisplayName.of(artifact)))")
        }
        var summary = "\(report.dryRun ? "Would delete" : "Deleted") \(report.deleted.count) artifact\(report.deleted.count == 1 ? "" : "s")"
        if !report.dryRun {
            summary += "; \(report.removedContent.count) blob\(report.removedContent.count == 1 ? "" : "s") removed"
                + " (\(SizeFormatter.string(for: report.freedBytes)))"
            if report.sharedContent > 0 { summary += ", \(report.sharedContent) kept (other artifacts have the same bytes)" }
        }
        if report.pinnedKept > 0 { summary += "; \(report.pinnedKept) pinned kept" }
        Swift.print(summary + ".")
        if report.contentRemovalDeferred {
            Swift.print("Other processes kept saving: the bytes stay until the next delete, gc or verify --repair.")
        }
    }
}
