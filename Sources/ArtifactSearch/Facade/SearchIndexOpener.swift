import Foundation
import HybridSearch

/// Opens the store's persistent search index, rebuilding what cannot be used: the index is
/// derived data (SQLite holds every record with its vector), so damage, another format or
/// another analyzer means "start empty and catch up from SQLite", never an error or a wrong
/// answer. An index of another embedder is rebuilt too: the facade has checked the embedder
/// against the store's binding (SQLite's vectors) before, so such an index is what a
/// re-embed left behind.
enum SearchIndexOpener {
    /// How much of each segment is checked when the index opens: by default header, section
    /// table and bounds (``HybridSearch/Segment/Verification/standard``: contents are checked
    /// when written, before a merge and by `verify`); with
    /// `ARTIFACT_SEARCH_SEGMENT_VERIFICATION=full` every checksum (≈ 0.12 s for the 0.5 GB of
    /// a 100,000-artifact store; the trade-off is measured in Benchmarks/RESULTS.md).
    /// The index's ``HybridSearch/CommitPoint/source``: the records it is fed from (schema 4,
    /// numbered by their change sequence) and the search documents made of them (metadata with
    /// `metric.<name>` numbers). An index of any other source — a schema-3 store's, numbered by
    /// its old document sequence — is rebuilt, by whichever process opens it first.
    static let source = "artifact-records:4"

    /// ``source`` of the records of `store` (``ArtifactIndex/storeIdentity``): a node's index of
    /// a shared store is `artifact-records:4@<store UUID>`, so the node folder of one store
    /// pointed at another is rebuilt (the watermark check alone misses a store with more changes).
    static func source(records store: String?) -> String {
        store.map { source + "@" + $0 } ?? source
    }

    static var verification: Segment.Verification {
        ProcessInfo.processInfo.environment["ARTIFACT_SEARCH_SEGMENT_VERIFICATION"] == "full" ? .full : .standard
    }

    /// The store's search backend; its index is opened (``openIndex(folder:readOnly:analyzer:embedder:source:)``)
    /// at the first search or save, so `list`, `get`, `cat`, `best` and `pin` map nothing.
    /// - Parameter records: ``ArtifactIndex/storeIdentity`` of the records it is fed from.
    static func backend(
        folder: URL, readOnly: Bool, corpus: String, analyzer: any Analyzer, embedder: any Embedder, records: String? = nil
    ) -> PersistentSearchBackend {
        PersistentSearchBackend(corpus: corpus, analyzer: analyzer, embedder: embedder) { () throws(SearchError) in
            do {
                return try openIndex(
                    folder: folder, readOnly: readOnly, analyzer: analyzer, embedder: embedder, source: source(records: records))
            } catch let error as SearchError {
                throw error
            } catch {
                throw .storage(path: folder.path, reason: String(describing: error))
            }
        }
    }

    static func openIndex(
        folder: URL, readOnly: Bool, analyzer: any Analyzer, embedder: any Embedder, source: String
    ) throws -> PersistentIndex {
        let directory: any SegmentDirectory
        if readOnly {
            // Read what is there; build nothing on disk.
            directory = FileManager.default.fileExists(atPath: folder.path)
                ? try ReadOnlySegmentDirectory(FileSystemSegmentDirectory(url: folder)) : InMemorySegmentDirectory()
        } else {
            directory = try FileSystemSegmentDirectory(url: folder)
        }
        let configuration = searchConfiguration(for: embedder)
        do {
            do {
                return try PersistentIndex(
                    directory: directory, analyzer: analyzer, embedder: embedder, configuration: configuration,
                    verification: verification, source: source)
            } catch SearchError.embedderMismatch {
                throw PersistentIndex.OpenProblem.damaged("built with another embedder")
            }
        } catch is PersistentIndex.OpenProblem {
            // Clear the folder only while no other process can be committing into it; if one
            // is, rebuild in memory for this process and let the next opener clear it.
            var cleared = false
            if !readOnly {
                cleared = try directory.withWriteLock { () throws(SearchError) -> Bool in
                    try PersistentIndex.removeIndexFiles(in: directory)
                    return true
                } ?? false
            }
            let fresh: any SegmentDirectory = cleared ? directory : InMemorySegmentDirectory()
            return try PersistentIndex(
                directory: fresh, analyzer: analyzer, embedder: embedder, configuration: configuration, source: source)
        }
    }

    /// The engine's defaults with hybrid fusion weighted for `embedder`
    /// (``HybridSearch/Embedder/defaultSemanticWeight``: 0.15 hashed, 0.2 MiniLM).
    static func searchConfiguration(for embedder: any Embedder) -> SearchConfiguration {
        SearchConfiguration(fusion: .reciprocalRank(ReciprocalRankFusion(semanticWeight: embedder.defaultSemanticWeight)))
    }
}

/// A folder of another user (or a read-only mount): reads pass through, writes are refused.
struct ReadOnlySegmentDirectory: SegmentDirectory {
    let base: FileSystemSegmentDirectory

    init(_ base: FileSystemSegmentDirectory) { self.base = base }

    func fileNames() throws(SearchError) -> [String] { try base.fileNames() }
    func read(_ name: String) throws(SearchError) -> SegmentBytes { try base.read(name) }
    func write(_ name: String, _ data: Data) throws(SearchError) {
        throw .storage(path: base.url.appendingPathComponent(name).path, reason: "the store is read-only")
    }
    func remove(_ name: String) throws(SearchError) {
        throw .storage(path: base.url.appendingPathComponent(name).path, reason: "the store is read-only")
    }
    func withWriteLock<T>(_ body: () throws(SearchError) -> T) throws(SearchError) -> T? { nil }
}
