import Foundation

/// The default embedder: signed feature hashing of character n-grams and whole words.
///
/// For a text: NFKC + case folding; words are maximal runs of letters/digits, minus
/// `stopWords`. Each word w contributes the character n-grams (n in `ngramSizes`, over
/// Unicode scalars) of `"<" + w + ">"` and the whole `"<" + w + ">"` once more as a word
/// feature (fastText's subword scheme). Each distinct feature with count c gets weight
/// 1 + ln c (sublinear term frequency); its 64-bit FNV-1a hash h of the UTF-8 bytes picks the
/// bucket h mod `dimension` and the sign (− when the top bit of h is set). The vector is
/// L2-normalised; a text with no feature gives the zero vector (which scores 0).
///
/// Features are summed in ascending hash order, so vectors are bit-identical in every process.
/// `Benchmarks/peers/hashed_embedder.py` is a Python replica used to check peers.
///
/// Sources: K. Weinberger et al., "Feature Hashing for Large Scale Multitask Learning",
/// ICML 2009; P. Bojanowski et al., "Enriching Word Vectors with Subword Information",
/// TACL 2017.
public struct HashedNGramEmbedder: Embedder {
    public let dimension: Int
    public let ngramSizes: ClosedRange<Int>
    public let stopWords: Set<String>

    /// - Parameters:
    ///   - dimension: vector length, ≥ 1 (memory: 4 × dimension bytes per item).
    ///   - ngramSizes: character n-gram lengths, default 3...5.
    ///   - stopWords: words that contribute nothing (default: English).
    public init(
        dimension: Int = HashedNGramEmbedder.defaultDimension, ngramSizes: ClosedRange<Int> = 3...5,
        stopWords: Set<String> = StopWords.english
    ) {
        precondition(dimension >= 1 && ngramSizes.lowerBound >= 1)
        self.dimension = dimension
        self.ngramSizes = ngramSizes
        self.stopWords = stopWords
        self.longestStopWord = stopWords.map(\.unicodeScalars.count).max() ?? 0
    }

    private let longestStopWord: Int

    /// The default vector length; chosen by measurement (see `Benchmarks/RESULTS.md`).
    public static let defaultDimension = 1024

    public var identifier: String {
        let stop = stopWords.isEmpty ? "none" : stopWords == StopWords.english ? "en" : "custom\(stopWords.count)"
        return "hashed-ngram-v1:fnv1a64:d\(dimension):n\(ngramSizes.lowerBound)-\(ngramSizes.upperBound):stop=\(stop)"
    }

    public func embed(_ texts: [String]) -> [[Float]] {
        texts.map(embed)
    }

    /// One text's vector (length `dimension`, unit L2 norm or all zeros).
    public func embed(_ text: String) -> [Float] {
        let hashes = featureHashes(text)
        var vector = [Double](repeating: 0, count: dimension)
        var index = 0
        while index < hashes.count {
            let hash = hashes[index]
            var count = 1
            while index + count < hashes.count && hashes[index + count] == hash { count += 1 }
            index += count
            let weight = 1 + log(Double(count))
            let bucket = Int(hash % UInt64(dimension))
            vector[bucket] += hash >> 63 == 1 ? -weight : weight
        }
        var norm = 0.0
        for value in vector { norm += value * value }
        guard norm > 0 else { return [Float](repeating: 0, count: dimension) }
        let scale = 1 / norm.squareRoot()
        return vector.map { Float($0 * scale) }
    }

    /// FNV-1a hashes of every feature occurrence, sorted (equal hashes adjacent = counts).
    func featureHashes(_ text: String) -> [UInt64] {
        let scalars = Array(TextNormalizer.folded(text).unicodeScalars)
        var hashes: [UInt64] = []
        hashes.reserveCapacity(scalars.count * 4)
        var start = 0
        var bracketed: [Unicode.Scalar] = []
        while start < scalars.count {
            guard TextNormalizer.isAlphanumeric(scalars[start]) else {
                start += 1
                continue
            }
            var end = start
            while end < scalars.count && TextNormalizer.isAlphanumeric(scalars[end]) { end += 1 }
            let word = scalars[start..<end]
            start = end
            if !stopWords.isEmpty, word.count <= longestStopWord, stopWords.contains(String(String.UnicodeScalarView(word))) {
                continue
            }
            bracketed.removeAll(keepingCapacity: true)
            bracketed.append("<")
            bracketed.append(contentsOf: word)
            bracketed.append(">")
            for n in ngramSizes where n <= bracketed.count {
                for offset in 0...(bracketed.count - n) {
                    var hasher = FNV1a()
                    for scalar in bracketed[offset..<(offset + n)] { hasher.combine(scalar) }
                    hashes.append(hasher.value)
                }
            }
            var whole = FNV1a()
            for scalar in bracketed { whole.combine(scalar) }
            hashes.append(whole.value)
        }
        hashes.sort()
        return hashes
    }
}
