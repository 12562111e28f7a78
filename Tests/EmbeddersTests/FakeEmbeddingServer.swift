import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The tests' OpenAI-compatible embeddings server (`fake_embedding_server.py`, Python's
/// standard library) in a process of its own on a loopback port: it answers from its own
/// threads, so tests that block this process's threads cannot stall it. Each input gets
/// ``vector(_:)``; each request first takes the next scripted ``Behaviour``.
final class FakeEmbeddingServer: @unchecked Sendable {
    enum Behaviour: Sendable {
        case status(Int, message: String, retryAfter: String? = nil)
        /// Sleeps this long, then answers normally.
        case slow(seconds: Double)
        /// One vector fewer than inputs.
        case dropLast
        /// The first vector's first component is 1e39 (beyond Float).
        case overflow
        /// The body's only number is a NaN literal (not JSON).
        case nanLiteral
        /// The last result says index 0 again.
        case duplicateIndex
        /// Vectors one component longer.
        case longerVectors
        /// This status with an HTML page, on every request from now on.
        case html(Int)

        var json: [String: Any] {
            switch self {
            case .status(let status, let message, let retryAfter):
                var object: [String: Any] = ["status": status, "message": message]
                if let retryAfter { object["retry_after"] = retryAfter }
                return object
            case .slow(let seconds): return ["slow": seconds]
            case .dropLast: return ["drop_last": true]
            case .overflow: return ["overflow": true]
            case .nanLiteral: return ["nan_literal": true]
            case .duplicateIndex: return ["duplicate_index": true]
            case .longerVectors: return ["longer_vectors": true]
            case .html(let status): return ["html": status]
            }
        }
    }

    /// What one request carried.
    struct Received: Decodable, Sendable {
        var authorization: String?
        var model: String
        var inputs: [String]
        var encodingFormat: String?

        enum CodingKeys: String, CodingKey {
            case authorization, model, inputs
            case encodingFormat = "encoding_format"
        }
    }

    static let dimension = 16

    /// The server's vector of `text`: for each UTF-8 byte b at position k, component
    /// (b + k) mod 16 gains 1.
    static func vector(_ text: String) -> [Float] {
        var values = [Float](repeating: 0, count: dimension)
        for (position, byte) in text.utf8.enumerated() { values[(Int(byte) + position) % dimension] += 1 }
        return values
    }

    static func vectors(_ texts: [String]) -> [[Float]] { texts.map(vector) }

    private let process: Process
    /// The server's standard input: closing it stops the server (and a test process that
    /// dies closes it too, so no server outlives its tests).
    private let input: Pipe
    let port: Int

    private init(process: Process, input: Pipe, port: Int) {
        self.process = process
        self.input = input
        self.port = port
    }

    /// Starts the server and waits until it listens.
    static func start() async throws -> FakeEmbeddingServer {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("fake_embedding_server.py")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path]
        let output = Pipe()
        let input = Pipe()
        process.standardOutput = output
        process.standardInput = input
        try process.run()
        let line = try await offPool { () throws -> String in
            var text = Data()
            while !text.contains(UInt8(ascii: "\n")) {
                let chunk = output.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                text.append(chunk)
            }
            return String(decoding: text, as: UTF8.self)
        }
        guard line.hasPrefix("PORT "), let port = Int(line.dropFirst(5).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            try? input.fileHandleForWriting.close()
            throw ServerFailed(description: "fake_embedding_server.py did not start: \(line)")
        }
        return FakeEmbeddingServer(process: process, input: input, port: port)
    }

    struct ServerFailed: Error, CustomStringConvertible { var description: String }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Stops the server (closes its standard input) and waits for it to exit. Not SIGTERM: a
    /// child started from a thread that blocks signals inherits the mask and would ignore it.
    func stop() {
        guard process.isRunning else { return }
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }

    deinit { stop() }

    /// Behaviours for the next requests, in order.
    func script(_ behaviours: Behaviour...) async throws {
        _ = try await control("/control/script", body: try JSONSerialization.data(withJSONObject: behaviours.map(\.json)))
    }

    /// What every request so far carried, in order.
    func requests() async throws -> [Received] {
        try JSONDecoder().decode([Received].self, from: try await control("/control/requests", body: nil))
    }

    private func control(_ path: String, body: Data?) async throws -> Data {
        var request = URLRequest(url: URL(string: baseURL + path)!, timeoutInterval: 30)
        request.httpMethod = body == nil ? "GET" : "POST"
        request.httpBody = body
        let sent = request
        return try await offPool {
            let done = DispatchSemaphore(value: 0)
            let box = Box()
            Self.session.dataTask(with: sent) { data, _, error in
                box.value = data.map { .success($0) } ?? .failure(error ?? ServerFailed(description: "no answer to \(path)"))
                done.signal()
            }.resume()
            done.wait()
            return try box.value!.get()
        }
    }

    private static let session = URLSession(configuration: .ephemeral)

    private final class Box: @unchecked Sendable {
        var value: Result<Data, any Error>?
    }
}
