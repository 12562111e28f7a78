import Foundation
import HybridSearch

/// The streaming writer handed to the body of
/// ``ArtifactFacade/writer(kind:plannedExtension:pin:labels:metrics:tags:name:isolation:body:)``.
///
/// Bytes go to a staged file (``url``) as they are written; the artifact is recorded only when
/// the body returns normally. A body may also write to ``url`` directly (e.g. hand it to a
/// tool) instead of calling ``write(_:)``. Safe to use from several tasks (calls are
/// serialised), though bytes from concurrent writes interleave in call order.
public final class ArtifactWriter: @unchecked Sendable {
    /// The staged file being written (inside the store's staging folder).
    public let url: URL
    private let lock = NSLock()
    private var handle: FileHandle?
    private var closed = false
    private var _labels: [String: JSONValue] = [:]
    private var _metrics: [String: Double] = [:]
    private var _tags: [String] = []
    private var _name: String?
    private var _bytesWritten = 0

    init(url: URL) {
        self.url = url
    }

    /// Appends bytes to the staged file.
    /// - Throws: ``ArtifactError/io(path:reason:)``, or ``ArtifactError/invalidArgument(_:)``
    ///   after the writer's scope ended.
    public func write(_ bytes: some DataProtocol) throws {
        try lock.withLock {
            guard !closed else {
                throw ArtifactError.invalidArgument("the writer's scope has ended: write inside its body")
            }
            if handle == nil {
                if !FileManager.default.fileExists(atPath: url.path) {
                    guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
                        throw ArtifactError.io(path: url.path, reason: "cannot create the staged file")
                    }
                }
                do {
                    let opened = try FileHandle(forWritingTo: url)
                    try opened.seekToEnd()
                    handle = opened
                } catch {
                    throw ArtifactError.io(path: url.path, reason: error.localizedDescription)
                }
            }
            do {
                try handle?.write(contentsOf: Data(bytes))
            } catch {
                throw ArtifactError.io(path: url.path, reason: error.localizedDescription)
            }
            _bytesWritten += bytes.count
        }
    }

    /// Appends the UTF-8 bytes of `text`.
    public func write(_ text: String) throws {
        try write(Data(text.utf8))
    }

    /// Adds (or replaces) labels of the artifact to be recorded.
    public func addLabels(_ labels: [String: JSONValue]) {
        lock.withLock { _labels.merge(labels) { _, new in new } }
    }

    /// Adds (or replaces) metrics of the artifact to be recorded.
    public func addMetrics(_ metrics: [String: Double]) {
        lock.withLock { _metrics.merge(metrics) { _, new in new } }
    }

    /// Adds tags to the artifact to be recorded.
    public func addTags(_ tags: [String]) {
        lock.withLock { _tags += tags }
    }

    /// The artifact's name (its `filename` label); by default the staged file's name.
    public var name: String? {
        get { lock.withLock { _name } }
        set { lock.withLock { _name = newValue } }
    }

    /// Bytes written through ``write(_:)`` so far.
    public var bytesWritten: Int { lock.withLock { _bytesWritten } }

    /// Closes the file and returns what was collected.
    func finish() throws -> (labels: [String: JSONValue], metrics: [String: Double], tags: [String], name: String?) {
        try lock.withLock {
            closed = true
            if let handle {
                do {
                    try handle.close()
                } catch {
                    throw ArtifactError.io(path: url.path, reason: error.localizedDescription)
                }
            }
            handle = nil
            if !FileManager.default.fileExists(atPath: url.path),
                !FileManager.default.createFile(atPath: url.path, contents: nil)
            {
                throw ArtifactError.io(path: url.path, reason: "cannot create the staged file")
            }
            return (_labels, _metrics, _tags, _name)
        }
    }

    /// Closes the file and deletes it.
    func discard() {
        lock.withLock {
            closed = true
            try? handle?.close()
            handle = nil
            try? FileManager.default.removeItem(at: url)
        }
    }
}
