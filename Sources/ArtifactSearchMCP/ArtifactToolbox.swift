import ArtifactSearch
import Foundation
import HybridSearch
import MCP

/// Carries out MCP tool calls on one facade (one store, one scope). Every answer is a tool
/// result — structured content plus a compact text rendering — and every user mistake or
/// store error is a result with `isError` and the typed error's message, never a protocol
/// error or a crash. Reads and writes stay inside the facade's scope and organisation; host
/// paths are read only as the facade's ``ArtifactSearch/AccessPolicy`` allows.
public struct ArtifactToolbox: Sendable {
    public let facade: ArtifactFacade
    /// Whether `delete_artifact` is offered (`artifact-search mcp --allow-delete`).
    public let allowsDelete: Bool
    /// Whether the saves and `pin_artifact` are offered (not for a read-only HTTP key).
    public let allowsWrites: Bool
    /// Whether the client is remote (MCP over HTTP): then `save_file` is not offered (it
    /// reads the server's files) and records carry no `uri` or `preview_uri` (locations on the server's disk).
    public let servesRemoteClient: Bool

    public init(facade: ArtifactFacade, allowsDelete: Bool = false, allowsWrites: Bool = true, servesRemoteClient: Bool = false) {
        self.facade = facade
        self.allowsDelete = allowsDelete
        self.allowsWrites = allowsWrites
        self.servesRemoteClient = servesRemoteClient
    }

    /// The longest query the servers search, in UTF-8 bytes: 16 KiB. A query's cost grows with
    /// its distinct words (a 1.5 MB query took 16 s and stalled every other client of a
    /// server); the library and the command line take any length.
    public static let maximumQueryBytes = 16_384

    /// The query error for a query over ``maximumQueryBytes``, or `nil`.
    public static func queryLengthProblem(_ query: String) -> String? {
        let bytes = query.utf8.count
        guard bytes > maximumQueryBytes else { return nil }
        return "the query is \(bytes) bytes long; a server searches at most \(maximumQueryBytes) (16 KiB): shorten it"
    }

    /// The tools offered, in `tools/list` order.
    public var tools: [Tool] {
        ArtifactToolCatalog.tools(allowsDelete: allowsDelete, allowsWrites: allowsWrites, allowsHostFiles: !servesRemoteClient)
    }

    /// The result of calling tool `name`.
    /// - Throws: `MCPError.invalidParams` only for a tool that is not offered (a protocol
    ///   error, as the MCP specification asks); anything else is an `isError` result.
    public func call(_ name: String, arguments: [String: Value]?) async throws -> CallTool.Result {
        guard let tool = tools.first(where: { $0.name == name }) else {
            throw MCPError.invalidParams(
                "unknown tool \"\(name)\": this server offers \(tools.map(\.name).joined(separator: ", "))")
        }
        do {
            let accepted = tool.inputSchema.objectValue?["properties"]?.objectValue?.keys.sorted() ?? []
            let arguments = try FieldReader(tool: name, values: arguments, accepted: accepted)
            return try await run(name, arguments)
        } catch let error as ToolCallError {
            return Self.failure(error.description)
        } catch let error as FieldError {
            return Self.failure(error.description)
        } catch {
            return Self.failure(message(for: error))
        }
    }

    /// An error's message for the client: in full locally; for a remote client without the
    /// server's file paths or its embedder's whereabouts (``ArtifactSearch/ArtifactError/descriptionWithoutPaths``).
    func message(for error: any Error) -> String {
        guard servesRemoteClient else { return String(describing: error) }
        if let error = error as? ArtifactError { return error.descriptionWithoutPaths }
        if let error = error as? SearchError { return error.descriptionWithoutPaths }
        return String(describing: error)
    }

    static func failure(_ message: String) -> CallTool.Result {
        CallTool.Result(content: [Self.text(message)], structuredContent: ["error": .string(message)], isError: true)
    }

