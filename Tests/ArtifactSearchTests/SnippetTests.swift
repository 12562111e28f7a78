import Foundation
import HybridSearch
import Testing

@testable import ArtifactSearch

/// Snippets live in the library, so the CLI, MCP and HTTP show the same line for a hit.
@Suite("Snippets")
struct SnippetTests {
    @Test("The window with the most query terms wins over the first match; whitespace collapses; cuts are marked")
    func bestWindow() {
        let text = """
            Version 3 of the manual.\n\n\n\tIt lists many things that have nothing to do with anything asked here, \
            filler words go on and on for a while until the licence part: released under the GPL license, \
            version 3 only, see COPYING.
            """
        let snippet = SnippetExtractor(query: "license GPL version 3", maxLength: 60).snippet(of: text)
        #expect(snippet == "…released under the GPL license, version 3 only, see…")
        // No match: the start of the text, whitespace collapsed, cut at a space.
        #expect(SnippetExtractor(query: "zebra", maxLength: 20).snippet(of: "one  two\nthree four five six") == "one two three four…")
        #expect(SnippetExtractor(query: "zebra").snippet(of: " \n\t ") == nil)
        #expect(SnippetExtractor(query: "zebra").snippet(of: "short") == "short")
    }

    @Test("More than 64 query terms (past the one-word term set): the window with the most of them wins; upper-case and non-ASCII words match")
    func manyTerms() {
        let filler = (0..<70).map { "w\(String($0, radix: 36))x" }
        let query = filler.joined(separator: " ")
        // The last 10 query terms (indices past 64) sit together late in the text; the first
        // match alone sits early.
        let text = "\(filler[0]) " + String(repeating: "padding ", count: 40) + filler[60..<70].joined(separator: " ") + " end"
        let snippet = SnippetExtractor(query: query, maxLength: 80).snippet(of: text)
        #expect(snippet?.contains(filler[69]) == true, "\(snippet ?? "nil")")
        #expect(snippet?.hasPrefix("…") == true)
        #expect(SnippetExtractor(query: "dna café", maxLength: 40).snippet(of: String(repeating: "x ", count: 30) + "the DNA of the CAFÉ") == "…x x x x the DNA of the CAFÉ")
    }

    @Test("Identifiers match through their parts and stems match longer words")
    func identifiersAndStems() {
        let text = "setup steps first; then call atomic_write_json(path) to persist the licenses"
        #expect(SnippetExtractor(query: "write json", maxLength: 40).snippet(of: text) == "…then call atomic_write_json(path) to…")
        #expect(SnippetExtractor(query: "license", maxLength: 30).snippet(of: text) == "…the licenses")
    }

    @Test("The in-place ASCII path matches every word as the analysing path does", arguments: [1, 2, 3])
    func plainPathAgreesWithAnalysingPath(seed: Int) {
        let vocabulary = [
            "license", "licenses", "Licensed", "GPL", "gpl", "version", "3", "x86_64", "getUserById", "user", "DNA", "dna",
            "mRNA", "CD4", "p53", "café", "CAFÉ", "naïve", "studies", "study", "hoping", "hope", "the", "of", "THE",
            "atomic_write_json", "json", "write", "WRITE", "Writes", "a", "ab", "abc", "abcdefgh", "日本語", "β-cell", "IL-6",
            "Z", "zebra", "Zebras", "e2e", "2", "42nd", "__init__", "rewrite", "relicense",
            // Identifiers whose parts start mid-word (the unanalysed rejection must not miss them).
            "HTTPServer", "parseHTTPResponse2", "v2beta", "_private", "private", "server", "http", "beta", "response",
            "SeRvEr", "xServer", "ABCdef", "def", "Server_v2", "2beta", "init", "studies2", "Studies_Done", "done",
        ]
        var state = UInt64(seed)
        func pick() -> String {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return vocabulary[Int(state >> 33) % vocabulary.count]
        }
        for _ in 0..<200 {
            let query = (0..<(1 + Int(state >> 60) % 5)).map { _ in pick() }.joined(separator: " ")
            let text = (0..<60).map { _ in pick() }.joined(separator: [" ", ", ", "\n", "(", ") "][Int(state >> 61) % 5])
            let extractor = SnippetExtractor(query: query)
            let scalars = SnippetExtractor.collapsingWhitespace(scalarsOf: text)
            var expected: [(start: Int, terms: TermSet)] = []
            var start = -1
            for offset in 0...scalars.count {
                if offset < scalars.count, SnippetExtractor.isWordScalar(scalars[offset]) {
                    if start < 0 { start = offset }
                } else if start >= 0 {
                    let terms = extractor.matchingTerms(String(String.UnicodeScalarView(scalars[start..<offset])))
                    if !terms.isEmpty { expected.append((start, terms)) }
                    start = -1
                }
            }
            let found = extractor.matches(in: scalars)
            #expect(found.map(\.start) == expected.map(\.start), "\(query) | \(text)")
            #expect(found.map(\.terms) == expected.map(\.terms), "\(query) | \(text)")
        }
    }

