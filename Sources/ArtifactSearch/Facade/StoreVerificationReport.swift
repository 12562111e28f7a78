import Foundation

/// What ``ArtifactFacade/verify(repair:)`` found (and, with `repair`, did). JSON keys are
/// snake_case (`artifact-search verify --json`).
public struct StoreVerificationReport: Sendable, Hashable, Codable {
    /// An artifact whose bytes are missing or no longer hash to its `sha256`.
    public struct Damage: Sendable, Hashable, Codable {
        public var artifactID: String
        /// The damaged or missing file.
        public var path: String
        /// `"missing"` or `"sha256 mismatch (found …)"`.
        public var problem: String

        enum CodingKeys: String, CodingKey {
            case artifactID = "artifact_id"
            case path, problem
        }
    }

    /// Artifacts checked.
    public var artifacts = 0
    /// Blob files found under `blobs/`.
    public var blobFiles = 0
    /// Artifacts whose content is damaged or missing (never removed: reads of them fail with
    /// ``ArtifactError/contentDamaged(artifactID:path:expected:actual:)``).
    public var damagedArtifacts: [Damage] = []
    /// Artifacts the search index does not hold (not findable by query; repair rebuilds it).
    public var unindexedArtifacts: [String] = []
    /// Blob files no artifact refers to, older than the grace period (paths).
    public var orphanBlobs: [String] = []
    /// Temporaries older than the grace period: left by a process that died (paths).
    public var staleTemporaries: [String] = []
    /// Unreferenced blobs and temporaries younger than the grace period: possibly a live
    /// writer's, so never reported as problems nor removed.
    public var recentFiles = 0
    /// Files under `blobs/` that are not named like blobs (paths).
    public var strayFiles: [String] = []
    /// What the database reports about itself (SQLite `integrity_check`).
    public var databaseProblems: [String] = []
    /// Damaged segments of the persistent search index (repair rebuilds it from the records).
    public var searchIndexProblems: [String] = []
    /// Blobs of deleted artifacts whose removal a killed delete or gc did not finish (SHA-256);
    /// repair removes those nothing refers to.
    public var unfinishedContentRemovals: [String] = []
    /// What `repair` did, one line each.
    public var repairs: [String] = []

    /// Whether nothing is wrong (repairs done do not count).
    public var isHealthy: Bool { problemCount == 0 }

    /// Problems found, one per listed item (repairs done do not count).
    public var problemCount: Int {
        damagedArtifacts.count + unindexedArtifacts.count + orphanBlobs.count
            + staleTemporaries.count + strayFiles.count + databaseProblems.count + searchIndexProblems.count
            + unfinishedContentRemovals.count
    }

    /// Whether `repair` could fix every problem found: all but damaged or missing content,
    /// which only a backup can restore.
    public var isRepairable: Bool {
        damagedArtifacts.isEmpty
    }

    enum CodingKeys: String, CodingKey {
        case artifacts
        case blobFiles = "blob_files"
        case damagedArtifacts = "damaged_artifacts"
        case unindexedArtifacts = "unindexed_artifacts"
        case orphanBlobs = "orphan_blobs"
        case staleTemporaries = "stale_temporaries"
        case recentFiles = "recent_files"
        case strayFiles = "stray_files"
        case databaseProblems = "database_problems"
        case searchIndexProblems = "search_index_problems"
        case unfinishedContentRemovals = "unfinished_content_removals"
        case repairs
    }

    public init() {}
}