    private func run(_ name: String, _ arguments: FieldReader) async throws -> CallTool.Result {
        switch name {
        case "search_artifacts": return try await search(arguments)
        case "list_artifacts": return try await list(arguments)
        case "get_artifact":
            let id = try arguments.requiredString("artifact_id")
            guard let artifact = try await facade.artifact(id: id) else { throw ArtifactError.notFound(id: id) }
            return try record(artifact)
        case "read_artifact": return try await read(arguments)
        case "save_text":
            let options = try SaveOptions(arguments)
            return try record(
                try await facade.saveText(
                    try arguments.requiredString("text"), kind: options.kind ?? "text", labels: options.labels,
                    metrics: options.metrics, tags: options.tags, name: options.name, pin: options.pin))
        case "save_json":
            guard let value = arguments.json("value") else { throw ToolCallError("save_json: \"value\" is required") }
            let options = try SaveOptions(arguments)
            return try record(
                try await facade.saveJSON(
                    value, kind: options.kind ?? "json", labels: options.labels, metrics: options.metrics,
                    tags: options.tags, name: options.name, pin: options.pin))
        case "save_file":
            let options = try SaveOptions(arguments)
            let path = try arguments.requiredString("path")
            guard path.hasPrefix("/") else { throw ToolCallError("save_file: \"path\" must be absolute (got \"\(path)\")") }
            return try record(
                try await facade.saveFile(
                    at: URL(fileURLWithPath: path), kind: options.kind ?? "file", labels: options.labels,
                    metrics: options.metrics, tags: options.tags, name: options.name, pin: options.pin, cleanup: false))
        case "best_artifact":
            let kind = try arguments.requiredString("kind")
            let metric = try arguments.requiredString("metric")
            let mode = try MetricMode(parsing: try arguments.requiredString("metric_mode"))
            let best = try await facade.best(
                kind: kind, metric: metric, metricMode: mode, level: try arguments.choice("level", default: ScopeLevel.run),
                tags: try arguments.strings("tags"), filters: try arguments.labels("labels").mapValues { Optional($0) })
            guard let best else {
                return CallTool.Result(
                    content: [Self.text("No artifact of kind \"\(kind)\" has the metric \"\(metric)\".")],
                    structuredContent: ["artifact": .null])
            }
            return try record(best, wrapped: true)
        case "pin_artifact":
            return try record(
                try await facade.pin(try arguments.requiredString("artifact_id"), pinned: try arguments.requiredBool("pinned")))
        case "delete_artifact":
            let id = try arguments.requiredString("artifact_id")
            _ = try await facade.delete(ids: [id])
            return CallTool.Result(content: [Self.text("Deleted \(id).")], structuredContent: ["deleted": .string(id)])
        default:
            throw ToolCallError("unknown tool \"\(name)\"")
        }
    }

    // MARK: Searching and listing

    private func search(_ arguments: FieldReader) async throws -> CallTool.Result {
        let query = try arguments.requiredString("query")
        if let problem = Self.queryLengthProblem(query) { throw ToolCallError("search_artifacts: " + problem) }
        let mode = try arguments.choice("mode", default: SearchMode.auto)
        guard mode != .structural else { throw ToolCallError("search_artifacts: \"mode\" must be one of auto, hybrid, lexical, semantic") }
        let limit = try arguments.int("limit", default: 10, range: ArtifactToolCatalog.searchLimit)
        let offset = try arguments.int("offset", default: 0, range: 0...ArtifactToolCatalog.maxOffset)
        let explain = try arguments.bool("explain", default: false)
        var window: TimeWindow?
        if let text = try arguments.string("time_window") { window = try TimeWindow(parsing: text) }
        // A blank query in an explicit query mode matches nothing, as in the CLI (`auto` lists).
        if query.allSatisfy(\.isWhitespace), mode != .auto {
            return try await hits([], offset: offset, explain: explain, query: query, note: "A blank query matches nothing in mode \(mode.rawValue).")
        }
        // Paging: the results for offset + limit, computed with a fusion window at least that
        // large, so pages never overlap or skip.
        let results = try await facade.search(
            query, kind: try arguments.string("kind"), tags: try arguments.strings("tags"),
            labels: try arguments.labels("labels").mapValues { Optional($0) },
            level: try arguments.choice("level", default: ScopeLevel.run), limit: offset + limit, timeWindow: window,
            mode: mode, explain: explain)
        return try await hits(Array(results.dropFirst(offset)), offset: offset, explain: explain, query: query, note: nil)
    }

