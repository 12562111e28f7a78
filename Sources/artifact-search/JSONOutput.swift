import Foundation

/// Writes `--json` output: sorted keys, slashes unescaped, one value per call, followed by a
/// newline. Compact (one line) unless `pretty`. Goes through `print`, so it stays in order
/// with the program's other output.
enum JSONOutput {
    static func print<Value: Encodable>(_ value: Value, pretty: Bool = false) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        if pretty { encoder.outputFormatting.insert(.prettyPrinted) }
        Swift.print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }
}
