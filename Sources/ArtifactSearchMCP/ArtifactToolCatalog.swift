import MCP

/// The MCP tools of an artifact store (issue 10: the names, arguments and results are the
/// contract): JSON Schemas with descriptions, enums, bounds and defaults, and read-only or
/// destructive annotations.
enum ArtifactToolCatalog {
    static let searchLimit = 1...100
    static let maxOffset = 10_000
    /// `read_artifact`: bytes returned when `max_bytes` is not given, and the most it may ask.
    static let defaultReadBytes = 64 * 1024
    static let maxReadBytes = 1 << 20

    /// The tools, in `tools/list` order: the reads, then (with `allowsWrites`) the saves —
    /// `save_file` only with `allowsHostFiles` — and `pin_artifact`, then `delete_artifact`
    /// (with `allowsDelete` and `allowsWrites`).
    static func tools(allowsDelete: Bool, allowsWrites: Bool = true, allowsHostFiles: Bool = true) -> [Tool] {
        var tools = [search, list, get, read]
        if allowsWrites {
            tools += allowsHostFiles ? [saveText, saveJSON, saveFile] : [saveText, saveJSON]
        }
        tools.append(best)
        if allowsWrites { tools.append(pin) }
        if allowsDelete && allowsWrites { tools.append(delete) }
        return tools
    }

    // MARK: Schema pieces

    static func object(_ properties: [String: Value], required: [String] = []) -> Value {
        var schema: [String: Value] = ["type": "object", "properties": .object(properties), "additionalProperties": false]
        if !required.isEmpty { schema["required"] = .array(required.map(Value.string)) }
        return .object(schema)
    }

    static func string(_ description: String) -> Value { ["type": "string", "description": .string(description)] }

    static func choice(_ values: [String], _ description: String, default fallback: String? = nil) -> Value {
        var schema: [String: Value] = ["type": "string", "enum": .array(values.map(Value.string)), "description": .string(description)]
        if let fallback { schema["default"] = .string(fallback) }
        return .object(schema)
    }

    static func integer(_ description: String, range: ClosedRange<Int>, default fallback: Int) -> Value {
        [
            "type": "integer", "description": .string(description), "minimum": .int(range.lowerBound),
            "maximum": .int(range.upperBound), "default": .int(fallback),
        ]
    }

    static func boolean(_ description: String, default fallback: Bool? = nil) -> Value {
        var schema: [String: Value] = ["type": "boolean", "description": .string(description)]
        if let fallback { schema["default"] = .bool(fallback) }
        return .object(schema)
    }

    static let tags: Value = [
        "type": "array", "items": ["type": "string"], "description": "Only artifacts carrying all of these tags.",
    ]
    static let labels: Value = [
        "type": "object",
        "description": "Label filters: each value must equal the artifact's label exactly, as typed JSON (\"5\" is not 5); a list matches any of its elements.",
    ]
    static let level = choice(
        ["scope", "session", "run", "user", "org"],
        "Which of this server's scope's artifacts to read: run (default), session, user, org or scope; the organisation always filters.",
        default: "run")
    static let kind = string("Only artifacts of this kind (e.g. \"file\", \"text\", \"json\", \"dir\").")
    static let offset = integer("Results to skip (paging).", range: 0...maxOffset, default: 0)

    static let saveOptions: [String: Value] = [
        "name": string("File name (becomes the filename label; path components are dropped)."),
        "kind": string("Kind of artifact."),
        "tags": ["type": "array", "items": ["type": "string"], "description": "Tags."],
        "labels": ["type": "object", "description": "Labels: any JSON values (typed)."],
        "metrics": [
            "type": "object", "additionalProperties": ["type": "number"], "description": "Metrics: names → finite numbers.",
        ],
        "pin": boolean("Pin it (pinned artifacts are never garbage-collected).", default: false),
    ]

    static func annotations(readOnly: Bool, destructive: Bool = false, idempotent: Bool = false) -> Tool.Annotations {
        Tool.Annotations(readOnlyHint: readOnly, destructiveHint: destructive, idempotentHint: idempotent, openWorldHint: false)
    }

    // MARK: Tools

