import Foundation
import ProgramTestSupport
import Testing

/// `artifact-search serve` as a process: where it may listen, and a clean SIGTERM.
@Suite("HTTP API: the serve command")
struct ServeProcessTests {
    /// The `artifact-search` binary `swift test` built.
    static func program() throws -> URL { try TestPackage.program() }

    /// A running `serve`, its standard error in a file.
    struct Served {
        let process: Process
        let log: URL
        let port: Int

        static func start(_ arguments: [String], in scratch: Scratch, environment: [String: String] = [:]) throws -> Served {
            let process = Process()
            process.executableURL = try program()
            process.arguments = ["serve", "--port", "0"] + arguments
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, given in given }
            let log = scratch.url.appendingPathComponent("serve-\(UUID().uuidString).log")
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            process.standardError = try FileHandle(forWritingTo: log)
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            let deadline = Date().addingTimeInterval(60)
            while Date() < deadline {
                let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
                if let range = text.range(of: #"listening on http://127\.0\.0\.1:(\d+)"#, options: .regularExpression) {
                    let port = Int(text[range].split(separator: ":").last ?? "") ?? 0
                    return Served(process: process, log: log, port: port)
                }
                if !process.isRunning { break }
                Thread.sleep(forTimeInterval: 0.05)
            }
            process.terminate()
            throw LoopbackClient.ClientError(description: "serve did not start: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
        }
    }

    static func run(_ arguments: [String]) async throws -> (Int32, String) {
        try await runToEnd(try program().path, arguments)
    }

    @Test("Without --keys it refuses any address but loopback; a bad key file or port stops it before it listens")
    func refusals() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let store = scratch.url.appendingPathComponent("store").path
        let (status, output) = try await Self.run(["serve", "--store", store, "--host", "0.0.0.0", "--port", "0"])
        #expect(status == 1)
        #expect(output.contains("loopback") && output.contains("--keys"), "\(output)")
        let keys = scratch.url.appendingPathComponent("keys.json")
        try Data(#"[{"key": "k"}]"#.utf8).write(to: keys)
        let (badKeys, keyOutput) = try await Self.run(["serve", "--store", store, "--keys", keys.path, "--port", "0"])
        #expect(badKeys == 1)
        #expect(keyOutput.contains("org_id"), "\(keyOutput)")
        let (badPort, portOutput) = try await Self.run(["serve", "--store", store, "--port", "70000"])
        #expect(badPort == 1)
        #expect(portOutput.contains("--port"), "\(portOutput)")
        // A port in use is named, with what to do.
        let first = try Served.start(["--store", store], in: scratch)
        defer {
            first.process.terminate()
            first.process.waitUntilExit()
        }
        let (busy, busyOutput) = try await Self.run(["serve", "--store", store, "--port", String(first.port)])
        #expect(busy == 1)
        #expect(busyOutput.contains("port \(first.port)") && busyOutput.contains("already in use"), "\(busyOutput)")
    }

    @Test("SIGTERM during an upload: the request in flight completes, the index is committed, exit 0; the CLI finds the saves")
    func gracefulShutdown() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let store = scratch.url.appendingPathComponent("store").path
        let keys = scratch.url.appendingPathComponent("keys.json")
        try Data(#"[{"key": "secret-key", "org_id": "acme", "write": true}]"#.utf8).write(to: keys)
        let served = try Served.start(["--store", store, "--keys", keys.path, "--host", "127.0.0.1"], in: scratch)
        let client = LoopbackClient(port: served.port, bearer: "secret-key")
        #expect(try await client.post("/v1/artifacts", json: ["text": "saved before the signal zebra"]).status == 201)
        let pid = served.process.processIdentifier
        let upload = Data(String(repeating: "payload quokka ", count: 200_000).utf8)  // 3 MB
        let answer = try await client.send(
            "POST", "/v1/artifacts", headers: ["Content-Type": "text/plain", "X-Artifact-Metadata": #"{"name":"upload.txt"}"#],
            body: upload,
            midway: {
                // Half the body is on its way: let the server take the request in (a connection
                // whose request it has not read yet is idle, and closed at shutdown), then stop it.
                Thread.sleep(forTimeInterval: 0.3)
                kill(pid, SIGTERM)
                Thread.sleep(forTimeInterval: 0.3)
            })
        #expect(answer.status == 201, "\(answer.text)")
        served.process.waitUntilExit()
        #expect(served.process.terminationStatus == 0, "\((try? String(contentsOf: served.log, encoding: .utf8)) ?? "")")
        let indexFiles = try FileManager.default.contentsOfDirectory(atPath: store + "/index")
        #expect(indexFiles.contains { $0.hasPrefix("commit-") }, "\(indexFiles)")
        let (status, output) = try await Self.run(["search", "quokka", "--store", store, "--org-id", "acme", "--level", "org", "--json"])
        #expect(status == 0, "\(output)")
        #expect(output.contains("upload.txt"), "\(output)")
        let (_, zebra) = try await Self.run(["search", "zebra", "--store", store, "--org-id", "acme", "--level", "org", "--json"])
        #expect(zebra.contains("artifact_id"), "\(zebra)")
    }

    @Test("SIGTERM with a request whose body never ends: the server gives it the grace period, then exits 0")
    func stalledBodyDoesNotBlockShutdown() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let store = scratch.url.appendingPathComponent("store").path
        let served = try Served.start(["--store", store, "--shutdown-grace", "1"], in: scratch)
        #expect(try await LoopbackClient(port: served.port).post("/v1/artifacts", json: ["text": "before"]).status == 201)
        // Headers and half of a declared body, then silence.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(served.port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        #expect(connected == 0)
        let head = "POST /v1/artifacts HTTP/1.1\r\nHost: 127.0.0.1:\(served.port)\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\nhalf"
        _ = head.withCString { send(fd, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
        try await Task.sleep(for: .milliseconds(300))
        let start = Date()
        kill(served.process.processIdentifier, SIGTERM)
        served.process.waitUntilExit()
        #expect(Date().timeIntervalSince(start) < 15)
        #expect(served.process.terminationStatus == 0, "\((try? String(contentsOf: served.log, encoding: .utf8)) ?? "")")
        let (status, output) = try await Self.run(["list", "--store", store, "--level", "org", "--json"])
        #expect(status == 0 && output.contains("artifact_id"), "\(output)")
    }
}
