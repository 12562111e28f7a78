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
            Every id is checked first: if any is unknown (or belongs to another organisation \
            than --org-id), nothing is deleted. Pinned artifacts are deleted too: a pin only protects from gc. \
            Prints what was deleted (--json: one JSON object).

            Examples:
              artifact-search delete 01JQ3V6Y2C8W5D7E9F0G1H2J3K
              artifact-search delete --org-id acme 01JQ3V6Y2C8W5D7E9F0G1H2J3K --json
            """)

    @Argument(help: ArgumentHelp("Artifact ids.", valueName: "id"))
    var ids: [String] = []

    @Flag(help: "Print one JSON object: deleted artifacts, removed blobs, bytes freed.")
    var json = false

    @OptionGroup(title: "Store")
    var store: StoreOptions

    /// Only the organisation: an id names one artifact, and the organisation is the boundary
    /// no call may cross (other scope ids would suggest a filter `delete` does not apply).
    @Option(name: .customLong("org-id"), help: "Organisation id: ids of other organisations are not found.")
    var orgID: String?

    func run() async throws {
        if ids.isEmpty { throw ValidationError("give the id of the artifact to delete") }
        let facade = try await store.openFacade(scope: Scope(orgID: orgID))
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
              artifact-search gc --unpinned-older-than 7d --level session --session-id s-42
            """)

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp("Age: \(TimeWindow.acceptedForms).", valueName: "age"),
        transform: GarbageCollectCommand.age(parsing:))
    var unpinnedOlderThan: TimeWindow

    /// An age, parsed as a time window but named as what it is in messages.
    @Sendable static func age(parsing text: String) throws -> TimeWindow {
        do {
            return try FilterOptions.timeWindow(parsing: text)
        } catch let error as ValidationError {
            throw ValidationError(
                error.message.replacingOccurrences(of: "a time window", with: "an age").replacingOccurrences(of: "time window", with: "age"))
        }
    }

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
        let report = try await SearchIndexUse.around(facade) {
            try await facade.collectGarbage(
                olderThan: cutoff, kind: kind, level: scope.level, extraScopeLabels: scope.extraScopeLabels, dryRun: dryRun)
        }
        try DeletionOutput.print(report, json: json)
    }
}

/// How `delete` and `gc` print a ``DeletionReport``.
enum DeletionOutput {
    /// A dry run has no `removed_blobs`, `freed_bytes`, `shared_blobs_kept`: what would be
    /// freed depends on the other artifacts at the time of the real run.
    struct JSONForm: Encodable {
        var dryRun: Bool
        var deleted: [Artifact]
        var removedBlobs: [String]?
        var freedBytes: Int?
        var sharedBlobsKept: Int?
        var pinnedKept: Int
        var contentRemovalDeferred: Bool
        var indexRewritten: Bool
        var alreadyDeleted: [String]

        enum CodingKeys: String, CodingKey {
            case dryRun = "dry_run", deleted, removedBlobs = "removed_blobs", freedBytes = "freed_bytes"
            case sharedBlobsKept = "shared_blobs_kept", pinnedKept = "pinned_kept"
            case contentRemovalDeferred = "content_removal_deferred", indexRewritten = "index_rewritten"
            case alreadyDeleted = "already_deleted"
        }
    }

    static func print(_ report: DeletionReport, json: Bool) throws {
        if json {
            try JSONOutput.print(
                JSONForm(
                    dryRun: report.dryRun, deleted: report.deleted, removedBlobs: report.dryRun ? nil : report.removedContent,
                    freedBytes: report.dryRun ? nil : report.freedBytes, sharedBlobsKept: report.dryRun ? nil : report.sharedContent,
                    pinnedKept: report.pinnedKept,
                    contentRemovalDeferred: report.contentRemovalDeferred, indexRewritten: report.indexRewritten,
                    alreadyDeleted: report.alreadyDeleted))
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
        if !report.alreadyDeleted.isEmpty { summary += "; \(report.alreadyDeleted.count) already deleted by another process" }
        Swift.print(summary + ".")
        if report.contentRemovalDeferred {
            Swift.print("Other processes kept saving: the bytes stay until the next delete, gc or verify --repair.")
        }
        if !report.dryRun, !report.deleted.isEmpty, !report.indexRewritten {
            Swift.print(
                "The search index still holds the deleted items' terms on disk (hidden from every search):"
                    + " another process held the index, or a segment is damaged; run artifact-search verify --repair.")
        }
    }
}
