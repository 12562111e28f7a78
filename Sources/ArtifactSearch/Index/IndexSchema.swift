import GRDB

/// The SQLite schema of ``SQLiteArtifactIndex``, as GRDB migrations.
///
/// `PRAGMA user_version` mirrors the number of the last migration applied, so other tools can
/// read the schema version without GRDB.
enum IndexSchema {
    /// The schema version this build writes.
    static let currentVersion = 3

    /// The named indexes of the schema, to recreate them after damage (``SQLiteArtifactIndex/rebuildStructures()``).
    static let indexStatements = [
        "CREATE INDEX IF NOT EXISTS artifacts_by_time ON artifacts(created_at, artifact_id)",
        "CREATE INDEX IF NOT EXISTS artifacts_by_run ON artifacts(run_id, created_at)",
        "CREATE INDEX IF NOT EXISTS artifacts_by_session ON artifacts(session_id, created_at)",
        "CREATE INDEX IF NOT EXISTS artifacts_by_user ON artifacts(user_id, created_at)",
        "CREATE INDEX IF NOT EXISTS artifacts_by_org ON artifacts(org_id, created_at)",
        "CREATE INDEX IF NOT EXISTS artifacts_by_scope ON artifacts(scope_id, created_at)",
        "CREATE INDEX IF NOT EXISTS artifacts_by_kind ON artifacts(kind, created_at)",
        "CREATE INDEX IF NOT EXISTS artifacts_by_sha256 ON artifacts(sha256)",
        "CREATE INDEX IF NOT EXISTS artifact_tags_by_tag ON artifact_tags(tag, artifact_id)",
        "CREATE INDEX IF NOT EXISTS artifact_labels_by_value ON artifact_labels(key, value, artifact_id)",
        "CREATE INDEX IF NOT EXISTS artifact_metrics_by_value ON artifact_metrics(name, value)",
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
        return migrator
    }
}
