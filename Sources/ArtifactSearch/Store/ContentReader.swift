import Foundation

/// A blob read on demand, chunk by chunk, for a consumer that writes asynchronously (an HTTP
/// response body): the caller pulls the next chunk when it has sent the previous one, so
/// memory stays at one chunk whatever the blob's size.
///
/// Readers from ``ArtifactStore/openVerifiedContent(sha256:)`` have checked the whole blob
/// against its SHA-256 before the first chunk and hash it again while it is read: a blob
/// changed in between throws ``ArtifactError/contentDamaged(artifactID:path:expected:actual:)``
/// from the call that would have returned the end (`nil`).
public protocol ContentReader: AnyObject, Sendable {
    /// The blob's size in bytes, as found when it was opened.
    var size: Int { get }
    /// The next chunk (at most 1 MiB, never empty), or `nil` at the end.
    func next() throws -> Data?
}
