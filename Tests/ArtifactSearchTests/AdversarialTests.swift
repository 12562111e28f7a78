import Foundation
import HybridSearch
import Testing

@testable import ArtifactSearch

/// Hostile inputs against the artifact layer: bad JSON, bad text, bad embedders, absurd limits,
/// hostile queries and names, typed filters, org isolation, determinism.
@Suite("Adversarial: artifact layer")
struct ArtifactAdversarialTests {
    /// Every mode a caller can ask for.
    static let modes: [SearchMode] = [.auto, .lexical, .semantic, .hybrid, .structural]

    // MARK: JSON and text

    @Test("Malformed JSON: loadJSON throws invalidJSON with a position inside the data; nothing crashes")
    func malformedJSON() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let facade = try await openFacade(in: folder)
        let cases: [(String, Int?)] = [
            ("", nil), ("{", nil), ("{\"a\": }", 6), ("[1, 2", nil), ("{\"a\":1} trailing", nil), ("NaN", nil),
            ("{'a': 1}", 1), ("[1,]", nil), ("\"unterminated", nil), ("{\"a\" 1}", nil), ("\u{1}", 0),
            ("[\"\\ud800\"]", nil), ("\"\\x41\"", nil), ("tru", nil), ("01", nil), ("{\"a\":1,\"a\":2,}", nil),
        ]
        for (text, offset) in cases {
            let artifact = try await facade.saveText(text)
            do {
                let value = try await facade.loadJSON(id: artifact.artifactID)
                // A lenient parser may accept a few of these; it must then return real data.
                #expect(["[\"\\ud800\"]", "01", "{\"a\":1,\"a\":2,}", "[1,]"].contains(text), "accepted \(text): \(value)")
            } catch let error as ArtifactError {
                guard case .invalidJSON(let source, let byteOffset, let line, let column, _) = error else {
                    Issue.record("\(text): \(error)")
                    continue
                }
                #expect(source.contains(artifact.artifactID))
                #expect((0...text.utf8.count).contains(byteOffset), "\(text): offset \(byteOffset)")
                #expect(line >= 1 && column >= 1)
                if let offset { #expect(byteOffset == offset, "\(text)") }
                #expect(error.description.contains("JSON"))
            }
        }
        // Invalid UTF-8 inside JSON, and a bare BOM.
        for bytes in [[0x22, 0xFF, 0x22], [0xEF, 0xBB, 0xBF], [0x7B, 0x22, 0xC0, 0xAF, 0x22, 0x3A, 0x31, 0x7D]] as [[UInt8]] {
            let artifact = try await facade.saveData(Data(bytes))
            await #expect(throws: ArtifactError.self) { try await facade.loadJSON(id: artifact.artifactID) }
        }
    }

