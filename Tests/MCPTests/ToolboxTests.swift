import ArtifactSearch
import Foundation
import HybridSearch
import MCP
import Testing

@testable import ArtifactSearchMCP

/// A folder under the temporary directory, removed by `remove()`.
struct Scratch {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("artifact-search-mcp-tests")
            .appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    func remove() { try? FileManager.default.removeItem(at: url) }
}

/// The tools called directly (no transport): results, isolation, confinement and bad input.
@Suite("MCP tools")
struct ToolboxTests {
    static func toolbox(_ scratch: Scratch, org: String = "acme", allowed: [URL] = [], delete: Bool = false) async throws
        -> ArtifactToolbox
    {
        let facade = try await ArtifactFacade.open(
            at: scratch.url.appendingPathComponent("store"), scope: Scope(orgID: org, runID: "run-1"),
            configuration: ArtifactFacade.Configuration(access: .confined(roots: allowed)))
        return ArtifactToolbox(facade: facade, allowsDelete: delete)
    }

    static func object(_ result: CallTool.Result, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Value] {
        #expect(result.isError != true, "\(result.content)", sourceLocation: sourceLocation)
        return try #require(result.structuredContent?.objectValue, sourceLocation: sourceLocation)
    }

    static func errorText(_ result: CallTool.Result) -> String? {
        guard result.isError == true, case .text(let text, _, _)? = result.content.first else { return nil }
        return text
    }

