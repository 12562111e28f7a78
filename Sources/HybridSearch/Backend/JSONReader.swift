/// A pull reader of strict JSON text (RFC 8259) over its UTF-8 bytes, for hot paths where
/// Foundation's `JSONDecoder` costs more than the work around it (an artifact record decoded
/// per search hit: about 20 µs through `Codable`, a few µs here).
///
/// It reads the text in order, value by value; the caller says what it expects next
/// (``readString()``, ``readObject(_:)``, …). Anything unexpected — a wrong type, a syntax
/// error, invalid UTF-8, a lone surrogate escape, a number that overflows a `Double`, a
/// duplicate key in ``readValue()``, nesting past ``maximumNestingDepth`` — is a
/// ``Failure`` carrying the byte offset and no explanation: callers fall back to `JSONDecoder`,
/// whose typed error says what is wrong. Whatever this reader accepts, `JSONDecoder` accepts
/// with the same values (tested against it on generated and hostile inputs).
///
/// Complexity: one pass over the bytes; strings without escapes are validated and copied once.
public struct JSONReader {
    /// Where reading stopped: the byte offset of the unexpected input.
    public struct Failure: Error, Sendable {
        public let offset: Int
    }

    /// The deepest nesting ``readValue()`` follows (recursion stays shallow; deeper values go
    /// to the caller's fallback, which allows Foundation's 512).
    public static let maximumNestingDepth = 64

    private let bytes: UnsafeRawBufferPointer
    private var position = 0

    private init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    /// Reads `text` with `body`, which must consume exactly one JSON value; `nil` if it fails
    /// or leaves anything but whitespace after the value.
    public static func read<T>(_ text: String, _ body: (inout JSONReader) throws(Failure) -> T) -> T? {
        var text = text
        return text.withUTF8 { buffer in
            var reader = JSONReader(UnsafeRawBufferPointer(buffer))
            do {
                let value = try body(&reader)
                reader.skipWhitespace()
                return reader.position == reader.bytes.count ? value : nil
            } catch {
                return nil
            }
        }
    }

    // MARK: Structure

    /// Reads an object, handing each member's key to `member`, which must read its value.
    public mutating func readObject(_ member: (inout JSONReader, String) throws(Failure) -> Void) throws(Failure) {
        try readSequence(open: UInt8(ascii: "{"), close: UInt8(ascii: "}")) { (reader: inout JSONReader) throws(Failure) in
            let key = try reader.readString()
            try reader.expect(UInt8(ascii: ":"))
            try member(&reader, key)
        }
    }

    /// Reads an array, calling `element` for each element, which must read it.
    public mutating func readArray(_ element: (inout JSONReader) throws(Failure) -> Void) throws(Failure) {
        try readSequence(open: UInt8(ascii: "["), close: UInt8(ascii: "]"), element)
    }

    /// Reads an object as a dictionary, each value read by `value`; a duplicate key fails.
    public mutating func readDictionary<Value>(_ value: (inout JSONReader) throws(Failure) -> Value) throws(Failure)
        -> [String: Value]
    {
        var members: [String: Value] = [:]
        try readObject { (reader: inout JSONReader, key: String) throws(Failure) in
            let start = reader.position
            guard members.updateValue(try value(&reader), forKey: key) == nil else { throw reader.fail(at: start) }
        }
        return members
    }

    /// `open`, then items separated by commas (`item` reads one), then `close`: the shape of
    /// arrays and objects alike. An empty sequence is `open` and `close` alone; a trailing
    /// comma fails (the next item finds the closing byte).
    private mutating func readSequence(
        open: UInt8, close: UInt8, _ item: (inout JSONReader) throws(Failure) -> Void
    ) throws(Failure) {
        try expect(open)
        skipWhitespace()
        if peek() == close {
            position += 1
            return
        }
        while true {
            try item(&self)
            skipWhitespace()
            guard let next = peek() else { throw fail() }
            position += 1
            if next == close { return }
            guard next == UInt8(ascii: ",") else { throw fail(at: position - 1) }
        }
    }

    /// Consumes `null` if it comes next: `true` if it did.
    public mutating func readNull() throws(Failure) -> Bool {
        skipWhitespace()
        guard peek() == UInt8(ascii: "n") else { return false }
        try expectLiteral("null")
        return true
    }

    // MARK: Scalars

    public mutating func readBool() throws(Failure) -> Bool {
        skipWhitespace()
        switch peek() {
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return true
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return false
        default: throw fail()
        }
    }

    /// An integer written without fraction or exponent, within `Int`'s range.
    public mutating func readInt() throws(Failure) -> Int {
        let token = try numberToken()
        guard token.isInteger, let value = Int(token.text) else { throw fail(at: token.start) }
        return value
    }

    /// Any JSON number as the nearest `Double` (correctly rounded); overflow to infinity fails.
    public mutating func readDouble() throws(Failure) -> Double {
        let token = try numberToken()
        guard let value = Double(token.text), value.isFinite else { throw fail(at: token.start) }
        return value
    }

