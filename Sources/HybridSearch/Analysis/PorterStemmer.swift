/// The Porter stemming algorithm for English.
///
/// Source: M. F. Porter, "An algorithm for suffix stripping", Program 14(3), 1980, following
/// the author's reference C implementation (including its documented departures:
/// `-bli → -ble`, `-logi → -log`). Only lower-case ASCII words longer than two letters are
/// changed; anything else is returned as is.
///
/// - Complexity: O(n) in the word's length.
public struct PorterStemmer: Sendable {
    public init() {}

    public func stem(_ word: String) -> String {
        let count = word.utf8.count
        guard count > 2, word.utf8.allSatisfy({ $0 >= 0x61 && $0 <= 0x7A }) else { return word }
        if let cached = StemCache.shared.stem(of: word) { return cached }
        let stemmed = computeStem(Array(word.utf8))
        StemCache.shared.store(stemmed, for: word)
        return stemmed
    }

    private func computeStem(_ word: [UInt8]) -> String {
        var utf8 = word
        var state = State(b: utf8, k: utf8.count - 1, j: 0)
        state.step1ab()
        if state.k > 0 {
            state.step1c()
            state.step2()
            state.step3()
            state.step4()
            state.step5()
        }
        utf8 = Array(state.b[0...state.k])
        return String(decoding: utf8, as: UTF8.self)
    }

    private struct State {
        var b: [UInt8]
        var k: Int
        var j: Int

        func isConsonant(_ i: Int) -> Bool {
            switch b[i] {
            case UInt8(ascii: "a"), UInt8(ascii: "e"), UInt8(ascii: "i"), UInt8(ascii: "o"),
                UInt8(ascii: "u"):
                return false
            case UInt8(ascii: "y"):
                return i == 0 ? true : !isConsonant(i - 1)
            default:
                return true
            }
        }

        /// Number of vowel-consonant sequences in b[0...j].
        func measure() -> Int {
            var n = 0
            var i = 0
            while true {
                if i > j { return n }
                if !isConsonant(i) { break }
                i += 1
            }
            i += 1
            while true {
                while true {
                    if i > j { return n }
                    if isConsonant(i) { break }
                    i += 1
                }
                i += 1
                n += 1
                while true {
                    if i > j { return n }
                    if !isConsonant(i) { break }
                    i += 1
                }
                i += 1
            }
        }

        func vowelInStem() -> Bool {
            guard j >= 0 else { return false }
            for i in 0...j where !isConsonant(i) { return true }
            return false
        }

        func doubleConsonant(_ i: Int) -> Bool {
            i >= 1 && b[i] == b[i - 1] && isConsonant(i)
        }

        /// consonant-vowel-consonant ending at i, the last not w, x or y.
        func cvc(_ i: Int) -> Bool {
            guard i >= 2, isConsonant(i), !isConsonant(i - 1), isConsonant(i - 2) else { return false }
            let ch = b[i]
            return ch != UInt8(ascii: "w") && ch != UInt8(ascii: "x") && ch != UInt8(ascii: "y")
        }

        mutating func ends(_ suffix: StaticString) -> Bool {
            let length = suffix.utf8CodeUnitCount
            guard length <= k + 1 else { return false }
            let start = k - length + 1
            let matches = suffix.withUTF8Buffer { buffer in
                for offset in 0..<length where b[start + offset] != buffer[offset] { return false }
                return true
            }
            if matches { j = k - length }
            return matches
        }

        mutating func setTo(_ replacement: StaticString) {
            let length = replacement.utf8CodeUnitCount
            b.removeSubrange((j + 1)...)
            replacement.withUTF8Buffer { b.append(contentsOf: $0) }
            k = j + length
        }

        mutating func replaceIfMeasured(_ replacement: StaticString) {
            if measure() > 0 { setTo(replacement) }
        }

        mutating func trimToK() {
            if b.count > k + 1 { b.removeSubrange((k + 1)...) }
        }

        mutating func step1ab() {
            if b[k] == UInt8(ascii: "s") {
                if ends("sses") {
                    k -= 2
                } else if ends("ies") {
                    setTo("i")
                } else if k >= 1 && b[k - 1] != UInt8(ascii: "s") {
                    k -= 1
                }
            }
            trimToK()
            if ends("eed") {
                if measure() > 0 { k -= 1 }
            } else if (ends("ed") || ends("ing")) && vowelInStem() {
                k = j
                trimToK()
                if ends("at") {
                    setTo("ate")
                } else if ends("bl") {
                    setTo("ble")
                } else if ends("iz") {
                    setTo("ize")
                } else if doubleConsonant(k) {
                    k -= 1
                    let ch = b[k]
                    if ch == UInt8(ascii: "l") || ch == UInt8(ascii: "s") || ch == UInt8(ascii: "z") {
                        k += 1
                    }
                } else {
                    j = k
                    if measure() == 1 && cvc(k) { setTo("e") }
                }
            }
            trimToK()
        }

