import ArtifactSearch
import Foundation
import HybridSearch
import Logging
import PostgresNIO

/// The shared store's ``ArtifactSearch/ArtifactIndex``: the records (each artifact's JSON
/// record and the vector of its indexed text) in PostgreSQL, through postgres-nio's pooled
/// client (issue 12). The same semantics as ``ArtifactSearch/SQLiteArtifactIndex``, table for
/// table.
///
/// **The change log never lets a reader skip a committed change.** Every write transaction
/// (saves, deletes, embedder binding) first locks the one row of `change_log` and numbers its
/// changes from it, so change numbers are handed out — and become visible — in commit order:
/// a transaction that took number n commits before any other can take n + 1. A reader's
/// `changes(after: w)` therefore sees a gapless prefix of the numbers above `w`, whatever
/// order concurrent writers finished their work in (tested with a writer held open in the
/// middle of its transaction). Writers are serialised on that row, as SQLite serialises them;
/// a batch (group commit) takes it once.
///
/// Schema (version 1, in `artifact_search_schema`; created under an advisory lock of the
/// schema, so processes opening a new database at once do not race): `records` (sequence,
/// artifact_id, record, pinned, vector `bytea` little-endian Float32, embedder, unchanged_key,
/// sha256, mime, created_at), `deletions` (sequence, artifact_id), `pending_content_removals`,
/// `store_info` (the embedder binding, and `store.id`: a UUID made with the schema, see
/// ``storeIdentity``) and `change_log` (the last change number).
///
/// postgres-nio retries a connection forever while the server is down: ``connect(to:logger:timeout:)``
/// asks the server first and fails with ``ArtifactSearch/ArtifactError/remoteStorage(location:reason:)``
/// when it does not answer within the timeout.
public final class PostgresArtifactIndex: ArtifactIndex, Sendable {
    public let location: PostgresLocation
    /// The store's UUID (`store_info` `store.id`), made when its schema was: a node's search
    /// index names it, so a node folder pointed at another database (or schema) is rebuilt
    /// rather than mixed with changes of another store.
    public var storeIdentity: String? { identity.value }
    private let identity = IdentityCell()
    private let client: PostgresClient
    private let runner: Task<Void, Never>
    private let logger: Logger

    /// The schema version this build writes.
    public static let schemaVersion = 1

    private init(location: PostgresLocation, client: PostgresClient, runner: Task<Void, Never>, logger: Logger) {
        self.location = location
        self.client = client
        self.runner = runner
        self.logger = logger
    }

    deinit { runner.cancel() }

    /// Closes the pool's connections (a process that ends needs not call it).
    public func shutdown() { runner.cancel() }

    /// Connects (a pool of up to `maximumConnections`), checks that the server answers within
    /// `timeout`, and creates or checks the schema.
    /// - Throws: ``ArtifactSearch/ArtifactError/remoteStorage(location:reason:)`` when the
    ///   server cannot be reached or refuses the credentials; ``ArtifactSearch/ArtifactError/invalidArgument(_:)``
    ///   for a schema written by a newer build.
    public static func connect(
        to location: PostgresLocation, logger: Logger = Logger(label: "artifact-search.postgres"),
        timeout: Duration = .seconds(10), maximumConnections: Int = 8
    ) async throws -> PostgresArtifactIndex {
        var configuration = PostgresClient.Configuration(
            host: location.host, port: location.port, username: location.user, password: location.password,
            database: location.database, tls: try tls(location.tls))
        configuration.options.maximumConnections = maximumConnections
        configuration.options.connectTimeout = timeout
        if let schema = location.schema { configuration.options.additionalStartupParameters = [("search_path", schema)] }
        // The pool's own retries and closed connections are not the user's news (a command's
        // stderr); failures reach the caller as typed errors.
        var background = logger
        background.logLevel = max(logger.logLevel, .warning)
        let client = PostgresClient(configuration: configuration, backgroundLogger: background)
        let runner = Task { await client.run() }
        let index = PostgresArtifactIndex(location: location, client: client, runner: runner, logger: logger)
        do {
            try await checkConnection(to: location, timeout: timeout, logger: logger)
            try await index.answersWithin(timeout)
            let made = try await index.migrate()
            index.identity.value = made
        } catch {
            runner.cancel()
            throw index.reported(error)
        }
        return index
    }

