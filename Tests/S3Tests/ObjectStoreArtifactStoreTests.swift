import ArtifactSearch
import Crypto
import Foundation
import HybridSearch
import Testing

@testable import ArtifactSearchS3

/// The store's bytes in a bucket of moto_server (signature checks on), through the facade:
/// what is saved is in the bucket under its SHA-256, and everything reads back from the bucket
/// once the local cache is gone.
@Suite("Artifacts in S3-compatible object storage")
struct ObjectStoreArtifactStoreTests {
    static let available = S3ObjectClientTests.available

    /// A fresh folder and a fresh prefix of the test bucket.
    struct Fixture {
        let folder: URL
        let client: S3ObjectClient

        init(configure: (inout S3ObjectClient) -> Void = { _ in }) throws {
            folder = FileManager.default.temporaryDirectory.appendingPathComponent("s3-store-tests-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            var client = try S3ObjectClientTests.client()
            configure(&client)
            self.client = client
        }

        var store: URL { folder.appendingPathComponent("store") }

        func facade(orphanAge: TimeInterval? = nil) async throws -> ArtifactFacade {
            if let orphanAge {
                // The facade's own assembly, with a store whose orphans may be removed at once.
                let facade = try await ArtifactFacade.open(at: store, scope: Scope(orgID: "org-a", runID: "run-1"), blobs: client)
                let objects = try ObjectStoreArtifactStore(objects: client, cacheURL: store, orphanAge: orphanAge)
                return try await ArtifactFacade(
                    scope: facade.scope, store: objects, index: facade.index, backend: facade.backend,
                    configuration: ArtifactFacade.Configuration(staleFileGracePeriod: 0))
            }
            return try await ArtifactFacade.open(at: store, scope: Scope(orgID: "org-a", runID: "run-1"), blobs: client)
        }

        /// Removes this machine's cached copies: every later read goes to the bucket.
        func dropCache() throws {
            for folder in ["blobs", "materialized"] {
                try? FileManager.default.removeItem(at: store.appendingPathComponent(folder))
            }
        }

        func objects() async throws -> [String: Int] {
            var found: [String: Int] = [:]
            try await client.list(prefix: "") { page in for object in page { found[object.key] = object.size } }
            return found
        }

        func write(_ name: String, _ data: Data) throws -> URL {
            let url = folder.appendingPathComponent("input").appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try data.write(to: url)
            return url
        }

        func remove() { try? FileManager.default.removeItem(at: folder) }
    }