    @Test("Whitespace collapsing decodes UTF-8 as the scalar view does: every Unicode space and control character is one space", arguments: [1, 2, 3])
    func collapsingMatchesScalarView(seed: Int) {
        // The pieces: ASCII, two-, three- and four-byte scalars, C0/C1 controls, DEL, and
        // Unicode spaces (no-break, em, line and paragraph separators, ideographic).
        let pieces = [
            "a", "Z", "9", "_", " ", "\t", "\n", "\r\n", "\u{0}", "\u{1F}", "\u{7F}", "\u{85}", "\u{9F}", "\u{A0}", "é",
            "ß", "\u{2003}", "\u{2028}", "\u{2029}", "\u{3000}", "日", "語", "\u{FEFF}", "😀", "\u{10FFFF}", "e\u{301}",
        ]
        var state = UInt64(seed)
        for _ in 0..<300 {
            var text = ""
            for _ in 0..<(Int(state >> 58) + 1) {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                text += pieces[Int(state >> 33) % pieces.count]
            }
            // The reference: the scalar view, each scalar classified by its properties.
            var expected: [Unicode.Scalar] = []
            var pending = false
            for scalar in text.unicodeScalars {
                if scalar.properties.isWhitespace || scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) {
                    pending = !expected.isEmpty
                    continue
                }
                if pending { expected.append(" ") }
                pending = false
                expected.append(scalar)
            }
            #expect(SnippetExtractor.collapsingWhitespace(scalarsOf: text) == expected, "\(Array(text.unicodeScalars))")
        }
    }

    @Test("A facade's snippet of a directory, binary content and damaged content")
    func facadeSnippets() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let facade = try await openFacade(in: folder)
        let tree = folder.url.appendingPathComponent("tree")
        try FileManager.default.createDirectory(at: tree.appendingPathComponent("b"), withIntermediateDirectories: true)
        try Data("alpha".utf8).write(to: tree.appendingPathComponent("a.txt"))
        try Data("beta".utf8).write(to: tree.appendingPathComponent("b/c.txt"))
        let directory = try await facade.ingestDirectory(at: tree)
        let extractor = SnippetExtractor(query: "alpha", analyzer: facade.backend.analyzer)
        #expect(try await facade.snippet(of: directory, using: extractor) == "2 files: a.txt, b/c.txt")
        let binary = try await facade.saveData(Data([0, 1, 2, 0xFF]), name: "blob.bin")
        #expect(try await facade.snippet(of: binary, using: extractor) == "(binary, application/octet-stream)")
        let text = try await facade.saveText("the alpha and the omega", name: "t.txt")
        #expect(try await facade.snippet(of: text, using: extractor) == "the alpha and the omega")
        try FileManager.default.removeItem(at: facade.store.contentURL(sha256: text.sha256!))
        #expect(try await facade.snippet(of: text, using: extractor) == "(content damaged or missing: run artifact-search verify)")
    }
}
