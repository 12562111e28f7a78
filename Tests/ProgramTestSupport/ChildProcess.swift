import Foundation

/// What one run of a program did.
public struct ProgramOutput: Sendable {
    public var status: Int32
    public var standardOutput: String
    /// Empty when the run interleaved it into ``standardOutput``.
    public var standardError: String
}

/// Runs programs to their end for the tests, with output captured in files (nothing can block
/// on a full pipe).
public enum ChildProcess {
    /// Runs `executable` in `folder` (default: this process's), with this process's
    /// environment minus `ARTIFACT_SEARCH_STORE`, plus `environment`.
    /// - Parameter interleaved: standard error into the same capture as standard output, in
    ///   the order written.
    public static func run(
        _ executable: URL, _ arguments: [String], in folder: URL? = nil, environment: [String: String] = [:],
        interleaved: Bool = false
    ) throws -> ProgramOutput {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let folder { process.currentDirectoryURL = folder }
        var variables = ProcessInfo.processInfo.environment
        variables.removeValue(forKey: "ARTIFACT_SEARCH_STORE")
        variables.merge(environment) { _, new in new }
        process.environment = variables
        let capture = FileManager.default.temporaryDirectory.appendingPathComponent("artifact-search-child-" + UUID().uuidString)
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
        process.standardError = interleaved ? output : error
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return ProgramOutput(
            status: process.terminationStatus,
            standardOutput: String(decoding: try Data(contentsOf: outputURL), as: UTF8.self),
            standardError: String(decoding: try Data(contentsOf: errorURL), as: UTF8.self))
    }

    /// ``run(_:_:in:environment:interleaved:)`` on a thread of its own, not the cooperative
    /// pool: a server in this process (the test's) keeps answering the program meanwhile.
    public static func runOffPool(
        _ executable: URL, _ arguments: [String], in folder: URL? = nil, environment: [String: String] = [:],
        interleaved: Bool = false
    ) async throws -> ProgramOutput {
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(
                    with: Result { try run(executable, arguments, in: folder, environment: environment, interleaved: interleaved) })
            }.start()
        }
    }
}
