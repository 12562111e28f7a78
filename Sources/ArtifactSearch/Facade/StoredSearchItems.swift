import Foundation
import HybridSearch

/// Rebuilds the search documents of stored artifacts — what a search index catching up or
/// rebuilding needs — from their records, their stored vectors and their content: text from
/// the blobs (``SearchDocumentBuilder``, with the byte limit each artifact was saved with),
/// metadata from the record, the vector as stored (nothing is embedded again) and the analysis
/// done here, in parallel.
struct StoredSearchItems: Sendable {
    let store: any ArtifactStore
    let corpus: String
    let analyzer: any Analyzer

    /// The items of `records`, in order, built in parallel slices (one per core).
    /// - Throws: ``HybridSearch/SearchError/embedderMismatch(stored:current:)`` when a stored
    ///   vector is another embedder's than `embedder`.
    func items(for records: [(artifact: Artifact, vector: StoredVector?)], embedder: any Embedder) async throws -> [SearchItem] {
        for record in records {
            if let vector = record.vector, vector.embedder != embedder.identifier {
                throw SearchError.embedderMismatch(stored: vector.embedder, current: embedder.identifier)
            }
        }
        let analyzer = self.analyzer
        // A remote store's reads are round trips: many in flight, not one per core.
        return try await ParallelSlices.map(records, width: store.concurrentReads) { record in
            var item = try await self.item(for: record.artifact)
            item.vector = record.vector?.values
            item.terms = TermCounts(analyzer: analyzer.identifier, terms: analyzer.terms(in: item.text))
            return item
        }
    }

    /// The search document of a stored artifact without vector or analysis: its text (only
    /// its header when the content is damaged or missing), metadata and creation time.
    func item(for artifact: Artifact) async throws -> SearchItem {
        try await itemAndDamage(for: artifact).item
    }

    /// ``item(for:)``, and whether its content was damaged or missing (the text is the header).
    func itemAndDamage(for artifact: Artifact) async throws -> (item: SearchItem, damaged: Bool) {
        // The limit the artifact was saved with, so a rebuild indexes the same bytes.
        let limit = artifact.indexedBytesLimit ?? ArtifactFacade.Configuration().maxIndexedContentBytes
        let documents = SearchDocumentBuilder(maxContentBytes: limit)
        var text = documents.header(for: artifact)
        var damaged = false
        if let sha = artifact.sha256 {
            do {
                if artifact.isDirectory {
                    let manifest = try await store.manifest(sha256: sha)
                    let store = self.store
                    text = try await documents.text(for: artifact, manifest: manifest) { entry, count in
                        try await store.readContent(sha256: entry.sha256, maxBytes: count)
                    }
                } else if limit > 0 {
                    text = documents.text(for: artifact, contentPrefix: try await store.readContent(sha256: sha, maxBytes: limit))
                }
            } catch ArtifactError.contentDamaged, ArtifactError.corruptStore {
                // Damaged or missing content (verify reports it): the record stays findable
                // by its name, kind, tags and labels.
                text = documents.header(for: artifact)
                damaged = true
            }
        }
        return (makeItem(artifact, text: text), damaged)
    }

    private func makeItem(_ artifact: Artifact, text: String) -> SearchItem {
        SearchItem(
            corpus: corpus, id: artifact.artifactID, text: text, metadata: ArtifactMetadataKey.metadata(of: artifact),
            createdAt: artifact.createdAt.map(ArtifactTimestamp.seconds), vector: nil)
    }
}
