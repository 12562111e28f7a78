import Foundation
import Testing

/// What one run of the program did.
struct ProgramResult {
    var status: Int32
    var standardOutput: String
    var standardError: String

    /// The non-empty lines of standard error.
    var errorLines: [String] {
        standardError.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
    }

    /// Standard output decoded as JSON.
    func json() throws -> Any {
        try JSONSerialization.jsonObject(with: Data(standardOutput.utf8), options: [.fragmentsAllowed])
    }

    /// Standard output as a JSON array of objects.
    func jsonObjects() throws -> [[String: Any]] {
        let value = try json()
        return try #require(value as? [[String: Any]], "stdout is not a JSON array of objects: \(standardOutput)")
    }
}

/// Runs the built `artifact-search` binary in a temporary working folder with its own store.
struct ProgramRunner {
    /// The working folder (removed by ``remove()``); the store is `./.artifact-search` in it.
    let folder: URL

    init() throws {
        folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("artifact-search-cli-tests")
            .appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    func remove() {
        try? FileManager.default.removeItem(at: folder)
    }

    /// Writes a file (creating folders) relative to the working folder.
    @discardableResult
    func write(_ relativePath: String, _ contents: Data) throws -> URL {
        let url = folder.appendingPathComponent(relativePath)
        try FileManager.default.createDirectory(
            at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try contents.write(to: url)
        return url
    }

    @discardableResult
    func write(_ relativePath: String, text: String) throws -> URL {
        try write(relativePath, Data(text.utf8))
    }

    /// Runs the program with `arguments` in the working folder; the environment is this
    /// process's minus `ARTIFACT_SEARCH_STORE`, plus `environment`.
    func run(_ arguments: [String], environment: [String: String] = [:]) throws -> ProgramResult {
        let process = Process()
        process.executableURL = try Self.programURL()
        process.arguments = arguments
        process.currentDirectoryURL = folder
        var variables = ProcessInfo.processInfo.environment
        variables.removeValue(forKey: "ARTIFACT_SEARCH_STORE")
        variables.merge(environment) { _, new in new }
        process.environment = variables
        // Output goes to files, not pipes: nothing can block on a full pipe.
        let capture = FileManager.default.temporaryDirectory
            .appendingPathComponent("artifact-search-cli-output-" + UUID().uuidString)
        try FileManager.default.createDirectory(at: capture, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: capture) }
        let outputURL = capture.appendingPathComponent("stdout")
        let errorURL = capture.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outputURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errorURL.path, contents: nil)
        let output = try FileHandle(forWritingTo: outputURL)
        let error = try FileHandle(forWritingTo: errorURL)
        defer {
            try? output.close()
            try? error.close()
        }
        process.standardOutput = output
        process.standardError = error
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return ProgramResult(
            status: process.terminationStatus,
            standardOutput: String(decoding: try Data(contentsOf: outputURL), as: UTF8.self),
            standardError: String(decoding: try Data(contentsOf: errorURL), as: UTF8.self))
    }

    /// Runs the program and requires exit status 0.
    func runOK(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> ProgramResult {
        let result = try run(arguments)
        #expect(
            result.status == 0, "artifact-search \(arguments.joined(separator: " ")) failed: \(result.standardError)",
            sourceLocation: sourceLocation)
        return result
    }

    /// The `artifact-search` binary: next to the test bundle (`swift test` builds it there),
    /// else in the package's build folders.
    static func programURL() throws -> URL {
        var candidates: [URL] = []
        if let executable = Bundle.main.executableURL {
            candidates.append(executable.deletingLastPathComponent().appendingPathComponent("artifact-search"))
        }
        if let first = CommandLine.arguments.first {
            let url = URL(fileURLWithPath: first).deletingLastPathComponent()
            candidates.append(url.appendingPathComponent("artifact-search"))
        }
        var root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while root.path != "/", !FileManager.default.fileExists(atPath: root.appendingPathComponent("Package.swift").path) {
            root = root.deletingLastPathComponent()
        }
        for build in [".build", ".build-cli"] {
            candidates.append(root.appendingPathComponent(build).appendingPathComponent("debug/artifact-search"))
        }
        for candidate in candidates where FileManager.default.isExecutableFile(atPath: candidate.path) {
            return candidate
        }
        throw ProgramNotFound(searched: candidates.map(\.path))
    }

    struct ProgramNotFound: Error, CustomStringConvertible {
        var searched: [String]
        var description: String {
            "artifact-search binary not found (looked in \(searched.joined(separator: ", "))): run swift build first"
        }
    }
}
