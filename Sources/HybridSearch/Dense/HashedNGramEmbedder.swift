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
/// Features are counted in an open-addressing table (``FeatureCounter``) and summed in order of
/// first occurrence in the text, so vectors are bit-identical in every process.
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
        // By length, in NFC (the folded text is NFKC, so canonically equivalent spellings —
        // what `String` equality would match — are equal scalar for scalar).
        var byLength: [[[Unicode.Scalar]]] = []
        for word in stopWords {
            let scalars = Array(word.canonicallyComposed.unicodeScalars)
            while byLength.count <= scalars.count { byLength.append([]) }
            byLength[scalars.count].append(scalars)
        }
        self.stopWordsByLength = byLength
    }

    /// `stopWords` as scalars, indexed by length: a word is checked without building a string.
    private let stopWordsByLength: [[[Unicode.Scalar]]]

    /// The default vector length; chosen by measurement (see `Benchmarks/RESULTS.md`).
    public static let defaultDimension = 1024

    public var identifier: String {
        let stop = stopWords.isEmpty ? "none" : stopWords == StopWords.english ? "en" : "custom\(stopWords.count)"
        return "hashed-ngram-v1:fnv1a64:d\(dimension):n\(ngramSizes.lowerBound)-\(ngramSizes.upperBound):stop=\(stop)"
    }

    /// One vector per text, in order. A batch of 16 or more texts is split over the cores
    /// (each text's vector is the same either way).
    public func embed(_ texts: [String]) -> [[Float]] {
        let slices = min(ProcessInfo.processInfo.activeProcessorCount, texts.count / 8)
        guard slices > 1 else { return texts.map(embed) }
        let size = (texts.count + slices - 1) / slices
        let parts = (0..<slices).map { Array(texts[min($0 * size, texts.count)..<min(($0 + 1) * size, texts.count)]) }
        return parts.concurrentMap { $0.map(embed) }.flatMap { $0 }
    }

    /// One text's vector (length `dimension`, unit L2 norm or all zeros).
    public func embed(_ text: String) -> [Float] {
        var counter = FeatureCounter(expected: text.utf8.count * 3)
        forEachFeatureHash(text) { counter.add($0) }
        var vector = [Double](repeating: 0, count: dimension)
        // First-occurrence order is fixed by the text, so the sums are the same in every process.
        counter.forEach { hash, count in
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

    /// FNV-1a hashes of every feature occurrence, sorted (for tests and inspection).
    func featureHashes(_ text: String) -> [UInt64] {
        var hashes: [UInt64] = []
        forEachFeatureHash(text) { hashes.append($0) }
        return hashes.sorted()
    }

    /// Calls `body` with the FNV-1a hash of every feature occurrence, in text order: for each
    /// word, its n-grams by ascending n, each n by ascending offset, then the whole bracketed
    /// word.
    ///
    /// FNV-1a runs left to right, so the hash of an n-gram is the running hash of the (n−1)-gram
    /// at the same offset fed one more scalar: each offset is hashed once for every n
    /// (≈ 5 scalar steps per offset instead of 12 for n = 3…5), into a table replayed in the
    /// documented order.
    func forEachFeatureHash(_ text: String, _ body: (UInt64) -> Void) {
        let scalars = Array(TextNormalizer.folded(text).unicodeScalars)
        let lower = ngramSizes.lowerBound
        let upper = ngramSizes.upperBound
        var bracketed: [Unicode.Scalar] = []
        var table: [UInt64] = []  // (n − lower) × count + offset
        var start = 0
        while start < scalars.count {
            guard TextNormalizer.isAlphanumeric(scalars[start]) else {
                start += 1
                continue
            }
            var end = start
            while end < scalars.count && TextNormalizer.isAlphanumeric(scalars[end]) { end += 1 }
            let word = scalars[start..<end]
            start = end
            if word.count < stopWordsByLength.count, stopWordsByLength[word.count].contains(where: { $0.elementsEqual(word) }) {
                continue
            }
            bracketed.removeAll(keepingCapacity: true)
            bracketed.append("<")
            bracketed.append(contentsOf: word)
            bracketed.append(">")
            let count = bracketed.count
            let longest = min(upper, count)
            var whole: UInt64 = FNV1a.offsetBasis
            if longest >= lower {
                table.removeAll(keepingCapacity: true)
                table.append(contentsOf: repeatElement(0, count: (longest - lower + 1) * count))
                for offset in 0..<count {
                    var hasher = FNV1a()
                    let reach = min(longest, count - offset)
                    for length in 1...reach {
                        hasher.combine(bracketed[offset + length - 1])
                        if length >= lower { table[(length - lower) * count + offset] = hasher.value }
                    }
                    if offset == 0 {
                        // The whole word continues the running hash of offset 0.
                        for index in reach..<count { hasher.combine(bracketed[index]) }
                        whole = hasher.value
                    }
                }
                for n in lower...longest {
                    for offset in 0...(count - n) { body(table[(n - lower) * count + offset]) }
                }
            } else {
                var hasher = FNV1a()
                for scalar in bracketed { hasher.combine(scalar) }
                whole = hasher.value
            }
            body(whole)
        }
    }
}

/// Counts 64-bit feature hashes in an open-addressing table (linear probing) and replays them
/// in first-occurrence order: O(n), no per-process hashing, deterministic.
struct FeatureCounter {
    private var keys: [UInt64]
    private var slots: [Int32]  // index into `order` + 1; 0 = empty
    private var order: [UInt64] = []
    private var counts: [Int32] = []
    private var mask: Int

    init(expected: Int) {
        var capacity = 64
        while capacity < expected * 2 { capacity <<= 1 }
        keys = [UInt64](repeating: 0, count: capacity)
        slots = [Int32](repeating: 0, count: capacity)
        mask = capacity - 1
    }

    mutating func add(_ hash: UInt64) {
        if order.count * 2 >= keys.count { grow() }
        var slot = Int(truncatingIfNeeded: hash ^ (hash >> 29)) & mask
        while slots[slot] != 0 {
            if keys[slot] == hash {
                counts[Int(slots[slot]) - 1] += 1
                return
            }
            slot = (slot + 1) & mask
        }
        keys[slot] = hash
        order.append(hash)
        counts.append(1)
        slots[slot] = Int32(order.count)
    }

    func forEach(_ body: (UInt64, Int32) -> Void) {
        for index in order.indices { body(order[index], counts[index]) }
    }

    private mutating func grow() {
        let oldOrder = order
        let oldCounts = counts
        let capacity = keys.count * 2
        keys = [UInt64](repeating: 0, count: capacity)
        slots = [Int32](repeating: 0, count: capacity)
        mask = capacity - 1
        order.removeAll(keepingCapacity: true)
        counts.removeAll(keepingCapacity: true)
        for (hash, count) in zip(oldOrder, oldCounts) {
            add(hash)
            counts[counts.count - 1] = count
        }
    }
}
