import ArtifactSearch
import Foundation
import HybridSearch
import Logging
import PostgresNIO
import Testing

@testable import ArtifactSearchPostgres

/// The PostgreSQL index against the throw-away cluster of scripts/test-services (its facade-level
/// behaviour is in ArtifactSearchTests, run against every backend). Each test has a schema of
/// its own.
@Suite("PostgreSQL index")
struct PostgresArtifactIndexTests {
    static let url = ProcessInfo.processInfo.environment["ARTIFACT_SEARCH_TEST_POSTGRES_URL"]
    static let available = url != nil

    static func location(schema: String = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "_")) throws
        -> PostgresLocation
    {
        var location = try PostgresLocation(parsing: url!)
        location.schema = schema
        location.tls = .disable
        return location
    }

    static func artifact(_ id: String, sha: String = "ab", org: String = "org-a") -> Artifact {
        Artifact(artifactID: id, kind: "note", sha256: sha, bytes: 2, createdAt: Date(timeIntervalSince1970: 1_750_000_000), orgID: org)
    }

    @Test("postgres:// URLs: user, password (or PGPASSWORD), host, port, database, sslmode, schema; the description hides the password")
    func parsing() throws {
        let full = try PostgresLocation(parsing: "postgres://ann:s%40cret@db.example:6543/artifacts?sslmode=require&schema=team_a")
        #expect(full == PostgresLocation(
            host: "db.example", port: 6543, user: "ann", password: "s@cret", database: "artifacts", tls: .require, schema: "team_a"))
        #expect(full.description == "postgres://ann@db.example:6543/artifacts?sslmode=require&schema=team_a")
        let plain = try PostgresLocation(parsing: "postgresql://ann@localhost/db", environment: ["PGPASSWORD": "from-env"])
        #expect(plain.port == 5432 && plain.password == "from-env" && plain.tls == .prefer && plain.schema == nil)
        for bad in [
            "http://ann@h/db", "postgres://h/db", "postgres://ann@h/", "postgres://ann@h/db?sslmode=maybe",
            "postgres://ann@h/db?schema=1abc", "postgres://ann@h/db?schema=a;drop", "postgres://ann@h/db?colour=red",
        ] {
            #expect(throws: ArtifactError.self, "\(bad)") { try PostgresLocation(parsing: bad) }
        }
    }

    @Test("Nothing listening: a typed remoteStorage error within the timeout, not a retry forever")
    func unreachable() async throws {
        // (postgres-nio's pool alone would retry forever: that this test ends is the point.)
        let location = PostgresLocation(host: "127.0.0.1", port: 9, user: "u", password: "p", database: "d", tls: .disable)
        do {
            _ = try await PostgresArtifactIndex.connect(to: location, timeout: .seconds(2))
            Issue.record("connected to a closed port")
        } catch ArtifactError.remoteStorage(let where_, _) {
            #expect(where_ == location.description)
        }
    }

    @Test("A wrong password is the server's refusal as a typed error", .enabled(if: available))
    func wrongPassword() async throws {
        var location = try Self.location()
        location.password = "not-the-password"
        do {
            _ = try await PostgresArtifactIndex.connect(to: location, timeout: .seconds(10))
            Issue.record("a wrong password was accepted")
        } catch ArtifactError.remoteStorage(_, let reason) {
            #expect(reason.contains("password") || reason.contains("28P01"), "\(reason)")
        }
    }

    @Test("Saves and deletes are numbered in one order; ids are never reused; a schema from a newer build is refused", .enabled(if: available))
    func changeFeed() async throws {
        let location = try Self.location()
        let index = try await PostgresArtifactIndex.connect(to: location)
        defer { index.shutdown() }
        let vector = StoredVector(values: [0.5, -0.25, 1], embedder: "test-embedder")
        let outcomes = try await index.insert(batch: [
            ArtifactInsert(artifact: Self.artifact("a1"), vector: vector),
            ArtifactInsert(artifact: Self.artifact("a2", sha: "cd"), vector: vector),
        ])
        #expect(outcomes == [.inserted(sequence: 1), .inserted(sequence: 2)])
        let (deleted, last) = try await index.delete(ids: ["a1", "missing"], pendingContent: ["ab"])
        #expect(deleted.map(\.artifactID) == ["a1"] && last == 3)
        #expect(try await index.insert(Self.artifact("a3"), vector: vector) == .inserted(sequence: 4))
        let changes = try await index.changes(after: 0, limit: 10)
        #expect(changes.map(\.sequence) == [2, 3, 4])
        if case .saved(let artifact, let stored) = changes[0].kind {
            #expect(artifact.artifactID == "a2" && stored == vector)
        } else {
            Issue.record("change 2 is not a save")
        }
        if case .deleted(let id) = changes[1].kind { #expect(id == "a1") } else { Issue.record("change 3 is not a delete") }
        #expect(try await index.changeCount(after: 2) == 2)
        #expect(try await index.lastChangeSequence() == 4)
        #expect(try await index.pendingContentRemovals() == ["ab"])
        #expect(try await index.referencedContent(among: ["ab", "cd", "ef"]) == ["ab", "cd"])
        #expect(try await index.embedderState().bound == EmbedderBinding(identifier: "test-embedder", dimension: 3))
        do {
            _ = try await index.insert(Self.artifact("a2"), vector: vector)
            Issue.record("an id was saved twice")
        } catch ArtifactError.invalidArgument(let message) {
            #expect(message.contains("already exists"))
        }
        #expect(try await index.lastChangeSequence() == 4)  // the failed insert took no number

        // A newer build's schema is not opened.
        let admin = try await PostgresArtifactIndex.connect(to: location)
        _ = try await admin.rawQuery("UPDATE artifact_search_schema SET version = 99")
        admin.shutdown()
        await #expect(throws: ArtifactError.self) { try await PostgresArtifactIndex.connect(to: location) }
    }

    @Test("A writer that took a change number and has not committed holds back every later one: a reader never sees a gap", .enabled(if: available))
    func outOfOrderCommits() async throws {
        let location = try Self.location()
        let index = try await PostgresArtifactIndex.connect(to: location)
        defer { index.shutdown() }
        let vector = StoredVector(values: [1, 0], embedder: "test-embedder")
        _ = try await index.insert(Self.artifact("first"), vector: vector)
        // Writer A, by hand as the index does it: the log's row locked, change 2 inserted, no commit yet.
        let holder = try await PostgresArtifactIndex.connect(to: location)
        defer { holder.shutdown() }
        let released = AsyncStream<Void>.makeStream()
        let writerA = Task {
            try await holder.withRawTransaction { connection in
                try await connection.query("SELECT last FROM change_log WHERE id = 1 FOR UPDATE", logger: Logger(label: "test"))
                try await connection.query(
                    "INSERT INTO records (sequence, artifact_id, record, pinned) VALUES (2, 'slow', \(#"{"artifact_id":"slow"}"#), false)",
                    logger: Logger(label: "test"))
                try await connection.query("UPDATE change_log SET last = 2 WHERE id = 1", logger: Logger(label: "test"))
                for await _ in released.stream { break }
            }
        }
        try await Task.sleep(nanoseconds: 300_000_000)
        // Writer B starts and finishes its work while A is open: it must wait for A's number.
        let writerB = Task { try await index.insert(Self.artifact("fast"), vector: vector) }
        try await Task.sleep(nanoseconds: 500_000_000)
        #expect(try await index.changes(after: 1, limit: 10).isEmpty, "nothing above 1 is committed yet")
        released.continuation.yield()
        released.continuation.finish()
        try await writerA.value
        #expect(try await writerB.value == .inserted(sequence: 3))
        let seen = try await index.changes(after: 1, limit: 10).map(\.sequence)
        #expect(seen == [2, 3])
    }

    @Test("Each schema's store has an identity kept across connections; one re-embed lock per store: a second holder is refused, another schema's store never waits, a holder whose connection drops loses it", .enabled(if: available))
    func identityAndReembedLock() async throws {
        let location = try Self.location()
        let first = try await PostgresArtifactIndex.connect(to: location, maximumConnections: 2)
        let second = try await PostgresArtifactIndex.connect(to: location, maximumConnections: 2)
        let other = try await PostgresArtifactIndex.connect(to: try Self.location(), maximumConnections: 2)
        defer { [first, second, other].forEach { $0.shutdown() } }
        let identity = try #require(first.storeIdentity)
        #expect(UUID(uuidString: identity) != nil)
        #expect(second.storeIdentity == identity && other.storeIdentity != identity && other.storeIdentity != nil)

        let inside: [String?]? = try await first.withReembedLock {
            let refused = try await second.withReembedLock { "second" }
            let elsewhere = try await other.withReembedLock { "other" }
            // The holder's connection drops (its machine died): the server releases the lock.
            let keys = try await second.rawQuery(
                """
                SELECT pg_terminate_backend(pid, 5000) FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 2
                AND classid::bigint = (hashtext('artifact-search reembed')::bigint + 4294967296) % 4294967296
                AND objid::bigint = (hashtext('\(location.schema!)')::bigint + 4294967296) % 4294967296
                """)
            #expect(keys == 1)
            let afterDrop = try await second.withReembedLock { "second" }
            return [refused, elsewhere, afterDrop]
        }
        #expect(inside == [nil, "other", "second"])
        // The pool replaces the dropped connection; the lock is free.
        #expect(try await first.withReembedLock { 1 } == 1)
    }

    @Test("followChanges hears every commit to its store from any connection, soon after it commits, and none of another schema's store", .enabled(if: available))
    func changeNotifications() async throws {
        let location = try Self.location()
        let follower = try await PostgresArtifactIndex.connect(to: location, maximumConnections: 2)
        let writer = try await PostgresArtifactIndex.connect(to: location, maximumConnections: 2)
        let elsewhere = try await PostgresArtifactIndex.connect(to: try Self.location(), maximumConnections: 2)
        defer { [follower, writer, elsewhere].forEach { $0.shutdown() } }
        let (heard, hear) = AsyncStream.makeStream(of: Void.self)
        let following = Task { try await follower.followChanges { hear.yield() } }
        defer { following.cancel() }
        var signals = heard.makeAsyncIterator()
        /// The next signal, or `false` when none comes within `seconds`.
        func next(within seconds: Int) async -> Bool {
            let timeout = Task {
                try await Task.sleep(for: .seconds(seconds))
                hear.yield()  // the timeout marker: `next` then returns after `seconds`
            }
            defer { timeout.cancel() }
            let started = ContinuousClock.now
            _ = await signals.next()
            return ContinuousClock.now - started < .seconds(seconds)
        }
        #expect(await next(within: 60), "subscribed: one signal for what may have committed before")
        // Another schema's store commits: nothing for this one.
        _ = try await elsewhere.insert(Self.artifact("elsewhere-1"), vector: nil)
        #expect(await next(within: 2) == false, "a commit of another store signalled this one")
        for id in ["note-1", "note-2"] {
            _ = try await writer.insert(Self.artifact(id), vector: nil)
            #expect(await next(within: 60), "no signal after \(id) committed")
        }
        _ = try await writer.delete(ids: ["note-1"], pendingContent: [])
        #expect(await next(within: 60), "no signal after a delete committed")
        #expect(try await follower.changes(after: 0, limit: 10).count == 2, "note-2 saved, note-1 deleted")
    }

    @Test("A transaction whose connection the server ends fails at once with a typed error, never waits forever, and the index goes on working", .enabled(if: available), .timeLimit(.minutes(1)))
    func connectionLostMidTransaction() async throws {
        let location = try Self.location()
        let index = try await PostgresArtifactIndex.connect(to: location, maximumConnections: 2)
        let other = try await PostgresArtifactIndex.connect(to: location, maximumConnections: 1)
        defer { [index, other].forEach { $0.shutdown() } }
        let logger = Logger(label: "test")
        do {
            try await index.withRawTransaction { connection in
                var pid: Int32 = 0
                for try await value in try await connection.checkedQuery("SELECT pg_backend_pid()", logger: logger).decode(Int32.self) {
                    pid = value
                }
                // The server ends this session (a restart, an administrator): the client sees it closed.
                #expect(try await other.rawQuery("SELECT pg_terminate_backend(\(pid), 5000)") == 1)
                for _ in 0..<500 where !connection.isClosed { try await Task.sleep(for: .milliseconds(10)) }
                #expect(connection.isClosed)
                // The next statement, then the ROLLBACK: refused at once (postgres-nio alone waits forever).
                _ = try await connection.checkedQuery("SELECT 1", logger: logger)
            }
            Issue.record("a statement on a closed connection succeeded")
        } catch is ConnectionLost {}
        // The pool replaces the connection.
        _ = try await index.insert(Self.artifact("after-loss"), vector: nil)
        #expect(try await index.count() == 1)
    }

    @Test("Eight writers at once and a follower reading from its watermark: the follower sees every change once, in order", .enabled(if: available))
    func followerNeverSkips() async throws {
        let location = try Self.location()
        let index = try await PostgresArtifactIndex.connect(to: location)
        defer { index.shutdown() }
        let vector = StoredVector(values: [1, 0], embedder: "test-embedder")
        let done = Flag()
        let writers = Task {
            defer { done.set() }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<8 {
                    group.addTask {
                        for batch in 0..<10 {
                            _ = try await index.insert(batch: (0..<3).map { item in
                                ArtifactInsert(artifact: Self.artifact("w\(writer)-b\(batch)-\(item)"), vector: vector)
                            })
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        var watermark: Int64 = 0
        var seen: [String] = []
        var draining = false
        while true {
            // Read the flag before the changes: once it is set, one more read sees everything.
            let last = draining
            draining = done.isSet
            for change in try await index.changes(after: watermark, limit: 7) {
                #expect(change.sequence == watermark + 1, "the follower's next change is the next number")
                watermark = change.sequence
                if case .saved(let artifact, _) = change.kind { seen.append(artifact.artifactID) }
            }
            if last && draining {
                let more = try await index.changes(after: watermark, limit: 1)
                if more.isEmpty { break }
            }
        }
        try await writers.value
        #expect(seen.count == 240 && Set(seen).count == 240)
    }
}

final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}
