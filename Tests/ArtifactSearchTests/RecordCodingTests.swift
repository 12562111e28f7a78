import Foundation
import HybridSearch
import Testing

@testable import ArtifactSearch

/// Records are read without `JSONDecoder` and written without `JSONEncoder` on the search
/// path; these tests hold both to Foundation's results.
@Suite("Record coding")
struct RecordCodingTests {
    static func randomArtifact(_ state: inout UInt64) -> Artifact {
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 11
        }
        func text() -> String? {
            let pieces = ["run-1", "a/b", "\"q\"", "\\", "é", "日本", "\n", "x y", "😀", "file:///tmp/a b.txt", ""]
            return next() % 3 == 0 ? nil : (0..<Int(1 + next() % 3)).map { _ in pieces[Int(next() % 11)] }.joined()
        }
        var labels: [String: JSONValue] = [:]
        for _ in 0..<Int(next() % 4) {
            let values: [JSONValue] = ["x", 5, 2.5, true, .null, [1, "two", [false]], ["k": ["n": -7]], "5", 9_007_199_254_740_993]
            labels[text() ?? "filename"] = values[Int(next() % UInt64(values.count))]
        }
        var metrics: [String: Double] = [:]
        for _ in 0..<Int(next() % 3) { metrics[text() ?? "acc"] = [0.91, -1e-9, 3, 1e300, 0][Int(next() % 5)] }
        return Artifact(
            artifactID: ArtifactID.make(), runID: text(), graphID: text(), nodeID: text(), toolName: text(),
            toolVersion: text(), kind: text(), sha256: text(), bytes: next() % 2 == 0 ? nil : Int(next() % 1_000_000),
            mime: text(), createdAt: next() % 3 == 0 ? nil : Date(timeIntervalSince1970: Double(next() % 2_000_000_000_000) / 1000),
            tags: (0..<Int(next() % 3)).compactMap { _ in text() }, labels: labels, metrics: metrics,
            pinned: next() % 2 == 0, uri: text(), previewURI: text(), orgID: text(), userID: text(), clientID: text(),
            appID: text(), sessionID: text(), agentID: text(), scopeID: text(),
            indexedBytesLimit: next() % 2 == 0 ? nil : 262_144)
    }

    @Test("A stored record reads back as JSONDecoder reads it", arguments: [1, 2, 3])
    func readsAsDecoder(seed: UInt64) throws {
        var state = seed
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]  // as the SQLite index writes records
        for _ in 0..<300 {
            let artifact = Self.randomArtifact(&state)
            let record = String(decoding: try encoder.encode(artifact), as: UTF8.self)
            let read = try Artifact.decodeRecord(record)
            #expect(read == (try JSONDecoder().decode(Artifact.self, from: Data(record.utf8))), "\(record)")
            #expect(read == artifact)
        }
    }

    @Test("Written records are JSONEncoder's bytes; a server's extra member goes in key order", arguments: [4, 5])
    func writesAsEncoder(seed: UInt64) throws {
        /// The HTTP record body as it was written through `Encodable`: the record's keyed
        /// container and a second one adding `content_url` to the same object.
        struct WithContentURL: Encodable {
            let artifact: Artifact
            enum Keys: String, CodingKey { case contentURL = "content_url" }
            func encode(to encoder: any Encoder) throws {
                try artifact.encode(to: encoder)
                var extra = encoder.container(keyedBy: Keys.self)
                try extra.encode("/v1/artifacts/\(artifact.artifactID)/content", forKey: .contentURL)
            }
        }
        var state = seed
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        for _ in 0..<300 {
            let artifact = Self.randomArtifact(&state)
            var writer = JSONWriter()
            artifact.writeJSON(to: &writer)
            #expect(writer.bytes == Array(try encoder.encode(artifact)))
            var extended = JSONWriter()
            artifact.writeJSON(to: &extended, adding: [("content_url", "/v1/artifacts/\(artifact.artifactID)/content")])
            #expect(extended.bytes == Array(try encoder.encode(WithContentURL(artifact: artifact))))
        }
    }

    @Test("Unusual and damaged records decode, or fail, exactly as with JSONDecoder", arguments: [
        #"{"artifact_id":"a","mimetype":"text/csv"}"#, #"{"artifact_id":"a","mime":null,"mimetype":"x"}"#,
        #"{"artifact_id":"a","mime":"m","mimetype":"x"}"#, #"{"artifact_id":"a","future":{"x":[1,2,{"y":null}]}}"#,
        #"{"artifact_id":"a","artifact_id":"b"}"#, #"{"artifact_id":"a","bytes":12.0}"#, #"{"artifact_id":"a","bytes":"12"}"#,
        #"{"artifact_id":"a","created_at":"garbage"}"#, #"{"artifact_id":"a","created_at":"2024-05-01 12:00:00+02:00"}"#,
        #"{"artifact_id":"a","tags":null,"labels":null,"metrics":null,"pinned":null}"#, #"{"artifact_id":null}"#, "{}", "[]",
        #"{"artifact_id":"a","labels":{"k":1,"k":2}}"#, #"{"artifact_id":"a","metrics":{"m":1e400}}"#,
        #"{"artifact_id":"a","metrics":{"m":"0.5"}}"#, #"{"artifact_id":"a","tags":["x",1]}"#, #"{"artifact_id":"a"} x"#,
        #"{"artifact_id":"a\u00e9\/b","run_id":"\ud83d\ude00"}"#, #"  {"artifact_id" : "a" , "pinned" : true }  "#,
        #"{"artifact_id":"a","labels":{"deep":"# + String(repeating: "[", count: 80) + String(repeating: "]", count: 80) + "}}",
    ])
    func unusualRecords(record: String) {
        let fast = Result { try Artifact.decodeRecord(record) }
        let foundation = Result { try JSONDecoder().decode(Artifact.self, from: Data(record.utf8)) }
        switch (fast, foundation) {
        case (.success(let a), .success(let b)): #expect(a == b)
        case (.failure, .failure): break
        default: Issue.record("\(record): \(fast) vs \(foundation)")
        }
    }
}
