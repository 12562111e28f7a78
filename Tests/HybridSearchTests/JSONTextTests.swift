import Foundation
import Testing

@testable import HybridSearch

/// `JSONReader` and `JSONWriter` against Foundation: the writer's bytes are `JSONEncoder`'s,
/// and whatever the reader accepts, `JSONDecoder` decodes to the same value.
@Suite("JSON text reading and writing")
struct JSONTextTests {
    /// Random values: strings with every escape class, integers at the 64-bit edges, doubles
    /// from bit patterns, nesting, keys that sort differently by bytes and by characters.
    struct Generator {
        var state: UInt64

        mutating func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 11
        }

        mutating func string() -> String {
            let pieces = [
                "a", "Z", "0", " ", "\"", "\\", "/", "\n", "\r", "\t", "\u{8}", "\u{C}", "\u{0}", "\u{1F}", "\u{7F}", "é",
                "日本", "😀", "\u{2028}", "\u{FEFF}", "e\u{301}", "key", "_", "{", "]",
            ]
            return (0..<Int(next() % 6)).map { _ in pieces[Int(next() % UInt64(pieces.count))] }.joined()
        }

        mutating func double() -> Double {
            let special: [Double] = [0, -0.0, 0.1, 1.5, -2.25, 1e-7, 1e16, 1e300, .leastNonzeroMagnitude, 123_456.789, 1 / 3, 4.0, -1e22]
            if next() % 2 == 0 { return special[Int(next() % UInt64(special.count))] }
            let value = Double(bitPattern: next() << 11 | next() % 2048)
            return value.isFinite ? value : 1.25
        }

