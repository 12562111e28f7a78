import ArgumentParser
import ArtifactSearch

/// `--level` and the scope ids of a read: which artifacts a `search`, `list` or `best` sees
/// (SPEC §4).
struct ReadScopeOptions: ParsableArguments {
    static let discussion = """
        Scope: --level run (default) filters on --run-id, session on --session-id, user on \
        --user-id (else --client-id), scope on the scope id of the given ids, org on --org-id \
        only. A level whose id is not given adds no filter, so without ids every artifact of \
        the store is seen. --org-id always filters; --graph-id and --node-id filter when given.
        """

    @Option(
        help: ArgumentHelp("scope, session, run (default), user or org; see below.", valueName: "level"),
        transform: { text in
            do { return try ScopeLevel(parsing: text) } catch { throw ValidationError(String(describing: error)) }
        })
    var level: ScopeLevel = .run

    @OptionGroup
    var ids: ScopeOptions

    /// The scope of the read; its scope id follows `level`.
    var scope: Scope { ids.scope(level: level) }
}
