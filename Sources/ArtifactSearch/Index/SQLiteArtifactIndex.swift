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
                try IndexSchema.migrator.migrate(pool)
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

    // MARK: Embedder

    /// Throws when the database holds search documents embedded by another embedder.
    private static func checkEmbedder(_ db: Database, identifier: String, dimension: Int) throws {
        let stored = try String.fetchOne(db, sql: "SELECT value FROM store_info WHERE key = 'embedder.identifier'")
        let storedDimension = try String.fetchOne(
            db, sql: "SELECT value FROM store_info WHERE key = 'embedder.dimension'"
        ).flatMap { Int($0) }
        if let stored, stored != identifier || storedDimension != dimension {
            let documents = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM search_documents") ?? 0
            if documents > 0 {
                if stored != identifier {
                    throw SearchError.embedderMismatch(stored: stored, current: identifier)
                }
                throw SearchError.dimensionMismatch(expected: storedDimension ?? 0, actual: dimension)
            }
        }
    }

    public func bindEmbedder(identifier: String, dimension: Int) async throws {
        if isReadOnly {
            try await pool.read { db in try Self.checkEmbedder(db, identifier: identifier, dimension: dimension) }
            return
        }
        try await writing { db in
            try Self.checkEmbedder(db, identifier: identifier, dimension: dimension)
            try db.execute(
                sql: "INSERT OR REPLACE INTO store_info (key, value) VALUES ('embedder.identifier', ?), ('embedder.dimension', ?)",
                arguments: [identifier, String(dimension)])
        }
    }

    // MARK: Writing

    @discardableResult
    public func insert(_ artifact: Artifact, document: SearchItem?) async throws -> Int64? {
        switch try await insert(artifact, document: document, unless: nil) {
        case .inserted(let sequence): return sequence
        case .unchanged: return nil
        }
    }

    public func insert(_ artifact: Artifact, document: SearchItem?, unless condition: UnchangedCondition?) async throws
        -> InsertOutcome
    {
        try await insert(batch: [(artifact, document, condition)])[0]
    }

    public func insert(batch: [(artifact: Artifact, document: SearchItem?, condition: UnchangedCondition?)]) async throws
        -> [InsertOutcome]
    {
        let rows = try batch.map { try PreparedInsert($0.artifact, document: $0.document, condition: $0.condition) }
        do {
            // One write transaction for the batch: each check and its insert see the rows the
            // batch inserted before them, and two processes saving the same unchanged file
            // cannot both pass.
            return try await writing { db -> [InsertOutcome] in
                try rows.map { try $0.execute(db) }
            }
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_PRIMARYKEY {
            let ids = batch.map(\.artifact.artifactID)
            throw ArtifactError.invalidArgument(
                "an artifact with id \"\(ids.count == 1 ? ids[0] : ids.joined(separator: "\", \""))\" already exists: ids are never reused")
        }
    }

    /// One artifact insert with everything computed up front (outside the write transaction).
    private struct PreparedInsert: @unchecked Sendable {
        let id: String
        let check: (sql: String, arguments: StatementArguments, sha256: String)?
        let insertSQL: String
        let arguments: StatementArguments
        let tags: [String]
        let labels: [(String, String)]
        let metrics: [(String, Double)]
        let document: StatementArguments?

        init(_ artifact: Artifact, document: SearchItem?, condition: UnchangedCondition?) throws {
            check = try condition.map { condition in
                var query = condition.newest
                query.limit = 1
                let (sql, arguments) = try SQLiteArtifactIndex.select(query)
                return (sql, arguments, condition.sha256)
            }
            for (name, value) in artifact.metrics where !value.isFinite {
                throw ArtifactError.invalidArgument("metric \"\(name)\" is \(value): metrics must be finite numbers")
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let record = String(decoding: try encoder.encode(artifact), as: UTF8.self)
            let createdAt = artifact.createdAt.map(ArtifactTimestamp.seconds)
            var columns: [String] = ArtifactMetadataKey.fields
            var values: [(any DatabaseValueConvertible)?] = columns.map {
                ArtifactMetadataKey.fieldValue($0, of: artifact)?.canonicallyComposed
            }
            columns += ["created_at", "bytes", "pinned", "record"]
            values += [createdAt, artifact.bytes, artifact.pinned, record]
            insertSQL =
                "INSERT INTO artifacts (" + columns.joined(separator: ", ") + ") VALUES ("
                + Array(repeating: "?", count: columns.count).joined(separator: ", ") + ")"
            arguments = StatementArguments(values)
            id = artifact.artifactID
            // Searchable columns hold NFC (see `JSONValue.canonicallyComposed`); `record` keeps
            // the caller's exact strings.
            tags = Array(Set(artifact.tags.map(\.canonicallyComposed))).sorted()
            labels = artifact.labels.map { ($0.key.canonicallyComposed, $0.value.canonicallyComposed.canonicalJSON) }
            metrics = artifact.metrics.map { ($0.key.canonicallyComposed, $0.value) }
            self.document = document.map(SQLiteArtifactIndex.documentRow)
        }

        func execute(_ db: Database) throws -> InsertOutcome {
            if let (sql, checkArguments, sha) = check,
                let row = try Row.fetchOne(db, sql: sql, arguments: checkArguments),
                try SQLiteArtifactIndex.decode(record: row[0], pinned: row[1]).sha256 == sha
            {
                return .unchanged
            }
            try db.cachedStatement(sql: insertSQL).execute(arguments: arguments)
            for tag in tags {
                try db.cachedStatement(sql: "INSERT INTO artifact_tags (artifact_id, tag) VALUES (?, ?)").execute(arguments: [id, tag])
            }
            for (key, value) in labels {
                try db.cachedStatement(sql: "INSERT INTO artifact_labels (artifact_id, key, value) VALUES (?, ?, ?)")
                    .execute(arguments: [id, key, value])
            }
            for (name, value) in metrics {
                try db.cachedStatement(sql: "INSERT INTO artifact_metrics (artifact_id, name, value) VALUES (?, ?, ?)")
                    .execute(arguments: [id, name, value])
            }
            if let document {
                try db.cachedStatement(sql: SQLiteArtifactIndex.insertDocumentSQL).execute(arguments: document)
                return .inserted(sequence: db.lastInsertedRowID)
            }
            return .inserted(sequence: nil)
        }
    }

    public func setPinned(_ pinned: Bool, id: String) async throws -> Artifact? {
        let changed = try await writing { db in
            try db.execute(sql: "UPDATE artifacts SET pinned = ? WHERE artifact_id = ?", arguments: [pinned, id])
            return db.changesCount > 0
        }
        return changed ? try await artifact(id: id) : nil
    }

    // MARK: Reading

    public func artifact(id: String) async throws -> Artifact? {
        try await artifacts(ids: [id])[id]
    }

    public func artifacts(ids: [String]) async throws -> [String: Artifact] {
        let unique = Array(Set(ids))
        guard !unique.isEmpty else { return [:] }
        let rows = try await pool.read { db in
            var rows: [(String, Bool)] = []
            // Stay far below SQLite's limit on bound parameters.
            for start in stride(from: 0, to: unique.count, by: 500) {
                let chunk = Array(unique[start..<min(start + 500, unique.count)])
                let sql =
                    "SELECT record, pinned FROM artifacts WHERE artifact_id IN ("
                    + Array(repeating: "?", count: chunk.count).joined(separator: ",") + ")"
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

    public func artifacts(matching query: ArtifactQuery) async throws -> [Artifact] {
        if let limit = query.limit, limit < 1 {
            throw ArtifactError.invalidArgument("limit must be at least 1 (got \(limit))")
        }
        let (sql, arguments) = try Self.select(query)
        let rows = try await pool.read { db in
            try Row.fetchAll(db, sql: sql, arguments: arguments).map { row -> (String, Bool) in (row[0], row[1]) }
        }
        return try rows.map { try Self.decode(record: $0.0, pinned: $0.1) }
    }

    public func searchChanges(corpus: String, after sequence: Int64, limit: Int, analyzer: String) async throws
        -> (changes: [PersistentIndex.Change], sequences: [Int64], lastSequence: Int64)
    {
        // The text is read only where the stored terms cannot be used. `+corpus` keeps SQLite
        // on the rowid ranges (sequence > ?) of both tables: through the (corpus, item_id)
        // index a catch-up after every save would scan the whole corpus.
        let rows = try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT sequence, item_id,
                           CASE WHEN analyzer = ?1 AND terms IS NOT NULL THEN '' ELSE text END,
                           metadata, created_at, vector,
                           CASE WHEN analyzer = ?1 THEN terms END, 0
                    FROM search_documents
                    WHERE sequence > ?3 AND +corpus = ?2
                    UNION ALL
                    SELECT sequence, item_id, NULL, NULL, NULL, NULL, NULL, 1
                    FROM search_tombstones
                    WHERE sequence > ?3 AND +corpus = ?2
                    ORDER BY 1 LIMIT ?4
                    """,
                arguments: [analyzer, corpus, sequence, max(1, limit)]
            ).map { row -> (Int64, String, String?, String?, Double?, Data?, Data?, Bool) in
                (row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7])
            }
        }
        var changes: [PersistentIndex.Change] = []
        changes.reserveCapacity(rows.count)
        var last = sequence
        var sequences: [Int64] = []
        sequences.reserveCapacity(rows.count)
        let decoder = JSONDecoder()
        for (seq, id, text, metadataJSON, createdAt, vector, termBytes, isTombstone) in rows {
            last = seq
            sequences.append(seq)
            if isTombstone {
                changes.append(.delete(id: id))
                continue
            }
            let metadata = try decoder.decode([String: JSONValue].self, from: Data((metadataJSON ?? "{}").utf8))
            var terms = termBytes.flatMap { TermCounts(analyzer: analyzer, decoding: $0) }
            var text = text ?? ""
            if termBytes != nil && terms == nil {
                // Unreadable stored terms: fall back to the text.
                text = try await documentText(corpus: corpus, itemID: id)
                terms = nil
            }
            changes.append(
                .upsert(
                    SearchItem(
                        corpus: corpus, id: id, text: text, metadata: metadata, createdAt: createdAt,
                        vector: vector.map(VectorCoding.decode), terms: terms)))
        }
        return (changes, sequences, last)
    }

    public func searchChangeCount(corpus: String, after sequence: Int64) async throws -> Int {
        try await pool.read { db in
            let documents = try Int.fetchOne(
                db, sql: "SELECT COUNT(*) FROM search_documents WHERE sequence > ? AND +corpus = ?", arguments: [sequence, corpus]) ?? 0
            let tombstones = try Int.fetchOne(
                db, sql: "SELECT COUNT(*) FROM search_tombstones WHERE sequence > ? AND +corpus = ?", arguments: [sequence, corpus]) ?? 0
            return documents + tombstones
        }
    }

    public func delete(ids: [String], corpus: String, pendingContent: Set<String>) async throws
        -> (deleted: [Artifact], lastSequence: Int64?)
    {
        try await writing { db in
            // Deleted rows' bytes are overwritten, not left in free pages.
            try db.execute(sql: "PRAGMA secure_delete = ON")
            var deleted: [Artifact] = []
            var last: Int64?
            for id in ids {
                guard let row = try Row.fetchOne(db, sql: "SELECT record, pinned FROM artifacts WHERE artifact_id = ?", arguments: [id])
                else { continue }
                deleted.append(try Self.decode(record: row[0], pinned: row[1]))
                // Tags, labels and metrics go with it (ON DELETE CASCADE).
                try db.execute(sql: "DELETE FROM artifacts WHERE artifact_id = ?", arguments: [id])
                if let sequence = try Self.removeSearchDocument(db, corpus: corpus, id: id) { last = sequence }
            }
            for sha in pendingContent.sorted() {
                try db.execute(sql: "INSERT OR IGNORE INTO pending_content_removals (sha256) VALUES (?)", arguments: [sha])
            }
            return (deleted, last)
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

    /// Removes one search document and records its tombstone, numbered from the documents'
    /// AUTOINCREMENT counter (`sqlite_sequence`), so documents and tombstones share one
    /// order. Returns the tombstone's number, or `nil` when there was no document.
    private static func removeSearchDocument(_ db: Database, corpus: String, id: String) throws -> Int64? {
        try db.execute(sql: "DELETE FROM search_documents WHERE corpus = ? AND item_id = ?", arguments: [corpus, id])
        guard db.changesCount > 0 else { return nil }
        let current = try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'search_documents'") ?? 0
        let sequence = current + 1
        try db.execute(sql: "UPDATE sqlite_sequence SET seq = ? WHERE name = 'search_documents'", arguments: [sequence])
        try db.execute(
            sql: "INSERT INTO search_tombstones (sequence, corpus, item_id) VALUES (?, ?, ?)", arguments: [sequence, corpus, id])
        return sequence
    }

    public func referencedContent(among sha256s: Set<String>) async throws -> Set<String> {
        guard !sha256s.isEmpty else { return [] }
        let list = Array(sha256s)
        return try await pool.read { db in
            var found = Set<String>()
            // In chunks: SQLite bounds the number of bound parameters.
            for start in stride(from: 0, to: list.count, by: 500) {
                let chunk = Array(list[start..<min(start + 500, list.count)])
                let sql = "SELECT DISTINCT sha256 FROM artifacts WHERE sha256 IN (\(Self.placeholders(chunk.count)))"
                found.formUnion(try String.fetchAll(db, sql: sql, arguments: StatementArguments(chunk)))
            }
            return found
        }
    }

    public func directoryManifests() async throws -> [String] {
        try await pool.read { db in
            try String.fetchAll(
                db, sql: "SELECT DISTINCT sha256 FROM artifacts WHERE mime = ? AND sha256 IS NOT NULL",
                arguments: [DirectoryManifest.mimeType])
        }
    }

    private func documentText(corpus: String, itemID: String) async throws -> String {
        try await pool.read { db in
            try String.fetchOne(
                db, sql: "SELECT text FROM search_documents WHERE corpus = ? AND item_id = ?",
                arguments: [corpus, itemID]) ?? ""
        }
    }

    public func count() async throws -> Int {
        try await pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM artifacts") ?? 0 }
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

    public func searchDocumentIDs(corpus: String) async throws -> [String] {
        try await pool.read { db in
            try String.fetchAll(
                db, sql: "SELECT item_id FROM search_documents WHERE corpus = ? ORDER BY item_id", arguments: [corpus])
        }
    }

    public func deleteSearchDocuments(corpus: String, ids: [String]) async throws {
        try await writing { db in
            for id in ids { _ = try Self.removeSearchDocument(db, corpus: corpus, id: id) }
        }
    }

    public func replaceSearchDocument(_ item: SearchItem) async throws {
        let row = Self.documentRow(item)
        try await writing { db in
            try db.execute(
                sql: "DELETE FROM search_documents WHERE corpus = ? AND item_id = ?", arguments: [item.corpus, item.id])
            try db.execute(sql: Self.insertDocumentSQL, arguments: row)
        }
    }

    static let insertDocumentSQL = """
        INSERT INTO search_documents (corpus, item_id, text, metadata, created_at, vector, terms, analyzer)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        """

    /// The arguments of ``insertDocumentSQL`` for a search document.
    static func documentRow(_ item: SearchItem) -> StatementArguments {
        [
            item.corpus, item.id, item.text, JSONValue.object(item.metadata).canonicalJSON, item.createdAt,
            item.vector.map(VectorCoding.encode), item.terms?.encoded(), item.terms?.analyzer,
        ]
    }

    // MARK: SQL

    static func decode(record: String, pinned: Bool) throws -> Artifact {
        var artifact = try JSONDecoder().decode(Artifact.self, from: Data(record.utf8))
        artifact.pinned = pinned
        return artifact
    }

    /// Builds the SELECT for a query. Every filter is a WHERE clause, so it applies before
    /// ORDER BY and LIMIT. Strings compare in NFC, like Swift strings and the search backend:
    /// canonically equivalent spellings (`"é"`, `"e\u{301}"`) are equal, nothing else is.
    static func select(_ query: ArtifactQuery) throws -> (String, StatementArguments) {
        var joins = ""
        var joinArguments: [(any DatabaseValueConvertible)?] = []
        var clauses: [String] = []
        var arguments: [(any DatabaseValueConvertible)?] = []
        let filter = query.filter
        for key in filter.equals.keys.sorted() {
            guard let wanted = filter.equals[key], let wanted else { continue }
            let options: [JSONValue]
            if case .array(let values) = wanted { options = values } else { options = [wanted] }
            if ArtifactMetadataKey.fieldSet.contains(key) {
                let strings = options.compactMap(\.stringValue).map(\.canonicallyComposed)
                if strings.isEmpty {
                    clauses.append("0")
                } else {
                    clauses.append("a.\(key) IN (" + placeholders(strings.count) + ")")
                    arguments += strings
                }
            } else if key.hasPrefix(ArtifactMetadataKey.labelPrefix) {
                let labelKey = String(key.dropFirst(ArtifactMetadataKey.labelPrefix.count))
                if options.isEmpty {
                    clauses.append("0")
                } else {
                    clauses.append(
                        "EXISTS (SELECT 1 FROM artifact_labels l WHERE l.artifact_id = a.artifact_id"
                            + " AND l.key = ? AND l.value IN (" + placeholders(options.count) + "))")
                    arguments.append(labelKey.canonicallyComposed)
                    arguments += options.map(\.canonicallyComposed.canonicalJSON)
                }
            } else {
                throw ArtifactError.invalidArgument(
                    "unknown filter key \"\(key)\": use one of "
                        + ArtifactMetadataKey.fields.joined(separator: ", ") + ", or label.<key> for labels")
            }
        }
        for tag in Set(filter.tags.map(\.canonicallyComposed)).sorted() {
            clauses.append(
                "EXISTS (SELECT 1 FROM artifact_tags t WHERE t.artifact_id = a.artifact_id AND t.tag = ?)")
            arguments.append(tag)
        }
        if let low = filter.createdAtMin {
            clauses.append("a.created_at >= ?")
            arguments.append(low)
        }
        if let high = filter.createdAtMax {
            clauses.append("a.created_at <= ?")
            arguments.append(high)
        }
        var order = "a.created_at DESC, a.artifact_id DESC"
        if case .metric(let name, let mode, let excludingMissing) = query.order {
            joins = " LEFT JOIN artifact_metrics m ON m.artifact_id = a.artifact_id AND m.name = ?"
            joinArguments.append(name.canonicallyComposed)
            if excludingMissing { clauses.append("m.value IS NOT NULL") }
            order = "m.value IS NULL, m.value " + (mode == .max ? "DESC" : "ASC") + ", " + order
        }
        var sql = "SELECT a.record, a.pinned FROM artifacts a" + joins
        if !clauses.isEmpty { sql += " WHERE " + clauses.joined(separator: " AND ") }
        sql += " ORDER BY " + order
        if let limit = query.limit {
            sql += " LIMIT ?"
            arguments.append(limit)
        }
        return (sql, StatementArguments(joinArguments + arguments))
    }

    private static func placeholders(_ count: Int) -> String {
        Array(repeating: "?", count: count).joined(separator: ", ")
    }
}