    @Test("JSON numbers beyond Double are an error or finite, never ∞ smuggled into a value")
    func hugeJSONNumbers() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let facade = try await openFacade(in: folder)
        for text in ["1e400", "[-1e400]", "{\"x\": 1e999}"] {
            let artifact = try await facade.saveText(text)
            do {
                let value = try await facade.loadJSON(id: artifact.artifactID)
                #expect(!value.canonicalJSON.contains("null"), "\(text) decoded as \(value)")
            } catch {
                #expect(error is ArtifactError, "\(text): \(error)")
            }
        }
    }

    @Test("saveJSON and labels with NaN/∞ are rejected with a typed error; nothing is recorded")
    func nonFiniteJSON() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let facade = try await openFacade(in: folder)
        let bad: [JSONValue] = [
            .number(.nan), .object(["x": .number(.infinity)]), .array([.number(1), .array([.number(-.infinity)])]),
        ]
        for value in bad {
            await #expect(throws: ArtifactError.self, "saveJSON(\(value))") { try await facade.saveJSON(value) }
            await #expect(throws: ArtifactError.self, "label \(value)") {
                try await facade.saveText("x", labels: ["bad": value])
            }
            await #expect(throws: (any Error).self) { try await facade.writer { writer in
                try writer.write("payload")
                writer.addLabels(["bad": value])
            } }
        }
        struct Payload: Encodable, Sendable { var score: Double }
        await #expect(throws: (any Error).self) { try await facade.saveJSON(Payload(score: .nan)) }
        #expect(try await facade.index.count() == 0)
        #expect(await facade.backend.count(corpus: "artifacts") == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: facade.store.stagingURL.path).isEmpty)
    }

    @Test("Invalid UTF-8: strict names the first bad byte; replace and ignore are exact", arguments: [
        ([0x61, 0x62, 0xFF], 2, "ab\u{FFFD}", "ab"),
        ([0x61, 0xC0, 0xAF, 0x62], 1, "a\u{FFFD}\u{FFFD}b", "ab"),  // overlong
        ([0xED, 0xA0, 0x80, 0x7A], 0, "\u{FFFD}\u{FFFD}\u{FFFD}z", "z"),  // UTF-16 surrogate
        ([0x78, 0xE2, 0x82], 1, "x\u{FFFD}", "x"),  // truncated at the end
        ([0xE2, 0x82, 0xAC, 0x80], 3, "€\u{FFFD}", "€"),  // lone continuation
        ([0xF4, 0x90, 0x80, 0x80], 0, "\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}", ""),  // > U+10FFFF
    ] as [([UInt8], Int, String, String)])
    func invalidUTF8(bytes: [UInt8], offset: Int, replaced: String, ignored: String) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let facade = try await openFacade(in: folder)
        let id = try await facade.saveData(Data(bytes)).artifactID
        await #expect(throws: ArtifactError.undecodableText(encoding: "UTF-8", source: "artifact \(id)", byteOffset: offset)) {
            try await facade.loadText(id: id)
        }
        #expect(try await facade.loadText(id: id, errors: .replace) == replaced)
        #expect(try await facade.loadText(id: id, errors: .ignore) == ignored)
    }

    // MARK: Embedders

    /// An embedder that misbehaves whenever a text contains "poison".
    struct HostileEmbedder: Embedder {
        enum Fault: String, Sendable { case nan, wrongDimension, noVector, twoVectors, throwing }
        struct Failure: Error {}
        let fault: Fault
        let dimension = 16
        var identifier: String { "hostile-\(fault.rawValue)" }

        func embed(_ texts: [String]) throws -> [[Float]] {
            var vectors = texts.map { HashedNGramEmbedder(dimension: dimension).embed($0) }
            guard texts.contains(where: { $0.contains("poison") }) else { return vectors }
            switch fault {
            case .nan: vectors[0][2] = .nan
            case .wrongDimension: vectors[0].append(0.5)
            case .noVector: vectors.removeAll()
            case .twoVectors: vectors.append(vectors[0])
            case .throwing: throw Failure()
            }
            return vectors
        }
    }

    @Test(
        "A misbehaving embedder is a typed error naming the problem; nothing is recorded",
        arguments: [HostileEmbedder.Fault.nan, .wrongDimension, .noVector, .twoVectors, .throwing])
    func hostileEmbedder(fault: HostileEmbedder.Fault) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let facade = try await openFacade(in: folder, embedder: HostileEmbedder(fault: fault))
        let good = try await facade.saveText("a harmless note")
        do {
            let recorded = try await facade.saveText("a poison note")
            Issue.record("\(fault): recorded \(recorded.artifactID)")
        } catch let error as SearchError {
            switch (fault, error) {
            case (.nan, .invalidVector): break
            case (.wrongDimension, .dimensionMismatch(let expected, let actual)):
                #expect(expected == 16 && actual == 17, "\(error)")
            case (.noVector, .invalidArgument), (.twoVectors, .invalidArgument), (.throwing, .invalidArgument): break
            default: Issue.record("\(fault): \(error)")
            }
        } catch {
            Issue.record("\(fault): untyped error \(error)")
        }
        #expect(try await facade.index.count() == 1)
        #expect(await facade.backend.count(corpus: "artifacts") == 1)
        // A poisoned query is an error, never a crash; lexical and structured still work.
        _ = try? await facade.search("poison", mode: .hybrid)
        #expect(try await facade.search("harmless", mode: .lexical).map(\.artifact.artifactID) == [good.artifactID])
        #expect(try await facade.list().map(\.artifactID) == [good.artifactID])
    }

    // MARK: Limits

    @Test("Limits 0, negative and Int.min are errors; Int.max returns every match, in every mode")
    func absurdLimits() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let facade = try await openFacade(in: folder)
        for index in 0..<5 { try await facade.saveText("limit note \(index)", metrics: ["m": Double(index)]) }
        for limit in [0, -1, Int.min] {
            await #expect(throws: ArtifactError.self) { try await facade.list(limit: limit) }
            for mode in Self.modes {
                await #expect(throws: ArtifactError.self) { try await facade.search("note", limit: limit, mode: mode) }
            }
            await #expect(throws: ArtifactError.self) { try await facade.search(nil, limit: limit) }
        }
        #expect(try await facade.list(limit: .max).count == 5)
        #expect(try await facade.search(nil, limit: .max).count == 5)
        #expect(try await facade.search(nil, metric: "m", metricMode: .min, limit: .max).map { $0.score } == [0, 1, 2, 3, 4])
        for mode in Self.modes {
            #expect(try await facade.search("limit note", limit: .max, mode: mode).count == 5, "\(mode)")
        }
        #expect(try await facade.best(metric: "m")?.metrics["m"] == 4)
        #expect(try await facade.best(metric: "absent") == nil)
    }

    // MARK: Hostile query text

    static let hostileQueries: [String] = [
        "'; DROP TABLE artifacts; --", "\" OR 1=1 --", "%", "_", "%_%", "*", "a*", "NEAR(a b)", "\"a\" OR b",
        "\\", "\\'", "\u{0}", "\u{200B}\u{200D}", "e\u{301}\u{301}", "שלום", "\u{202E}txt.exe", "🚀", "👨‍👩‍👧",
        "label.org_id:acme", "org_id = 'globex'", String(repeating: "x", count: 1 << 20), " ", "",
    ]

    @Test("Hostile query strings never throw, never leave the run's filter and never touch the tables")
    func hostileQueries() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let base = try await openFacade(in: folder, scope: Scope(orgID: "acme", runID: "r1"))
        let other = base.scoped(to: Scope(orgID: "globex", runID: "r1"))
        var mine = Set<String>()
        for text in ["DROP TABLE artifacts", "percent % and underscore _", "near a b", "plain words"] {
            mine.insert(try await base.saveText(text, tags: ["%"]).artifactID)
            _ = try await other.saveText(text, tags: ["%"])
        }
        for query in Self.hostileQueries {
            for mode in Self.modes {
                let results = try await base.search(query, tags: ["%"], limit: 50, mode: mode)
                #expect(Set(results.map(\.artifact.artifactID)).isSubset(of: mine), "\(mode) \(query.prefix(12))")
            }
        }
        #expect(try await base.index.count() == 8)
        #expect(try await base.list(limit: 100).count == 4)
        // `%`, `_` and `*` in filters are literal, never wildcards.
        try await base.saveText("literal", labels: ["k": "%"], tags: ["a_b"])
        #expect(try await base.list(filters: ["k": "%"]).count == 1)
        #expect(try await base.list(filters: ["k": "_"]).isEmpty)
        #expect(try await base.list(tags: ["a%"]).isEmpty)
        #expect(try await base.list(tags: ["a_b"]).count == 1)
        #expect(try await base.list(tags: ["aXb"]).isEmpty)
    }

    // MARK: Names and paths

    @Test("Hostile names and suggested URIs become one safe filename; nothing is written outside the store")
    func hostileNames() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let facade = try await openFacade(in: folder)
        let long = String(repeating: "n", count: 10_000)
        let cases: [(String?, String?, String?)] = [
            ("../../etc/passwd", nil, "passwd"), ("/etc/passwd", nil, "passwd"), ("..\\..\\x", nil, "x"),
            ("a\u{0}b", nil, "ab"), ("..", nil, nil), (".", nil, nil), ("/", nil, nil), ("", nil, nil),
            (nil, "../../etc/shadow", "shadow"), (nil, "file:///tmp/../../etc/hosts", "hosts"), (long, nil, long),
            ("dir/", nil, "dir"), ("new\nline", nil, "new\nline"), (nil, "s3://bucket/key.txt", "key.txt"),
        ]
        for (name, suggested, expected) in cases {
            let artifact = try await facade.saveText("payload", suggestedURI: suggested, name: name)
            #expect(artifact.filename == expected, "\(String(describing: name?.prefix(20))) \(String(describing: suggested))")
            #expect(!(artifact.filename ?? "").contains("/"))
            #expect(artifact.labels["suggested_uri"] == suggested.map(JSONValue.string))
        }
        // Staging extensions and suffixes either throw or stay directly inside the staging folder.
        let staging = facade.store.stagingURL.standardizedFileURL.path
        for bad in ["../x", "a/b", "..", "x\u{0}", "/etc", "...", "./../..", ".\u{0}"] {
            for make in [{ try facade.stagePath(extension: bad) }, { try facade.stageDirectory(suffix: bad) }] {
                if let url = try? make() {
                    #expect(url.standardizedFileURL.deletingLastPathComponent().path == staging, "\(bad): \(url.path)")
                }
            }
        }
        #expect(throws: ArtifactError.self) { try facade.stagePath(extension: "../x") }
        #expect(throws: ArtifactError.self) { try facade.stageDirectory(suffix: "/../x") }
        let entries = try FileManager.default.contentsOfDirectory(atPath: folder.url.path)
        #expect(entries == ["store"])
        #expect(!FileManager.default.fileExists(atPath: folder.url.appendingPathComponent("passwd").path))
    }

    // MARK: Labels, tags and typed filters

    @Test("Label keys with dots, quotes, unicode and empty keys, and values of every JSON type, filter identically in structured and query mode")
    func labelKeysAndTypedValues() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let facade = try await openFacade(in: folder)
        let values: [JSONValue] = [
            .string("5"), .number(5), .number(5.5), .bool(true), .bool(false), .number(1), .null, .string("true"),
            .array([.number(5)]), .object(["a": .string("b")]), .string(""), .string("a,b"),
        ]
        let keys = ["a.b", "q\"k", "ключ", "", "label.x", "org_id", "run_id", "%", "k e y"]
        var saved: [(String, JSONValue, String)] = []
        for (index, value) in values.enumerated() {
            let key = keys[index % keys.count]
            let artifact = try await facade.saveText("typed value \(index)", labels: [key: value])
            saved.append((key, value, artifact.artifactID))
        }
        for (key, value, _) in saved {
            for wanted in values + [.number(5.0), .array([.string("5"), .bool(true)])] {
                let expected = Set(saved.filter { entry in
                    guard entry.0 == key else { return false }
                    if case .array(let options) = wanted { return options.contains(entry.1) }
                    return entry.1 == wanted
                }.map(\.2))
                let listed = Set(try await facade.list(filters: [key: wanted], limit: 100).map(\.artifactID))
                let structured = Set(try await facade.search(nil, labels: [key: wanted], limit: 100).map(\.artifact.artifactID))
                let queried = Set(try await facade.search("typed value", labels: [key: wanted], limit: 100, mode: .hybrid)
                    .map(\.artifact.artifactID))
                #expect(listed == expected, "list \(key) \(wanted)")
                #expect(structured == expected, "structured \(key) \(wanted)")
                #expect(queried == expected, "query \(key) \(wanted)")
            }
            _ = value
        }
        // The label `org_id` is a label: it can never act as the organisation field.
        #expect(try await facade.list(filters: ["org_id": "5"]).isEmpty)
    }

    @Test("Canonically equivalent tags, label keys and values (NFC vs NFD) filter alike in structured and query mode")
    func canonicalEquivalence() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let facade = try await openFacade(in: folder)
        let nfc = "caf\u{E9}"
        let nfd = "cafe\u{301}"
        let artifact = try await facade.saveText("espresso menu", labels: [nfc: .string(nfc)], tags: [nfc])
        // The caller's bytes are kept as given.
        #expect(artifact.tags.first.map { Array($0.unicodeScalars) } == Array(nfc.unicodeScalars))
        for form in [nfc, nfd] {
            let structuredTag = try await facade.search(nil, tags: [form]).map(\.artifact.artifactID)
            let queryTag = try await facade.search("espresso", tags: [form]).map(\.artifact.artifactID)
            #expect(structuredTag == queryTag, "tag \(form.unicodeScalars.count)")
            let structuredLabel = try await facade.list(filters: [form: .string(form)]).map(\.artifactID)
            let queryLabel = try await facade.search("espresso", labels: [form: .string(form)]).map(\.artifact.artifactID)
            #expect(structuredLabel == queryLabel, "label \(form.unicodeScalars.count)")
            #expect(structuredTag == [artifact.artifactID])
        }
    }

    @Test("Tags with commas, percent signs and case differences are exact and ALL-of in every mode")
    func tagsExact() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let facade = try await openFacade(in: folder)
        let comma = try await facade.saveText("tagged note", tags: ["a,b"]).artifactID
        let both = try await facade.saveText("tagged note", tags: ["a", "b", "a"]).artifactID
        for mode in Self.modes {
            func ids(_ tags: [String]) async throws -> Set<String> {
                Set(try await facade.search("tagged note", tags: tags, limit: 10, mode: mode).map(\.artifact.artifactID))
            }
            #expect(try await ids(["a"]) == [both], "\(mode)")
            #expect(try await ids(["a,b"]) == [comma], "\(mode)")
            #expect(try await ids(["a", "b"]) == [both], "\(mode)")
            #expect(try await ids(["A"]) == [], "\(mode)")
            #expect(try await ids(["a", "a,b"]) == [], "\(mode)")
        }
        #expect(try await facade.artifact(id: both)?.tags == ["a", "b"])
    }

    @Test("Time windows through the facade: 0s keeps an artifact saved now, both modes agree, bad windows are errors")
    func timeWindows() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let clock = TestClock()
        let facade = try await openFacade(in: folder, clock: clock)
        let old = try await facade.saveText("window note old").artifactID
        clock.advance(by: 1)
        let now = try await facade.saveText("window note now").artifactID
        for (text, expected) in [("0s", [now]), ("1s", [now, old]), (" 1 s ", [now, old]), ("2w", [now, old])] {
            let window = try TimeWindow(parsing: text)
            let structured = try await facade.search(nil, timeWindow: window).map(\.artifact.artifactID)
            #expect(structured == expected, "\(text)")
            for mode in [SearchMode.lexical, .semantic, .hybrid] {
                let ranked = try await facade.search("window note", timeWindow: window, mode: mode).map(\.artifact.artifactID)
                #expect(Set(ranked) == Set(expected), "\(text) \(mode)")
            }
        }
        for bad in ["7 days", "99999999999999w", "-1d", "1.5h", "٣d"] {
            #expect(throws: SearchError.self) { try TimeWindow(parsing: bad) }
        }
    }

    // MARK: Organisation isolation

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
            for mode in Self.modes {
                for query in ["secret zebra", "", "f.txt"] {
                    #expect(try await intruder.search(query, level: level, limit: .max, mode: mode).isEmpty, "\(level) \(mode)")
                }
            }
            let lifts: [[String: JSONValue?]] = [
                ["org_id": "A"], ["org_id": nil], ["org_id": .array(["A", "B"])], ["org_id": .null], ["org_id": ""],
            ]
            for lift in lifts {
                for mode in Self.modes {
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

    // MARK: Determinism

    @Test("Two stores fed the same saves give identical rankings and bit-identical scores in every mode")
    func determinismAcrossStores() async throws {
        let texts = [
            "alpha beta", "alpha beta", "beta gamma", "gamma delta", "alpha", "atomic_write_json", "alpha beta",
            "東京 検索", "emoji 🚀 alpha",
        ]
        var rankings: [[String]] = []
        for _ in 0..<2 {
            let folder = try TemporaryFolder()
            defer { folder.remove() }
            let facade = try await openFacade(in: folder, clock: TestClock(), synchronizesWrites: false)
            for (index, text) in texts.enumerated() {
                try await facade.saveText(text, name: "doc\(index).txt")
            }
            var signature: [String] = []
            for query in ["alpha beta", "alpha", "gamma", "", "東京", "atomic write"] {
                for mode in Self.modes {
                    let results = try await facade.search(query, limit: 20, mode: mode)
                    signature.append("\(mode) \(query): " + results.map {
                        "\($0.artifact.filename ?? "?")=\($0.score.map { String($0.bitPattern) } ?? "-")"
                    }.joined(separator: ","))
                }
            }
            rankings.append(signature)
        }
        #expect(rankings[0] == rankings[1])
    }

    // MARK: Concurrency

    @Test("Many tasks saving, searching and pinning through two openers of one folder: nothing lost, pins exact")
    func concurrentSavePinSearch() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let first = try await openFacade(in: folder, synchronizesWrites: false)
        let second = try await openFacade(in: folder, synchronizesWrites: false)
        let ids = try await withThrowingTaskGroup(of: [String].self) { group in
            for worker in 0..<6 {
                let facade = worker % 2 == 0 ? first : second
                group.addTask {
                    var mine: [String] = []
                    for index in 0..<15 {
                        let artifact = try await facade.saveText("concurrent note \(worker) \(index)", tags: ["w\(worker)"])
                        mine.append(artifact.artifactID)
                        if index % 3 == 0 { try await facade.pin(artifact.artifactID) }
                        if index % 5 == 0 {
                            let hits = try await facade.search("concurrent note", limit: 5)
                            #expect(Set(hits.map(\.artifact.artifactID)).count == hits.count)
                        }
                    }
                    return mine
                }
            }
            var all: [String] = []
            for try await part in group { all += part }
            return all
        }
        #expect(ids.count == 90)
        for facade in [first, second] {
            let listed = try await facade.list(limit: .max)
            #expect(Set(listed.map(\.artifactID)) == Set(ids))
            #expect(listed.filter(\.pinned).count == 6 * 5)
            let found = try await facade.search("concurrent note", limit: .max, mode: .lexical)
            #expect(Set(found.map(\.artifact.artifactID)) == Set(ids))
        }
        let index = try #require(first.index as? SQLiteArtifactIndex)
        #expect(try await index.checkIntegrity())
    }

    // MARK: Files and folders

    @Test("Directory ingest: symlink loops and escapes are skipped, empty dirs, odd names, empty and deep files round-trip")
    func hostileDirectory() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let facade = try await openFacade(in: folder)
        let root = folder.url.appendingPathComponent("tree")
        let outside = try folder.file("outside/secret.txt", text: "outsidesecretword")
        var expected: [String: Data] = [:]
        func add(_ path: String, _ data: Data) throws {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try data.write(to: url)
            expected[path] = data
        }
        try add("zero.bin", Data())
        try add("new\nline.txt", Data("newline name".utf8))
        try add("ünïcødé ファイル.txt", Data("unicode name".utf8))
        try add(" lead and trail ", Data("spaces".utf8))
        try add("tab\tname", Data("tab".utf8))
        try add("back\\slash", Data("backslash".utf8))
        let deep = (0..<40).map { "d\($0)" }.joined(separator: "/")
        try add(deep + "/deep.txt", Data("deep content".utf8))
        try FileManager.default.createDirectory(at: root.appendingPathComponent("empty/nested"), withIntermediateDirectories: true)
        let links: [(String, String)] = [
            ("loop", "loop"), ("dotlink", "."), ("uplink", ".."), ("abs_outside", outside.path),
            ("rel_outside", "../outside/secret.txt"), ("outside_dir", outside.deletingLastPathComponent().path),
            ("dangling", "/nonexistent/nowhere"),
        ]
        for (name, target) in links {
            try FileManager.default.createSymbolicLink(
                atPath: root.appendingPathComponent(name).path, withDestinationPath: target)
        }
        #expect(mkfifo(root.appendingPathComponent("pipe").path, 0o644) == 0)

        let artifact = try await facade.ingestDirectory(at: root)
        let manifest = try await facade.store.manifest(sha256: try #require(artifact.sha256))
        #expect(Set(manifest.entries.map(\.path)) == Set(expected.keys))
        #expect(artifact.bytes == expected.values.reduce(0) { $0 + $1.count })
        let local = try await facade.asLocalDirectory(artifact)
        #expect(try treeContents(of: local) == expected)
        // Nothing from outside the folder was stored or indexed.
        #expect(try await facade.search("outsidesecretword", mode: .lexical).isEmpty)
        #expect(try await facade.search("deep content", mode: .lexical).map(\.artifact.artifactID) == [artifact.artifactID])
        // An empty folder is an artifact with an empty manifest.
        let empty = try await facade.ingestDirectory(at: root.appendingPathComponent("empty"))
        #expect(empty.bytes == 0)
        #expect(try treeContents(of: try await facade.asLocalDirectory(empty)).isEmpty)
    }

    @Test("Sibling files whose names are canonically equivalent (NFC and NFD) are both stored")
    func canonicallyEquivalentFileNames() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let facade = try await openFacade(in: folder)
        let root = folder.url.appendingPathComponent("names")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let nfc = "caf\u{E9}.txt"
        let nfd = "cafe\u{301}.txt"
        #expect(FileManager.default.createFile(atPath: root.path + "/" + nfc, contents: Data("composed".utf8)))
        #expect(FileManager.default.createFile(atPath: root.path + "/" + nfd, contents: Data("decomposed".utf8)))
        let listed = try FileManager.default.contentsOfDirectory(atPath: root.path)
        try #require(listed.count == 2, "the file system folds the names: \(listed)")
        let artifact = try await facade.ingestDirectory(at: root)
        let manifest = try await facade.store.manifest(sha256: try #require(artifact.sha256))
        #expect(manifest.entries.count == 2)
        #expect(artifact.bytes == 18)
        let local = try await facade.asLocalDirectory(artifact)
        let rebuilt = Set(try FileManager.default.contentsOfDirectory(atPath: local.path).map { Array($0.utf8) })
        #expect(rebuilt == [Array(nfc.utf8), Array(nfd.utf8)])
    }

    @Test("URIs and paths with NUL bytes, traversal, huge lengths or foreign schemes are typed errors")
    func hostileURIs() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let facade = try await openFacade(in: folder)
        let hostile = [
            "file:///tmp/a%00b", "/tmp/a\u{0}b", "file:///" + String(repeating: "x", count: 5_000),
            "/" + Array(repeating: String(repeating: "y", count: 255), count: 40).joined(separator: "/"),
            "file://evil.example/etc/passwd", "s3://bucket/key", "http://x/y", "file:relative", "",
            "file:///nonexistent/%2e%2e/%2e%2e/etc/nothing-here", "\u{202E}txt.exe",
        ]
        for uri in hostile {
            await #expect(throws: ArtifactError.self, "\(uri.prefix(40))") { try await facade.loadBytes(uri: uri) }
            await #expect(throws: ArtifactError.self, "\(uri.prefix(40))") { try await facade.loadText(uri: uri) }
            await #expect(throws: ArtifactError.self, "\(uri.prefix(40))") { try await facade.asLocalFile(uri: uri) }
            await #expect(throws: ArtifactError.self, "\(uri.prefix(40))") {
                try await facade.saveFile(at: URL(fileURLWithPath: uri), cleanup: true)
            }
        }
        #expect(try await facade.index.count() == 0)
    }

    @Test("saveFile on a FIFO or a folder is a typed error and never blocks")
    func saveSpecialFiles() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let facade = try await openFacade(in: folder)
        let fifo = folder.url.appendingPathComponent("pipe")
        #expect(mkfifo(fifo.path, 0o644) == 0)
        // If saveFile blocks opening the FIFO, open its write end after a second so the test
        // ends (the save then reads an empty stream) instead of hanging.
        let unblock = Task.detached {
            try? await Task.sleep(for: .seconds(1))
            let fd = open(fifo.path, O_WRONLY | O_NONBLOCK)
            if fd >= 0 { close(fd) }
        }
        defer { unblock.cancel() }
        await #expect(throws: ArtifactError.self) { try await facade.saveFile(at: fifo, cleanup: false) }
        await #expect(throws: ArtifactError.self) { try await facade.saveFile(at: folder.url, cleanup: true) }
        #expect(FileManager.default.fileExists(atPath: folder.url.path))
        #expect(try await facade.index.count() == 0)
    }
}
