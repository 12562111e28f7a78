import ArgumentParser
import ArtifactSearch
import HybridSearch

/// `--level` and the scope ids of a read: which artifacts a `search`, `list` or `best` sees
/// (SPEC §4).
struct ReadScopeOptions: ParsableArguments {
    static let discussion = """
        Scope: --level run (default) filters on --run-id, session on --session-id, user on \
        --user-id (else --client-id), org on --org-id only, and scope on the scope id that \
        ingest stamps for the same ids (the first given of session, user, run, org, app: \
        session:ID, user:ID, run:ID, org:ID, app:ID; without ids "global"). A level whose id is \
        not given adds no filter, so without ids every artifact of the store is seen. \
        --scope-id ID filters on that scope id at any level; --org-id always filters; \
        --graph-id and --node-id filter when given.
        """

    @Option(
        help: ArgumentHelp("scope, session, run (default), user or org; see below.", valueName: "level"),
        transform: { text in
            do { return try ScopeLevel(parsing: text) } catch { throw ValidationError(String(describing: error)) }
        })
    var level: ScopeLevel = .run

    @OptionGroup
    var ids: ScopeOptions

    /// The scope of the read. Its scope id is derived without a level, exactly as `ingest`
    /// derives the one it stamps (a scope whose level is `.scope` would always say `global`),
    /// so `--level scope` with the ids of an ingest finds what it saved.
    var scope: Scope { ids.scope() }

    /// The filters added on top of the level's: `scope_id` = `--scope-id` when given (at any
    /// level; at `--level scope` it is the level's own filter too).
    var extraScopeLabels: [String: JSONValue?] {
        ids.explicitScopeID.map { [ArtifactMetadataKey.scopeID: .string($0)] } ?? [:]
    }
}