        mutating func step1c() {
            if ends("y") && vowelInStem() { b[k] = UInt8(ascii: "i") }
        }

        mutating func step2() {
            guard k >= 1 else { return }
            switch b[k - 1] {
            case UInt8(ascii: "a"):
                if ends("ational") { replaceIfMeasured("ate") }
                else if ends("tional") { replaceIfMeasured("tion") }
            case UInt8(ascii: "c"):
                if ends("enci") { replaceIfMeasured("ence") }
                else if ends("anci") { replaceIfMeasured("ance") }
            case UInt8(ascii: "e"):
                if ends("izer") { replaceIfMeasured("ize") }
            case UInt8(ascii: "l"):
                if ends("bli") { replaceIfMeasured("ble") }
                else if ends("alli") { replaceIfMeasured("al") }
                else if ends("entli") { replaceIfMeasured("ent") }
                else if ends("eli") { replaceIfMeasured("e") }
                else if ends("ousli") { replaceIfMeasured("ous") }
            case UInt8(ascii: "o"):
                if ends("ization") { replaceIfMeasured("ize") }
                else if ends("ation") { replaceIfMeasured("ate") }
                else if ends("ator") { replaceIfMeasured("ate") }
            case UInt8(ascii: "s"):
                if ends("alism") { replaceIfMeasured("al") }
                else if ends("iveness") { replaceIfMeasured("ive") }
                else if ends("fulness") { replaceIfMeasured("ful") }
                else if ends("ousness") { replaceIfMeasured("ous") }
            case UInt8(ascii: "t"):
                if ends("aliti") { replaceIfMeasured("al") }
                else if ends("iviti") { replaceIfMeasured("ive") }
                else if ends("biliti") { replaceIfMeasured("ble") }
            case UInt8(ascii: "g"):
                if ends("logi") { replaceIfMeasured("log") }
            default:
                break
            }
        }

        mutating func step3() {
            switch b[k] {
            case UInt8(ascii: "e"):
                if ends("icate") { replaceIfMeasured("ic") }
                else if ends("ative") { replaceIfMeasured("") }
                else if ends("alize") { replaceIfMeasured("al") }
            case UInt8(ascii: "i"):
                if ends("iciti") { replaceIfMeasured("ic") }
            case UInt8(ascii: "l"):
                if ends("ical") { replaceIfMeasured("ic") }
                else if ends("ful") { replaceIfMeasured("") }
            case UInt8(ascii: "s"):
                if ends("ness") { replaceIfMeasured("") }
            default:
                break
            }
        }

        mutating func step4() {
            guard k >= 1 else { return }
            let matched: Bool
            switch b[k - 1] {
            case UInt8(ascii: "a"): matched = ends("al")
            case UInt8(ascii: "c"): matched = ends("ance") || ends("ence")
            case UInt8(ascii: "e"): matched = ends("er")
            case UInt8(ascii: "i"): matched = ends("ic")
            case UInt8(ascii: "l"): matched = ends("able") || ends("ible")
            case UInt8(ascii: "n"): matched = ends("ant") || ends("ement") || ends("ment") || ends("ent")
            case UInt8(ascii: "o"):
                if ends("ion") && j >= 0 && (b[j] == UInt8(ascii: "s") || b[j] == UInt8(ascii: "t")) {
                    matched = true
                } else {
                    matched = ends("ou")
                }
            case UInt8(ascii: "s"): matched = ends("ism")
            case UInt8(ascii: "t"): matched = ends("ate") || ends("iti")
            case UInt8(ascii: "u"): matched = ends("ous")
            case UInt8(ascii: "v"): matched = ends("ive")
            case UInt8(ascii: "z"): matched = ends("ize")
            default: matched = false
            }
            if matched && measure() > 1 {
                k = j
                trimToK()
            }
        }

        mutating func step5() {
            j = k
            if b[k] == UInt8(ascii: "e") {
                let a = measure()
                if a > 1 || (a == 1 && !cvc(k - 1)) { k -= 1 }
            }
            if b[k] == UInt8(ascii: "l") && doubleConsonant(k) && measure() > 1 { k -= 1 }
            trimToK()
        }
    }
}

/// A process-wide memo of stems: a corpus repeats its words, and a dictionary lookup costs a
/// fraction of stemming. Bounded: cleared when it reaches `capacity` entries.
final class StemCache: @unchecked Sendable {
    static let shared = StemCache(capacity: 200_000)

    private let capacity: Int
    private var stems: [String: String] = [:]  // guarded by `lock`
    private let lock = ReadWriteLock()

    init(capacity: Int) { self.capacity = capacity }

    func stem(of word: String) -> String? {
        lock.withReadLock { stems[word] }
    }

    func store(_ stem: String, for word: String) {
        lock.withWriteLock {
            if stems.count >= capacity { stems.removeAll(keepingCapacity: true) }
            stems[word] = stem
        }
    }
}