    static func sha256(_ data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    static func randomBytes(_ count: Int, seed: UInt64) -> Data {
        var state = seed
        var bytes = [UInt8](repeating: 0, count: count)
        for index in 0..<count {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            bytes[index] = UInt8(truncatingIfNeeded: state >> 33)
        }
        return Data(bytes)
    }

    @Test("Saves put each content once in the bucket under sha256/<hex>, records name its s3:// URI, and every load reads back from the bucket without the cache", .enabled(if: available))
    func saveAndLoadFromBucket() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let facade = try await fixture.facade()
        let text = try await facade.saveText("the gradient exploded at step 4,000", kind: "log")
        let again = try await facade.saveText("the gradient exploded at step 4,000", kind: "log")
        let json = try await facade.saveJSON(.object(["loss": .number(0.25)]), kind: "metrics")
        let bytes = Self.randomBytes(300_000, seed: 7)
        let file = try await facade.saveFile(at: try fixture.write("weights.bin", bytes), kind: "model", cleanup: false)
        let folder = fixture.folder.appendingPathComponent("input/run")
        _ = try fixture.write("run/config.yaml", Data("lr: 0.1\n".utf8))
        _ = try fixture.write("run/nested/notes.txt", Data("dropout helps\n".utf8))
        let directory = try await facade.ingestDirectory(at: folder, kind: "run-folder", cleanup: false)

        let objects = try await fixture.objects()
        let textSHA = Self.sha256(Data("the gradient exploded at step 4,000".utf8))
        #expect(objects["sha256/" + textSHA] == 35)
        #expect(objects["sha256/" + Self.sha256(bytes)] == 300_000)
        #expect(objects["sha256/" + Self.sha256(Data("lr: 0.1\n".utf8))] == 8)
        #expect(objects["sha256/" + Self.sha256(Data("dropout helps\n".utf8))] == 14)
        #expect(objects["sha256/" + directory.sha256!] != nil)
        // Two texts, one JSON, one file, two directory files and the manifest; the repeated text is stored once.
        #expect(objects.count == 6)
        #expect(again.sha256 == text.sha256)
        #expect(text.uri == fixture.client.locationURI + "/sha256/" + textSHA)

        try fixture.dropCache()
        #expect(try await facade.loadText(id: text.artifactID) == "the gradient exploded at step 4,000")
        #expect(try await facade.loadJSON(id: json.artifactID) == .object(["loss": .number(0.25)]))
        #expect(try await facade.loadBytes(id: file.artifactID) == bytes)
        try fixture.dropCache()
        let local = try await facade.asLocalFile(file)
        #expect(try Data(contentsOf: local) == bytes)
        let tree = try await facade.asLocalDirectory(directory)
        #expect(try String(contentsOf: tree.appendingPathComponent("nested/notes.txt"), encoding: .utf8) == "dropout helps\n")
        #expect(try String(contentsOf: tree.appendingPathComponent("config.yaml"), encoding: .utf8) == "lr: 0.1\n")
        try fixture.dropCache()
        var streamed = Data()
        try await facade.readContent(of: file) { streamed.append($0) }
        #expect(streamed == bytes)
        let opened = try await facade.openContent(of: directory, path: "config.yaml")
        #expect(try opened.reader.next() == Data("lr: 0.1\n".utf8))
        #expect(try await facade.verify().isHealthy)
    }

    @Test("Search finds saved text and shows its snippet after the cache is gone (ranged reads of the objects)", .enabled(if: available))
    func searchWithoutCache() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let facade = try await fixture.facade()
        let saved = try await facade.saveText("warmup schedules stabilise transformer training", kind: "note")
        _ = try await facade.saveText("the tokenizer splits identifiers", kind: "note")
        try fixture.dropCache()
        let reopened = try await fixture.facade()
        let hits = try await reopened.search("transformer warmup", level: .org, limit: 5, mode: .hybrid)
        #expect(hits.first?.artifact.artifactID == saved.artifactID)
        let snippet = try await reopened.snippet(of: saved, using: SnippetExtractor(query: "transformer warmup", analyzer: StandardAnalyzer()))
        #expect(snippet?.contains("transformer") == true)
    }

    @Test("A large file goes up in parts (multipart upload) and comes back byte for byte", .enabled(if: available))
    func multipart() async throws {
        let fixture = try Fixture { client in
            client.multipartThreshold = 5 << 20
            client.partSize = 5 << 20
        }
        defer { fixture.remove() }
        let facade = try await fixture.facade()
        let bytes = Self.randomBytes((11 << 20) + 123, seed: 11)
        let saved = try await facade.saveFile(at: try fixture.write("big.bin", bytes), kind: "blob", cleanup: false)
        #expect(try await fixture.objects()["sha256/" + Self.sha256(bytes)] == bytes.count)
        try fixture.dropCache()
        #expect(try await facade.loadBytes(id: saved.artifactID) == bytes)
        // Saving it again finds it there (HEAD first above the threshold) and uploads nothing new.
        _ = try await facade.saveFile(at: try fixture.write("big.bin", bytes), kind: "blob", cleanup: false)
        #expect(try await fixture.objects().count == 1)
    }