    private static func tls(_ mode: PostgresLocation.TLSMode) throws -> PostgresClient.Configuration.TLS {
        guard let configuration = tlsConfiguration(mode) else { return .disable }
        return mode == .prefer ? .prefer(configuration) : .require(configuration)
    }

    /// libpq's `sslmode`: `prefer` and `require` check no certificate, `verify-ca` the chain,
    /// `verify-full` the chain and the host name; `nil` for `disable`.
    private static func tlsConfiguration(_ mode: PostgresLocation.TLSMode) -> TLSConfiguration? {
        var configuration = TLSConfiguration.makeClientConfiguration()
        switch mode {
        case .disable: return nil
        case .prefer, .require: configuration.certificateVerification = .none
        case .verifyCA: configuration.certificateVerification = .noHostnameVerification
        case .verifyFull: break
        }
        return configuration
    }

    /// One connection made by hand, so that a refused password or an unknown database is the
    /// server's error at once (the pool retries such connections in the background).
    private static func checkConnection(to location: PostgresLocation, timeout: Duration, logger: Logger) async throws {
        var tls = PostgresConnection.Configuration.TLS.disable
        if let tlsConfiguration = tlsConfiguration(location.tls) {
            let context = try NIOSSLContext(configuration: tlsConfiguration)
            tls = location.tls == .prefer ? .prefer(context) : .require(context)
        }
        var configuration = PostgresConnection.Configuration(
            host: location.host, port: location.port, username: location.user, password: location.password,
            database: location.database, tls: tls)
        configuration.options.connectTimeout = .seconds(Int64(timeout.components.seconds))
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 0, logger: logger)
        try? await connection.close()
    }

    /// `SELECT 1`, or an error once `timeout` has passed (the pool would retry forever).
    private func answersWithin(_ timeout: Duration) async throws {
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                try await self.client.query("SELECT 1")
                return true
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return false
            }
            let answered = try await group.next() ?? false
            group.cancelAll()
            if !answered {
                throw ArtifactError.remoteStorage(
                    location: location.description, reason: "the server did not answer within \(timeout)")
            }
        }
    }

    /// Two-key advisory locks (`pg_advisory_lock(int4, int4)`) of this store: one space per
    /// purpose, the second key the schema's name, so stores in other schemas of the database
    /// never wait on each other.
    /// `function` is one of PostgreSQL's advisory-lock functions (a constant of this file).
    private func advisoryLock(_ function: String, _ purpose: String) -> PostgresQuery {
        "SELECT \(unescaped: function)(hashtext(\(purpose)), hashtext(\(location.schema ?? "")))"
    }

    /// Creates or checks the schema; returns the store's identity (made if missing).
    private func migrate() async throws -> String {
        try await transaction { connection in
            // One opener at a time creates the schema; the others find it made.
            try await connection.checkedQuery(advisoryLock("pg_advisory_xact_lock", "artifact-search schema"), logger: logger)
            if let schema = location.schema {
                try await connection.checkedQuery(PostgresQuery(unsafeSQL: "CREATE SCHEMA IF NOT EXISTS \(schema)"), logger: logger)
            }
            try await connection.checkedQuery("CREATE TABLE IF NOT EXISTS artifact_search_schema (version integer NOT NULL)", logger: logger)
            let version = try await Self.first(
                Int.self, of: try await connection.checkedQuery("SELECT version FROM artifact_search_schema", logger: logger))
            if let version, version > Self.schemaVersion {
                throw ArtifactError.invalidArgument(
                    "the database \(location) has schema version \(version), newer than this build (\(Self.schemaVersion)):"
                        + " upgrade ArtifactSearch to open it")
            }
            if version == nil {
                for statement in Self.schema { try await connection.checkedQuery(PostgresQuery(unsafeSQL: statement), logger: logger) }
                try await connection.checkedQuery(
                    "INSERT INTO artifact_search_schema (version) VALUES (\(Self.schemaVersion))", logger: logger)
            }
            let stored = try await Self.first(
                String.self, of: try await connection.checkedQuery("SELECT value FROM store_info WHERE key = 'store.id'", logger: logger))
            if let stored { return stored }
            let made = UUID().uuidString.lowercased()
            try await connection.checkedQuery("INSERT INTO store_info (key, value) VALUES ('store.id', \(made))", logger: logger)
            return made
        }
    }

    static let schema = [
        """
        CREATE TABLE records (
            sequence bigint PRIMARY KEY,
            artifact_id text NOT NULL UNIQUE,
            record text NOT NULL,
            pinned boolean NOT NULL DEFAULT false,
            vector bytea,
            embedder text,
            unchanged_key text,
            sha256 text,
            mime text,
            created_at text
        )
        """,
        "CREATE INDEX records_by_sha256 ON records (sha256)",
        "CREATE INDEX records_by_mime ON records (mime)",
        "CREATE INDEX records_by_unchanged_key ON records (unchanged_key, created_at DESC, artifact_id DESC) WHERE unchanged_key IS NOT NULL",
        "CREATE TABLE deletions (sequence bigint PRIMARY KEY, artifact_id text NOT NULL)",
        "CREATE TABLE pending_content_removals (sha256 text PRIMARY KEY)",
        "CREATE TABLE store_info (key text PRIMARY KEY, value text NOT NULL)",
        "CREATE TABLE change_log (id integer PRIMARY KEY CHECK (id = 1), last bigint NOT NULL)",
        "INSERT INTO change_log (id, last) VALUES (1, 0)",
    ]

    // MARK: Transactions and errors

    /// Runs `body` in one transaction (`BEGIN` … `COMMIT`, `ROLLBACK` when it throws), keeping
    /// `body`'s own errors (postgres-nio's `withTransaction` wraps them).
    private func transaction<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await client.withConnection { connection in
            try await connection.checkedQuery("BEGIN", logger: logger)
            do {
                let value = try await body(connection)
                try await connection.checkedQuery("COMMIT", logger: logger)
                return value
            } catch {
                _ = try? await connection.checkedQuery("ROLLBACK", logger: logger)
                throw error
            }
        }
    }

    /// A write transaction: takes the change log's row first (see the type's documentation)
    /// and hands `body` the last change number; `body` returns the new one with its result.
    private func logged<T: Sendable>(_ body: (PostgresConnection, Int64) async throws -> (T, last: Int64)) async throws -> T {
        do {
            return try await transaction { connection in
                let last = try await Self.first(
                    Int64.self, of: try await connection.checkedQuery("SELECT last FROM change_log WHERE id = 1 FOR UPDATE", logger: logger)) ?? 0
                let (result, newLast) = try await body(connection, last)
                if newLast != last {
                    // The notification goes out when the transaction commits (followChanges).
                    for try await _ in try await connection.checkedQuery(
                        """
                        UPDATE change_log SET last = \(newLast) WHERE id = 1
                        RETURNING pg_notify(\(Self.notificationChannel), \(location.schema ?? ""))
                        """, logger: logger) {}
                }
                return result
            }
        } catch {
            throw reported(error)
        }
    }

    /// The first column of the first row (the rest is read and dropped), or `nil` for none.
    private static func first<T: PostgresDecodable & Sendable>(_ type: T.Type, of rows: PostgresRowSequence) async throws -> T? {
        var found: T?
        for try await value in rows.decode(T.self) where found == nil { found = value }
        return found
    }

    /// A read, its failures reported.
    @discardableResult
    private func reading<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            throw reported(error)
        }
    }

    /// Our own errors unchanged; the server's and the connection's as
    /// ``ArtifactSearch/ArtifactError/remoteStorage(location:reason:)`` with the server's message.
    private func reported(_ error: any Error) -> any Error {
        if error is ArtifactError || error is CancellationError { return error }
        if let error = error as? PSQLError {
            if error.serverInfo?[.sqlState] == "23505" {
                // The only unique key a caller can hit: an artifact id saved twice.
                return ArtifactError.invalidArgument(
                    "an artifact with this id already exists (\(error.serverInfo?[.detail] ?? "duplicate key")): ids are never reused")
            }
            if let message = error.serverInfo?[.message] {
                let state = error.serverInfo?[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
                return ArtifactError.remoteStorage(location: location.description, reason: message + state)
            }
            return ArtifactError.remoteStorage(location: location.description, reason: "\(error.code)")
        }
        if let error = error as? ConnectionLost {
            return ArtifactError.remoteStorage(location: location.description, reason: error.description)
        }
        return ArtifactError.remoteStorage(location: location.description, reason: String(reflecting: error))
    }

    // MARK: Writing

    public func insert(batch: [ArtifactInsert]) async throws -> [InsertOutcome] {
        let rows = try batch.map { insert in (insert, try insert.recordJSON()) }
        let vectors = batch.compactMap(\.vector)
        return try await logged { connection, last in
                try await Self.checkVectors(vectors, connection, logger)
                var next = last
                var outcomes: [InsertOutcome] = []
                for (insert, record) in rows {
                    let artifact = insert.artifact
                    if let condition = insert.condition {
                        let newest = try await Self.first(
                            String?.self,
                            of: try await connection.checkedQuery(
                                """
                                SELECT sha256 FROM records WHERE unchanged_key = \(condition.key)
                                ORDER BY created_at DESC, artifact_id DESC LIMIT 1
                                """, logger: logger))
                        if newest == condition.sha256 {
                            outcomes.append(.unchanged)
                            continue
                        }
                    }
                    next += 1
                    let vector = insert.vector.map { VectorCoding.encode($0.values) }
                    try await connection.checkedQuery(
                        """
                        INSERT INTO records (sequence, artifact_id, record, pinned, vector, embedder, unchanged_key, sha256, mime, created_at)
                        VALUES (\(next), \(artifact.artifactID), \(record), \(artifact.pinned), \(vector), \(insert.vector?.embedder),
                                \(insert.recordedKey), \(artifact.sha256), \(artifact.mime), \(artifact.createdAt.map(ArtifactTimestamp.format)))
                        """, logger: logger)
                    outcomes.append(.inserted(sequence: next))
                }
                return (outcomes, next)
        }
    }

    public func setPinned(_ pinned: Bool, id: String) async throws -> Artifact? {
        // The updated record comes back with the update: one round trip.
        try await reading {
            var updated: Artifact?
            for try await (record, isPinned) in try await client.query(
                "UPDATE records SET pinned = \(pinned) WHERE artifact_id = \(id) RETURNING record, pinned", logger: logger
            ).decode((String, Bool).self) {
                updated = try Artifact.decodeRecord(record, pinned: isPinned)
            }
            return updated
        }
    }

    public func delete(ids: [String], pendingContent: Set<String>, exceptPinned: Bool) async throws
        -> (deleted: [Artifact], lastSequence: Int64?, keptPinned: [String])
    {
        try await logged { connection, last in
            var deleted: [Artifact] = []
            var kept: [String] = []
            var next = last
            for id in ids {
                var found: (String, Bool)?
                for try await row in try await connection.checkedQuery(
                    "DELETE FROM records WHERE artifact_id = \(id) AND NOT (\(exceptPinned) AND pinned) RETURNING record, pinned",
                    logger: logger
                ).decode((String, Bool).self) {
                    found = row
                }
                guard let (record, pinned) = found else {
                    let exists = try await Self.first(
                        Int32.self, of: try await connection.checkedQuery("SELECT 1 FROM records WHERE artifact_id = \(id)", logger: logger))
                    if exists != nil { kept.append(id) }
                    continue
                }
                deleted.append(try Artifact.decodeRecord(record, pinned: pinned))
                next += 1
                try await connection.checkedQuery("INSERT INTO deletions (sequence, artifact_id) VALUES (\(next), \(id))", logger: logger)
            }
            for sha in pendingContent.sorted() {
                try await connection.checkedQuery(
                    "INSERT INTO pending_content_removals (sha256) VALUES (\(sha)) ON CONFLICT DO NOTHING", logger: logger)
            }
            return ((deleted, next == last ? nil : next, kept), next)
        }
    }

    // MARK: Reading

    public func artifact(id: String) async throws -> Artifact? {
        try await artifacts(ids: [id])[id]
    }

    public func artifacts(ids: [String]) async throws -> [String: Artifact] {
        let unique = Array(Set(ids))
        guard !unique.isEmpty else { return [:] }
        return try await reading {
            var result: [String: Artifact] = [:]
            for start in stride(from: 0, to: unique.count, by: 10_000) {
                let chunk = Array(unique[start..<min(start + 10_000, unique.count)])
                for try await (record, pinned) in try await client.query(
                    "SELECT record, pinned FROM records WHERE artifact_id = ANY(\(chunk))", logger: logger
                ).decode((String, Bool).self) {
                    let artifact = try Artifact.decodeRecord(record, pinned: pinned)
                    result[artifact.artifactID] = artifact
                }
            }
            return result
        }
    }

    public func unchangedKeys(ids: [String]) async throws -> [String: String] {
        let unique = Array(Set(ids))
        guard !unique.isEmpty else { return [:] }
        return try await reading {
            var keys: [String: String] = [:]
            for try await (id, key) in try await client.query(
                "SELECT artifact_id, unchanged_key FROM records WHERE unchanged_key IS NOT NULL AND artifact_id = ANY(\(unique))",
                logger: logger
            ).decode((String, String).self) {
                keys[id] = key
            }
            return keys
        }
    }

    public func allArtifacts() async throws -> [Artifact] {
        try await reading {
            var all: [Artifact] = []
            for try await (record, pinned) in try await client.query(
                "SELECT record, pinned FROM records ORDER BY sequence", logger: logger
            ).decode((String, Bool).self) {
                all.append(try Artifact.decodeRecord(record, pinned: pinned))
            }
            return all
        }
    }

    public func changes(after sequence: Int64, limit: Int) async throws -> [ArtifactChange] {
        try await reading {
            var changes: [ArtifactChange] = []
            // One statement, one snapshot: with numbers handed out in commit order it holds a
            // gapless prefix of the changes above `sequence`.
            let rows = try await client.query(
                """
                SELECT sequence, artifact_id, record, pinned, vector, embedder, false FROM records WHERE sequence > \(sequence)
                UNION ALL
                SELECT sequence, artifact_id, NULL, false, NULL, NULL, true FROM deletions WHERE sequence > \(sequence)
                ORDER BY 1 LIMIT \(max(1, limit))
                """, logger: logger)
            for try await (number, id, record, pinned, vector, embedder, isDelete) in rows.decode(
                (Int64, String, String?, Bool, ByteBuffer?, String?, Bool).self)
            {
                guard !isDelete, let record else {
                    changes.append(ArtifactChange(sequence: number, kind: .deleted(id: id)))
                    continue
                }
                var stored: StoredVector?
                if let vector, let embedder {
                    stored = StoredVector(values: VectorCoding.decode(Data(vector.readableBytesView)), embedder: embedder)
                }
                changes.append(
                    ArtifactChange(sequence: number, kind: .saved(try Artifact.decodeRecord(record, pinned: pinned), vector: stored)))
            }
            return changes
        }
    }

    public func changeCount(after sequence: Int64) async throws -> Int {
        try await count(
            "SELECT (SELECT count(*) FROM records WHERE sequence > \(sequence)) + (SELECT count(*) FROM deletions WHERE sequence > \(sequence))")
    }

    /// Every store's commits notify this channel, with the store's schema name as payload
    /// (a channel per schema could pass PostgreSQL's 63-byte identifier limit).
    static let notificationChannel = "artifact_search_changes"

    public func followChanges(_ changed: @escaping @Sendable () -> Void) async throws {
        let schema = location.schema ?? ""
        while true {
            try Task.checkCancellation()
            do {
                try await client.withConnection { connection in
                    try await connection.listen(on: Self.notificationChannel) { notifications in
                        changed()  // subscribed (again): whatever committed before counts too
                        for try await notification in notifications where notification.payload == schema { changed() }
                    }
                }
            } catch {
                if Task.isCancelled { throw CancellationError() }
                logger.info("change notifications interrupted, subscribing again in 1 s", metadata: ["error": "\(error)"])
            }
            try await Task.sleep(for: .seconds(1))
        }
    }

    public func lastChangeSequence() async throws -> Int64 {
        try await reading {
            try await Self.first(Int64.self, of: try await client.query("SELECT last FROM change_log WHERE id = 1", logger: logger)) ?? 0
        }
    }

    public func pendingContentRemovals() async throws -> [String] {
        try await strings("SELECT sha256 FROM pending_content_removals ORDER BY sha256")
    }

    public func clearPendingContentRemovals(_ sha256s: [String]) async throws {
        guard !sha256s.isEmpty else { return }
        try await reading { try await client.query("DELETE FROM pending_content_removals WHERE sha256 = ANY(\(sha256s))", logger: logger) }
    }

    public func referencedContent(among sha256s: Set<String>) async throws -> Set<String> {
        guard !sha256s.isEmpty else { return [] }
        return Set(try await strings("SELECT DISTINCT sha256 FROM records WHERE sha256 = ANY(\(Array(sha256s)))"))
    }

    public func directoryManifests() async throws -> [String] {
        try await strings("SELECT DISTINCT sha256 FROM records WHERE mime = \(DirectoryManifest.mimeType) AND sha256 IS NOT NULL")
    }

    public func count() async throws -> Int {
        try await count("SELECT count(*) FROM records")
    }

    private func count(_ query: PostgresQuery) async throws -> Int {
        try await reading { Int(try await Self.first(Int64.self, of: try await client.query(query, logger: logger)) ?? 0) }
    }

    private func strings(_ query: PostgresQuery) async throws -> [String] {
        try await reading {
            var values: [String] = []
            for try await value in try await client.query(query, logger: logger).decode(String.self) { values.append(value) }
            return values
        }
    }

    // MARK: Embedder binding (as SQLiteArtifactIndex: `store_info` keys embedder.* and embedder.target.*)

    private static let boundPrefix = "embedder."
    private static let targetPrefix = "embedder.target."

    public func embedderState() async throws -> EmbedderState {
        try await reading { try await client.withConnection { try await Self.embedderState($0, logger) } }
    }

    static func embedderState(_ connection: PostgresConnection, _ logger: Logger) async throws -> EmbedderState {
        var values: [String: String] = [:]
        for try await (key, value) in try await connection.checkedQuery(
            "SELECT key, value FROM store_info WHERE key LIKE 'embedder.%'", logger: logger
        ).decode((String, String).self) {
            values[key] = value
        }
        func binding(_ prefix: String) -> EmbedderBinding? {
            guard let identifier = values[prefix + "identifier"], let dimension = values[prefix + "dimension"].flatMap({ Int($0) })
            else { return nil }
            return EmbedderBinding(identifier: identifier, dimension: dimension, choice: values[prefix + "choice"])
        }
        var bound = binding(boundPrefix)
        if bound == nil {
            for try await (identifier, bytes) in try await connection.checkedQuery(
                "SELECT embedder, length(vector) FROM records WHERE vector IS NOT NULL AND embedder IS NOT NULL ORDER BY sequence DESC LIMIT 1",
                logger: logger
            ).decode((String, Int32).self) {
                bound = EmbedderBinding(identifier: identifier, dimension: Int(bytes) / 4)
            }
        }
        return EmbedderState(bound: bound, target: binding(targetPrefix))
    }

    private static func write(_ binding: EmbedderBinding, prefix: String, _ connection: PostgresConnection, _ logger: Logger)
        async throws
    {
        func put(_ key: String, _ value: String) async throws {
            try await connection.checkedQuery(
                "INSERT INTO store_info (key, value) VALUES (\(key), \(value)) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                logger: logger)
        }
        try await put(prefix + "identifier", binding.identifier)
        try await put(prefix + "dimension", String(binding.dimension))
        if let choice = binding.choice {
            try await put(prefix + "choice", choice)
        } else {
            try await connection.checkedQuery("DELETE FROM store_info WHERE key = \(prefix + "choice")", logger: logger)
        }
    }

    /// Refuses vectors of any embedder but the store's, and binds an unbound store to the
    /// first vector's (inside the saving transaction, as SQLite does).
    private static func checkVectors(_ vectors: [StoredVector], _ connection: PostgresConnection, _ logger: Logger) async throws {
        guard let first = vectors.first else { return }
        var state = try await embedderState(connection, logger)
        if state.bound == nil, state.target == nil {
            state.bound = EmbedderBinding(identifier: first.embedder, dimension: first.values.count)
            try await write(state.bound!, prefix: boundPrefix, connection, logger)
        }
        try state.check(vectors)
    }

    public func bind(_ binding: EmbedderBinding, seen: EmbedderState) async throws -> EmbedderBinding {
        let bound = try seen.binding(after: binding)
        if bound == seen.bound { return bound }
        return try await logged { connection, last in
            let state = try await Self.embedderState(connection, logger)
            let bound = try state.binding(after: binding)
            if bound != state.bound { try await Self.write(bound, prefix: Self.boundPrefix, connection, logger) }
            return (bound, last)
        }
    }

    public func beginReembed(to target: EmbedderBinding) async throws {
        try await logged { connection, last in
            try await Self.write(target, prefix: Self.targetPrefix, connection, logger)
            return ((), last)
        }
    }

    /// A session-level advisory lock of this store's schema, on one of the pool's connections
    /// kept for the whole of `body` (the server releases it when that connection drops: a
    /// re-embed whose process died leaves no lock behind).
    public func withReembedLock<T: Sendable>(_ body: () async throws -> T) async throws -> T? {
        let purpose = "artifact-search reembed"
        return try await client.withConnection { connection -> T? in
            let acquired = try await reading {
                try await Self.first(Bool.self, of: try await connection.checkedQuery(advisoryLock("pg_try_advisory_lock", purpose), logger: logger))
            }
            guard acquired == true else { return nil }
            // Unlocked however `body` ends (a connection the server dropped meanwhile has lost
            // the lock already: see checkedQuery).
            let outcome: Result<T, any Error>
            do { outcome = .success(try await body()) } catch { outcome = .failure(error) }
            _ = try? await connection.checkedQuery(advisoryLock("pg_advisory_unlock", purpose), logger: logger)
            return try outcome.get()
        }
    }

    public func artifactsToReembed(notEmbeddedBy identifier: String, after sequence: Int64, limit: Int) async throws
        -> [(sequence: Int64, artifact: Artifact)]
    {
        try await reading {
            var found: [(sequence: Int64, artifact: Artifact)] = []
            for try await (number, record, pinned) in try await client.query(
                """
                SELECT sequence, record, pinned FROM records
                WHERE sequence > \(sequence) AND (vector IS NULL OR embedder IS NULL OR embedder <> \(identifier))
                ORDER BY sequence LIMIT \(limit)
                """, logger: logger
            ).decode((Int64, String, Bool).self) {
                found.append((number, try Artifact.decodeRecord(record, pinned: pinned)))
            }
            return found
        }
    }

    public func reembedCount(notEmbeddedBy identifier: String) async throws -> Int {
        try await count(Self.reembedCountQuery(notEmbeddedBy: identifier))
    }

    /// How many records' vectors are not `identifier`'s (what a re-embed has left).
    private static func reembedCountQuery(notEmbeddedBy identifier: String) -> PostgresQuery {
        "SELECT count(*) FROM records WHERE vector IS NULL OR embedder IS NULL OR embedder <> \(identifier)"
    }

    public func replaceVectors(_ vectors: [(artifactID: String, vector: StoredVector)]) async throws {
        try await logged { connection, last in
            guard let target = try await Self.embedderState(connection, logger).target,
                vectors.allSatisfy({ $0.vector.embedder == target.identifier })
            else {
                throw ArtifactError.storeBusy(
                    "the store's re-embed target changed while this reembed ran (another process switched it): run it again")
            }
            for (id, vector) in vectors {
                try await connection.checkedQuery(
                    "UPDATE records SET vector = \(VectorCoding.encode(vector.values)), embedder = \(vector.embedder) WHERE artifact_id = \(id)",
                    logger: logger)
            }
            return ((), last)
        }
    }

    public func finishReembed() async throws -> EmbedderBinding {
        try await logged { connection, last in
            guard let target = try await Self.embedderState(connection, logger).target else {
                throw ArtifactError.invalidArgument("no re-embed of this store is under way")
            }
            let left = try await Self.first(
                Int64.self, of: try await connection.checkedQuery(Self.reembedCountQuery(notEmbeddedBy: target.identifier), logger: logger))
            guard left == 0 else { throw ArtifactError.reembedUnfinished(target: target) }
            try await Self.write(target, prefix: Self.boundPrefix, connection, logger)
            try await connection.checkedQuery("DELETE FROM store_info WHERE key LIKE 'embedder.target.%'", logger: logger)
            return (target, last)
        }
    }

    // MARK: Test hooks

    /// Runs SQL as it is (tests: damage a schema, look inside).
    @discardableResult
    func rawQuery(_ sql: String) async throws -> Int {
        var rows = 0
        for try await _ in try await client.query(PostgresQuery(unsafeSQL: sql), logger: logger) { rows += 1 }
        return rows
    }

    /// `body` in one transaction on one of the pool's connections (tests: a writer held open).
    func withRawTransaction(_ body: (PostgresConnection) async throws -> Void) async throws {
        try await transaction(body)
    }

    // MARK: Maintenance

    /// PostgreSQL checks its own pages (checksums, WAL); there is no cheap whole-database
    /// check to run here: the records' own checks (every record decodes) are `verify`'s.
    public func integrityProblems() async throws -> [String] {
        []
    }

    /// `REINDEX` of the store's tables.
    public func rebuildStructures() async throws {
        try await reading {
            for table in ["records", "deletions", "pending_content_removals", "store_info"] {
                try await client.query(PostgresQuery(unsafeSQL: "REINDEX TABLE \(table)"), logger: logger)
            }
        }
    }
}

/// The identity read once at connect (set before the index is handed out).
private final class IdentityCell: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: String?  // guarded by `lock`

    var value: String? {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
