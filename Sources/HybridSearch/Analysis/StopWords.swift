/// Stop-word lists.
public enum StopWords {
    /// The 33 English stop words of Lucene's `EnglishAnalyzer` (also Elasticsearch's `_english_`
    /// set and bm25s's `"en"` list), so lexical figures compare like with like.
    public static let english: Set<String> = [
        "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is",
        "it", "no", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there",
        "these", "they", "this", "to", "was", "will", "with",
    ]
}
