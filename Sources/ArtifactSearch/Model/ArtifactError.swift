import Foundation
import HybridSearch

/// Errors of the artifact layer. Each ``description`` says what went wrong and what to do.
///
/// Search-engine errors (invalid time window, unknown search mode, embedder mismatch,
/// `top_k`) are thrown as ``HybridSearch/SearchError`` unchanged.
public enum ArtifactError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No artifact with this id in the store.
    case notFound(id: String)
    /// A level name other than scope, session, run, user, org.
    case unknownLevel(String)
    /// A metric mode other than max or min.
    case invalidMetricMode(String)
    /// Bytes that do not decode in the requested encoding (strict error policy).
    /// `byteOffset` is the position of the first offending byte when known.
    case undecodableText(encoding: String, source: String, byteOffset: Int?)
    /// Bytes that are not JSON; `byteOffset`, `line` and `column` (1-based) locate the error.
    case invalidJSON(source: String, byteOffset: Int, line: Int, column: Int, reason: String)
    /// A file-system operation failed.
    case io(path: String, reason: String)
    /// A path inside a directory (or a name, extension or suffix) would leave its folder.
    case pathEscapesDirectory(path: String)
    /// A URI that is neither `file://` nor a plain path.
    case unsupportedURI(String)
    /// A file was expected but this is a directory (or the reverse).
    case wrongContentType(path: String, expected: String)
    /// Any other invalid argument; the message says which and what is accepted.
    case invalidArgument(String)
    /// A JSON value (or a label, or a filter value) nests arrays/objects deeper than `limit`.
    case tooDeeplyNested(what: String, limit: Int)
    /// The store's files disagree with its index (e.g. a blob was deleted by hand).
    case corruptStore(String)
    /// Stored bytes no longer hash to the SHA-256 their record names (overwritten, truncated or
    /// bit-rotted). `artifactID` is `nil` when the store was read by hash alone.
    case contentDamaged(artifactID: String?, path: String, expected: String, actual: String)
    /// A write to a store that was opened read-only (a folder or mount this user cannot write).
    case readOnlyStore(path: String)
    /// The SQLite database of the store is damaged (not a database, or corrupt pages).
    case damagedDatabase(path: String, reason: String)
    /// A path or URI outside what a confined facade may read (another organisation's blob, or
    /// a host path outside the configured roots).
    case accessDenied(path: String, reason: String)
    /// The store is bound to another embedder (``EmbedderBinding``) than the one given: its
    /// vectors are that embedder's.
    case embedderMismatch(bound: EmbedderBinding, given: String)
    /// A switch of the store's embedder was begun (``ArtifactFacade/reembed(at:to:choice:analyzer:configuration:blobs:records:progress:)``)
    /// and has not finished: the store's vectors are partly the target's.
    case reembedUnfinished(target: EmbedderBinding)
    /// Another process holds what this operation needs (a re-embed running); the message says
    /// what to wait for.
    case storeBusy(String)
    /// A shared store's database (a `postgres://` location) or the object storage holding its
    /// bytes (``ObjectStoreArtifactStore``) failed or could not be reached after its retries;
    /// `reason` is what it answered.
    case remoteStorage(location: String, reason: String)

    public var description: String {
        switch self {
        case .notFound(let id):
            return "no artifact with id \"\(id)\" in this store: check the id, or list/search to find it"
                + " (ids are 26-character strings such as 01HV3K6Z9Q8X7W5T4R3P2N1M0A)"
        case .unknownLevel(let text):
            return "unknown level \"\(text)\": use one of "
                + ScopeLevel.allCases.map(\.rawValue).joined(separator: ", ")
        case .invalidMetricMode(let text):
            return "invalid metric mode \"\(text)\": use \"max\" (highest wins) or \"min\" (lowest wins)"
        case .undecodableText(let encoding, let source, let offset):
            let place = offset.map { " at byte \($0)" } ?? ""
            return "\(source) is not valid \(encoding) text\(place): load it as bytes, pass the right"
                + " encoding, or use errors: .replace or .ignore"
        case .invalidJSON(let source, let offset, let line, let column, let reason):
            return "\(source) is not valid JSON at byte \(offset) (line \(line), column \(column)): \(reason);"
                + " fix the JSON there, or load it as text"
        case .io(let path, let reason):
            return "file operation on \(path) failed: \(reason); check that the path exists and is"
                + " readable/writable, and that the disk is not full"
        case .pathEscapesDirectory(let path):
            return "path \"\(path)\" leaves its folder (absolute, \"..\" or a symbolic link): use a"
                + " relative path inside the folder"
        case .unsupportedURI(let uri):
            return "unsupported URI \"\(uri)\": use a file:// URI or a plain file-system path"
        case .wrongContentType(let path, let expected):
            return "\(path) is not a \(expected): use \(expected == "directory" ? "asLocalFile/loadBytes" : "asLocalDirectory") instead"
        case .invalidArgument(let text):
            return text
        case .tooDeeplyNested(let what, let limit):
            return "\(what) nests arrays/objects more than \(limit) levels deep, the limit: flatten it (a deep"
                + " document can be saved as a file)"
        case .corruptStore(let text):
            return "the store is inconsistent: \(text); restore the missing files or re-save the artifact"
                + " (artifact-search verify lists every problem)"
        case .contentDamaged(let id, let path, let expected, let actual):
            let subject = id.map { "the content of artifact \($0)" } ?? "stored content \(expected)"
            let found = actual.count == 64 && actual.allSatisfy(\.isHexDigit) ? "hashes to \(actual)" : "is \(actual)"
            return "\(subject) is damaged: \(path) \(found), not the recorded content \(expected); restore"
                + " that file from a backup or save the artifact again (artifact-search verify lists every"
                + " damaged artifact; the record is kept)"
        case .readOnlyStore(let path):
            return "the store at \(path) is read-only for this user (or on a read-only mount): reads work,"
                + " writes need a store folder you can write (--store DIR)"
        case .damagedDatabase(let path, let reason):
            return "the database \(path) is damaged (\(reason)): run artifact-search verify to see what is"
                + " intact and verify --repair to rebuild the derived data, or restore index.sqlite from a backup"
        case .accessDenied(let path, let reason):
            return "access to \(path) denied: \(reason)"
        case .embedderMismatch(let bound, let given):
            let how = bound.choice.map { " (--embedder \($0))" } ?? ""
            return "this store's vectors were made by embedder \"\(bound.identifier)\"\(how), not \"\(given)\": "
                + "open it with that embedder (every command uses the store's own when --embedder is not given), "
                + "or switch the store with artifact-search reembed --embedder NEW"
        case .reembedUnfinished(let target):
            let how = target.choice ?? target.identifier
            return "this store's embedder is being switched to \"\(target.identifier)\" (artifact-search reembed, running or"
                + " interrupted): nothing can be saved or searched until it finishes; if no reembed is running, run"
                + " artifact-search reembed --embedder \(how) to finish it (or reembed with the old embedder to go back)"
        case .storeBusy(let reason):
            return reason
        case .remoteStorage(let location, let reason) where location.hasPrefix("postgres"):
            return "the database at \(location) failed: \(reason) — check that it is up, its address (--database) and"
                + " the password (in the URL or PGPASSWORD), then try again"
        case .remoteStorage(let location, let reason):
            return "the object storage at \(location) failed: \(reason) — check that it is up, its address (--blobs) and"
                + " the credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY), then try again"
        }
    }

    /// ``description`` for someone who must not see this machine's files — a remote client of
    /// a server: the store's own failures (I/O, inconsistency, damaged content, damaged
    /// database, a read-only store) say what failed, not where; every other error is the caller's mistake, whose
    /// description names only what the caller gave.
    public var descriptionWithoutPaths: String {
        switch self {
        case .io: return "a file operation failed on the server (its operator can run artifact-search verify)"
        case .corruptStore: return "the store is inconsistent on the server (its operator can run artifact-search verify)"
        case .contentDamaged(let id, _, _, _):
            return "the stored content\(id.map { " of artifact \($0)" } ?? "") is damaged (it no longer matches its SHA-256)"
                + " and is not served"
        case .damagedDatabase: return "the store's database is damaged on the server (its operator can run artifact-search verify)"
        case .readOnlyStore: return "the store is read-only on the server: reads work, saves, pins and deletes are refused"
        case .remoteStorage: return "the server's database or object storage failed or did not answer: try again later"
        case .embedderMismatch, .reembedUnfinished:
            return "the store's embedder is being switched or was switched on the server (artifact-search reembed):"
                + " its operator restarts the server once the switch has finished"
        default: return description
        }
    }
}

extension SearchError {
    /// ``description`` for a remote client of a server: the index's files and the embedder's
    /// failures (a model folder, an embedding server's address) say what failed, not where.
    public var descriptionWithoutPaths: String {
        switch self {
        case .storage, .corruptSegment:
            return "the search index failed on the server (its operator can run artifact-search verify)"
        case .embedderFailed:
            return "the store's embedder failed on the server (a model not installed, or its embedding server not"
                + " answering): its operator has the details; try again later"
        default: return description
        }
    }
}
