/// The analyzer used for documents and queries alike.
///
/// Pipeline: ``StandardTokenizer`` (NFKC, case folding, identifier splitting, CJK bigrams,
/// token-length bound) → stop-word removal (plain words and identifier parts; never a whole
/// identifier) → optional Porter stemming of plain words and identifier parts. A whole
/// identifier is never stemmed, so `parse_args` still matches exactly, while its parts match
/// the same words in prose (`atomic_write_json` is found by "atomic write").
///
/// Defaults (English stop words, Porter stemming) were chosen by measurement on BEIR SciFact;
/// see `Benchmarks/RESULTS.md`.
public struct StandardAnalyzer: Analyzer {
    public var tokenizer: StandardTokenizer
    public var stopWords: Set<String>
    public var stemming: Bool

    public init(
        tokenizer: StandardTokenizer = StandardTokenizer(), stopWords: Set<String> = StopWords.english,
        stemming: Bool = true
    ) {
        self.tokenizer = tokenizer
        self.stopWords = stopWords
        self.stemming = stemming
    }

    public var identifier: String {
        let stop = stopWords.isEmpty ? "none" : stopWords == StopWords.english ? "en" : "custom\(stopWords.count)"
        return "standard-v1:stop=\(stop):stem=\(stemming ? "porter" : "none"):max=\(tokenizer.maximumTokenBytes)"
    }

    public func terms(in text: String) -> [String] {
        let stemmer = PorterStemmer()
        var terms: [String] = []
        for token in tokenizer.tokens(in: text) {
            switch token.kind {
            case .word, .identifierPart:
                if stopWords.contains(token.text) { continue }
                terms.append(stemming ? stemmer.stem(token.text) : token.text)
            case .identifier, .cjk:
                terms.append(token.text)
            }
        }
        return terms
    }
}
