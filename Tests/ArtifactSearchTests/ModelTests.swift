import Foundation
import HybridSearch
import Testing

@testable import ArtifactSearch

@Suite("Model")
struct ModelTests {
    @Test("Artifact JSON uses snake_case names and round-trips exactly")
    func artifactJSONRoundTrip() throws {
        let artifact = Artifact(
            artifactID: ArtifactID.make(), runID: "r", graphID: "g", nodeID: "n", toolName: "t",
            toolVersion: "1.0", kind: "report", sha256: "ab", bytes: 12, mime: "text/plain",
            createdAt: Date(timeIntervalSince1970: 1_700_000_000.123), tags: ["a", "b"],
            labels: ["filename": "x.txt", "n": 5, "s": "5", "flag": true, "list": [1, "two"]],
            metrics: ["acc": 0.91], pinned: true, uri: "file:///tmp/x", previewURI: "file:///tmp/p",
            orgID: "o", userID: "u", clientID: "c", appID: "a", sessionID: "s", agentID: "ag", scopeID: "run:r")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(artifact)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        for key in [
            "artifact_id", "run_id", "graph_id", "node_id", "tool_name", "tool_version", "kind", "sha256",
            "bytes", "mime", "created_at", "tags", "labels", "metrics", "pinned", "uri", "preview_uri",
            "org_id", "user_id", "client_id", "app_id", "session_id",
        ] {
            #expect(object[key] != nil, "missing \(key)")
        }
        #expect(object["created_at"] as? String == "2023-11-14T22:13:20.123Z")
        let decoded = try JSONDecoder().decode(Artifact.self, from: data)
        #expect(decoded == artifact)
        #expect(decoded.labels["n"] == .number(5))
        #expect(decoded.labels["s"] == .string("5"))
    }

    @Test("mimetype is accepted as an alias of mime; missing collections default to empty")
    func mimetypeAlias() throws {
        let json = #"{"artifact_id":"X","mimetype":"text/csv"}"#
        let artifact = try JSONDecoder().decode(Artifact.self, from: Data(json.utf8))
        #expect(artifact.mime == "text/csv")
        #expect(artifact.tags.isEmpty && artifact.labels.isEmpty && artifact.metrics.isEmpty)
        #expect(artifact.pinned == false)
    }

