import Foundation
import HybridSearch

/// What a facade may read and save from the host's file system by path or URI.
///
/// - ``trustedLocal`` (default, the seed's behaviour): any path this process can read — for a
///   program acting for its own user (the CLI, a notebook).
/// - ``confined(roots:)``: for untrusted callers (the HTTP service, MCP tools): a URI or path
///   may name a blob of the store only if an artifact **of this scope's organisation** holds
///   those bytes, and any other path only below one of `roots` (after resolving symbolic
///   links and `..`); ``ArtifactFacade/saveFile(at:kind:labels:metrics:tags:suggestedURI:name:pin:cleanup:)``
///   and the ingest calls read only below `roots` too. Everything else throws
///   ``ArtifactError/accessDenied(path:reason:)``. Artifacts passed in by value are looked up
///   again by id, so a forged record cannot name another organisation's bytes.
public enum AccessPolicy: Sendable, Hashable {
    case trustedLocal
    case confined(roots: [URL])
}

extension ArtifactFacade {
    /// `url` when this facade's policy lets it be read (see ``AccessPolicy``); the resolved path
    /// (symbolic links followed) in confined mode.
    /// - Throws: ``ArtifactError/accessDenied(path:reason:)``.
    func authorizedLocalURL(_ url: URL) async throws -> URL {
        guard case .confined(let roots) = configuration.access else { return url }
        let resolved = url.standardizedFileURL.resolvingSymlinksInPath()
        let storeRoot = store.rootURL.standardizedFileURL.resolvingSymlinksInPath().path
        if Self.path(resolved.path, isInside: storeRoot) {
            let blobs = store.contentURL(sha256: "0000").deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().resolvingSymlinksInPath().path
            let sha = resolved.lastPathComponent
            guard Self.path(resolved.path, isInside: blobs), store.contentURL(sha256: sha).resolvingSymlinksInPath().path == resolved.path
            else {
                throw ArtifactError.accessDenied(path: url.path, reason: "only the store's content files can be read")
            }
            let owners = try await structuredArtifacts(filter: try ownerFilter(sha256: sha), order: .newestFirst, limit: 1)
            guard !owners.isEmpty else {
                throw ArtifactError.accessDenied(path: url.path, reason: "no artifact of this organisation holds these bytes")
            }
            return resolved
        }
        for root in roots {
            let base = root.standardizedFileURL.resolvingSymlinksInPath().path
            if Self.path(resolved.path, isInside: base) { return resolved }
        }
        throw ArtifactError.accessDenied(
            path: url.path, reason: "it is outside the folders this service may read (its allowed roots)")
    }

    /// Runs `body` with a path to the file `resolved` (an ``authorizedLocalURL(_:)``) that
    /// cannot be swapped. In confined mode the file is opened once without following a final
    /// symbolic link, where it really is is read back from the open file (`/proc/self/fd`), and
    /// `body` gets `/proc/self/fd/N`, which names that very file: replacing the path by a link to
    /// a file outside the roots between the check and the read (a race an agent able to write
    /// in an allowed folder could run) reads nothing outside. Trusted mode: `resolved` itself.
    /// - Throws: ``ArtifactError/accessDenied(path:reason:)``.
    func withConfinedFile<T>(_ resolved: URL, _ body: (URL) async throws -> T) async throws -> T {
        #if os(Linux)
            guard case .confined(let roots) = configuration.access else { return try await body(resolved) }
            let fd = Glibc.open(resolved.path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
            guard fd >= 0 else {
                let reason = errno == ELOOP ? "it is a symbolic link" : String(cString: strerror(errno))
                throw ArtifactError.accessDenied(path: resolved.path, reason: "cannot open it safely (\(reason))")
            }
            defer { close(fd) }
            let link = "/proc/self/fd/\(fd)"
            guard let real = try? FileManager.default.destinationOfSymbolicLink(atPath: link),
                roots.contains(where: { Self.path(real, isInside: $0.standardizedFileURL.resolvingSymlinksInPath().path) })
            else {
                throw ArtifactError.accessDenied(
                    path: resolved.path, reason: "it is outside the folders this service may read (its allowed roots)")
            }
            return try await body(URL(fileURLWithPath: link, isDirectory: false))
        #else
            return try await body(resolved)
        #endif
    }

    /// The stored record of `artifact` in confined mode (a caller's value may be forged), the
    /// value itself otherwise.
    func trustedRecord(of artifact: Artifact) async throws -> Artifact {
        guard case .confined = configuration.access else { return artifact }
        return try await requireArtifact(id: artifact.artifactID)
    }

    static func path(_ path: String, isInside folder: String) -> Bool {
        let base = folder.hasSuffix("/") ? folder : folder + "/"
        return path == folder || path.hasPrefix(base)
    }
}
