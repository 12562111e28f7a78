import Foundation

/// What to do with bytes that do not decode (the seed's `errors=` argument).
public enum TextDecodingPolicy: String, Sendable, Hashable, Codable, CaseIterable {
    /// Throw ``ArtifactError/undecodableText(encoding:source:byteOffset:)``.
    case strict
    /// Replace each invalid sequence with U+FFFD (�).
    case replace
    /// Drop invalid sequences.
    case ignore

    /// Parses `"strict"`, `"replace"` or `"ignore"`.
    /// - Throws: ``ArtifactError/invalidArgument(_:)`` for anything else.
    public init(parsing text: String) throws(ArtifactError) {
        guard let policy = TextDecodingPolicy(rawValue: text.lowercased()) else {
            throw .invalidArgument("unknown decoding error policy \"\(text)\": use strict, replace or ignore")
        }
        self = policy
    }
}

/// Decodes bytes to text with an error policy.
///
/// UTF-8, ASCII, ISO Latin-1 and UTF-16 (big/little endian, or with a byte-order mark) are
/// decoded here, scalar by scalar, so `replace`/`ignore` work and strict errors carry the byte
/// offset. Other `String.Encoding`s go through Foundation and honour `strict` only (any failure
/// throws).
enum TextDecoder {
    static func decode(
        _ data: Data, encoding: String.Encoding, policy: TextDecodingPolicy, source: String
    ) throws(ArtifactError) -> String {
        let bytes = [UInt8](data)
        switch encoding {
        case .utf8:
            var start = 0
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { start = 3 }
            return try decodeUnits(
                Array(bytes[start...]), codec: UTF8.self, unitSize: 1, policy: policy,
                encodingName: "UTF-8", source: source, baseOffset: start)
        case .ascii:
            var out = String.UnicodeScalarView()
            for (offset, byte) in bytes.enumerated() {
                if byte < 0x80 {
                    out.append(Unicode.Scalar(byte))
                } else {
                    switch policy {
                    case .strict:
                        throw .undecodableText(encoding: "ASCII", source: source, byteOffset: offset)
                    case .replace: out.append("\u{FFFD}")
                    case .ignore: break
                    }
                }
            }
            return String(out)
        case .isoLatin1:
            return String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
        case .utf16, .utf16BigEndian, .utf16LittleEndian:
            var bigEndian = encoding != .utf16LittleEndian
            var start = 0
            if encoding == .utf16, bytes.count >= 2 {
                if bytes[0] == 0xFF, bytes[1] == 0xFE {
                    bigEndian = false
                    start = 2
                } else if bytes[0] == 0xFE, bytes[1] == 0xFF {
                    start = 2
                }
            }
            var units: [UInt16] = []
            units.reserveCapacity((bytes.count - start) / 2)
            var i = start
            while i + 1 < bytes.count {
                let a = UInt16(bytes[i])
                let b = UInt16(bytes[i + 1])
                units.append(bigEndian ? (a << 8 | b) : (b << 8 | a))
                i += 2
            }
            var text = try decodeUnits(
                units, codec: UTF16.self, unitSize: 2, policy: policy, encodingName: "UTF-16",
                source: source, baseOffset: start)
            if (bytes.count - start) % 2 == 1 {
                switch policy {
                case .strict:
                    throw .undecodableText(encoding: "UTF-16", source: source, byteOffset: bytes.count - 1)
                case .replace: text.append("\u{FFFD}")
                case .ignore: break
                }
            }
            return text
        default:
            guard let text = String(data: data, encoding: encoding) else {
                throw .undecodableText(encoding: "\(encoding)", source: source, byteOffset: nil)
            }
            return text
        }
    }

    private static func decodeUnits<Codec: UnicodeCodec>(
        _ units: [Codec.CodeUnit], codec: Codec.Type, unitSize: Int, policy: TextDecodingPolicy,
        encodingName: String, source: String, baseOffset: Int = 0
    ) throws(ArtifactError) -> String {
        var iterator = units.makeIterator()
        var decoder = Codec()
        var out = String.UnicodeScalarView()
        var decodedBytes = 0  // exact byte offset of everything decoded so far
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar):
                out.append(scalar)
                decodedBytes += unitSize == 1 ? UTF8.width(scalar) : UTF16.width(scalar) * 2
            case .emptyInput:
                return String(out)
            case .error:
                switch policy {
                case .strict:
                    throw .undecodableText(
                        encoding: encodingName, source: source, byteOffset: baseOffset + decodedBytes)
                case .replace: out.append("\u{FFFD}")
                case .ignore: break
                }
            }
        }
    }

    /// The text of `bytes` as the search index and previews see it, or `nil` for binary:
    ///
    /// - a UTF-16 byte-order mark (`FF FE` little endian, `FE FF` big endian) → UTF-16,
    ///   invalid units replaced by U+FFFD;
    /// - else a NUL byte → binary;
    /// - else UTF-8 (a leading BOM dropped), each invalid sequence replaced by U+FFFD — unless
    ///   more than ``maximumInvalidShare`` of the bytes are invalid, which is binary.
    ///
    /// A multi-byte character or UTF-16 unit cut at the very end (a truncated prefix) is
    /// dropped, not replaced.
    static func indexableText(_ bytes: some Collection<UInt8>) -> String? {
        var data = Array(bytes)
        if data.count >= 2, (data[0] == 0xFF && data[1] == 0xFE) || (data[0] == 0xFE && data[1] == 0xFF) {
            if data.count % 2 == 1 { data.removeLast() }
            return try? decode(Data(data), encoding: .utf16, policy: .replace, source: "")
        }
        if data.contains(0) { return nil }
        if data.starts(with: [0xEF, 0xBB, 0xBF]) { data.removeFirst(3) }
        if let text = String(validating: data, as: UTF8.self) { return text }
        // Drop an incomplete sequence at the end (at most 3 bytes) left by truncation.
        var end = data.count
        var back = 0
        while back < 3, end > 0, data[end - 1] & 0xC0 == 0x80 {
            end -= 1
            back += 1
        }
        if end > 0, data[end - 1] >= 0xC0 {
            let lead = data[end - 1]
            let needed = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2
            if data.count - (end - 1) < needed { data.removeSubrange((end - 1)...) }
        }
        var invalid = 0
        let text = String(decoding: data, as: UTF8.self)  // replaces each invalid sequence
        for scalar in text.unicodeScalars where scalar == "\u{FFFD}" { invalid += 1 }
        guard Double(invalid) <= maximumInvalidShare * Double(max(data.count, 1)) else { return nil }
        return text
    }

    /// The share of bytes in invalid UTF-8 sequences above which content counts as binary:
    /// 10 % (a Latin-1 text in a Western language has a few per cent; compressed or encrypted
    /// data about half).
    static let maximumInvalidShare = 0.10
}