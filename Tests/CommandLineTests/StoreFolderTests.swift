import Foundation
import Testing

/// `ingest` never records the store's own files, however the store is named: directly, through
/// a symbolic link to it, or through a path with a symbolically linked parent.
@Suite("artifact-search ingest: the store's own folder")
struct StoreFolderTests {
    /// `project/` with one note and a store at `project/store` holding it; `link-to-store` →
    /// `project/store` and `project-link` → `project` beside it.
    static func makeProjectWithStore(in runner: ProgramRunner) throws {
        try runner.write("project/note.txt", text: "a note\n")
        _ = try runner.runOK(["ingest", "project/note.txt", "--store", "project/store"])
        #expect(FileManager.default.fileExists(atPath: runner.folder.appendingPathComponent("project/store/index.sqlite").path))
        try FileManager.default.createSymbolicLink(
            atPath: runner.folder.appendingPathComponent("link-to-store").path, withDestinationPath: "project/store")
        try FileManager.default.createSymbolicLink(
            atPath: runner.folder.appendingPathComponent("project-link").path, withDestinationPath: "project")
    }

    @Test("a store named through a symbolic link is recognised inside the ingested folder", arguments: [
        "link-to-store", "project-link/store", "./project/../link-to-store/",
    ])
    func storeThroughLink(store: String) throws {
        let runner = try ProgramRunner()
        defer { runner.remove() }
        try Self.makeProjectWithStore(in: runner)
        let result = try runner.runOK(["ingest", "project", "--store", store, "--json"])
        let paths = try result.jsonObjects().compactMap { ($0["labels"] as? [String: Any])?["source_path"] as? String }
        #expect(paths.count == 1, "\(paths)")
        #expect(paths.first?.hasSuffix("/project/note.txt") == true, "\(paths)")
        #expect(result.standardError.contains("Skipped 1: 1 store folder."), "\(result.standardError)")
        // The same store either way: the note is there twice (once from the set-up).
        #expect(try runner.runOK(["list", "--store", "project/store", "--json"]).jsonObjects().count == 2)
    }

    @Test("--as-directory refuses a folder that holds the store named through a link")
    func asDirectoryThroughLink() throws {
        let runner = try ProgramRunner()
        defer { runner.remove() }
        try Self.makeProjectWithStore(in: runner)
        for store in ["link-to-store", "project-link/store"] {
            let result = try runner.run(["ingest", "project", "--as-directory", "--store", store])
            #expect(result.status == 1, "\(store)")
            #expect(result.errorLines.count == 1, "\(store)")
            #expect(result.standardError.contains("it contains the store"), "\(store): \(result.standardError)")
        }
        #expect(try runner.runOK(["list", "--store", "project/store", "--json"]).jsonObjects().count == 1)
    }
}
