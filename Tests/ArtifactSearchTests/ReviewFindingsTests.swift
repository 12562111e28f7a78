import Foundation
import HybridSearch
import Testing

@testable import ArtifactSearch

/// Regression tests for faults found in review.
@Suite("Review findings: artifact layer")
struct ArtifactReviewFindingsTests {
    @Test("MIME comes from the saved file's extension when the given name has none (SPEC §2)")
    func mimeFromFileExtensionWhenNameHasNone() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let facade = try await openFacade(in: folder)
        let csv = try folder.file("data.csv", text: "a,b\n1,2\n")
        let saved = try await facade.saveFile(at: csv, name: "quarterly report", cleanup: false)
        #expect(saved.filename == "quarterly report")
        #expect(saved.mime == "text/csv")
        // The name's own extension still wins.
        let named = try await facade.saveFile(at: csv, name: "notes.md", cleanup: false)
        #expect(named.mime == "text/markdown")
    }

    @Test("writer: plannedExtension sets the MIME type even when the body names the artifact")
    func writerPlannedExtensionSetsMIME() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let facade = try await openFacade(in: folder)
        let artifact = try await facade.writer(kind: "table", plannedExtension: "csv") { writer in
            try writer.write("a,b\n1,2\n")
            writer.name = "results"
        }
        #expect(artifact.filename == "results")
        #expect(artifact.mime == "text/csv")
    }

    @Test("Dates far outside the representable millisecond range do not trap")
    func extremeDatesDoNotTrap() throws {
        for seconds in [1e17, -1e17, Double.greatestFiniteMagnitude, -.infinity, .infinity, .nan] {
            let date = Date(timeIntervalSince1970: seconds)
            _ = ArtifactTimestamp.milliseconds(date)
            _ = ArtifactTimestamp.format(date)
            _ = Artifact(artifactID: "x", createdAt: date)
        }
        #expect(ArtifactTimestamp.milliseconds(Date(timeIntervalSince1970: 1.5)) == 1_500)
    }
}
