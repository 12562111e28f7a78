import Foundation

/// Where the tests find the package, the program `swift test` built, and the official MCP
/// client the README's test command sets up.
public enum TestPackage {
    /// The folder holding `Package.swift`.
    public static var root: URL {
        var root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while root.path != "/", !FileManager.default.fileExists(atPath: root.appendingPathComponent("Package.swift").path) {
            root = root.deletingLastPathComponent()
        }
        return root
    }

    /// The `artifact-search` binary: next to the test bundle (`swift test` builds it there),
    /// else in the package's build folders.
    public static func program() throws -> URL {
        var candidates: [URL] = []
        if let executable = Bundle.main.executableURL {
            candidates.append(executable.deletingLastPathComponent().appendingPathComponent("artifact-search"))
        }
        if let first = CommandLine.arguments.first {
            candidates.append(URL(fileURLWithPath: first).deletingLastPathComponent().appendingPathComponent("artifact-search"))
        }
        for build in [".build", ".build-cli"] {
            candidates.append(root.appendingPathComponent(build).appendingPathComponent("debug/artifact-search"))
        }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw ProgramNotFound(searched: candidates.map(\.path))
        }
        return found
    }

    public struct ProgramNotFound: Error, CustomStringConvertible {
        public var searched: [String]
        public var description: String {
            "artifact-search binary not found (looked in \(searched.joined(separator: ", "))): run swift build first"
        }
    }

    /// The virtual environment's python with the official MCP client (`ARTIFACT_SEARCH_MCP_PYTHON`,
    /// set by `scripts/test`), when it is there.
    public static var mcpPython: String? {
        ProcessInfo.processInfo.environment["ARTIFACT_SEARCH_MCP_PYTHON"].flatMap {
            FileManager.default.isExecutableFile(atPath: $0) ? $0 : nil
        }
    }

    /// Set by `scripts/test`: the MCP client tests must run, never be skipped.
    public static var requiresMCPClient: Bool { ProcessInfo.processInfo.environment["ARTIFACT_SEARCH_REQUIRE_MCP_CLIENT"] == "1" }
}