    @Test("An object whose bytes were replaced in the bucket is refused as damaged and never cached; a missing one is named", .enabled(if: available))
    func damagedAndMissingObjects() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let facade = try await fixture.facade()
        let damaged = try await facade.saveText("original bytes", kind: "note")
        let missing = try await facade.saveText("bytes that will vanish", kind: "note")
        try await fixture.client.put(Data("tampered bytes".utf8), key: "sha256/" + damaged.sha256!)
        try await fixture.client.delete(key: "sha256/" + missing.sha256!)
        try fixture.dropCache()
        await #expect(throws: ArtifactError.contentDamaged(
            artifactID: damaged.artifactID, path: damaged.uri!, expected: damaged.sha256!,
            actual: Self.sha256(Data("tampered bytes".utf8)))
        ) {
            try await facade.loadBytes(id: damaged.artifactID)
        }
        #expect(!FileManager.default.fileExists(atPath: facade.store.contentURL(sha256: damaged.sha256!).path))
        do {
            _ = try await facade.loadBytes(id: missing.artifactID)
            Issue.record("a missing object was read")
        } catch ArtifactError.corruptStore(let message) {
            #expect(message.contains(missing.sha256!) && message.contains(fixture.client.locationURI))
        }
        let report = try await facade.verify()
        #expect(Set(report.damagedArtifacts.map(\.artifactID)) == [damaged.artifactID, missing.artifactID])
    }

    @Test("Deleting an artifact keeps its object for a day: verify --repair removes unreferenced objects only once they are old enough", .enabled(if: available))
    func orphanObjects() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let facade = try await fixture.facade()
        let kept = try await facade.saveText("kept", kind: "note")
        let deleted = try await facade.saveText("deleted", kind: "note")
        _ = try await facade.delete(ids: [deleted.artifactID])
        #expect(try await fixture.objects().keys.sorted() == ["sha256/" + kept.sha256!, "sha256/" + deleted.sha256!].sorted())
        let young = try await facade.verify(repair: true)
        #expect(young.orphanBlobs.isEmpty && young.recentFiles == 1)
        #expect(try await fixture.objects().count == 2)

        let eager = try await fixture.facade(orphanAge: 0)
        try await Task.sleep(nanoseconds: 1_100_000_000)  // the object's Last-Modified is in whole seconds
        let report = try await eager.verify()
        #expect(report.orphanBlobs == [deleted.uri!])
        let repaired = try await eager.verify(repair: true)
        #expect(repaired.repairs.contains("removed orphan blob \(deleted.uri!)"))
        #expect(try await fixture.objects().keys.sorted() == ["sha256/" + kept.sha256!])
        #expect(try await eager.loadText(id: kept.artifactID) == "kept")
    }

    @Test("A record's s3:// URI loads its bytes in its organisation only; other URIs of the bucket are refused", .enabled(if: available))
    func contentURIs() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let facade = try await fixture.facade()
        let saved = try await facade.saveText("org A's notes", kind: "note")
        let uri = try #require(saved.uri)
        try fixture.dropCache()
        #expect(try await facade.loadText(uri: uri) == "org A's notes")
        #expect(try Data(contentsOf: try await facade.asLocalFile(uri: uri)) == Data("org A's notes".utf8))
        let other = facade.scoped(to: Scope(orgID: "org-b", runID: "run-1"))
        await #expect(throws: ArtifactError.accessDenied(path: uri, reason: "no artifact of this organisation holds these bytes")) {
            try await other.loadBytes(uri: uri)
        }
        await #expect(throws: ArtifactError.self) { try await other.asLocalFile(uri: uri) }
        let unknown = fixture.client.locationURI + "/sha256/" + String(repeating: "0", count: 64)
        await #expect(throws: ArtifactError.accessDenied(path: unknown, reason: "no artifact of this organisation holds these bytes")) {
            try await facade.loadBytes(uri: unknown)
        }
        // Not a content key of this store: not its URI, so not loadable at all.
        await #expect(throws: ArtifactError.unsupportedURI(fixture.client.locationURI + "/other/key")) {
            try await facade.loadBytes(uri: fixture.client.locationURI + "/other/key")
        }
    }

    @Test("A refused signature is a typed remoteStorage error and records nothing", .enabled(if: available))
    func refusedCredentials() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let wrong = try S3ObjectClientTests.client(secret: "wrong-secret", prefix: fixture.client.location.prefix)
        let facade = try await ArtifactFacade.open(at: fixture.store, scope: Scope(orgID: "org-a"), blobs: wrong)
        do {
            _ = try await facade.saveText("never recorded", kind: "note")
            Issue.record("a save with a wrong secret succeeded")
        } catch ArtifactError.remoteStorage(let location, let reason) {
            #expect(location == wrong.locationURI)
            #expect(reason.contains("SignatureDoesNotMatch"))
        }
        #expect(try await facade.list(level: .org).isEmpty)
        #expect(try await fixture.objects().isEmpty)
    }

    /// The cached blobs of a node folder, by SHA-256.
    static func cachedBlobs(_ store: ObjectStoreArtifactStore) -> Set<String> {
        let blobs = store.rootURL.appendingPathComponent("blobs")
        var found = Set<String>()
        for case let url as URL in FileManager.default.enumerator(at: blobs, includingPropertiesForKeys: nil) ?? .init()
        where url.lastPathComponent.count == 64 {
            found.insert(url.lastPathComponent)
        }
        return found
    }

    static func setModified(_ store: ObjectStoreArtifactStore, _ sha256: String, secondsAgo: TimeInterval) throws {
        try FileManager.default.setAttributes(
            [.modificationDate: Date().addingTimeInterval(-secondsAgo)], ofItemAtPath: store.contentURL(sha256: sha256).path)
    }

    @Test("The cache keeps at most its limit: past it the least recently used blobs are evicted down to 80 %, and read back from the bucket when needed", .enabled(if: available))
    func cacheEviction() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let store = try ObjectStoreArtifactStore(objects: fixture.client, cacheURL: fixture.store, cacheLimit: 10_000, cacheMinimumAge: 0)
        let blobs = (0..<4).map { Self.randomBytes(3_000, seed: UInt64($0) + 40) }
        let shas = blobs.map(Self.sha256)
        for blob in blobs.prefix(3) { _ = try await store.storeData(blob) }
        #expect(Self.cachedBlobs(store) == Set(shas.prefix(3)))  // 9,000 bytes: under the limit
        // Used in this order: 1 (oldest), 2, then 0 read just now (most recent).
        try Self.setModified(store, shas[0], secondsAgo: 300)
        try Self.setModified(store, shas[1], secondsAgo: 200)
        try Self.setModified(store, shas[2], secondsAgo: 100)
        #expect(try await store.readContent(sha256: shas[0], maxBytes: nil) == blobs[0])
        // 12,000 bytes: over 10,000, so down to at most 8,000 — the two least recently used go.
        _ = try await store.storeData(blobs[3])
        #expect(Self.cachedBlobs(store) == [shas[0], shas[3]])
        #expect(try String(contentsOf: fixture.store.appendingPathComponent("cache-size"), encoding: .utf8) == "6000\n")
        // Evicted from the cache, not from the bucket: read back (and hash-checked) on demand.
        #expect(try await store.readContent(sha256: shas[1], maxBytes: nil) == blobs[1])
        #expect(try await store.readPrefix(sha256: shas[2], maxBytes: 10).bytes == blobs[2].prefix(10))
        #expect(Set(try await fixture.objects().keys) == Set(shas.map { "sha256/" + $0 }))
        #expect(store.trimCache() == ObjectStoreArtifactStore.CacheTrim(removed: 0, freedBytes: 0, keptBytes: 9_000))
    }

    @Test("Cache eviction never takes a blob used within the minimum age (another process's read, a save's upload), and a store without a limit evicts nothing", .enabled(if: available))
    func cacheEvictionKeepsRecentBlobs() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let unlimited = try ObjectStoreArtifactStore(objects: fixture.client, cacheURL: fixture.store, cacheLimit: nil)
        let blobs = (0..<3).map { Self.randomBytes(2_000, seed: UInt64($0) + 80) }
        let shas = blobs.map(Self.sha256)
        for blob in blobs { _ = try await unlimited.storeData(blob) }
        #expect(unlimited.trimCache() == nil && unlimited.cacheLimit == nil)
        // A limit of 1 byte and a minimum age of an hour: all three were used just now.
        let strict = try ObjectStoreArtifactStore(objects: fixture.client, cacheURL: fixture.store, cacheLimit: 1, cacheMinimumAge: 3_600)
        #expect(strict.trimCache() == ObjectStoreArtifactStore.CacheTrim(removed: 0, freedBytes: 0, keptBytes: 6_000))
        // Two of them last used two hours ago: those go; the third stays (used within the hour).
        try Self.setModified(strict, shas[0], secondsAgo: 7_200)
        try Self.setModified(strict, shas[1], secondsAgo: 7_200)
        #expect(strict.trimCache() == ObjectStoreArtifactStore.CacheTrim(removed: 2, freedBytes: 4_000, keptBytes: 2_000))
        #expect(Self.cachedBlobs(strict) == [shas[2]])
        // A read by another process of this folder (even one without a limit) makes a blob recent for all.
        try Self.setModified(strict, shas[2], secondsAgo: 7_200)
        let reader = try ObjectStoreArtifactStore(objects: fixture.client, cacheURL: fixture.store, cacheLimit: nil)
        #expect(try await reader.readContent(sha256: shas[2], maxBytes: nil) == blobs[2])
        #expect(strict.trimCache()?.removed == 0)
        #expect(Self.cachedBlobs(strict) == [shas[2]])
        #expect(throws: ArtifactError.self) {
            _ = try ObjectStoreArtifactStore(objects: fixture.client, cacheURL: fixture.store, cacheLimit: -1)
        }
    }

    @Test("An embedded store's folder is never taken as a bucket's cache (eviction would lose its only copies), and a node folder never opens as an embedded store", .enabled(if: available))
    func cacheFoldersAreMarked() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let embedded = fixture.folder.appendingPathComponent("embedded")
        _ = try await ArtifactFacade.open(at: embedded).saveText("the only copy of these bytes")
        let refused = #expect(throws: ArtifactError.self) {
            _ = try ObjectStoreArtifactStore(objects: fixture.client, cacheURL: embedded)
        }
        #expect(refused?.description.contains("holds an embedded store") == true, "\(String(describing: refused))")
        await #expect(throws: ArtifactError.self) {
            _ = try await ArtifactFacade.open(at: embedded, blobs: fixture.client)
        }
        #expect(try await ArtifactFacade.open(at: embedded).verify().isHealthy)

        let node = try await fixture.facade()
        _ = try await node.saveText("cached here, kept in the bucket")
        #expect(ObjectStoreArtifactStore.cachedBucket(in: fixture.store) == fixture.client.locationURI)
        let asEmbedded = await #expect(throws: ArtifactError.self) {
            _ = try await ArtifactFacade.open(at: fixture.store, blobs: nil)
        }
        #expect(
            asEmbedded?.description.contains("is a node folder of a store whose bytes are in \(fixture.client.locationURI)") == true,
            "\(String(describing: asEmbedded))")
        await #expect(throws: ArtifactError.self) {
            _ = try await ArtifactFacade.reembed(at: fixture.store, to: HashedNGramEmbedder(dimension: 64), choice: nil)
        }
        // A node folder of an earlier build (blobs, no marker, no index.sqlite) is taken and marked.
        let earlier = fixture.folder.appendingPathComponent("earlier")
        try FileManager.default.createDirectory(at: earlier.appendingPathComponent("blobs/ab/cd"), withIntermediateDirectories: true)
        _ = try ObjectStoreArtifactStore(objects: fixture.client, cacheURL: earlier)
        #expect(ObjectStoreArtifactStore.cachedBucket(in: earlier) == fixture.client.locationURI)
    }
}
