import ArgumentParser
import ArtifactSearch
import Foundation
import HybridSearch

struct SearchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Find artifacts by query: BM25, vectors, or both fused.",
        discussion: """
            Ranks the artifacts' indexed text (name, path, kind, tags, labels and the content of \
            text files) against QUERY. --mode auto (default) is hybrid for a query and newest \
            first without one; lexical is BM25, semantic the hashed n-gram embedding (robust \
            to typos), hybrid both fused by reciprocal rank fusion, structural ignores the query. \
            In lexical, semantic and hybrid mode a blank query, or one of stop words only, \
            matches nothing (standard error says why). \
            Every filter applies before ranking and before --limit. The query is plain text, \
            never query syntax.

            Each result shows its score, id, name, kind, age and a snippet of its text around \
            the first matching word; --explain adds each leg's rank and raw score (BM25, cosine); \
            --json prints one JSON array of artifacts with score, snippet (and explanation). \
            A hybrid score is the fused rank score (at most about 0.019 for an item first in \
            both legs): it orders the list; use --explain to see which leg found a hit.

            \(ReadScopeOptions.discussion)

            Examples:
              artifact-search search "out of memory"
              artifact-search search atomic_write_json --mode lexical --limit 3
              artifact-search search "retry backoff" --mode hybrid --explain
              artifact-search search "eval results" --tag project-x --time-window 7d --json
              artifact-search search "license" --run-id run-007 --label stage=eval
            """)

    @Argument(help: "What to look for (blank: newest first with --mode auto or structural).")
    var query: String?

    @Option(
        help: ArgumentHelp("auto (default), lexical, semantic, hybrid or structural.", valueName: "mode"),
        transform: { text in
            do { return try SearchMode(parsing: text) } catch { throw ValidationError(String(describing: error)) }
        })
    var mode: SearchMode = .auto

    /// `--limit`: each result also reads up to 64 KiB of its text for the snippet.
    static let limitRange = 1...10_000

    @Option(
        parsing: .unconditional, help: "At most this many results (\(NumericOption.span(limitRange)); default 10).",
        transform: NumericOption.integer(in: limitRange))
    var limit: Int = 10

    @Flag(help: "Show each leg's rank and raw score (lexical BM25, semantic cosine).")
    var explain = false

    @Flag(help: "Print one JSON array of the results.")
    var json = false

    @OptionGroup
    var read: ReadOptions

    func run() async throws {
        let facade = try await read.openFacade()
        let analyzer = facade.backend.analyzer
        if let reason = Self.reasonToMatchNothing(query: query, mode: mode, analyzer: analyzer) {
            if json { try JSONOutput.print([ScoredArtifact]()) }
            CommandOutput.error(reason)
            return
        }
        let results = try await SearchIndexUse.around(facade) {
            try await read.search(query, in: facade, limit: limit, mode: mode, explain: explain)
        }
        let extractor = SnippetExtractor(query: query ?? "", analyzer: analyzer)
        var scored: [ScoredArtifact] = []
        for result in results {
            let snippet = try await facade.snippet(of: result.artifact, using: extractor)
            scored.append(
                ScoredArtifact(
                    artifact: result.artifact, score: result.score, explanation: explain ? result.explanation : nil,
                    snippet: snippet))
        }
        if json {
            try JSONOutput.print(scored)
            return
        }
        guard !scored.isEmpty else {
            print(Self.emptyMessage(query: query, analyzer: analyzer))
            return
        }
        print(render(scored))
    }

    /// Why `query` matches nothing in `mode`, or `nil` when it is searched: an explicit query
    /// mode (lexical, semantic, hybrid) with a blank query, or one without an indexable word
    /// (only stop words or punctuation), matches nothing — rather than the facade's newest
    /// first, which would look like ranked matches. `auto` and `structural` list newest first.
    static func reasonToMatchNothing(query: String?, mode: SearchMode, analyzer: any Analyzer) -> String? {
        guard mode == .lexical || mode == .semantic || mode == .hybrid else { return nil }
        let text = query ?? ""
        if text.allSatisfy(\.isWhitespace) {
            return "a blank query matches nothing in --mode \(mode.rawValue): give words to search for, or use"
                + " --mode auto or structural (or no query) to list the newest artifacts"
        }
        if !hasSearchableWord(text, analyzer: analyzer) {
            return "the query \"\(TerminalText.excerpt(text))\" has no word to search for (only stop words or"
                + " punctuation), so it matches nothing in --mode \(mode.rawValue): use other words"
        }
        return nil
    }

    /// Whether the analyzer finds at least one term in `text` (stop words and punctuation
    /// alone give none): the engine's own rule for what a query can match.
    static func hasSearchableWord(_ text: String, analyzer: any Analyzer) -> Bool {
        !analyzer.terms(in: text).isEmpty
    }

    /// What to print when nothing matched: one line, the query cut to its first 80 characters
    /// (``TerminalText/excerpt(_:maxLength:)``).
    static func emptyMessage(query: String?, analyzer: any Analyzer) -> String {
        let blank = (query ?? "").allSatisfy(\.isWhitespace)
        if !blank, !hasSearchableWord(query ?? "", analyzer: analyzer) {
            return "No artifacts match: the query has no searchable word (only stop words or punctuation); try other words."
        }
        return blank
            ? "No artifacts match these filters."
            : "No artifacts match \"\(TerminalText.excerpt(query ?? ""))\": try other words, --mode semantic for fuzzy"
                + " matching, or fewer filters."
    }

    private func render(_ results: [ScoredArtifact]) -> String {
        let showsScore = results.contains { $0.score != nil }
        var columns: [TextTable.Column] = [.init(title: "#", alignment: .right, maxWidth: 4)]
        if showsScore { columns.append(.init(title: "SCORE", alignment: .right, maxWidth: 12)) }
        if explain {
            columns.append(.init(title: "LEXICAL", maxWidth: 16))
            columns.append(.init(title: "SEMANTIC", maxWidth: 16))
        }
        columns += [
            .init(title: "ID", maxWidth: 26),
            .init(title: "NAME", maxWidth: 48, truncation: .head),
            .init(title: "KIND", maxWidth: 12),
            .init(title: "AGE", alignment: .right, maxWidth: 10),
        ]
        var table = TextTable(columns: columns)
        let now = Date()
        for (index, result) in results.enumerated() {
            var cells = ["\(index + 1)"]
            if showsScore { cells.append(result.score.map(Self.score) ?? "—") }
            if explain {
                cells.append(Self.leg(result.explanation?.lexical))
                cells.append(Self.leg(result.explanation?.semantic))
            }
            cells += [
                result.artifact.artifactID, DisplayName.of(result.artifact), result.artifact.kind ?? "—",
                AgeFormatter.string(for: result.artifact.createdAt, now: now),
            ]
            table.append(cells, detail: result.snippet)
        }
        return table.render()
    }

    /// `0.03226`, `7.204`, `12.5`: four significant digits.
    static func score(_ value: Double) -> String {
        String(format: "%.4g", value)
    }

    /// `#3 7.204` (rank, raw score), or `—` when the leg did not return the item.
    static func leg(_ leg: HitExplanation.Leg?) -> String {
        guard let leg else { return "—" }
        return "#\(leg.rank) " + score(leg.score)
    }
}
