/// Turns text into index terms. The same analyzer must serve documents and queries.
public protocol Analyzer: Sendable {
    /// Stable name persisted with an index; changes whenever the terms would change.
    var identifier: String { get }
    /// The terms of `text` in order of appearance, repeats kept (they are term frequencies).
    func terms(in text: String) -> [String]
}

/// Splits normalised text into raw tokens; ``StandardAnalyzer`` builds terms from them.
public protocol Tokenizer: Sendable {
    func tokens(in text: String) -> [Token]
}

/// A raw token produced by a ``Tokenizer``.
public struct Token: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        /// Letters only in one case pattern (`word`, `Word`, `WORD`): may be stemmed.
        case word
        /// The whole of an identifier (`atomic_write_json`, `getUserById`, `mp3`).
        case identifier
        /// A piece of an identifier (`atomic`, `user`, `3`): never stemmed.
        case identifierPart
        /// A CJK character bigram, or a lone CJK character.
        case cjk
    }

    /// Case-folded text of the token.
    public var text: String
    public var kind: Kind

    public init(text: String, kind: Kind) {
        self.text = text
        self.kind = kind
    }
}