    @Test("The ten tools: schemas with bounds and defaults; delete only when allowed; annotations")
    func catalog() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let plain = try await Self.toolbox(scratch)
        #expect(plain.tools.map(\.name) == [
            "search_artifacts", "list_artifacts", "get_artifact", "read_artifact", "save_text", "save_json", "save_file",
            "best_artifact", "pin_artifact",
        ])
        let full = ArtifactToolbox(facade: plain.facade, allowsDelete: true)
        #expect(full.tools.last?.name == "delete_artifact" && full.tools.last?.annotations.destructiveHint == true)
        let search = try #require(full.tools.first)
        #expect(search.annotations.readOnlyHint == true)
        let properties = try #require(search.inputSchema.objectValue?["properties"]?.objectValue)
        #expect(properties["limit"]?.objectValue?["default"] == .int(10))
        #expect(properties["limit"]?.objectValue?["maximum"] == .int(100))
        #expect(search.inputSchema.objectValue?["required"] == .array(["query"]))
        await #expect(throws: MCPError.self) { try await plain.call("delete_artifact", arguments: ["artifact_id": "x"]) }
    }

    @Test("save, search with snippets and legs, list newest first with pages, best by a metric, pin, read windows")
    func roundTrip() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let tools = try await Self.toolbox(scratch)
        let oom = try Self.object(
            try await tools.call(
                "save_text",
                arguments: ["text": "epoch 3: CUDA out of memory (tried 2 GiB)", "name": "train.log", "kind": "log", "metrics": ["f1": 0.4]]))
        let notes = try Self.object(
            try await tools.call("save_text", arguments: ["text": "budget forecast notes", "kind": "log", "metrics": ["f1": 0.9]]))
        let json = try Self.object(try await tools.call("save_json", arguments: ["value": ["a": [1, 2]], "labels": ["stage": 2]]))
        #expect(oom["org_id"] == "acme" && oom["run_id"] == "run-1" && json["kind"] == "json")
        #expect(json["labels"]?.objectValue?["stage"] == .int(2))

        let hits = try Self.object(try await tools.call("search_artifacts", arguments: ["query": "out of memory", "explain": true]))
        let first = try #require(hits["hits"]?.arrayValue?.first?.objectValue)
        #expect(first["artifact_id"] == oom["artifact_id"])
        #expect(first["snippet"] == "epoch 3: CUDA out of memory (tried 2 GiB)")
        #expect(first["lexical_rank"] == 1 && first["name"] == "train.log")

        let page1 = try Self.object(try await tools.call("list_artifacts", arguments: ["limit": 2]))["artifacts"]?.arrayValue ?? []
        let page2 = try Self.object(try await tools.call("list_artifacts", arguments: ["limit": 2, "offset": 2]))["artifacts"]?.arrayValue ?? []
        #expect((page1 + page2).map { $0.objectValue?["artifact_id"] } == [json["artifact_id"], notes["artifact_id"], oom["artifact_id"]])

        let best = try Self.object(try await tools.call("best_artifact", arguments: ["kind": "log", "metric": "f1", "metric_mode": "max"]))
        #expect(best["artifact"]?.objectValue?["artifact_id"] == notes["artifact_id"])
        let none = try Self.object(try await tools.call("best_artifact", arguments: ["kind": "json", "metric": "f1", "metric_mode": "min"]))
        #expect(none["artifact"] == .null)
        let pinned = try Self.object(try await tools.call("pin_artifact", arguments: ["artifact_id": oom["artifact_id"]!, "pinned": true]))
        #expect(pinned["pinned"] == true)

        // A window: "CUDA" is bytes 9..<13; the next offset continues after it.
        let window = try Self.object(try await tools.call("read_artifact", arguments: ["artifact_id": oom["artifact_id"]!, "offset": 9, "max_bytes": 4]))
        #expect(window["text"] == "CUDA" && window["next_offset"] == 13 && window["size"] == 41)
        let whole = try Self.object(try await tools.call("read_artifact", arguments: ["artifact_id": notes["artifact_id"]!]))
        #expect(whole["text"] == "budget forecast notes" && whole["next_offset"] == .null)
    }

    @Test("read_artifact: multi-byte characters are never split; binary content gives size and type; directories their manifest and files")
    func reading() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let tools = try await Self.toolbox(scratch, allowed: [scratch.url])
        let text = try Self.object(try await tools.call("save_text", arguments: ["text": "añb€c"]))  // a ñ(2) b €(3) c
        let cut = try Self.object(try await tools.call("read_artifact", arguments: ["artifact_id": text["artifact_id"]!, "offset": 2, "max_bytes": 3]))
        // Offset 2 is inside "ñ": the window starts at "b"; 3 bytes from there would cut "€".
        #expect(cut["text"] == "b" && cut["offset"] == 3 && cut["next_offset"] == 4)
        // A window smaller than the character at its start still returns that character, so
        // following next_offset always ends: "€" is 3 bytes.
        let euro = try Self.object(try await tools.call("read_artifact", arguments: ["artifact_id": text["artifact_id"]!, "offset": 4, "max_bytes": 1]))
        #expect(euro["text"] == "€" && euro["next_offset"] == 7)
        var position = 0
        var walked = ""
        for _ in 0..<10 {
            let page = try Self.object(
                try await tools.call("read_artifact", arguments: ["artifact_id": text["artifact_id"]!, "offset": .int(position), "max_bytes": 1]))
            walked += page["text"]?.stringValue ?? ""
            guard let next = page["next_offset"]?.intValue else { break }
            position = next
        }
        #expect(walked == "añb€c")
        let tree = scratch.url.appendingPathComponent("tree")
        try FileManager.default.createDirectory(at: tree, withIntermediateDirectories: true)
        try Data("alpha".utf8).write(to: tree.appendingPathComponent("a.txt"))
        try Data([0, 159, 146, 150]).write(to: tree.appendingPathComponent("b.bin"))
        let directory = try await tools.facade.ingestDirectory(at: tree)
        let manifest = try Self.object(try await tools.call("read_artifact", arguments: ["artifact_id": .string(directory.artifactID)]))
        #expect(manifest["manifest"]?.arrayValue?.compactMap { $0.objectValue?["path"] } == ["a.txt", "b.bin"])
        let file = try Self.object(try await tools.call("read_artifact", arguments: ["artifact_id": .string(directory.artifactID), "path": "a.txt"]))
        #expect(file["text"] == "alpha")
        let binary = try Self.object(try await tools.call("read_artifact", arguments: ["artifact_id": .string(directory.artifactID), "path": "b.bin"]))
        #expect(binary["binary"] == true && binary["size"] == 4 && binary["text"] == nil)
        let missing = try await tools.call("read_artifact", arguments: ["artifact_id": .string(directory.artifactID), "path": "zzz"])
        #expect(Self.errorText(missing)?.contains("no file \"zzz\"") == true)

        // A window across the store's 4 MiB read chunks, in a 5 MB text: the bytes asked for.
        let line = "0123456789abcdef"  // 16 bytes
        let big = String(repeating: line, count: 5 << 16)  // 5 MiB
        let saved = try Self.object(try await tools.call("save_text", arguments: ["text": .string(big)]))
        let across = try Self.object(
            try await tools.call("read_artifact", arguments: ["artifact_id": saved["artifact_id"]!, "offset": .int((4 << 20) - 8), "max_bytes": 16]))
        #expect(across["text"] == "89abcdef01234567" && across["size"] == .int(5 << 20) && across["next_offset"] == .int((4 << 20) + 8))
        // Damaged content is refused, not returned.
        let blob = tools.facade.store.contentURL(sha256: try #require(saved["sha256"]?.stringValue))
        chmod(blob.path, 0o644)
        let handle = try FileHandle(forWritingTo: blob)
        try handle.seek(toOffset: 100)
        try handle.write(contentsOf: Data("X".utf8))
        try handle.close()
        let damaged = try await tools.call("read_artifact", arguments: ["artifact_id": saved["artifact_id"]!, "max_bytes": 8])
        #expect(Self.errorText(damaged)?.contains("sha256") == true || Self.errorText(damaged)?.contains("damaged") == true)
    }

    @Test("Another organisation's artifacts are unreachable; save_file reads only allowed folders and keeps the file")
    func isolationAndConfinement() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let allowed = scratch.url.appendingPathComponent("allowed")
        try FileManager.default.createDirectory(at: allowed, withIntermediateDirectories: true)
        let inside = allowed.appendingPathComponent("report.txt")
        try Data("quarterly report".utf8).write(to: inside)
        let outside = scratch.url.appendingPathComponent("secret.txt")
        try Data("secret".utf8).write(to: outside)
        let acme = try await Self.toolbox(scratch, allowed: [allowed], delete: true)
        let saved = try Self.object(try await acme.call("save_file", arguments: ["path": .string(inside.path)]))
        #expect(saved["bytes"] == 16 && FileManager.default.fileExists(atPath: inside.path))
        let refused = try await acme.call("save_file", arguments: ["path": .string(outside.path)])
        #expect(Self.errorText(refused)?.contains("outside") == true)
        let escaping = try await acme.call("save_file", arguments: ["path": .string(allowed.path + "/../secret.txt")])
        #expect(Self.errorText(escaping) != nil)
        let relative = try await acme.call("save_file", arguments: ["path": "report.txt"])
        #expect(Self.errorText(relative)?.contains("absolute") == true)

        let other = try await Self.toolbox(scratch, org: "globex", delete: true)
        let id = saved["artifact_id"]!
        for (name, arguments) in [
            ("get_artifact", ["artifact_id": id]), ("read_artifact", ["artifact_id": id]),
            ("pin_artifact", ["artifact_id": id, "pinned": true]), ("delete_artifact", ["artifact_id": id]),
        ] as [(String, [String: Value])] {
            let result = try await other.call(name, arguments: arguments)
            #expect(Self.errorText(result)?.contains("no artifact with id") == true, "\(name)")
        }
        let found = try Self.object(try await other.call("search_artifacts", arguments: ["query": "quarterly report", "level": "org"]))
        #expect(found["hits"] == .array([]))
        let listed = try Self.object(try await other.call("list_artifacts", arguments: ["level": "org"]))
        #expect(listed["artifacts"] == .array([]))
        // Still there for its own organisation.
        #expect(try Self.object(try await acme.call("get_artifact", arguments: ["artifact_id": id]))["artifact_id"] == id)
    }

    @Test("Bad input is an isError result naming the problem: unknown or mistyped arguments, bounds, modes, missing values")
    func badInput() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let tools = try await Self.toolbox(scratch)
        let cases: [(String, [String: Value]?, String)] = [
            ("search_artifacts", nil, "\"query\" is required"),
            ("search_artifacts", ["query": 5], "must be a string"),
            ("search_artifacts", ["query": "x", "limit": 101], "between 1 and 100"),
            ("search_artifacts", ["query": .string(String(repeating: "long ", count: 4_000))], "16 KiB"),
            ("search_artifacts", ["query": "x", "limit": 2.5], "whole number"),
            ("search_artifacts", ["query": "x", "mode": "structural"], "auto, hybrid, lexical, semantic"),
            ("search_artifacts", ["query": "x", "level": "galaxy"], "scope, session, run, user, org"),
            ("search_artifacts", ["query": "x", "time_window": "soon"], "soon"),
            ("search_artifacts", ["query": "x", "tags": "gpu"], "list of strings"),
            ("search_artifacts", ["query": "x", "Query": "y"], "no argument \"Query\""),
            ("save_text", ["text": "t", "metrics": ["f1": "high"]], "must be a number"),
            ("save_text", ["text": "t", "metrics": ["f1": .double(.infinity)]], "finite"),
            ("save_json", [:], "\"value\" is required"),
            ("read_artifact", ["artifact_id": "x", "max_bytes": 0], "between 1 and"),
            ("pin_artifact", ["artifact_id": "x"], "\"pinned\" is required"),
            ("best_artifact", ["kind": "log", "metric": "f1", "metric_mode": "mean"], "mean"),
        ]
        for (name, arguments, words) in cases {
            let result = try await tools.call(name, arguments: arguments)
            let text = Self.errorText(result)
            #expect(text?.contains(words) == true, "\(name) \(String(describing: arguments)): \(text ?? "no error")")
        }
        // A blank query in an explicit query mode: no hits (auto lists instead).
        _ = try await tools.call("save_text", arguments: ["text": "something"])
        #expect(try Self.object(try await tools.call("search_artifacts", arguments: ["query": " ", "mode": "lexical"]))["hits"] == .array([]))
        #expect(try Self.object(try await tools.call("search_artifacts", arguments: ["query": " "]))["hits"]?.arrayValue?.count == 1)
    }
}
