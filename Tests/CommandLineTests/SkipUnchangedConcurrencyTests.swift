import Foundation
import Testing

extension SkipUnchangedTests {
    @Test("Two processes ingesting the same unchanged files at once record each file exactly once")
    func concurrentProcesses() throws {
        let runner = try ProgramRunner()
        defer { runner.remove() }
        let count = 60
        for index in 0..<count { try runner.write("batch/f\(index).txt", text: "file \(index) body\n") }
        let lock = NSLock()
        nonisolated(unsafe) var statuses: [Int32] = []
        DispatchQueue.concurrentPerform(iterations: 3) { _ in
            let status = (try? runner.run(["ingest", "batch", "--skip-unchanged"]).status) ?? -1
            lock.withLock { statuses.append(status) }
        }
        #expect(statuses == [0, 0, 0])
        let listed = try runner.runOK(["list", "--limit", "1000", "--json"]).jsonObjects()
        #expect(listed.count == count)
        let paths = listed.compactMap { ($0["labels"] as? [String: Any])?["source_path"] as? String }
        #expect(Set(paths).count == count)
        // Once more: nothing new; a changed file is recorded again.
        try runner.write("batch/f7.txt", text: "changed\n")
        _ = try runner.runOK(["ingest", "batch", "--skip-unchanged"])
        #expect(try runner.runOK(["list", "--limit", "1000", "--json"]).jsonObjects().count == count + 1)
    }
}
