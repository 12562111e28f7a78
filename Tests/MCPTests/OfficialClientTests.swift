import Foundation
import ProgramTestSupport
import Testing

/// `artifact-search mcp` driven by the official MCP Python SDK (`mcp` 2.3.0, pinned in
/// Tests/MCPTests/client/requirements.txt). The README's test command creates its virtual
/// environment and sets ARTIFACT_SEARCH_MCP_PYTHON; without it the test is skipped, unless
/// ARTIFACT_SEARCH_REQUIRE_MCP_CLIENT=1 (set by that command, so CI never skips it).
@Suite("MCP server with the official Python client")
struct OfficialClientTests {
    static var python: String? { TestPackage.mcpPython }
    static var required: Bool { TestPackage.requiresMCPClient }
    static var packageRoot: URL { TestPackage.root }

    /// The `artifact-search` binary `swift test` built.
    static func program() throws -> URL { try TestPackage.program() }

    @Test(
        "initialize, list tools and their schemas, save, search, list, read, best, pin, save_file inside and outside the allowed folder, errors as results, delete",
        .enabled(if: python != nil || required, "run the README's test command (scripts/test) to set up the MCP client"))
    func endToEnd() throws {
        let python = try #require(Self.python, "ARTIFACT_SEARCH_MCP_PYTHON does not name the virtual environment's python")
        let scratch = try Scratch()
        defer { scratch.remove() }
        let allowed = scratch.url.appendingPathComponent("allowed")
        try FileManager.default.createDirectory(at: allowed, withIntermediateDirectories: true)
        try Data("result 42\n".utf8).write(to: allowed.appendingPathComponent("result.txt"))
        let outside = scratch.url.appendingPathComponent("outside.txt")
        try Data("secret\n".utf8).write(to: outside)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [
            Self.packageRoot.appendingPathComponent("Tests/MCPTests/client/e2e_client.py").path, try Self.program().path,
            scratch.url.appendingPathComponent("store").path, allowed.path, outside.path,
        ]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        #expect(process.terminationStatus == 0, "\(text)")
        #expect(text.hasSuffix("ok\n"), "\(text)")
    }
}