    public mutating func readString() throws(Failure) -> String {
        skipWhitespace()
        try expect(UInt8(ascii: "\""))
        let start = position
        // Fast path: no escapes — validate and copy the bytes between the quotes at once.
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                let slice = UnsafeRawBufferPointer(rebasing: bytes[start..<position])
                guard let text = String(validating: slice.bindMemory(to: UInt8.self), as: UTF8.self) else {
                    throw fail(at: start)
                }
                position += 1
                return text
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw fail() }
            position += 1
        }
        return try readEscapedString(from: start)
    }

    /// The rest of a string that has escapes, `start` being its first byte after the quote.
    private mutating func readEscapedString(from start: Int) throws(Failure) -> String {
        var utf8: [UInt8] = Array(UnsafeRawBufferPointer(rebasing: bytes[start..<position]))
        while position < bytes.count {
            let byte = bytes[position]
            position += 1
            switch byte {
            case UInt8(ascii: "\""):
                guard let text = String(validating: utf8, as: UTF8.self) else { throw fail(at: start) }
                return text
            case UInt8(ascii: "\\"):
                guard let escape = peek() else { throw fail() }
                position += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(escape)
                case UInt8(ascii: "b"): utf8.append(0x08)
                case UInt8(ascii: "f"): utf8.append(0x0C)
                case UInt8(ascii: "n"): utf8.append(0x0A)
                case UInt8(ascii: "r"): utf8.append(0x0D)
                case UInt8(ascii: "t"): utf8.append(0x09)
                case UInt8(ascii: "u"):
                    var value = try hexQuad()
                    if (0xD800..<0xDC00).contains(value) {
                        // A high surrogate must be followed by an escaped low one.
                        guard peek() == UInt8(ascii: "\\"), position + 1 < bytes.count,
                            bytes[position + 1] == UInt8(ascii: "u")
                        else { throw fail() }
                        position += 2
                        let low = try hexQuad()
                        guard (0xDC00..<0xE000).contains(low) else { throw fail() }
                        value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00..<0xE000).contains(value) {
                        throw fail()
                    }
                    guard let scalar = Unicode.Scalar(value) else { throw fail() }
                    utf8.append(contentsOf: UTF8.encode(scalar)!)
                default: throw fail(at: position - 1)
                }
            default:
                if byte < 0x20 { throw fail(at: position - 1) }
                utf8.append(byte)
            }
        }
        throw fail()
    }

    private mutating func hexQuad() throws(Failure) -> UInt32 {
        guard position + 4 <= bytes.count else { throw fail() }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw fail()
            }
            value = value << 4 | UInt32(digit)
            position += 1
        }
        return value
    }

    /// Any value, typed as ``JSONValue``'s `Decodable` conformance types it: an integer within
    /// ±2⁶³ (or any number that is a whole `Double` within it) as ``JSONValue/integer(_:)``,
    /// other numbers as ``JSONValue/number(_:)``. Duplicate keys fail.
    public mutating func readValue() throws(Failure) -> JSONValue {
        try readValue(depth: 0)
    }

    private mutating func readValue(depth: Int) throws(Failure) -> JSONValue {
        skipWhitespace()
        switch peek() {
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return .null
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return .bool(try readBool())
        case UInt8(ascii: "\""): return .string(try readString())
        case UInt8(ascii: "["):
            guard depth < Self.maximumNestingDepth else { throw fail() }
            var values: [JSONValue] = []
            try readArray { (reader: inout JSONReader) throws(Failure) in
                values.append(try reader.readValue(depth: depth + 1))
            }
            return .array(values)
        case UInt8(ascii: "{"):
            guard depth < Self.maximumNestingDepth else { throw fail() }
            return .object(try readDictionary { (reader: inout JSONReader) throws(Failure) in try reader.readValue(depth: depth + 1) })
        default:
            let token = try numberToken()
            if token.isInteger, let value = Int64(token.text) { return .integer(value) }
            guard let value = Double(token.text), value.isFinite else { throw fail(at: token.start) }
            if let whole = Int64(exactly: value) { return .integer(whole) }
            return .number(value)
        }
    }

    // MARK: Bytes

    /// A number's text, checked against JSON's grammar: `-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?`.
    private mutating func numberToken() throws(Failure) -> (text: Substring, isInteger: Bool, start: Int) {
        skipWhitespace()
        let start = position
        func digits() -> Int {
            let first = position
            while let byte = peek(), byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") { position += 1 }
            return position - first
        }
        if peek() == UInt8(ascii: "-") { position += 1 }
        let integerStart = position
        let integerDigits = digits()
        guard integerDigits > 0, integerDigits == 1 || bytes[integerStart] != UInt8(ascii: "0") else { throw fail(at: start) }
        var isInteger = true
        if peek() == UInt8(ascii: ".") {
            position += 1
            guard digits() > 0 else { throw fail(at: start) }
            isInteger = false
        }
        if let byte = peek(), byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
            position += 1
            if let sign = peek(), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { position += 1 }
            guard digits() > 0 else { throw fail(at: start) }
            isInteger = false
        }
        // The token is ASCII by construction.
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
        return (Substring(text), isInteger, start)
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(Failure) {
        let count = literal.utf8CodeUnitCount
        guard position + count <= bytes.count else { throw fail() }
        let matches = literal.withUTF8Buffer { expected in
            (0..<count).allSatisfy { bytes[position + $0] == expected[$0] }
        }
        guard matches else { throw fail() }
        position += count
    }

    private mutating func expect(_ byte: UInt8) throws(Failure) {
        skipWhitespace()
        guard peek() == byte else { throw fail() }
        position += 1
    }

    @inline(__always)
    private func peek() -> UInt8? { position < bytes.count ? bytes[position] : nil }

    private mutating func skipWhitespace() {
        while let byte = peek(), byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { position += 1 }
    }

    private func fail(at offset: Int? = nil) -> Failure { Failure(offset: offset ?? position) }

    /// A failure at the current position, for a caller that rejects what it read (a value of
    /// the right type but not acceptable, such as a malformed date).
    public func failure() -> Failure { fail() }
}
