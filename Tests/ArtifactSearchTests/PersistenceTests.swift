import ArtifactSearchPostgres
import Foundation
import HybridSearch
import Testing

@testable import ArtifactSearch

@Suite("Persistence and concurrency")
struct PersistenceTests {
    static let words = [
        "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet",
        "kilo", "lima", "mike", "november", "oscar", "papa", "quebec", "romeo", "sierra", "tango",
    ]

    @Test("A node folder pointed at another shared store, one with more changes, is rebuilt from that store's records, never mixed with the first's", .enabled(if: StoreBackend.available.contains(.shared)))
    func nodeFolderFollowsItsStore() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let scope = Scope(runID: "run-1")
        func open(_ store: String, node: String) async throws -> ArtifactFacade {
            try await ArtifactFacade.open(
                at: folder.url.appendingPathComponent(node), scope: scope,
                blobs: StoreBackend.shared.objects(for: folder, store: store),
                records: try await StoreBackend.shared.records(for: folder, store: store))
        }
        let one = try await open("one", node: "node")
        for index in 0..<2 { _ = try await one.saveText("alpha note \(index)") }
        #expect(try await one.search("alpha note", mode: .hybrid).count == 2)
        try await one.commitSearchIndex()
        let two = try await open("two", node: "seed")
        for index in 0..<4 { _ = try await two.saveText("bravo note \(index)") }
        // The first store's node folder, now a node of the second (its watermark, 2, is behind the second's head, 4).
        let moved = try await open("two", node: "node")
        let hits = try await moved.search("note", limit: 10, mode: .hybrid)
        #expect(Set(hits.map(\.artifact.artifactID)) == Set(try await two.index.allArtifacts().map(\.artifactID)))
        #expect(try await moved.search("alpha", mode: .lexical).isEmpty)
        #expect(one.index.storeIdentity != nil && one.index.storeIdentity != two.index.storeIdentity)
    }

    @Test("Closing and reopening a store of 1,000 artifacts gives the same search results", arguments: StoreBackend.available)
    func reopenGivesSameResults(backend: StoreBackend) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let clock = TestClock()
        let queries = ["alpha bravo", "kilo", "sierra tango papa", "note 517", "golf hotel", "structural"]
        var before: [[String]] = []
        var beforeScores: [[Double?]] = []
        do {
            let facade = try await openFacade(in: folder, backend: backend, clock: clock, synchronizesWrites: false)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<2 {
                    group.addTask {
                        for index in stride(from: worker, to: 1_000, by: 2) {
                            let text = (0..<6).map { Self.words[(index * 7 + $0 * 3) % Self.words.count] }
                                .joined(separator: " ")
                            _ = try await facade.saveText(
                                "note \(index) " + text, labels: ["index": .number(Double(index))],
                                tags: index % 3 == 0 ? ["third"] : [])
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await facade.index.count() == 1_000)
            for query in queries {
                let results = try await facade.search(query, tags: ["third"], limit: 20)
                before.append(results.map(\.artifact.artifactID))
                beforeScores.append(results.map(\.score))
            }
            before.append(try await facade.list(limit: 1_000).map(\.artifactID))
        }
        let reopened = try await openFacade(in: folder, backend: backend, clock: clock, synchronizesWrites: false)
        #expect(try await reopened.index.count() == 1_000)
        #expect(await reopened.backend.count(corpus: "artifacts") == 1_000)
        var after: [[String]] = []
        var afterScores: [[Double?]] = []
        for query in queries {
            let results = try await reopened.search(query, tags: ["third"], limit: 20)
            after.append(results.map(\.artifact.artifactID))
            afterScores.append(results.map(\.score))
        }
        after.append(try await reopened.list(limit: 1_000).map(\.artifactID))
        #expect(before == after)
        #expect(beforeScores == afterScores)
        #expect(before[1].count == 20)
        #expect(before.last?.count == 1_000)
    }

    @Test("Opening with another embedder throws the store's embedderMismatch", arguments: StoreBackend.available)
    func embedderMismatch(backend: StoreBackend) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let first = HashedNGramEmbedder(dimension: 64)
        do {
            let facade = try await openFacade(in: folder, backend: backend, embedder: first)
            _ = try await facade.saveText("vectors of 64 dimensions")
        }
        let second = HashedNGramEmbedder(dimension: 128)
        await #expect(throws: ArtifactError.embedderMismatch(bound: EmbedderBinding(first), given: second.identifier)) {
            _ = try await openFacade(in: folder, backend: backend, embedder: second)
        }
        // The same embedder still opens it.
        let again = try await openFacade(in: folder, backend: backend, embedder: first)
        #expect(try await again.search("dimensions", mode: .semantic).count == 1)
    }

    @Test("The index has a schema version, passes its integrity check, and sees other processes' writes", arguments: StoreBackend.available)
    func schemaAndCatchUp(backend: StoreBackend) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let facade = try await openFacade(in: folder, backend: backend)
        if let index = facade.index as? SQLiteArtifactIndex {
            #expect(try await index.schemaVersion == 4)
            #expect(try await index.checkIntegrity())
        } else {
            #expect(backend == .shared && facade.index is PostgresArtifactIndex)
        }
        // A second, independent opening of the folder (as another process would) writes…
        let other = try await openFacade(in: folder, backend: backend, scope: Scope(runID: "run-1"))
        let written = try await other.saveText("written by the other opener: platypus")
        // …and the first one finds it, structurally and by query.
        #expect(try await facade.list().map(\.artifactID) == [written.artifactID])
        #expect(try await facade.search("platypus", mode: .lexical).map(\.artifact.artifactID) == [written.artifactID])
    }

    @Test("Two tasks saving and searching concurrently: no error, no artifact lost", arguments: StoreBackend.available)
    func concurrentSavesAndSearches(backend: StoreBackend) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let facade = try await openFacade(in: folder, backend: backend, synchronizesWrites: false)
        let perTask = 200
        let saved = try await withThrowingTaskGroup(of: [String].self) { group in
            for worker in 0..<2 {
                group.addTask {
                    let scoped = facade.scoped(to: Scope(runID: "run-1", nodeID: "worker-\(worker)"))
                    var ids: [String] = []
                    for index in 0..<perTask {
                        let artifact = try await scoped.saveText(
                            "worker \(worker) item \(index) \(Self.words[index % Self.words.count])",
                            metrics: ["index": Double(index)])
                        ids.append(artifact.artifactID)
                        if index % 10 == 0 {
                            let hits = try await scoped.search(Self.words[index % Self.words.count], limit: 5)
                            #expect(!hits.isEmpty)
                            _ = try await scoped.list(limit: 5)
                        }
                    }
                    return ids
                }
            }
            var all: [String] = []
            for try await ids in group { all += ids }
            return all
        }
        #expect(saved.count == 2 * perTask)
        #expect(Set(saved).count == 2 * perTask)
        let listed = try await facade.list(includeNode: false, limit: 1_000).map(\.artifactID)
        #expect(Set(listed) == Set(saved))
        #expect(await facade.backend.count(corpus: "artifacts") == 2 * perTask)
        for worker in 0..<2 {
            let scoped = facade.scoped(to: Scope(runID: "run-1", nodeID: "worker-\(worker)"))
            #expect(try await scoped.list(limit: 1_000).count == perTask)
            #expect(try await scoped.best(metric: "index")?.metrics["index"] == Double(perTask - 1))
        }
    }

    @Test("Two independent openers (separate connections, as two processes) write concurrently without \"database is locked\"", arguments: StoreBackend.available)
    func twoOpenersWriteConcurrently(backend: StoreBackend) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let first = try await openFacade(in: folder, backend: backend, synchronizesWrites: false)
        let second = try await openFacade(in: folder, backend: backend, synchronizesWrites: false)
        let perOpener = 100
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (number, facade) in [first, second].enumerated() {
                group.addTask {
                    for index in 0..<perOpener {
                        _ = try await facade.saveText("opener \(number) item \(index)")
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(try await first.index.count() == 2 * perOpener)
        #expect(try await first.search("opener", limit: 500, mode: .lexical).count == 2 * perOpener)
        #expect(try await second.search("opener", limit: 500, mode: .lexical).count == 2 * perOpener)
    }

    @Test("Many tasks saving, searching and pinning through two openers of one folder: nothing lost, pins exact", arguments: StoreBackend.available)
    func concurrentSavePinSearch(backend: StoreBackend) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let first = try await openFacade(in: folder, backend: backend, synchronizesWrites: false)
        let second = try await openFacade(in: folder, backend: backend, synchronizesWrites: false)
        let ids = try await withThrowingTaskGroup(of: [String].self) { group in
            for worker in 0..<6 {
                let facade = worker % 2 == 0 ? first : second
                group.addTask {
                    var mine: [String] = []
                    for index in 0..<15 {
                        let artifact = try await facade.saveText("concurrent note \(worker) \(index)", tags: ["w\(worker)"])
                        mine.append(artifact.artifactID)
                        if index % 3 == 0 { try await facade.pin(artifact.artifactID) }
                        if index % 5 == 0 {
                            let hits = try await facade.search("concurrent note", limit: 5)
                            #expect(Set(hits.map(\.artifact.artifactID)).count == hits.count)
                        }
                    }
                    return mine
                }
            }
            var all: [String] = []
            for try await part in group { all += part }
            return all
        }
        #expect(ids.count == 90)
        for facade in [first, second] {
            let listed = try await facade.list(limit: .max)
            #expect(Set(listed.map(\.artifactID)) == Set(ids))
            #expect(listed.filter(\.pinned).count == 6 * 5)
            let found = try await facade.search("concurrent note", limit: .max, mode: .lexical)
            #expect(Set(found.map(\.artifact.artifactID)) == Set(ids))
        }
        if let index = first.index as? SQLiteArtifactIndex { #expect(try await index.checkIntegrity()) }
        #expect(try await first.index.integrityProblems().isEmpty)
    }
}
