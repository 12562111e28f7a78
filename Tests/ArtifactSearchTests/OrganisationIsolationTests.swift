import Foundation
import HybridSearch
import Testing

@testable import ArtifactSearch

/// An artifact of one organisation is invisible to every other, through every facade call.
@Suite("Organisation isolation")
struct OrganisationIsolationTests {
    @Test("An artifact of org A is invisible to org B through every call; extraScopeLabels cannot lift it")
    func orgIsolation() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let base = try await openFacade(in: folder, scope: Scope(orgID: "A", userID: "u", sessionID: "s", runID: "r"))
        let file = try await base.saveText("secret zebra payload", kind: "k", metrics: ["m": 1], tags: ["t"])
        let staged = try base.stageDirectory()
        try Data("secret zebra in a folder".utf8).write(to: staged.appendingPathComponent("f.txt"))
        let dir = try await base.ingestDirectory(at: staged, kind: "k", tags: ["t"], metrics: ["m": 2])
        // Same user, session, run, graph and node ids, other organisation.
        let intruder = base.scoped(to: Scope(orgID: "B", userID: "u", sessionID: "s", runID: "r", graphID: "g", nodeID: "n"))
        for artifact in [file, dir] {
            let id = artifact.artifactID
            #expect(try await intruder.artifact(id: id) == nil)
            await #expect(throws: ArtifactError.notFound(id: id)) { try await intruder.loadBytes(id: id) }
            await #expect(throws: ArtifactError.notFound(id: id)) { try await intruder.loadText(id: id) }
            await #expect(throws: ArtifactError.notFound(id: id)) { try await intruder.loadJSON(id: id) }
            await #expect(throws: ArtifactError.notFound(id: id)) { try await intruder.pin(id) }
            await #expect(throws: ArtifactError.notFound(id: id)) { try await intruder.pin(id, pinned: false) }
            await #expect(throws: ArtifactError.notFound(id: id)) { try await intruder.asLocalFile(id: id) }
            await #expect(throws: ArtifactError.notFound(id: id)) { try await intruder.asLocalDirectory(id: id) }
            #expect(try await base.artifact(id: id)?.pinned == false)
        }
        for level in ScopeLevel.allCases {
            for includeNode in [false, true] {
                #expect(try await intruder.list(level: level, includeNode: includeNode, limit: .max).isEmpty)
            }
            #expect(try await intruder.best(kind: "k", metric: "m", level: level) == nil)
            #expect(try await intruder.best(metric: "m", metricMode: .min, level: level, tags: ["t"]) == nil)
            for mode in everySearchMode {
                for query in ["secret zebra", "", "f.txt"] {
                    #expect(try await intruder.search(query, level: level, limit: .max, mode: mode).isEmpty, "\(level) \(mode)")
                }
            }
            let lifts: [[String: JSONValue?]] = [
                ["org_id": "A"], ["org_id": nil], ["org_id": .array(["A", "B"])], ["org_id": .null], ["org_id": ""],
            ]
            for lift in lifts {
                for mode in everySearchMode {
                    do {
                        let hits = try await intruder.search(
                            "secret zebra", level: level, extraScopeLabels: lift, limit: .max, mode: mode)
                        #expect(hits.isEmpty, "\(lift) \(mode) \(level)")
                    } catch {
                        #expect(error is ArtifactError, "\(error)")
                    }
                }
            }
            // Other keys cannot lift it either.
            for lift in [["scope_id": nil], ["label.org_id": "A"], ["user_id": nil, "run_id": nil]] as [[String: JSONValue?]] {
                #expect(try await intruder.search("secret zebra", level: level, extraScopeLabels: lift, limit: 100).isEmpty)
                #expect(try await intruder.search(nil, level: level, extraScopeLabels: lift, limit: 100).isEmpty)
            }
        }
        // A look-alike org id (with a zero-width space) is another organisation.
        let lookalike = base.scoped(to: Scope(orgID: "A\u{200B}", runID: "r"))
        #expect(try await lookalike.artifact(id: file.artifactID) == nil)
        #expect(try await lookalike.search("secret zebra", level: .org).isEmpty)
    }
}