    @Test("Timestamps: millisecond ISO 8601 UTC, exact round trip, offsets parsed")
    func timestamps() throws {
        let date = Date(timeIntervalSince1970: 1_700_000_000.123)
        #expect(ArtifactTimestamp.format(date) == "2023-11-14T22:13:20.123Z")
        #expect(ArtifactTimestamp.format(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
        #expect(ArtifactTimestamp.format(Date(timeIntervalSince1970: 951_782_400)) == "2000-02-29T00:00:00.000Z")
        let parsed = try #require(ArtifactTimestamp.parse("2023-11-14T22:13:20.123Z"))
        #expect(ArtifactTimestamp.milliseconds(parsed) == 1_700_000_000_123)
        #expect(ArtifactTimestamp.parse("2023-11-14T23:13:20.123+01:00") == parsed)
        #expect(ArtifactTimestamp.parse("2023-11-14T22:13:20Z").map(ArtifactTimestamp.milliseconds) == 1_700_000_000_000)
        #expect(ArtifactTimestamp.parse("2023-11-14") == nil)
        #expect(ArtifactTimestamp.parse("yesterday") == nil)
        for ms: Int64 in [0, 1, 999, 1_700_000_000_123, 4_102_444_800_000] {
            let d = ArtifactTimestamp.date(milliseconds: ms)
            #expect(ArtifactTimestamp.parse(ArtifactTimestamp.format(d)) == d)
        }
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

    @Test("Ids are 26 Crockford characters, unique, increasing and carry their millisecond")
    func ids() throws {
        // Far in the future: the generator is process-wide and never goes back in time.
        let date = Date(timeIntervalSince1970: 4_000_000_000.5)
        let ids = (0..<2_000).map { _ in ArtifactID.make(at: date) }
        #expect(Set(ids).count == ids.count)
        #expect(ids == ids.sorted())
        #expect(ids.allSatisfy { $0.count == 26 && $0.allSatisfy { "0123456789ABCDEFGHJKMNPQRSTVWXYZ".contains($0) } })
        #expect(ArtifactID.timestamp(of: ids[0]).map(ArtifactTimestamp.milliseconds) == 4_000_000_000_500)
        let later = ArtifactID.make(at: date.addingTimeInterval(1))
        #expect(later > ids.last!)
        // A clock that steps back never produces a smaller id within a process.
        #expect(ArtifactID.make(at: date.addingTimeInterval(-10)) > later)
    }

    @Test("Scope id: override, then level, then first present id, then global")
    func scopeIDs() {
        #expect(Scope(runID: "r", scopeIDOverride: "custom").scopeID == "custom")
        #expect(Scope(sessionID: "s", runID: "r", level: .session).scopeID == "session:s")
        #expect(Scope(orgID: "o", userID: "u", level: .user).scopeID == "org:o:user:u")
        #expect(Scope(userID: "u", level: .user).scopeID == "user:u")
        #expect(Scope(clientID: "c", level: .user).scopeID == "user:c")
        #expect(Scope(level: .user).scopeID == "user:anon")
        #expect(Scope(runID: "r", level: .run).scopeID == "run:r")
        #expect(Scope(orgID: "o", level: .org).scopeID == "org:o")
        #expect(Scope(runID: "r", level: .scope).scopeID == "global")
        #expect(Scope(orgID: "o", runID: "r", level: .session).scopeID == "run:r")
        #expect(Scope(userID: "u", sessionID: "s", runID: "r").scopeID == "session:s")
        #expect(Scope(orgID: "o", userID: "u", runID: "r").scopeID == "user:u")
        #expect(Scope(orgID: "o", runID: "r").scopeID == "run:r")
        #expect(Scope(orgID: "o", appID: "a").scopeID == "org:o")
        #expect(Scope(appID: "a").scopeID == "app:a")
        #expect(Scope().scopeID == "global")
    }

    @Test("Unknown level, metric mode and decoding policy are errors naming the accepted values")
    func parsingErrors() {
        #expect(throws: ArtifactError.unknownLevel("galaxy")) { try ScopeLevel(parsing: "galaxy") }
        #expect((try? ScopeLevel(parsing: "Org")) == .org)
        #expect(throws: ArtifactError.invalidMetricMode("median")) { try MetricMode(parsing: "median") }
        #expect((try? MetricMode(parsing: "MIN")) == .min)
        #expect(ArtifactError.unknownLevel("x").description.contains("scope, session, run, user, org"))
        #expect(ArtifactError.invalidMetricMode("x").description.contains("max"))
        #expect(throws: ArtifactError.self) { try TextDecodingPolicy(parsing: "lenient") }
    }

    @Test("Directory manifests are sorted, canonical and reject escaping paths")
    func manifests() throws {
        let manifest = try DirectoryManifest(entries: [
            .init(path: "b/z.txt", sha256: "22", size: 2), .init(path: "a.txt", sha256: "11", size: 1),
        ])
        #expect(manifest.entries.map(\.path) == ["a.txt", "b/z.txt"])
        #expect(manifest.totalSize == 3)
        #expect(
            String(decoding: manifest.canonicalData, as: UTF8.self)
                == #"{"entries":[{"path":"a.txt","sha256":"11","size":1},{"path":"b/z.txt","sha256":"22","size":2}],"format":"artifact-search-manifest/1"}"#
        )
        #expect(try DirectoryManifest(data: manifest.canonicalData) == manifest)
        for bad in ["../x", "/etc/passwd", "a/../../b", "a//b", "./a", ""] {
            #expect(throws: ArtifactError.self) {
                try DirectoryManifest(entries: [.init(path: bad, sha256: "1", size: 1)])
            }
        }
    }

    @Test("file:// URIs are percent-decoded; plain paths are kept; other schemes are rejected")
    func fileLocations() throws {
        #expect(try FileLocation.url(from: "file:///tmp/a%20b.txt").path == "/tmp/a b.txt")
        #expect(try FileLocation.url(from: "file://localhost/tmp/x.txt").path == "/tmp/x.txt")
        #expect(try FileLocation.url(from: "/tmp/a%20b.txt").path == "/tmp/a%20b.txt")
        #expect(throws: ArtifactError.unsupportedURI("s3://bucket/key")) { try FileLocation.url(from: "s3://bucket/key") }
        let uri = FileLocation.uri(for: URL(fileURLWithPath: "/tmp/a b#c.txt"))
        #expect(try FileLocation.url(from: uri).path == "/tmp/a b#c.txt")
    }

    @Test("A remote client's error messages name no file of the server; a caller's own mistake keeps its message")
    func descriptionsWithoutPaths() {
        let path = "/srv/secret-store/blobs/ab/cd/abcd"
        let serverSide: [ArtifactError] = [
            .io(path: path, reason: "No space left on device"), .corruptStore("content abcd is missing from \(path)"),
            .contentDamaged(artifactID: "01J0", path: path, expected: "abcd", actual: "ef01"),
            .damagedDatabase(path: path, reason: "file is not a database"), .readOnlyStore(path: path),
        ]
        for error in serverSide {
            #expect(error.description.contains(path))
            #expect(!error.descriptionWithoutPaths.contains("/srv"), "\(error.descriptionWithoutPaths)")
        }
        #expect(ArtifactError.contentDamaged(artifactID: "01J0", path: path, expected: "a", actual: "b").descriptionWithoutPaths.contains("01J0"))
        let mistake = ArtifactError.invalidArgument("limit must be at least 1 (got 0)")
        #expect(mistake.descriptionWithoutPaths == mistake.description)
    }
}
