import ArtifactSearchPostgres
import ArtifactSearchS3
import Foundation
import HybridSearch
import Testing

@testable import ArtifactSearch

/// A fresh folder under the system temporary directory, removed by `remove()`.
struct TemporaryFolder {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("artifact-search-tests")
            .appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func file(_ name: String, contents: Data) throws -> URL {
        let file = url.appendingPathComponent(name)
        try FileManager.default.createDirectory(
            at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try contents.write(to: file)
        return file
    }

    func file(_ name: String, text: String) throws -> URL {
        try file(name, contents: Data(text.utf8))
    }

    func remove() {
        try? FileManager.default.removeItem(at: url)
    }
}

/// A settable clock for `createdAt` and time windows.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date

    init(_ start: Date = Date(timeIntervalSince1970: 1_750_000_000)) {
        current = start
    }

    var now: Date {
        get { lock.withLock { current } }
        set { lock.withLock { current = newValue } }
    }

    func advance(by seconds: TimeInterval) {
        lock.withLock { current = current.addingTimeInterval(seconds) }
    }

    var clock: ArtifactFacade.Clock { { [self] in self.now } }
}

/// Where a facade-level suite's store keeps its bytes. The suites that test what the facade
/// promises (saving, loading, listing, search, best, pin, delete, scopes, isolation) run once
/// per backend available; tests of the local blob tree stay embedded.
enum StoreBackend: String, Sendable, CustomTestStringConvertible {
    /// The folder's blob tree (the embedded default).
    case embedded
    /// moto_server's bucket (scripts/test-services), a prefix of its own per test folder, with
    /// the folder as this machine's cache (``ArtifactSearch/ObjectStoreArtifactStore``).
    case objectStorage
    /// The shared store: the records in the test PostgreSQL cluster (a schema of their own per
    /// test folder) and the bytes in moto's bucket; the folder is the node's search index and cache.
    case shared

    var testDescription: String { rawValue }

    static let environment = ProcessInfo.processInfo.environment

    /// Every backend whose server this run has (`scripts/test` always starts them).
    static var available: [StoreBackend] {
        var backends: [StoreBackend] = [.embedded]
        if environment["ARTIFACT_SEARCH_TEST_S3_ENDPOINT"] != nil { backends.append(.objectStorage) }
        if environment["ARTIFACT_SEARCH_TEST_S3_ENDPOINT"] != nil, environment["ARTIFACT_SEARCH_TEST_POSTGRES_URL"] != nil {
            backends.append(.shared)
        }
        return backends
    }

    /// The records of a test folder's shared store: the same schema each time it is reopened
    /// (`store` tells several stores of one folder apart).
    func records(for folder: TemporaryFolder, store: String = "") async throws -> (any ArtifactIndex)? {
        guard self == .shared, let url = Self.environment["ARTIFACT_SEARCH_TEST_POSTGRES_URL"] else { return nil }
        var location = try PostgresLocation(parsing: url)
        location.schema = "t_" + folder.url.lastPathComponent.lowercased().replacingOccurrences(of: "-", with: "_")
            + (store.isEmpty ? "" : "_" + store)
        location.tls = .disable
        return try await PostgresArtifactIndex.connect(to: location, maximumConnections: 4)
    }

    /// The bucket of a test folder: the same prefix each time the folder's store is reopened.
    func objects(for folder: TemporaryFolder, store: String = "") -> (any ObjectStorage)? {
        guard self != .embedded, let endpoint = Self.environment["ARTIFACT_SEARCH_TEST_S3_ENDPOINT"] else { return nil }
        let location = S3Location(
            bucket: Self.environment["ARTIFACT_SEARCH_TEST_S3_BUCKET"] ?? "",
            prefix: "facade-" + folder.url.lastPathComponent + (store.isEmpty ? "" : "-" + store), endpoint: URL(string: endpoint)!)
        return S3ObjectClient(
            location: location, accessKeyID: Self.environment["ARTIFACT_SEARCH_TEST_S3_ACCESS_KEY"] ?? "",
            secretAccessKey: Self.environment["ARTIFACT_SEARCH_TEST_S3_SECRET_KEY"] ?? "")
    }
}

/// Opens a facade on a store folder inside `folder`, its bytes where `backend` keeps them.
func openFacade(
    in folder: TemporaryFolder, backend: StoreBackend = .embedded, scope: Scope = Scope(runID: "run-1"), clock: TestClock? = nil,
    embedder: any Embedder = HashedNGramEmbedder(), synchronizesWrites: Bool = true
) async throws -> ArtifactFacade {
    let time: ArtifactFacade.Clock
    if let clock { time = clock.clock } else { time = { Date() } }
    return try await ArtifactFacade.open(
        at: folder.url.appendingPathComponent("store"), scope: scope, embedder: embedder,
        configuration: ArtifactFacade.Configuration(synchronizesWrites: synchronizesWrites), clock: time,
        blobs: backend.objects(for: folder), records: try await backend.records(for: folder))
}

/// Removes an SQLite database with its write-ahead log and shared-memory files.
func removeDatabase(at database: URL) {
    for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: database.path + suffix) }
}

/// Every blob file in a store folder.
func blobFiles(in store: URL) throws -> [URL] {
    let blobs = store.appendingPathComponent("blobs")
    guard let enumerator = FileManager.default.enumerator(at: blobs, includingPropertiesForKeys: nil) else { return [] }
    var files: [URL] = []
    for case let url as URL in enumerator {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue {
            files.append(url)
        }
    }
    return files
}

/// The files (relative path → bytes) below a folder, symlinks excluded.
func treeContents(of root: URL) throws -> [String: Data] {
    var result: [String: Data] = [:]
    func walk(_ relative: String) throws {
        let folder = relative.isEmpty ? root : root.appendingPathComponent(relative)
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
            let path = relative.isEmpty ? name : relative + "/" + name
            let full = root.appendingPathComponent(path)
            let attributes = try FileManager.default.attributesOfItem(atPath: full.path)
            let type = attributes[.type] as? FileAttributeType
            if type == .typeDirectory {
                try walk(path)
            } else if type == .typeRegular {
                result[path] = try Data(contentsOf: full)
            }
        }
    }
    try walk("")
    return result
}

/// Every mode a caller can ask for.
let everySearchMode: [SearchMode] = [.auto, .lexical, .semantic, .hybrid, .structural]

extension PersistentIndex.Change {
    /// The item of an upsert, `nil` for a delete.
    var upsertedItem: SearchItem? {
        if case .upsert(let item) = self { return item }
        return nil
    }
}
