import Foundation
import ProgramTestSupport
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
        let output = try ChildProcess.run(try Self.programURL(), arguments, in: folder, environment: environment)
        return ProgramResult(status: output.status, standardOutput: output.standardOutput, standardError: output.standardError)
    }

    /// Runs the program (as ``run(_:environment:)``) and requires exit status 0.
    func runOK(
        _ arguments: [String], environment: [String: String] = [:], sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> ProgramResult {
        let result = try run(arguments, environment: environment)
        #expect(
            result.status == 0, "artifact-search \(arguments.joined(separator: " ")) failed: \(result.standardError)",
            sourceLocation: sourceLocation)
        return result
    }

    /// The `artifact-search` binary `swift test` built.
    static func programURL() throws -> URL { try TestPackage.program() }
}
