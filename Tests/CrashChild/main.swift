// The child process of the crash tests (ArtifactSearchTests/CrashRecoveryTests): saves
// artifacts into a store in a loop — texts, 2 MB blobs (so a kill often lands mid-write and
// leaves a temporary), folders, batches of three files (group commit) — appends each id to a
// log after its save returned, commits
// the search index every eighth save, and every fifth save deletes the artifact saved three
// saves before (logging "?ID" before and "-ID" after the delete returned; a delete rewrites
// the index segments holding it, so kills also land mid-merge), until it is killed or
// `seconds` have passed.
//
// Usage: artifact-search-crash-child STORE LOG [SECONDS]
import ArtifactSearch
import Foundation
import HybridSearch

let arguments = CommandLine.arguments
guard arguments.count >= 3 else {
    FileHandle.standardError.write(Data("usage: artifact-search-crash-child STORE LOG [SECONDS]\n".utf8))
    exit(2)
}
let store = URL(fileURLWithPath: arguments[1])
let log = try FileHandle(forWritingTo: URL(fileURLWithPath: arguments[2]))
try log.seekToEnd()
let seconds = arguments.count > 3 ? Double(arguments[3]) ?? 15 : 15
let facade = try await ArtifactFacade.open(
    at: store, scope: Scope(runID: "crash"), embedder: HashedNGramEmbedder(dimension: 64),
    configuration: ArtifactFacade.Configuration(synchronizesWrites: false))
let start = Date()
var index = 0
var saved: [String] = []
while Date().timeIntervalSince(start) < seconds {
    let artifact: Artifact
    switch index % 4 {
    case 0:
        artifact = try await facade.saveData(
            Data(repeating: UInt8(index % 251), count: 2_000_000 + index), name: "blob\(index).bin")
    case 1:
        let staged = try facade.stageDirectory()
        for file in 0..<3 {
            try Data("folder \(index) file \(file) crashword".utf8).write(to: staged.appendingPathComponent("f\(file).txt"))
        }
        artifact = try await facade.ingestDirectory(at: staged)
    case 3:
        // A group commit of three files: all of them are logged once the batch returned.
        var files: [FileIngest] = []
        for file in 0..<3 {
            let url = try facade.stagePath(extension: "txt")
            try Data("batch \(index) file \(file) crashword".utf8).write(to: url)
            files.append(FileIngest(url: url, kind: "note", labels: ["i": .integer(Int64(index))]))
        }
        var batch: [Artifact] = []
        for outcome in try await facade.ingestFiles(files) {
            guard case .saved(let saved, _) = outcome else { fatalError("batch file not saved: \(outcome)") }
            batch.append(saved)
        }
        for extra in batch.dropLast() { try log.write(contentsOf: Data((extra.artifactID + "\n").utf8)) }
        artifact = batch.last!
    default:
        artifact = try await facade.saveText("crash note \(index) crashword", labels: ["i": .integer(Int64(index))])
    }
    // The save returned: record it (a write(2), which survives SIGKILL).
    try log.write(contentsOf: Data((artifact.artifactID + "\n").utf8))
    saved.append(artifact.artifactID)
    index += 1
    if index % 5 == 0, saved.count >= 4 {
        let victim = saved[saved.count - 4]
        try log.write(contentsOf: Data(("?" + victim + "\n").utf8))
        try await facade.delete(ids: [victim])
        try log.write(contentsOf: Data(("-" + victim + "\n").utf8))
    }
    // Commit the search index often, so kills also land in the middle of a commit.
    if index % 8 == 0 { _ = try await facade.commitSearchIndex() }
}