        mutating func value(depth: Int = 0) -> JSONValue {
            switch next() % (depth < 4 ? 8 : 6) {
            case 0: return .null
            case 1: return .bool(next() % 2 == 0)
            case 2:
                let edges: [Int64] = [0, -1, 1, .max, .min, 9_007_199_254_740_993]
                return .integer(next() % 2 == 0 ? edges[Int(next() % 6)] : Int64(bitPattern: next() << 11))
            case 3:
                let number = double()
                return Int64(exactly: number).map(JSONValue.integer) ?? .number(number)
            case 4, 5: return .string(string())
            case 6: return .array((0..<Int(next() % 4)).map { _ in value(depth: depth + 1) })
            default:
                var members: [String: JSONValue] = [:]
                for _ in 0..<Int(next() % 4) { members[string()] = value(depth: depth + 1) }
                return .object(members)
            }
        }
    }

    static func foundationBytes(_ value: some Encodable) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }

    @Test("The writer's bytes are JSONEncoder's (sorted keys, unescaped slashes) for generated values", arguments: [1, 2, 3])
    func writerMatchesEncoder(seed: UInt64) throws {
        var generator = Generator(state: seed)
        for _ in 0..<400 {
            let value = generator.value()
            var writer = JSONWriter()
            writer.write(value)
            let expected = try Self.foundationBytes(value)
            #expect(writer.bytes == expected, "\(String(decoding: writer.bytes, as: UTF8.self)) vs \(String(decoding: expected, as: UTF8.self))")
        }
    }

    @Test("Doubles are written as JSONEncoder writes them: shortest round trip, whole numbers without .0, non-finite as null")
    func doubles() throws {
        for number in [0.5, 1e-5, 1e16, 1e21, -3.0, 0.1 + 0.2, .leastNonzeroMagnitude, 1.7976931348623157e308, 100] {
            var writer = JSONWriter()
            writer.write(number)
            #expect(writer.bytes == (try Self.foundationBytes(number)), "\(number)")
        }
        var writer = JSONWriter()
        writer.beginArray()
        writer.write(Double.nan)
        writer.write(-Double.infinity)
        writer.endArray()
        #expect(String(decoding: writer.bytes, as: UTF8.self) == "[null,null]")
    }

    @Test("Members and elements get their commas; nested containers close in order")
    func structure() {
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("a")
        writer.beginArray()
        writer.write(1)
        writer.beginObject()
        writer.endObject()
        writer.write("x")
        writer.endArray()
        writer.key("b")
        writer.writeNull()
        writer.endObject()
        #expect(String(decoding: writer.bytes, as: UTF8.self) == #"{"a":[1,{},"x"],"b":null}"#)
    }

    @Test("What JSONEncoder writes, the reader reads back to the value JSONDecoder gives", arguments: [4, 5, 6])
    func readerMatchesDecoder(seed: UInt64) throws {
        var generator = Generator(state: seed)
        let plain = JSONEncoder()  // escaped slashes too: the reader must undo `\/`
        for _ in 0..<400 {
            let value = generator.value()
            let text = String(decoding: try plain.encode(value), as: UTF8.self)
            let read = JSONReader.read(text) { (reader: inout JSONReader) throws(JSONReader.Failure) in try reader.readValue() }
            let decoded = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
            #expect(read == decoded, "\(text)")
            #expect(read?.canonicalJSON == decoded.canonicalJSON, "\(text)")
        }
    }

    @Test("Malformed, hostile and unusual text: the reader refuses it or reads what JSONDecoder reads", arguments: [
        "01", "1.", ".5", "+1", "-", "1e", "1e+", "[1,]", "[,1]", #"{"a":1,}"#, #"{"a" 1}"#, #"{a:1}"#, #""\x""#,
        #""\ud800""#, #""\udc00""#, #""\ud800\u0041""#, "\"a\u{1}b\"", #""\u12""#, "nul", "tru", "[", "{", "]", "1 2",
        #"{"a":1}}"#, "", "   ", "1e400", "-1e400", #"{"a":1,"a":2}"#, #""\ud83d\ude00""#, #""\u00e9\n\/""#, "-0",
        "-0.0e0", "1E2", "9223372036854775808", "-9223372036854775809", "123456789012345678901234567890",
        "1.0000000000000000000000001", "2.2250738585072011e-308", " [ true , false , null ] ", "\u{FEFF}1", "[1]\u{0}",
        String(repeating: "[", count: 65) + String(repeating: "]", count: 65),
        String(repeating: "[", count: 64) + String(repeating: "]", count: 64),
    ])
    func hostileText(text: String) {
        let read = JSONReader.read(text) { (reader: inout JSONReader) throws(JSONReader.Failure) in try reader.readValue() }
        let decoded = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        if let read {
            #expect(read == decoded, "the reader took \(text.debugDescription) as \(read), Foundation as \(String(describing: decoded))")
        }
    }

    @Test("The reader's strictness: these are refused (the caller's JSONDecoder fallback then decides)")
    func refusals() {
        func reads(_ text: String) -> Bool {
            JSONReader.read(text) { (reader: inout JSONReader) throws(JSONReader.Failure) in try reader.readValue() } != nil
        }
        for text in ["01", "1.", "[1,]", #""\ud800""#, "\"a\u{1}b\"", "1e400", #"{"a":1,"a":2}"#, "1 2", ""] {
            #expect(!reads(text), "\(text.debugDescription)")
        }
        #expect(!reads(String(repeating: "[", count: 65) + String(repeating: "]", count: 65)))
        #expect(reads(String(repeating: "[", count: 64) + String(repeating: "]", count: 64)))
        #expect(reads(#""\ud83d\ude00""#))
        // Typed reads refuse the other types.
        #expect(JSONReader.read("1.5") { (reader: inout JSONReader) throws(JSONReader.Failure) in try reader.readInt() } == nil)
        #expect(JSONReader.read("12") { (reader: inout JSONReader) throws(JSONReader.Failure) in try reader.readInt() } == 12)
        #expect(JSONReader.read(#""1""#) { (reader: inout JSONReader) throws(JSONReader.Failure) in try reader.readDouble() } == nil)
        #expect(JSONReader.read("null") { (reader: inout JSONReader) throws(JSONReader.Failure) in try reader.readString() } == nil)
    }
}
