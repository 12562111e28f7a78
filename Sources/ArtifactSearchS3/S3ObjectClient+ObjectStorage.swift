import ArtifactSearch
import Foundation

/// The bucket as the shared store's ``ArtifactSearch/ObjectStorage``.
extension S3ObjectClient: ObjectStorage {
    public var locationURI: String {
        "s3://" + location.bucket + (location.prefix.isEmpty ? "" : "/" + location.prefix)
    }

    public func putObjectIfAbsent(key: String, file path: String, size: Int, sha256: String) async throws -> Bool {
        do {
            try await putFile(path: path, size: size, sha256: sha256, key: key, ifAbsent: true)
            return true
        } catch .alreadyExists {
            return false
        }
    }

    public func putObject(key: String, file path: String, size: Int, sha256: String) async throws {
        try await putFile(path: path, size: size, sha256: sha256, key: key)
    }

    public func objectInfo(key: String) async throws -> StoredObject? {
        try await head(key: key).map { StoredObject(key: key, size: $0.size, modified: $0.modified) }
    }

    public func readObject(key: String, chunks body: (UnsafeRawBufferPointer) throws -> Void) async throws -> Bool {
        do {
            try await read(key: key) { buffer in try buffer.withUnsafeReadableBytes { try body($0) } }
            return true
        } catch S3Error.notFound {
            return false
        }
    }

    public func readObjectPrefix(key: String, maxBytes: Int) async throws -> (bytes: Data, size: Int)? {
        do {
            return try await prefix(key: key, maxBytes: maxBytes)
        } catch .notFound {
            return nil
        }
    }

    public func deleteObject(key: String) async throws {
        try await delete(key: key)
    }

    public func listObjects(prefix: String, page body: ([StoredObject]) async throws -> Void) async throws {
        try await list(prefix: prefix) { page in
            try await body(page.map { StoredObject(key: $0.key, size: $0.size, modified: $0.modified) })
        }
    }
}
