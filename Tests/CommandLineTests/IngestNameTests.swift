import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite("artifact-search ingest: file names")
struct IngestNameTests {
    @Test("A file whose name is not valid UTF-8 is reported as such, and the rest of the folder is ingested")
    func nonUTF8Name() throws {
        let runner = try ProgramRunner()
        defer { runner.remove() }
        try runner.write("dir/good.txt", text: "good\n")
        var bytes = Array((runner.folder.path + "/dir/bad").utf8) + [0xFF] + Array("byte".utf8) + [0]
        let fd = bytes.withUnsafeMutableBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { open($0.baseAddress!, O_WRONLY | O_CREAT, 0o644) }
        }
        #expect(fd >= 0)
        close(fd)
        let result = try runner.run(["ingest", "dir", "--verbose"])
        #expect(result.status == 0)
        #expect(result.standardOutput.contains("Ingested 1 file"), "\(result.standardOutput)")
        #expect(result.standardError.contains("not valid UTF-8"), "\(result.standardError)")
    }
}
