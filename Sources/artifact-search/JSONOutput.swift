import Foundation

/// Writes `--json` output: sorted keys, slashes unescaped, one value per call, followed by a
/// newline. Compact (one line) unless `pretty`. Goes through `print`, so it stays in order
/// with the program's other output.
///
/// Strings keep their exact value. The encoder escapes C0 controls (JSON requires it); DEL and
/// C1 controls, which JSON allows raw, are written as `\u007f`…`\u009f` too, so no control
/// character of a name reaches a terminal that shows the output.
enum JSONOutput {
    static func print<Value: Encodable>(_ value: Value, pretty: Bool = false) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        if pretty { encoder.outputFormatting.insert(.prettyPrinted) }
        Swift.print(escapingControls(String(decoding: try encoder.encode(value), as: UTF8.self)))
    }

    /// `json` with every raw DEL and C1 control written as a `\uXXXX` escape. The encoder
    /// already escapes C0 controls inside strings (the line feeds of pretty output are layout);
    /// DEL and C1 can only occur inside strings, where the escape means the same character.
    static func escapingControls(_ json: String) -> String {
        func isRaw(_ scalar: Unicode.Scalar) -> Bool { (0x7F...0x9F).contains(scalar.value) }
        guard json.unicodeScalars.contains(where: isRaw) else { return json }
        var result = ""
        for scalar in json.unicodeScalars {
            if isRaw(scalar) {
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
