import Foundation
import GRDB
import HybridSearch

/// The SQLite schema of ``SQLiteArtifactIndex``, as GRDB migrations.
///
/// `PRAGMA user_version` mirrors the number of the last migration applied, so other tools can
/// read the schema version without GRDB.
enum IndexSchema {
    /// The schema version this build writes.
    static let currentVersion = 4

    /// The named indexes of the schema, to recreate them after damage (``SQLiteArtifactIndex/rebuildStructures()``).
    static let indexStatements = [
        "CREATE INDEX IF NOT EXISTS records_by_sha256 ON records(sha256)",
        "CREATE INDEX IF NOT EXISTS records_by_mime ON records(mime)",
        "CREATE INDEX IF NOT EXISTS records_by_unchanged_key ON records(unchanged_key) WHERE unchanged_key IS NOT NULL",
    ]

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE artifacts (
                        artifact_id TEXT PRIMARY KEY NOT NULL,
                        created_at REAL,
                        org_id TEXT, user_id TEXT, client_id TEXT, app_id TEXT, agent_id TEXT,
                        session_id TEXT, run_id TEXT, graph_id TEXT, node_id TEXT, scope_id TEXT,
                        tool_name TEXT, tool_version TEXT, kind TEXT, mime TEXT, sha256 TEXT,
                        bytes INTEGER,
                        pinned INTEGER NOT NULL DEFAULT 0,
                        record TEXT NOT NULL
                    );
                    CREATE INDEX artifacts_by_time ON artifacts(created_at, artifact_id);
                    CREATE INDEX artifacts_by_run ON artifacts(run_id, created_at);
                    CREATE INDEX artifacts_by_session ON artifacts(session_id, created_at);
                    CREATE INDEX artifacts_by_user ON artifacts(user_id, created_at);
                    CREATE INDEX artifacts_by_org ON artifacts(org_id, created_at);
                    CREATE INDEX artifacts_by_scope ON artifacts(scope_id, created_at);
                    CREATE INDEX artifacts_by_kind ON artifacts(kind, created_at);
                    CREATE INDEX artifacts_by_sha256 ON artifacts(sha256);

                    CREATE TABLE artifact_tags (
                        artifact_id TEXT NOT NULL REFERENCES artifacts(artifact_id) ON DELETE CASCADE,
                        tag TEXT NOT NULL,
                        PRIMARY KEY (artifact_id, tag)
                    ) WITHOUT ROWID;
                    CREATE INDEX artifact_tags_by_tag ON artifact_tags(tag, artifact_id);

                    CREATE TABLE artifact_labels (
                        artifact_id TEXT NOT NULL REFERENCES artifacts(artifact_id) ON DELETE CASCADE,
                        key TEXT NOT NULL,
                        value TEXT NOT NULL, -- canonical JSON of the typed value
                        PRIMARY KEY (artifact_id, key)
                    ) WITHOUT ROWID;
                    CREATE INDEX artifact_labels_by_value ON artifact_labels(key, value, artifact_id);

                    CREATE TABLE artifact_metrics (
                        artifact_id TEXT NOT NULL REFERENCES artifacts(artifact_id) ON DELETE CASCADE,
                        name TEXT NOT NULL,
                        value REAL NOT NULL,
                        PRIMARY KEY (artifact_id, name)
                    ) WITHOUT ROWID;
                    CREATE INDEX artifact_metrics_by_value ON artifact_metrics(name, value);

                    CREATE TABLE search_documents (
                        sequence INTEGER PRIMARY KEY AUTOINCREMENT,
                        corpus TEXT NOT NULL,
                        item_id TEXT NOT NULL,
                        text TEXT NOT NULL,
                        metadata TEXT NOT NULL, -- canonical JSON object
                        created_at REAL,
                        vector BLOB, -- little-endian Float32 × dimension
                        UNIQUE (corpus, item_id)
                    );

