import Foundation
import MCP

/// Keeps strings that look like `data:` URLs as the strings they are.
///
/// The SDK decodes every JSON string of a message that matches RFC 2397's syntax as binary
/// data (`Value.data`), so `save_text` of `"data:,hello%20world"` stored a re-encoded
/// `data:text/plain;base64,…` and a tag `"data:,x"` was refused. Before a frame reaches the
/// SDK, every string that starts with `data:` — or with the marker itself, so the mapping is
/// reversible — gets a private-use marker (U+F8FF) in front; argument readers take it off
/// again (``restore(_:)``). Frames without either are passed through untouched. The SDK also
/// round-trips results through `Value`, so outgoing strings get the same marker
/// (``protect(_:)``) and the transport takes it off the frame it writes.
enum DataURLGuard {
    static let marker = "\u{F8FF}"
    private static let markerBytes = Data(marker.utf8)

    /// Whether an incoming frame may hold a string to mark (the bytes `data:` or the marker).
    static func mayNeedMarks(_ frame: Data) -> Bool {
        frame.range(of: Data("data:".utf8)) != nil || frame.range(of: markerBytes) != nil
    }

    /// Whether an outgoing frame holds a marked string.
    static func mayHoldMarks(_ frame: Data) -> Bool { frame.range(of: markerBytes) != nil }

    /// A tool result with every string marked as the SDK's round trip needs.
    static func protect(_ result: CallTool.Result) -> CallTool.Result {
        let content = result.content.map { block -> Tool.Content in
            guard case .text(let text, let annotations, let meta) = block else { return block }
            return .text(text: mark(text), annotations: annotations, _meta: meta)
        }
        return CallTool.Result(
            content: content, structuredContent: result.structuredContent.map(protect), isError: result.isError,
            _meta: result._meta)
    }

    private static func protect(_ value: Value) -> Value {
        switch value {
        case .string(let text): return .string(mark(text))
        case .array(let items): return .array(items.map(protect))
        case .object(let members): return .object(members.mapValues(protect))
        default: return value
        }
    }

    /// `text` with the marker in front when it starts with `data:` or with the marker.
    static func mark(_ text: String) -> String {
        text.hasPrefix("data:") || text.hasPrefix(marker) ? marker + text : text
    }

    /// A string as the client sent it (one marker taken off).
    static func restore(_ text: String) -> String { text.hasPrefix(marker) ? String(text.dropFirst()) : text }

    /// A `JSONSerialization` tree with `transform` applied to every string value (keys kept).
    static func mapStrings(_ value: Any, _ transform: (String) -> String) -> Any {
        switch value {
        case let text as String: return transform(text)
        case let items as [Any]: return items.map { mapStrings($0, transform) }
        case let members as [String: Any]: return members.mapValues { mapStrings($0, transform) }
        default: return value
        }
    }
}
