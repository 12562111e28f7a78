/// Compact JSON text appended to one byte buffer, for responses written on every request
/// (Foundation's `JSONEncoder` took 8 % of a filtered HTTP search's CPU for one page of hits).
///
/// Output is byte-for-byte what `JSONEncoder` writes with `[.sortedKeys,
/// .withoutEscapingSlashes]` for the same values, provided the caller writes an object's keys
/// in ascending UTF-8 order (``write(_:)-(JSONValue)`` sorts a value's own keys): strings
/// escape `"`, `\`, and control characters (`\b \f \n \r \t`, others as `\u00XX`); numbers
/// use Swift's shortest round-trip form, a whole `Double` without its `.0`. Tested against
/// `JSONEncoder`.
///
/// Commas are placed by the writer: call ``key(_:)`` before each member's value, and the
/// value writers for array elements and member values alike.
public struct JSONWriter {
    public private(set) var bytes: [UInt8] = []
    /// Per open object or array: whether nothing has been written in it yet.
    private var isFirst: [Bool] = []
    /// A key was just written: its value takes no comma.
    private var afterKey = false

    public init(reservingCapacity capacity: Int = 1024) {
        bytes.reserveCapacity(capacity)
    }

    // MARK: Structure

    public mutating func beginObject() { open(UInt8(ascii: "{")) }
    public mutating func endObject() { close(UInt8(ascii: "}")) }
    public mutating func beginArray() { open(UInt8(ascii: "[")) }
    public mutating func endArray() { close(UInt8(ascii: "]")) }

    private mutating func open(_ bracket: UInt8) {
        separate()
        bytes.append(bracket)
        isFirst.append(true)
    }

    private mutating func close(_ bracket: UInt8) {
        isFirst.removeLast()
        bytes.append(bracket)
    }

    /// A member's key (its value comes next).
    public mutating func key(_ name: String) {
        separate()
        appendQuoted(name)
        bytes.append(UInt8(ascii: ":"))
        afterKey = true
    }

    // MARK: Values

    public mutating func write(_ text: String) {
        separate()
        appendQuoted(text)
    }

    public mutating func write(_ value: Int) {
        separate()
        appendASCII(String(value))
    }

    public mutating func write(_ value: Int64) {
        separate()
        appendASCII(String(value))
    }

    public mutating func write(_ value: Bool) {
        separate()
        appendASCII(value ? "true" : "false")
    }

    /// A finite number in its shortest round-trip form (`0.5`, `1e-05`, `3`); a non-finite one,
    /// which JSON cannot hold, as `null`.
    public mutating func write(_ value: Double) {
        separate()
        guard value.isFinite else { return appendASCII("null") }
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        appendASCII(text)
    }

    public mutating func writeNull() {
        separate()
        appendASCII("null")
    }

    /// A value, its objects' keys in ascending UTF-8 order. Recursive: check
    /// ``JSONValue/nestingDepth(limit:)`` first for values of unknown origin.
    public mutating func write(_ value: JSONValue) {
        switch value {
        case .null: writeNull()
        case .bool(let flag): write(flag)
        case .integer(let number): write(number)
        case .number(let number): write(number)
        case .string(let text): write(text)
        case .array(let values):
            beginArray()
            for element in values { write(element) }
            endArray()
        case .object(let members):
            beginObject()
            for name in members.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
                key(name)
                write(members[name]!)
            }
            endObject()
        }
    }

    // MARK: Bytes

    private mutating func separate() {
        if afterKey {
            afterKey = false
            return
        }
        guard !isFirst.isEmpty else { return }
        if isFirst[isFirst.count - 1] {
            isFirst[isFirst.count - 1] = false
        } else {
            bytes.append(UInt8(ascii: ","))
        }
    }

    private mutating func appendASCII(_ text: String) {
        var text = text
        text.withUTF8 { bytes.append(contentsOf: $0) }
    }

    private mutating func appendQuoted(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { utf8 in
            var runStart = 0
            for index in 0..<utf8.count {
                let byte = utf8[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
                runStart = index + 1
                switch byte {
                case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
                case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
                case 0x08: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
                case 0x0C: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
                case 0x0A: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
                case 0x0D: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
                case 0x09: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
                default:
                    let hex = Array("0123456789abcdef".utf8)
                    bytes.append(contentsOf: [
                        UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                        hex[Int(byte >> 4)], hex[Int(byte & 0xF)],
                    ])
                }
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<utf8.count]))
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