    private func list(_ arguments: FieldReader) async throws -> CallTool.Result {
        let limit = try arguments.int("limit", default: 20, range: ArtifactToolCatalog.searchLimit)
        let offset = try arguments.int("offset", default: 0, range: 0...ArtifactToolCatalog.maxOffset)
        let artifacts = try await facade.list(
            level: try arguments.choice("level", default: ScopeLevel.run), includeNode: false, kind: try arguments.string("kind"),
            tags: try arguments.strings("tags"), filters: try arguments.labels("labels").mapValues { Optional($0) },
            limit: offset + limit)
        let page = Array(artifacts.dropFirst(offset))
        let lines = page.enumerated().map { index, artifact in
            "\(offset + index + 1). \(artifact.displayName) — \(artifact.kind ?? "artifact"), id \(artifact.artifactID), \(artifact.createdAt.map(ArtifactTimestamp.format) ?? "")"
        }
        return CallTool.Result(
            content: [Self.text(lines.isEmpty ? "No artifacts match these filters." : lines.joined(separator: "\n"))],
            structuredContent: [
                "artifacts": .array(try page.map(recordValue)), "offset": .int(offset),
            ])
    }

    private func hits(
        _ results: [ArtifactSearchResult], offset: Int, explain: Bool, query: String, note: String?
    ) async throws -> CallTool.Result {
        let extractor = SnippetExtractor(query: query, analyzer: facade.backend.analyzer)
        var items: [Value] = []
        var lines: [String] = []
        for (index, result) in results.enumerated() {
            let artifact = result.artifact
            let snippet = try await facade.snippet(of: artifact, using: extractor)
            var hit: [String: Value] = [
                "artifact_id": .string(artifact.artifactID), "name": .string(artifact.displayName),
                "kind": artifact.kind.map(Value.string) ?? .null, "score": result.score.map(Value.double) ?? .null,
                "snippet": snippet.map(Value.string) ?? .null,
                "created_at": artifact.createdAt.map { .string(ArtifactTimestamp.format($0)) } ?? .null,
                "labels": .object(artifact.labels.mapValues(ValueBridge.value)),
                "metrics": .object(artifact.metrics.mapValues(Value.double)),
            ]
            if explain {
                let legs = result.explanation
                hit["lexical_rank"] = legs?.lexical.map { .int($0.rank) } ?? .null
                hit["lexical_score"] = legs?.lexical.map { .double($0.score) } ?? .null
                hit["semantic_rank"] = legs?.semantic.map { .int($0.rank) } ?? .null
                hit["semantic_score"] = legs?.semantic.map { .double($0.score) } ?? .null
            }
            items.append(.object(hit))
            let score = result.score.map { String(format: "%.4f", $0) } ?? "-"
            lines.append("\(offset + index + 1). \(artifact.displayName) (\(artifact.kind ?? "artifact"), id \(artifact.artifactID), score \(score))" + (snippet.map { "\n   \($0)" } ?? ""))
        }
        let text = note ?? (lines.isEmpty ? "No artifacts match." : lines.joined(separator: "\n"))
        return CallTool.Result(content: [Self.text(text)], structuredContent: ["hits": .array(items), "offset": .int(offset)])
    }

    // MARK: Reading

