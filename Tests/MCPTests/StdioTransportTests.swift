import Foundation
import Testing

/// `artifact-search mcp` as a process: frames stay whole under many calls in flight, a
/// multi-megabyte message is read in linear time, and a client that stops reading ends the
/// server cleanly.
@Suite("MCP over stdio: framing")
struct StdioTransportTests {
    /// Runs the server with `input` as its whole standard input; returns its output lines and exit status.
    static func serve(_ input: Data, store: URL) throws -> (lines: [Data], status: Int32) {
        let process = Process()
        process.executableURL = try OfficialClientTests.program()
        process.arguments = ["mcp", "--store", store.path, "--org-id", "acme"]
        let stdin = Pipe()
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Written from another thread: the server answers while it reads.
        let writer = Thread {
            stdin.fileHandleForWriting.write(input)
            try? stdin.fileHandleForWriting.close()
        }
        writer.start()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (output.split(separator: 0x0A).map { Data($0) }, process.terminationStatus)
    }

    static func frame(_ object: [String: Any]) throws -> Data {
        var data = try JSONSerialization.data(withJSONObject: object)
        data.append(0x0A)
        return data
    }

    static var initialize: [String: Any] { [
        "jsonrpc": "2.0", "id": 0, "method": "initialize",
        "params": ["protocolVersion": "2025-06-18", "capabilities": [String: Any](), "clientInfo": ["name": "test", "version": "1"]],
    ] }

    @Test("300 calls sent at once: 300 whole responses, every id once; a 3 MB save in the same stream")
    func framesStayWhole() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        var input = try Self.frame(Self.initialize)
        input += try Self.frame(["jsonrpc": "2.0", "method": "notifications/initialized"])
        let filler = String(repeating: "lorem ipsum ", count: 200)
        for id in 1...300 {
            let call: [String: Any] =
                switch id % 3 {
                case 0: ["name": "save_text", "arguments": ["text": "note \(id) \(filler)"]]
                case 1: ["name": "list_artifacts", "arguments": ["limit": 100]]
                default: ["name": "search_artifacts", "arguments": ["query": "lorem", "limit": 100]]
                }
            input += try Self.frame(["jsonrpc": "2.0", "id": id, "method": "tools/call", "params": call])
        }
        let big = String(repeating: "0123456789abcdef", count: 3 << 16)  // 3 MiB
        input += try Self.frame([
            "jsonrpc": "2.0", "id": 301, "method": "tools/call", "params": ["name": "save_text", "arguments": ["text": big]],
        ])
        let (lines, status) = try Self.serve(input, store: scratch.url.appendingPathComponent("store"))
        #expect(status == 0)
        var ids: [Int] = []
        for line in lines {
            let object = try #require(try JSONSerialization.jsonObject(with: line) as? [String: Any], "not a frame: \(line.prefix(200))")
            let id = try #require(object["id"] as? Int)
            let result = try #require(object["result"] as? [String: Any], "\(object)")
            #expect(result["isError"] as? Bool != true, "\(id): \(result)")
            if id == 301 { #expect((result["structuredContent"] as? [String: Any])?["bytes"] as? Int == 3 << 20) }
            ids.append(id)
        }
        #expect(ids.sorted() == Array(0...301))
    }

    @Test("A request with a boolean id is answered with -32600 and the server still ends at once with its input")
    func invalidIDAnswered() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        var input = try Self.frame(Self.initialize)
        input += Data(#"{"jsonrpc":"2.0","id":true,"method":"ping"}"#.utf8) + Data([0x0A])
        input += Data(#"[{"jsonrpc":"2.0","id":5,"method":"ping"}]"#.utf8) + Data([0x0A])
        input += try Self.frame(["jsonrpc": "2.0", "id": 2, "method": "ping"])
        let start = Date()
        let (lines, status) = try Self.serve(input, store: scratch.url.appendingPathComponent("store"))
        #expect(status == 0)
        #expect(Date().timeIntervalSince(start) < 60)
        let objects = try lines.map { try #require(try JSONSerialization.jsonObject(with: $0) as? [String: Any]) }
        let errors = objects.filter { ($0["error"] as? [String: Any])?["code"] as? Int == -32600 }
        #expect(errors.count == 2, "\(objects)")
        #expect(objects.contains { $0["id"] as? Int == 2 && $0["result"] != nil })
    }

    @Test("Strings that look like data: URLs (and the guard's own marker) arrive exactly as sent")
    func dataURLStrings() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let texts = ["data:,hello%20world", "data:;base64,aGk=", "data:image/png;charset=x;base64,aGk=", "\u{F8FF}marked", "plain"]
        var input = try Self.frame(Self.initialize)
        input += try Self.frame(["jsonrpc": "2.0", "method": "notifications/initialized"])
        for (index, text) in texts.enumerated() {
            input += try Self.frame([
                "jsonrpc": "2.0", "id": index + 1, "method": "tools/call",
                "params": ["name": "save_text", "arguments": ["text": text, "name": text, "tags": [text], "labels": ["l": text]]],
            ])
        }
        let store = scratch.url.appendingPathComponent("store")
        let (lines, status) = try Self.serve(input, store: store)
        #expect(status == 0)
        var saved: [Int: [String: Any]] = [:]
        for line in lines {
            let object = try #require(try JSONSerialization.jsonObject(with: line) as? [String: Any])
            guard let id = object["id"] as? Int, id > 0 else { continue }
            let result = try #require(object["result"] as? [String: Any], "\(object)")
            saved[id] = try #require(result["structuredContent"] as? [String: Any], "\(result)")
        }
        for (index, text) in texts.enumerated() {
            let record = try #require(saved[index + 1])
            #expect((record["tags"] as? [String]) == [text], "\(text)")
            #expect(((record["labels"] as? [String: Any])?["l"] as? String) == text, "\(text)")
            // The stored bytes are the text itself.
            let sha = try #require(record["sha256"] as? String)
            let blob = store.appendingPathComponent("blobs/\(sha.prefix(2))/\(sha.dropFirst(2).prefix(2))/\(sha)")
            #expect(try String(contentsOf: blob, encoding: .utf8) == text)
        }
    }
}