                    CREATE TABLE store_info (
                        key TEXT PRIMARY KEY NOT NULL,
                        value TEXT NOT NULL
                    ) WITHOUT ROWID;
                    PRAGMA user_version = 1;
                    """)
        }
        migrator.registerMigration("v2") { db in
            // Persisted analysis (TermCounts.encoded()) and the analyzer that produced it, so a
            // reopened store rebuilds its inverted index without analysing every text again.
            try db.execute(
                sql: """
                    ALTER TABLE search_documents ADD COLUMN terms BLOB;
                    ALTER TABLE search_documents ADD COLUMN analyzer TEXT;
                    PRAGMA user_version = 2;
                    """)
        }
        migrator.registerMigration("v3") { db in
            // Deletes as changes: each deleted search document leaves a tombstone numbered from
            // the search documents' own sequence counter, so a catch-up replays saves and
            // deletes in one order (a process whose index holds the item in a segment learns
            // of the delete). Kept for good: a reader may catch up from any older watermark.
            try db.execute(
                sql: """
                    CREATE TABLE search_tombstones (
                        sequence INTEGER PRIMARY KEY,
                        corpus TEXT NOT NULL,
                        item_id TEXT NOT NULL
                    );
                    -- Blobs of deleted artifacts, recorded with the delete and cleared once
                    -- removed (or found still referenced): a delete killed in between is
                    -- finished by the next delete, gc or verify --repair.
                    CREATE TABLE pending_content_removals (
                        sha256 TEXT PRIMARY KEY NOT NULL
                    ) WITHOUT ROWID;
                    PRAGMA user_version = 3;
                    """)
        }
        migrator.registerMigration("v4") { db in
            // The engine owns every search structure (issue 9, item 6): one row per artifact —
            // its record (metadata stored once, as JSON) and the vector of its indexed text
            // with the embedder that made it — numbered by a change sequence; deletes are
            // changes too. Text copies, analysed terms, filter columns and side tables go.
            try db.execute(
                sql: """
                    CREATE TABLE records (
                        sequence INTEGER PRIMARY KEY AUTOINCREMENT,
                        artifact_id TEXT NOT NULL UNIQUE,
                        record TEXT NOT NULL, -- the Artifact as JSON (snake_case keys)
                        pinned INTEGER NOT NULL DEFAULT 0,
                        vector BLOB, -- little-endian Float32 × dimension
                        embedder TEXT, -- identifier of the embedder of `vector`
                        unchanged_key TEXT, -- the condition it was saved under (skip-unchanged)
                        sha256 TEXT GENERATED ALWAYS AS (json_extract(record, '$.sha256')) VIRTUAL,
                        mime TEXT GENERATED ALWAYS AS (json_extract(record, '$.mime')) VIRTUAL
                    );
                    -- (corpus, item_id) is the only index of schema 3: without this one the
                    -- lookup below would scan every document for every artifact.
                    CREATE INDEX documents_by_item ON search_documents(item_id, sequence);
                    INSERT INTO records (artifact_id, record, pinned, vector, embedder)
                        SELECT a.artifact_id, a.record, a.pinned, d.vector,
                               CASE WHEN d.vector IS NULL THEN NULL
                                    ELSE (SELECT value FROM store_info WHERE key = 'embedder.identifier') END
                        FROM artifacts a
                        LEFT JOIN search_documents d
                            ON d.sequence = (SELECT max(sequence) FROM search_documents WHERE item_id = a.artifact_id)
                        ORDER BY a.created_at, a.artifact_id;
                    CREATE TABLE deletions (
                        sequence INTEGER PRIMARY KEY, -- from records' AUTOINCREMENT counter
                        artifact_id TEXT NOT NULL
                    );
                    DROP TABLE artifact_tags;
                    DROP TABLE artifact_labels;
                    DROP TABLE artifact_metrics;
                    DROP TABLE search_documents;
                    DROP TABLE search_tombstones;
                    DROP TABLE artifacts;
                    DELETE FROM store_info WHERE key IN ('embedder.identifier', 'embedder.dimension');
                    """)
            for statement in indexStatements { try db.execute(sql: statement) }
            // `ingest --skip-unchanged` compared a file with the newest artifact of the run
            // with the same source_path: that condition's key, so the next such ingest still
            // skips what is unchanged.
            let rows = try Row.fetchAll(
                db, sql: "SELECT sequence, record FROM records WHERE json_extract(record, '$.labels.source_path') IS NOT NULL")
            for row in rows {
                let record: String = row[1]
                guard let artifact = try? JSONDecoder().decode(Artifact.self, from: Data(record.utf8)),
                    let path = artifact.labels["source_path"]
                else { continue }
                var equals: [String: JSONValue?] = [ArtifactMetadataKey.label("source_path"): path]
                if let org = artifact.orgID { equals[ArtifactMetadataKey.orgID] = .string(org) }
                if let run = artifact.runID { equals[ArtifactMetadataKey.runID] = .string(run) }
                let sequence: Int64 = row[0]
                try db.execute(
                    sql: "UPDATE records SET unchanged_key = ? WHERE sequence = ?",
                    arguments: [UnchangedCondition.key(for: MetadataFilter(equals: equals)), sequence])
            }
            try db.execute(sql: "PRAGMA user_version = 4")
        }
        return migrator
    }
}