    private func read(_ arguments: FieldReader) async throws -> CallTool.Result {
        let id = try arguments.requiredString("artifact_id")
        let offset = try arguments.int("offset", default: 0, range: 0...Int(Int32.max))
        let maxBytes = try arguments.int(
            "max_bytes", default: ArtifactToolCatalog.defaultReadBytes, range: 1...ArtifactToolCatalog.maxReadBytes)
        guard let artifact = try await facade.artifact(id: id) else { throw ArtifactError.notFound(id: id) }
        var mime = artifact.mime
        var sha = artifact.sha256
        if artifact.isDirectory, let manifestSHA = artifact.sha256 {
            let manifest = try await facade.store.manifest(sha256: manifestSHA)
            guard let path = try arguments.string("path") else {
                let entries: [Value] = manifest.entries.map {
                    ["path": .string($0.path), "size": .int($0.size), "sha256": .string($0.sha256)]
                }
                let text = manifest.entries.map { "\($0.path) (\($0.size) bytes)" }.joined(separator: "\n")
                return CallTool.Result(
                    content: [Self.text("\(manifest.entries.count) files:\n" + text)],
                    structuredContent: ["artifact_id": .string(id), "manifest": .array(entries)])
            }
            guard let entry = manifest.entries.first(where: { $0.path == path }) else {
                throw ToolCallError("read_artifact: directory \(id) has no file \"\(path)\" (read it without \"path\" for its manifest)")
            }
            sha = entry.sha256
            mime = nil
        } else if try arguments.string("path") != nil {
            throw ToolCallError("read_artifact: \"path\" is for directory artifacts only")
        }
        guard let sha else { throw ArtifactError.corruptStore("artifact \(id) has no stored content") }
        // Text or binary is decided on the content's first 4 KiB (as the index decides it). The
        // window holds four bytes more than asked: up to three continuation bytes skipped at its
        // start, and one past its end to see whether the last character is cut.
        let (windows, total) = try await facade.readWindows(sha256: sha, ranges: [0..<4096, offset..<(offset + maxBytes + 4)])
        let head = windows[0]
        if mime == nil, let path = try arguments.string("path") {
            mime = MIMEType.resolve(filenames: [path], prefix: head, fallback: nil as String?)
        }
        guard Self.isText(head) else {
            let type = mime ?? "application/octet-stream"
            return CallTool.Result(
                content: [Self.text("Binary content: \(total) bytes, \(type). Not returned as text.")],
                structuredContent: ["artifact_id": .string(id), "binary": true, "size": .int(total), "mime": .string(type)])
        }
        let bytes = windows[1]
        // A window on character boundaries: skip continuation bytes at the start, drop a cut
        // sequence at the end.
        var start = 0
        while start < bytes.count, offset + start > 0, bytes[bytes.startIndex + start] & 0xC0 == 0x80 { start += 1 }
        var end = min(bytes.count, start + maxBytes)
        if end < bytes.count {
            while end > start, bytes[bytes.startIndex + end] & 0xC0 == 0x80 { end -= 1 }
        }
        if end == start, start < bytes.count {
            // `max_bytes` smaller than the character there: return that one character, so a
            // reader following `next_offset` always moves on.
            end = start + 1
            while end < bytes.count, bytes[bytes.startIndex + end] & 0xC0 == 0x80 { end += 1 }
        }
        let text = String(decoding: bytes[(bytes.startIndex + start)..<(bytes.startIndex + end)], as: UTF8.self)
        let first = min(offset, total) + start
        var structured: [String: Value] = [
            "artifact_id": .string(id), "text": .string(text), "offset": .int(first), "size": .int(total),
            "mime": mime.map(Value.string) ?? .null,
        ]
        structured["next_offset"] = first + (end - start) < total ? .int(first + (end - start)) : .null
        return CallTool.Result(content: [Self.text(text)], structuredContent: .object(structured))
    }

    /// Text: no NUL byte and valid UTF-8 — but for a character cut at the end of a prefix.
    static func isText(_ bytes: Data) -> Bool {
        guard !bytes.contains(0) else { return false }
        var end = bytes.endIndex
        // Up to three bytes of a sequence cut by the prefix are not an error.
        var trimmed = 0
        while end > bytes.startIndex, trimmed < 3, bytes[end - 1] & 0xC0 == 0x80 || bytes[end - 1] >= 0xC0 {
            let lead = bytes[end - 1] >= 0xC0
            end -= 1
            trimmed += 1
            if lead { break }
        }
        if String(validating: bytes, as: UTF8.self) != nil { return true }
        return String(validating: bytes[bytes.startIndex..<end], as: UTF8.self) != nil
    }

    // MARK: Records

    /// A record as JSON (for a remote client without `uri` and `preview_uri`: server paths).
    private func recordValue(_ artifact: Artifact) throws -> Value {
        try ValueBridge.value(encoding: servesRemoteClient ? artifact.withoutLocalPaths : artifact)
    }

    private func record(_ artifact: Artifact, wrapped: Bool = false) throws -> CallTool.Result {
        let value = try recordValue(artifact)
        let size = artifact.bytes.map { ", \($0) bytes" } ?? ""
        let text = "\(artifact.displayName) — \(artifact.kind ?? "artifact"), id \(artifact.artifactID)\(size), \(artifact.pinned ? "pinned" : "not pinned")"
        let structured: Value? = wrapped ? .object(["artifact": value]) : value
        return CallTool.Result(content: [Self.text(text)], structuredContent: structured)
    }
}

extension ArtifactToolbox {
    /// A text content block.
    static func text(_ text: String) -> Tool.Content { .text(text: text, annotations: nil, _meta: nil) }
}
