import Foundation
import GRDB
import HybridSearch

/// The embedded ``ArtifactIndex``: one SQLite database in WAL mode, through a GRDB
/// `DatabasePool`.
///
/// - Readers never wait for the writer (WAL); writes are serialised and start with
///   `BEGIN IMMEDIATE`, and a busy timeout (default 30 s) makes writers from other processes
///   wait instead of failing with "database is locked".
/// - `synchronous = NORMAL`: a killed process never loses a committed transaction; a power
///   loss may lose the last ones, never corrupt the database.
/// - The schema is created and upgraded by GRDB migrations; ``schemaVersion`` reports it.
public final class SQLiteArtifactIndex: ArtifactIndex {
    public let databaseURL: URL
    /// Whether the database was opened read-only (see ``init(databaseURL:busyTimeout:readOnly:)``).
    public let isReadOnly: Bool
    /// The schema version this open upgraded the database from (`nil`: new, or current).
    public let upgradedFromVersion: Int?
    private let pool: any DatabaseWriter

    /// Opens (creating and migrating if needed) the database at `databaseURL`.
    /// - Parameters:
    ///   - busyTimeout: seconds a writer waits for another process's write lock.
    ///   - readOnly: open an existing database for reading only: nothing is created or
    ///     migrated and every write fails with ``ArtifactError/readOnlyStore(path:)``. In a
    ///     folder this user cannot write, SQLite cannot create the WAL's shared-memory file, so
    ///     the database is then opened `immutable`: a snapshot that takes no locks — changes a
    ///     writer makes meanwhile (another user, with write access) may be missed or, rarely,
    ///     read half-done; reopen to see them.
    /// - Throws: ``ArtifactError/damagedDatabase(path:reason:)`` when the file is not a sound
    ///   SQLite database, ``ArtifactError/io(path:reason:)`` when it cannot be opened, and
    ///   ``ArtifactError/invalidArgument(_:)`` when it was written by a newer schema (or, read-only,
    ///   by an older one).
    public init(databaseURL: URL, busyTimeout: TimeInterval = 30, readOnly: Bool = false) throws {
        self.databaseURL = databaseURL
        self.isReadOnly = readOnly
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeout)
        configuration.readonly = readOnly
        if !readOnly {
            configuration.prepareDatabase { db in
                try db.execute(sql: "PRAGMA synchronous = NORMAL")
            }
        }
        let path = databaseURL.path
        do {
            if readOnly {
                pool = try Self.openReadOnly(path: path, configuration: configuration)
            } else {
                pool = try DatabasePool(path: path, configuration: configuration)
            }
        } catch let error as DatabaseError where Self.isDamage(error) {
            throw ArtifactError.damagedDatabase(path: path, reason: error.message ?? "\(error.resultCode)")
        } catch let error as ArtifactError {
            throw error
        } catch {
            throw ArtifactError.io(path: path, reason: "cannot open the database (\(error))")
        }
        let version: Int
        do {
            version = try pool.read { db in try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0 }
        } catch let error as DatabaseError where Self.isDamage(error) {
            throw ArtifactError.damagedDatabase(path: path, reason: error.message ?? "\(error.resultCode)")
        }
        upgradedFromVersion = version > 0 && version < IndexSchema.currentVersion && !readOnly ? version : nil
        guard version <= IndexSchema.currentVersion else {
            throw ArtifactError.invalidArgument(
                "the index at \(path) has schema version \(version), newer than this build"
                    + " (\(IndexSchema.currentVersion)): upgrade ArtifactSearch to open it")
        }
        if readOnly {
            guard version == IndexSchema.currentVersion else {
                throw ArtifactError.invalidArgument(
                    "the index at \(path) has schema version \(version) and needs upgrading to"
                        + " \(IndexSchema.currentVersion), which a read-only store cannot do: open it once with write access")
            }
        } else {
            do {
                try Self.migrate(pool, deadline: Date(timeIntervalSinceNow: busyTimeout))
                // Schema 4 dropped the text copies, terms and side tables (about half of a
                // schema-3 file): give the space back once.
                // Best effort: a reader holding the database (another process) makes it wait,
                // then skip.
                if version > 0 && version < 4 { try? pool.vacuum() }
            } catch let error as DatabaseError where Self.isDamage(error) {
                throw ArtifactError.damagedDatabase(path: path, reason: error.message ?? "\(error.resultCode)")
            }
        }
    }

    /// A read-only connection: plain first (it works where the WAL's `-shm` file exists or can
    /// be made), else `immutable` (a folder nobody lets us write; needs SQLite URI filenames,
    /// which Debian's and Apple's builds enable).
    private static func openReadOnly(path: String, configuration: Configuration) throws -> DatabaseQueue {
        do {
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            _ = try queue.read { db in try Int.fetchOne(db, sql: "PRAGMA user_version") }
            return queue
        } catch let error as DatabaseError where isDamage(error) {
            throw error
        } catch {
            // Immutable ignores the write-ahead log: with committed pages still in it, reads
            // would silently miss them. Refuse instead.
            let wal = (try? FileManager.default.attributesOfItem(atPath: path + "-wal"))?[.size] as? Int ?? 0
            if wal > 0 {
                throw ArtifactError.io(
                    path: path,
                    reason: "its last writes are still in \(path)-wal, which this user cannot read without the"
                        + " shared-memory file \(path)-shm: ask the owner to run any artifact-search command on the"
                        + " store (SQLite then folds the log into the database), or read it with write access")
            }
            var components = URLComponents()
            components.scheme = "file"
            components.path = path
            components.queryItems = [URLQueryItem(name: "immutable", value: "1")]
            return try DatabaseQueue(path: components.string ?? path, configuration: configuration)
        }
    }

    /// Runs the pending migrations. Each is its own transaction, so processes opening a new
    /// or older store at once can interleave: one that finds a migration already applied by
    /// another (its statements fail: "table records already exists") rolls it back and looks
    /// again, until every migration is applied or `deadline` passes.
    private static func migrate(_ pool: any DatabaseWriter, deadline: Date) throws {
        let migrator = IndexSchema.migrator
        while true {
            do {
                try migrator.migrate(pool)
                return
            } catch let error as DatabaseError where error.resultCode == .SQLITE_ERROR {
                if try pool.read({ try migrator.hasCompletedMigrations($0) }) { return }
                guard Date() < deadline else { throw error }
                Thread.sleep(forTimeInterval: 0.02)
            }
        }
    }

    /// `pool.write`, refused up front on a read-only database.
    private func writing<T: Sendable>(_ updates: @escaping @Sendable (Database) throws -> T) async throws -> T {
        if isReadOnly { throw ArtifactError.readOnlyStore(path: databaseURL.deletingLastPathComponent().path) }
        return try await pool.write(updates)
    }

    static func isDamage(_ error: DatabaseError) -> Bool {
        error.resultCode == .SQLITE_NOTADB || error.resultCode == .SQLITE_CORRUPT
    }

    /// The schema version of the database (`PRAGMA user_version`).
    public var schemaVersion: Int {
        get async throws { try await pool.read { db in try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0 } }
    }

    /// Runs SQLite's `PRAGMA integrity_check`; returns true when it reports "ok".
    public func checkIntegrity() async throws -> Bool {
        try await pool.read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") == "ok" }
    }

    // MARK: Writing

    public func insert(batch: [ArtifactInsert]) async throws -> [InsertOutcome] {
        let rows = try batch.map(PreparedInsert.init)
        do {
            // One write transaction for the batch: each check and its insert see the rows the
            // batch inserted before them, and two processes saving the same unchanged file
            // cannot both pass.
            let vectors = batch.compactMap(\.vector)
            return try await writing { db -> [InsertOutcome] in
                try Self.checkVectors(vectors, db)
                return try rows.map { try $0.execute(db) }
            }
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
            let ids = batch.map(\.artifact.artifactID)
            throw ArtifactError.invalidArgument(
                "an artifact with id \"\(ids.count == 1 ? ids[0] : ids.joined(separator: "\", \""))\" already exists: ids are never reused")
        }
    }

    /// One artifact insert with everything computed up front (outside the write transaction).
    private struct PreparedInsert: @unchecked Sendable {
        let condition: UnchangedCondition?
        let arguments: StatementArguments

        init(_ insert: ArtifactInsert) throws {
            let artifact = insert.artifact
            let record = try insert.recordJSON()
            condition = insert.condition
            arguments = [
                artifact.artifactID, record, artifact.pinned, insert.vector.map { VectorCoding.encode($0.values) },
                insert.vector?.embedder, insert.recordedKey,
            ]
        }

        func execute(_ db: Database) throws -> InsertOutcome {
            if let condition,
                let sha = try String.fetchOne(
                    db,
                    sql: """
                        SELECT sha256 FROM records WHERE unchanged_key = ?
                        ORDER BY json_extract(record, '$.created_at') DESC, artifact_id DESC LIMIT 1
                        """,
                    arguments: [condition.key]),
                sha == condition.sha256
            {
                return .unchanged
            }
            try db.cachedStatement(
                sql: "INSERT INTO records (artifact_id, record, pinned, vector, embedder, unchanged_key) VALUES (?, ?, ?, ?, ?, ?)"
            ).execute(arguments: arguments)
            return .inserted(sequence: db.lastInsertedRowID)
        }
    }

    public func setPinned(_ pinned: Bool, id: String) async throws -> Artifact? {
        let changed = try await writing { db in
            try db.execute(sql: "UPDATE records SET pinned = ? WHERE artifact_id = ?", arguments: [pinned, id])
            return db.changesCount > 0
        }
        return changed ? try await artifact(id: id) : nil
    }

    // MARK: Reading

    public func artifact(id: String) async throws -> Artifact? {
        try await artifacts(ids: [id])[id]
    }

    public func unchangedKeys(ids: [String]) async throws -> [String: String] {
        let unique = Array(Set(ids))
        guard !unique.isEmpty else { return [:] }
        return try await pool.read { db in
            var keys: [String: String] = [:]
            for start in stride(from: 0, to: unique.count, by: 500) {
                let chunk = Array(unique[start..<min(start + 500, unique.count)])
                let sql = """
                    SELECT artifact_id, unchanged_key FROM records
                    WHERE unchanged_key IS NOT NULL AND artifact_id IN (\(Self.placeholders(chunk.count)))
                    """
                for row in try Row.fetchAll(db, sql: sql, arguments: StatementArguments(chunk)) { keys[row[0]] = row[1] }
            }
            return keys
        }
    }

    public func artifacts(ids: [String]) async throws -> [String: Artifact] {
        let unique = Array(Set(ids))
        guard !unique.isEmpty else { return [:] }
        let rows = try await pool.read { db in
            var rows: [(String, Bool)] = []
            // Stay far below SQLite's limit on bound parameters.
            for start in stride(from: 0, to: unique.count, by: 500) {
                let chunk = Array(unique[start..<min(start + 500, unique.count)])
                let sql = "SELECT record, pinned FROM records WHERE artifact_id IN (\(Self.placeholders(chunk.count)))"
                for row in try Row.fetchAll(db, sql: sql, arguments: StatementArguments(chunk)) {
                    rows.append((row[0], row[1]))
                }
            }
            return rows
        }
        var result: [String: Artifact] = [:]
        for (record, pinned) in rows {
            let artifact = try Self.decode(record: record, pinned: pinned)
            result[artifact.artifactID] = artifact
        }
        return result
    }

    public func allArtifacts() async throws -> [Artifact] {
        let rows = try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT record, pinned FROM records ORDER BY sequence").map { row -> (String, Bool) in
                (row[0], row[1])
            }
        }
        return try rows.map { try Self.decode(record: $0.0, pinned: $0.1) }
    }

    public func changes(after sequence: Int64, limit: Int) async throws -> [ArtifactChange] {
        let rows = try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT sequence, artifact_id, record, pinned, vector, embedder, 0 FROM records WHERE sequence > ?1
                    UNION ALL
                    SELECT sequence, artifact_id, NULL, 0, NULL, NULL, 1 FROM deletions WHERE sequence > ?1
                    ORDER BY 1 LIMIT ?2
                    """,
                arguments: [sequence, max(1, limit)]
            ).map { row -> (Int64, String, String?, Bool, Data?, String?, Bool) in
                (row[0], row[1], row[2], row[3], row[4], row[5], row[6])
            }
        }
        return try rows.map { sequence, id, record, pinned, vector, embedder, isDelete in
            guard !isDelete, let record else { return ArtifactChange(sequence: sequence, kind: .deleted(id: id)) }
            var stored: StoredVector?
            if let vector, let embedder { stored = StoredVector(values: VectorCoding.decode(vector), embedder: embedder) }
            return ArtifactChange(sequence: sequence, kind: .saved(try Self.decode(record: record, pinned: pinned), vector: stored))
        }
    }

    public func changeCount(after sequence: Int64) async throws -> Int {
        try await pool.read { db in
            let saves = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM records WHERE sequence > ?", arguments: [sequence]) ?? 0
            let deletes = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM deletions WHERE sequence > ?", arguments: [sequence]) ?? 0
            return saves + deletes
        }
    }

    // MARK: Embedder binding

    public func embedderState() async throws -> EmbedderState {
        try await pool.read { db in try Self.embedderState(db) }
    }

    public func bind(_ binding: EmbedderBinding, seen: EmbedderState) async throws -> EmbedderBinding {
        // Most opens change nothing: decided on the state the caller read, written (and
        // decided again inside the transaction) only when the binding is new or its choice moves.
        let bound = try seen.binding(after: binding)
        if bound == seen.bound { return bound }
        return try await writing { db in
            let state = try Self.embedderState(db)
            let bound = try state.binding(after: binding)
            if bound != state.bound { try Self.write(bound, prefix: Self.boundPrefix, db) }
            return bound
        }
    }

    public func beginReembed(to target: EmbedderBinding) async throws {
        try await writing { db in try Self.write(target, prefix: Self.targetPrefix, db) }
    }

    /// `reembed.lock` beside the database: an advisory `flock` (see ``StoreWriteLock``).
    public func withReembedLock<T: Sendable>(_ body: () async throws -> T) async throws -> T? {
        try await StoreWriteLock.forReembedding(at: databaseURL.deletingLastPathComponent()).withExclusive(body)
    }

    public func artifactsToReembed(notEmbeddedBy identifier: String, after sequence: Int64, limit: Int) async throws
        -> [(sequence: Int64, artifact: Artifact)]
    {
        let rows = try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT sequence, record, pinned FROM records
                    WHERE sequence > ? AND (vector IS NULL OR embedder IS NULL OR embedder != ?)
                    ORDER BY sequence LIMIT ?
                    """,
                arguments: [sequence, identifier, limit]
            ).map { row -> (Int64, String, Bool) in (row[0], row[1], row[2]) }
        }
        return try rows.map { ($0.0, try Self.decode(record: $0.1, pinned: $0.2)) }
    }

    public func reembedCount(notEmbeddedBy identifier: String) async throws -> Int {
        try await pool.read { db in try Self.reembedCount(notEmbeddedBy: identifier, db) }
    }

    private static func reembedCount(notEmbeddedBy identifier: String, _ db: Database) throws -> Int {
        try Int.fetchOne(
            db, sql: "SELECT COUNT(*) FROM records WHERE vector IS NULL OR embedder IS NULL OR embedder != ?",
            arguments: [identifier]) ?? 0
    }

    public func replaceVectors(_ vectors: [(artifactID: String, vector: StoredVector)]) async throws {
        let rows = vectors.map { (VectorCoding.encode($0.vector.values), $0.vector.embedder, $0.artifactID) }
        try await writing { db in
            guard let target = try Self.embedderState(db).target, rows.allSatisfy({ $0.1 == target.identifier }) else {
                throw ArtifactError.storeBusy(
                    "the store's re-embed target changed while this reembed ran (another process switched it): run it again")
            }
            let update = try db.cachedStatement(sql: "UPDATE records SET vector = ?, embedder = ? WHERE artifact_id = ?")
            for (vector, embedder, id) in rows { try update.execute(arguments: [vector, embedder, id]) }
        }
    }

    public func finishReembed() async throws -> EmbedderBinding {
        try await writing { db in
            guard let target = try Self.embedderState(db).target else {
                throw ArtifactError.invalidArgument("no re-embed of this store is under way")
            }
            guard try Self.reembedCount(notEmbeddedBy: target.identifier, db) == 0 else {
                throw ArtifactError.reembedUnfinished(target: target)
            }
            try Self.write(target, prefix: Self.boundPrefix, db)
            try db.execute(sql: "DELETE FROM store_info WHERE key LIKE 'embedder.target.%'")
            return target
        }
    }

    private static let boundPrefix = "embedder."
    private static let targetPrefix = "embedder.target."

    /// The binding and re-embed target in `store_info`; a store bound before bindings were
    /// recorded is bound to its newest vector's embedder.
    static func embedderState(_ db: Database) throws -> EmbedderState {
        var values: [String: String] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT key, value FROM store_info WHERE key LIKE 'embedder.%'") {
            values[row[0]] = row[1]
        }
        func binding(_ prefix: String) -> EmbedderBinding? {
            guard let identifier = values[prefix + "identifier"], let dimension = values[prefix + "dimension"].flatMap({ Int($0) })
            else { return nil }
            return EmbedderBinding(identifier: identifier, dimension: dimension, choice: values[prefix + "choice"])
        }
        var bound = binding(boundPrefix)
        if bound == nil,
            let row = try Row.fetchOne(
                db, sql: "SELECT embedder, length(vector) FROM records WHERE vector IS NOT NULL ORDER BY sequence DESC LIMIT 1"),
            let identifier: String = row[0]
        {
            let bytes: Int = row[1]
            bound = EmbedderBinding(identifier: identifier, dimension: bytes / 4)
        }
        return EmbedderState(bound: bound, target: binding(targetPrefix))
    }

    private static func write(_ binding: EmbedderBinding, prefix: String, _ db: Database) throws {
        let put = try db.cachedStatement(sql: "INSERT OR REPLACE INTO store_info (key, value) VALUES (?, ?)")
        try put.execute(arguments: [prefix + "identifier", binding.identifier])
        try put.execute(arguments: [prefix + "dimension", String(binding.dimension)])
        if let choice = binding.choice {
            try put.execute(arguments: [prefix + "choice", choice])
        } else {
            try db.execute(sql: "DELETE FROM store_info WHERE key = ?", arguments: [prefix + "choice"])
        }
    }

    /// Refuses vectors of any embedder but the store's (a process opened before a re-embed
    /// switched it, or during one), and binds an unbound store to the first vector's.
    private static func checkVectors(_ vectors: [StoredVector], _ db: Database) throws {
        guard let first = vectors.first else { return }
        var state = try embedderState(db)
        if state.bound == nil, state.target == nil {
            state.bound = EmbedderBinding(identifier: first.embedder, dimension: first.values.count)
            try write(state.bound!, prefix: boundPrefix, db)
        }
        try state.check(vectors)
    }

    public func delete(ids: [String], pendingContent: Set<String>, exceptPinned: Bool) async throws
        -> (deleted: [Artifact], lastSequence: Int64?, keptPinned: [String])
    {
        try await writing { db in
            // Deleted rows' bytes are overwritten, not left in free pages.
            try db.execute(sql: "PRAGMA secure_delete = ON")
            var deleted: [Artifact] = []
            var kept: [String] = []
            var last: Int64?
            for id in ids {
                guard let row = try Row.fetchOne(db, sql: "SELECT record, pinned FROM records WHERE artifact_id = ?", arguments: [id])
                else { continue }
                let artifact = try Self.decode(record: row[0], pinned: row[1])
                if exceptPinned && artifact.pinned {
                    kept.append(id)
                    continue
                }
                deleted.append(artifact)
                try db.execute(sql: "DELETE FROM records WHERE artifact_id = ?", arguments: [id])
                // Numbered from the records' AUTOINCREMENT counter, so saves and deletes share
                // one order.
                let current = try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'records'") ?? 0
                let sequence = current + 1
                try db.execute(sql: "UPDATE sqlite_sequence SET seq = ? WHERE name = 'records'", arguments: [sequence])
                try db.execute(sql: "INSERT INTO deletions (sequence, artifact_id) VALUES (?, ?)", arguments: [sequence, id])
                last = sequence
            }
            for sha in pendingContent.sorted() {
                try db.execute(sql: "INSERT OR IGNORE INTO pending_content_removals (sha256) VALUES (?)", arguments: [sha])
            }
            return (deleted, last, kept)
        }
    }

    public func lastChangeSequence() async throws -> Int64 {
        try await pool.read { db in
            try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'records'") ?? 0
        }
    }

    public func pendingContentRemovals() async throws -> [String] {
        try await pool.read { db in try String.fetchAll(db, sql: "SELECT sha256 FROM pending_content_removals ORDER BY sha256") }
    }

    public func clearPendingContentRemovals(_ sha256s: [String]) async throws {
        guard !sha256s.isEmpty else { return }
        try await writing { db in
            for sha in sha256s { try db.execute(sql: "DELETE FROM pending_content_removals WHERE sha256 = ?", arguments: [sha]) }
        }
    }

    public func referencedContent(among sha256s: Set<String>) async throws -> Set<String> {
        guard !sha256s.isEmpty else { return [] }
        let list = Array(sha256s)
        return try await pool.read { db in
            var found = Set<String>()
            // In chunks: SQLite bounds the number of bound parameters.
            for start in stride(from: 0, to: list.count, by: 500) {
                let chunk = Array(list[start..<min(start + 500, list.count)])
                let sql = "SELECT DISTINCT sha256 FROM records WHERE sha256 IN (\(Self.placeholders(chunk.count)))"
                found.formUnion(try String.fetchAll(db, sql: sql, arguments: StatementArguments(chunk)))
            }
            return found
        }
    }

    public func directoryManifests() async throws -> [String] {
        try await pool.read { db in
            try String.fetchAll(
                db, sql: "SELECT DISTINCT sha256 FROM records WHERE mime = ? AND sha256 IS NOT NULL",
                arguments: [DirectoryManifest.mimeType])
        }
    }

    public func count() async throws -> Int {
        try await pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM records") ?? 0 }
    }

    // MARK: Maintenance

    public func integrityProblems() async throws -> [String] {
        do {
            let lines = try await pool.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
            return lines == ["ok"] ? [] : lines
        } catch let error as DatabaseError where Self.isDamage(error) {
            // So damaged that the check itself stops: that is the report.
            return ["integrity check failed: \(error.message ?? "database disk image is malformed")"]
        }
    }

    /// `REINDEX` (rebuilds every index b-tree from its table), then `VACUUM` (rewrites the
    /// file, dropping pages an integrity check reports as never used).
    ///
    /// When `REINDEX` itself trips over a damaged index page, the named indexes are dropped
    /// from the schema and created again from their recorded SQL (the tables, the records,
    /// are untouched); indexes SQLite makes for keys cannot be recreated this way.
    public func rebuildStructures() async throws {
        do {
            try await writing { db in try db.execute(sql: "REINDEX") }
        } catch let error as DatabaseError where Self.isDamage(error) {
            try await writing { db in
                let version = try Int.fetchOne(db, sql: "PRAGMA schema_version") ?? 0
                try db.execute(sql: "PRAGMA writable_schema = ON")
                try db.execute(sql: "DELETE FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")
                // A new schema version makes every connection read the edited schema again.
                try db.execute(sql: "PRAGMA schema_version = \(version + 1)")
                try db.execute(sql: "PRAGMA writable_schema = OFF")
            }
            // A new connection sees the edited schema; recreate the indexes there.
            try await writing { db in
                for statement in IndexSchema.indexStatements { try db.execute(sql: statement) }
            }
        }
        try await pool.vacuum()
    }

    // MARK: SQL

    static func decode(record: String, pinned: Bool) throws -> Artifact {
        try Artifact.decodeRecord(record, pinned: pinned)
    }

    private static func placeholders(_ count: Int) -> String {
        Array(repeating: "?", count: count).joined(separator: ", ")
    }
}
