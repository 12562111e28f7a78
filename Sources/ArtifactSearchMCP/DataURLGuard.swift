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
/// (``protect(_:)-(CallTool.Result)``) and the transport takes it off the frame it writes
/// (``unprotect(_:)``).
enum DataURLGuard {
    static let marker = "\u{F8FF}"
    private static let triggers = [Data("data:".utf8), Data(marker.utf8)]

    static func protect(_ frame: Data) -> Data {
        guard triggers.contains(where: { frame.range(of: $0) != nil }),
            let message = try? JSONSerialization.jsonObject(with: frame, options: [.fragmentsAllowed]),
            let rewritten = try? JSONSerialization.data(withJSONObject: rewrite(message), options: [.fragmentsAllowed])
        else { return frame }
        return rewritten
    }

    /// A frame written by the SDK, with the marker taken off every string that has it.
    static func unprotect(_ frame: Data) -> Data {
        guard frame.range(of: triggers[1]) != nil,
            let message = try? JSONSerialization.jsonObject(with: frame, options: [.fragmentsAllowed]),
            let rewritten = try? JSONSerialization.data(withJSONObject: strip(message), options: [.fragmentsAllowed])
        else { return frame }
        return rewritten
    }

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

    private static func mark(_ text: String) -> String {
        text.hasPrefix("data:") || text.hasPrefix(marker) ? marker + text : text
    }

    private static func rewrite(_ value: Any) -> Any {
        switch value {
        case let text as String: return mark(text)
        case let items as [Any]: return items.map(rewrite)
        case let members as [String: Any]: return members.mapValues(rewrite)
        default: return value
        }
    }

    private static func strip(_ value: Any) -> Any {
        switch value {
        case let text as String: return restore(text)
        case let items as [Any]: return items.map(strip)
        case let members as [String: Any]: return members.mapValues(strip)
        default: return value
        }
    }

    /// A string argument as the client sent it.
    static func restore(_ text: String) -> String { text.hasPrefix(marker) ? String(text.dropFirst()) : text }
}