    static let search = Tool(
        name: "search_artifacts",
        description: """
            Hybrid search (BM25 + vectors, fused by reciprocal rank) over this scope's artifacts. \
            Hits best first: artifact_id, name, kind, score (higher is better; a fused score is \
            about 0.016 at the top), snippet (the best matching passage), created_at, labels, \
            metrics, and with explain each leg's rank and raw score. Filters apply before ranking. \
            A blank query lists the newest artifacts in mode auto and returns nothing in the \
            other modes.
            """,
        inputSchema: object(
            [
                "query": string("What to look for (free text; never query syntax)."),
                "mode": choice(["auto", "hybrid", "lexical", "semantic"], "Ranking: auto (hybrid, or newest first for a blank query), hybrid, lexical or semantic.", default: "auto"),
                "kind": kind, "tags": tags, "labels": labels, "level": level,
                "time_window": string("Only artifacts created within this window before now, e.g. \"30m\", \"24h\", \"7d\"."),
                "limit": integer("Hits to return.", range: searchLimit, default: 10),
                "offset": offset,
                "explain": boolean("Add each leg's rank and raw score to every hit.", default: false),
            ], required: ["query"]),
        annotations: annotations(readOnly: true, idempotent: true))

    static let list = Tool(
        name: "list_artifacts",
        description: "This scope's artifacts, newest first (ties: the later save first), with the filters given.",
        inputSchema: object([
            "kind": kind, "tags": tags, "labels": labels, "level": level,
            "limit": integer("Artifacts to return.", range: searchLimit, default: 20), "offset": offset,
        ]),
        annotations: annotations(readOnly: true, idempotent: true))

    static let get = Tool(
        name: "get_artifact",
        description: "The record of one artifact: ids, kind, name, size, sha256, MIME type, tags, labels, metrics, pin, provenance.",
        inputSchema: object(["artifact_id": string("The artifact's id.")], required: ["artifact_id"]),
        annotations: annotations(readOnly: true, idempotent: true))

    static let read = Tool(
        name: "read_artifact",
        description: """
            An artifact's content as UTF-8 text, from byte `offset`, at most `max_bytes` (default \
            65,536, at most 1,048,576; cut at a character boundary, at least one character; \
            `next_offset` tells where to \
            go on). Binary content gives its size and MIME type and no bytes. A directory \
            artifact gives its manifest (paths, sizes, sha256), and with `path` one file inside it. \
            Content is verified against its SHA-256 before it is returned.
            """,
        inputSchema: object(
            [
                "artifact_id": string("The artifact's id."),
                "offset": integer("First byte to return.", range: 0...Int(Int32.max), default: 0),
                "max_bytes": integer("Most bytes to return.", range: 1...maxReadBytes, default: defaultReadBytes),
                "path": string("For a directory artifact: the relative path of one of its files."),
            ], required: ["artifact_id"]),
        annotations: annotations(readOnly: true, idempotent: true))

    static let saveText = Tool(
        name: "save_text",
        description: "Saves text as a new artifact (UTF-8) in this scope, with its provenance; returns the record.",
        inputSchema: object(saveOptions.merging(["text": string("The text.")]) { a, _ in a }, required: ["text"]),
        annotations: annotations(readOnly: false))

    static let saveJSON = Tool(
        name: "save_json",
        description: "Saves a JSON value as a new artifact (canonical JSON) in this scope; returns the record.",
        inputSchema: object(saveOptions.merging(["value": ["description": "Any JSON value."]]) { a, _ in a }, required: ["value"]),
        annotations: annotations(readOnly: false))

    static let saveFile = Tool(
        name: "save_file",
        description: """
            Saves a copy of a file on the server's machine as a new artifact; returns the record. \
            Only paths under the folders the server was started with (--allow-path) are readable; \
            the file itself is never changed or deleted.
            """,
        inputSchema: object(saveOptions.merging(["path": string("Absolute path of the file.")]) { a, _ in a }, required: ["path"]),
        annotations: annotations(readOnly: false))

    static let best = Tool(
        name: "best_artifact",
        description: "The artifact of a kind with the best value of a metric (max: highest, min: lowest; ties: the newest), or null when none has it.",
        inputSchema: object(
            [
                "kind": kind, "metric": string("The metric's name."),
                "metric_mode": choice(["max", "min"], "Which end wins."), "level": level, "tags": tags, "labels": labels,
            ], required: ["kind", "metric", "metric_mode"]),
        annotations: annotations(readOnly: true, idempotent: true))

    static let pin = Tool(
        name: "pin_artifact",
        description: "Pins or unpins an artifact (pinned artifacts are never garbage-collected); returns the record.",
        inputSchema: object(
            ["artifact_id": string("The artifact's id."), "pinned": boolean("true to pin, false to unpin.")],
            required: ["artifact_id", "pinned"]),
        annotations: annotations(readOnly: false, idempotent: true))

    static let delete = Tool(
        name: "delete_artifact",
        description: "Deletes an artifact: its record and, when no other artifact shares them, its bytes. Cannot be undone.",
        inputSchema: object(["artifact_id": string("The artifact's id.")], required: ["artifact_id"]),
        annotations: annotations(readOnly: false, destructive: true, idempotent: true))
}
