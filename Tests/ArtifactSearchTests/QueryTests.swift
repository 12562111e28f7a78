import Foundation
import HybridSearch
import Testing

@testable import ArtifactSearch

@Suite("list, search, best")
struct QueryTests {
    /// Two organisations; acme has users ann (sessions s1, s2; runs r1, r2, r3) and bob (s3, r4).
    static let scopes: [Scope] = [
        Scope(orgID: "acme", userID: "ann", sessionID: "s1", runID: "r1"),
        Scope(orgID: "acme", userID: "ann", sessionID: "s1", runID: "r2"),
        Scope(orgID: "acme", userID: "ann", sessionID: "s2", runID: "r3"),
        Scope(orgID: "acme", userID: "bob", sessionID: "s3", runID: "r4"),
        Scope(orgID: "globex", userID: "ann", sessionID: "s1", runID: "r1"),
    ]

    @Test("list at each level returns exactly that run/session/user/org, never another organisation's", arguments: StoreBackend.available)
    func listLevels(backend: StoreBackend) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let base = try await openFacade(in: folder, backend: backend)
        var ids: [Scope: [String]] = [:]
        for scope in Self.scopes {
            let facade = base.scoped(to: scope)
            for index in 0..<2 {
                ids[scope, default: []].append(try await facade.saveText("note \(index) of \(scope.runID!)").artifactID)
            }
        }
        func expected(_ predicate: (Scope) -> Bool) -> Set<String> {
            Set(ids.filter { predicate($0.key) }.flatMap(\.value))
        }
        let ann = base.scoped(to: Self.scopes[0])
        #expect(Set(try await ann.list(level: .run).map(\.artifactID)) == expected { $0 == Self.scopes[0] })
        #expect(
            Set(try await ann.list(level: .session).map(\.artifactID))
                == expected { $0.orgID == "acme" && $0.sessionID == "s1" })
        #expect(
            Set(try await ann.list(level: .user).map(\.artifactID))
                == expected { $0.orgID == "acme" && $0.userID == "ann" })
        #expect(Set(try await ann.list(level: .org).map(\.artifactID)) == expected { $0.orgID == "acme" })
        #expect(try await ann.list(level: .org).count == 8)
        #expect(Set(try await ann.list(level: .scope).map(\.artifactID)) == expected { $0.scopeID == "session:s1" && $0.orgID == "acme" })
        // Same user, session and run ids in another organisation: isolated at every level.
        let globex = base.scoped(to: Self.scopes[4])
        for level in ScopeLevel.allCases {
            #expect(Set(try await globex.list(level: level).map(\.artifactID)) == Set(ids[Self.scopes[4]]!))
        }
        // Query mode obeys the same isolation.
        let hits = try await globex.search("note", level: .org, limit: 50)
        #expect(Set(hits.map(\.artifact.artifactID)) == Set(ids[Self.scopes[4]]!))
        // get_by_id does not cross organisations either.
        #expect(try await globex.artifact(id: ids[Self.scopes[0]]![0]) == nil)
        await #expect(throws: ArtifactError.notFound(id: ids[Self.scopes[0]]![0])) {
            try await globex.loadBytes(id: ids[Self.scopes[0]]![0])
        }
        // extra_scope_labels can narrow, but never change the organisation.
        await #expect(throws: ArtifactError.self) {
            try await globex.search("note", level: .org, extraScopeLabels: ["org_id": "acme"])
        }
        let narrowed = try await ann.search(level: .org, extraScopeLabels: ["user_id": "bob"], limit: 50)
        #expect(Set(narrowed.map(\.artifact.artifactID)) == Set(ids[Self.scopes[3]]!))
    }

    @Test("list is newest first with the node filter on by default; user level falls back to client id", arguments: StoreBackend.available)
    func listOrderAndNode(backend: StoreBackend) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let clock = TestClock()
        let base = try await openFacade(in: folder, backend: backend, clock: clock)
        let nodeA = base.scoped(to: Scope(clientID: "cli", runID: "r", graphID: "g", nodeID: "a"))
        let nodeB = base.scoped(to: Scope(clientID: "cli", runID: "r", graphID: "g", nodeID: "b"))
        let a1 = try await nodeA.saveText("a1")
        clock.advance(by: 1)
        let b1 = try await nodeB.saveText("b1")
        clock.advance(by: 1)
        let a2 = try await nodeA.saveText("a2")
        #expect(try await nodeA.list().map(\.artifactID) == [a2.artifactID, a1.artifactID])
        #expect(
            try await nodeA.list(includeNode: false).map(\.artifactID) == [a2.artifactID, b1.artifactID, a1.artifactID])
        #expect(try await nodeA.list(includeNode: false, limit: 2).map(\.artifactID) == [a2.artifactID, b1.artifactID])
        #expect(try await nodeB.list(level: .user, includeNode: false).count == 3)
        let other = base.scoped(to: Scope(clientID: "other"))
        #expect(try await other.list(level: .user).isEmpty)
        await #expect(throws: ArtifactError.self) { try await nodeA.list(limit: 0) }
    }

    @Test("tags are ALL-of; labels compare typed values exactly; list = any-of; nil = ignore", arguments: StoreBackend.available)
    func tagsAndLabels(backend: StoreBackend) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let facade = try await openFacade(in: folder, backend: backend)
        let both = try await facade.saveText("x", labels: ["n": 5, "color": "Red"], tags: ["red", "big"])
        let red = try await facade.saveText("y", labels: ["n": "5", "color": "red"], tags: ["red"])
        let none = try await facade.saveText("z", labels: ["n": 6])
        func ids(_ artifacts: [Artifact]) -> Set<String> { Set(artifacts.map(\.artifactID)) }
        #expect(ids(try await facade.list(tags: ["red"])) == [both.artifactID, red.artifactID])
        #expect(ids(try await facade.list(tags: ["red", "big"])) == [both.artifactID])
        #expect(ids(try await facade.list(tags: ["red", "blue"])).isEmpty)
        #expect(ids(try await facade.list(filters: ["n": 5])) == [both.artifactID])
        #expect(ids(try await facade.list(filters: ["n": "5"])) == [red.artifactID])
        #expect(ids(try await facade.list(filters: ["color": "red"])) == [red.artifactID])
        #expect(ids(try await facade.list(filters: ["n": [5, 6]])) == [both.artifactID, none.artifactID])
        #expect(ids(try await facade.list(filters: ["n": nil])).count == 3)
        #expect(ids(try await facade.list(filters: ["missing": "x"])).isEmpty)
        // Same semantics in query mode (the word "x" only in the first artifact's content).
        #expect(try await facade.search("x", labels: ["n": "5"], mode: .lexical).isEmpty)
        #expect(try await facade.search("x", labels: ["n": "5"]).map(\.artifact.artifactID).allSatisfy { $0 == red.artifactID })
        #expect(try await facade.search("x", labels: ["n": 5], mode: .lexical).map(\.artifact.artifactID) == [both.artifactID])
        #expect(try await facade.search("x", tags: ["red", "blue"]).isEmpty)
        #expect(try await facade.search(tags: ["red", "big"]).map(\.artifact.artifactID) == [both.artifactID])
    }

    @Test("Label keys with dots, quotes, unicode and empty keys, and values of every JSON type, filter identically in structured and query mode", arguments: StoreBackend.available)
    func labelKeysAndTypedValues(backend: StoreBackend) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let facade = try await openFacade(in: folder, backend: backend)
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

    @Test("Canonically equivalent tags, label keys and values (NFC vs NFD) filter alike in structured and query mode", arguments: StoreBackend.available)
    func canonicalEquivalence(backend: StoreBackend) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let facade = try await openFacade(in: folder, backend: backend)
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

    @Test("Tags with commas, percent signs and case differences are exact and ALL-of in every mode", arguments: StoreBackend.available)
    func tagsExact(backend: StoreBackend) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let facade = try await openFacade(in: folder, backend: backend)
        let comma = try await facade.saveText("tagged note", tags: ["a,b"]).artifactID
        let both = try await facade.saveText("tagged note", tags: ["a", "b", "a"]).artifactID
        for mode in everySearchMode {
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

    @Test("A filter matching only the 50th newest artifact still finds it with limit 1", arguments: StoreBackend.available)
    func filterBeforeLimit(backend: StoreBackend) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let clock = TestClock()
        let facade = try await openFacade(in: folder, backend: backend, clock: clock, synchronizesWrites: false)
        var target: Artifact?
        for index in 0..<60 {
            clock.advance(by: 1)
            let special = index == 10  // 50th newest of 60
            let artifact = try await facade.saveText(
                "experiment log entry number \(index) with shared words",
                kind: special ? "rare" : "common", labels: ["special": .bool(special)],
                tags: special ? ["needle"] : [])
            if special { target = artifact }
        }
        let id = try #require(target?.artifactID)
        #expect(try await facade.list(limit: 60).map(\.artifactID).firstIndex(of: id) == 49)
        #expect(try await facade.search(kind: "rare", limit: 1).map(\.artifact.artifactID) == [id])
        #expect(try await facade.list(tags: ["needle"], limit: 1).map(\.artifactID) == [id])
        #expect(try await facade.list(filters: ["special": true], limit: 1).map(\.artifactID) == [id])
        for mode in [SearchMode.auto, .hybrid, .lexical, .semantic] {
            #expect(try await facade.search("experiment log", kind: "rare", limit: 1, mode: mode).map(\.artifact.artifactID) == [id])
            #expect(
                try await facade.search("shared words", labels: ["special": true], limit: 1, mode: mode)
                    .map(\.artifact.artifactID) == [id])
            #expect(try await facade.search("entry", tags: ["needle"], limit: 1, mode: mode).map(\.artifact.artifactID) == [id])
        }
        #expect(try await facade.best(kind: "rare", metric: "none") == nil)
    }

    @Test("Limits 0, negative and Int.min are errors; Int.max returns every match, in every mode", arguments: StoreBackend.available)
    func absurdLimits(backend: StoreBackend) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let facade = try await openFacade(in: folder, backend: backend)
        for index in 0..<5 { try await facade.saveText("limit note \(index)", metrics: ["m": Double(index)]) }
        for limit in [0, -1, Int.min] {
            await #expect(throws: ArtifactError.self) { try await facade.list(limit: limit) }
            for mode in everySearchMode {
                await #expect(throws: ArtifactError.self) { try await facade.search("note", limit: limit, mode: mode) }
            }
            await #expect(throws: ArtifactError.self) { try await facade.search(nil, limit: limit) }
        }
        #expect(try await facade.list(limit: .max).count == 5)
        #expect(try await facade.search(nil, limit: .max).count == 5)
        #expect(try await facade.search(nil, metric: "m", metricMode: .min, limit: .max).map { $0.score } == [0, 1, 2, 3, 4])
        for mode in everySearchMode {
            #expect(try await facade.search("limit note", limit: .max, mode: mode).count == 5, "\(mode)")
        }
        #expect(try await facade.best(metric: "m")?.metrics["m"] == 4)
        #expect(try await facade.best(metric: "absent") == nil)
    }

    @Test("time_window excludes an item two hours old under 1h, in both modes; invalid windows are errors", arguments: StoreBackend.available)
    func timeWindow(backend: StoreBackend) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let clock = TestClock()
        let facade = try await openFacade(in: folder, backend: backend, clock: clock)
        let old = try await facade.saveText("quarterly revenue forecast")
        clock.advance(by: 3_600)
        let edge = try await facade.saveText("quarterly revenue actuals")
        clock.advance(by: 3_600)
        let fresh = try await facade.saveText("quarterly revenue summary")
        let window = try TimeWindow(parsing: "1h")
        let structured = try await facade.search(timeWindow: window).map(\.artifact.artifactID)
        #expect(structured == [fresh.artifactID, edge.artifactID])  // edge is exactly 1h old: inclusive
        let ranked = try await facade.search("quarterly revenue", timeWindow: window).map(\.artifact.artifactID)
        #expect(Set(ranked) == [fresh.artifactID, edge.artifactID])
        #expect(!ranked.contains(old.artifactID))
        #expect(try await facade.search("quarterly revenue", timeWindow: try TimeWindow(parsing: "3h")).count == 3)
        #expect(throws: SearchError.invalidTimeWindow("7 days")) { try TimeWindow(parsing: "7 days") }
        #expect(SearchError.invalidTimeWindow("1.5h").description.contains("24h"))
    }

    @Test("Time windows through the facade: 0s keeps an artifact saved now, both modes agree, bad windows are errors", arguments: StoreBackend.available)
    func timeWindows(backend: StoreBackend) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let clock = TestClock()
        let facade = try await openFacade(in: folder, backend: backend, clock: clock)
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

    @Test("Query mode finds a word only in the content, and the filename; ranking order, each once, scores", arguments: StoreBackend.available)
    func queryMode(backend: StoreBackend) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let facade = try await openFacade(in: folder, backend: backend)
        let notes = try await facade.saveText("the migration to zanzibar storage finished", name: "notes.txt")
        let data = try await facade.saveJSON(["pipeline": "quokka", "rows": 12], name: "stats.json")
        let code = try folder.file("atomic_writer.swift", text: "func atomicWriteJSON() { fsync() }")
        let source = try await facade.saveFile(at: code, kind: "code")
        _ = try await facade.saveText("unrelated text about weather")
        // Lexical: exactly the artifacts containing the word; hybrid: it ranks first.
        #expect(try await facade.search("zanzibar", mode: .lexical).map(\.artifact.artifactID) == [notes.artifactID])
        #expect(try await facade.search("zanzibar").first?.artifact.artifactID == notes.artifactID)
        #expect(try await facade.search("quokka", mode: .lexical).map(\.artifact.artifactID) == [data.artifactID])
        #expect(try await facade.search("quokka").first?.artifact.artifactID == data.artifactID)
        #expect(try await facade.search("atomic_writer.swift").first?.artifact.artifactID == source.artifactID)
        #expect(try await facade.search("atomic_writer", mode: .lexical).map(\.artifact.artifactID) == [source.artifactID])
        #expect(try await facade.search("stats", mode: .lexical).map(\.artifact.artifactID) == [data.artifactID])
        #expect(try await facade.search("stats.json").first?.artifact.artifactID == data.artifactID)
        #expect(try await facade.search("zanzibar", kind: "code", mode: .lexical).isEmpty)
        #expect(try await facade.search("zanzibar", kind: "code").allSatisfy { $0.artifact.kind == "code" })
        let explained = try await facade.search("zanzibar storage", mode: .hybrid, explain: true)
        let first = try #require(explained.first)
        #expect(first.artifact.artifactID == notes.artifactID)
        #expect((first.score ?? 0) > 0)
        #expect(first.explanation?.lexical?.rank == 1)
        #expect(Set(explained.map(\.artifact.artifactID)).count == explained.count)
        let scores = explained.compactMap(\.score)
        #expect(scores == scores.sorted(by: >))
        #expect(try await facade.search("the of and").isEmpty)
        await #expect(throws: SearchError.self) { try await facade.search("x", mode: try SearchMode(parsing: "fuzzy")) }
    }

    static let hostileQueries: [String] = [
        "'; DROP TABLE artifacts; --", "\" OR 1=1 --", "%", "_", "%_%", "*", "a*", "NEAR(a b)", "\"a\" OR b",
        "\\", "\\'", "\u{0}", "\u{200B}\u{200D}", "e\u{301}\u{301}", "שלום", "\u{202E}txt.exe", "🚀", "👨‍👩‍👧",
        "label.org_id:acme", "org_id = 'globex'", String(repeating: "x", count: 1 << 20), " ", "",
    ]

    @Test("Hostile query strings never throw, never leave the run's filter and never touch the tables", arguments: StoreBackend.available)
    func hostileQueries(backend: StoreBackend) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let base = try await openFacade(in: folder, backend: backend, scope: Scope(orgID: "acme", runID: "r1"))
        let other = base.scoped(to: Scope(orgID: "globex", runID: "r1"))
        var mine = Set<String>()
        for text in ["DROP TABLE artifacts", "percent % and underscore _", "near a b", "plain words"] {
            mine.insert(try await base.saveText(text, tags: ["%"]).artifactID)
            _ = try await other.saveText(text, tags: ["%"])
        }
        for query in Self.hostileQueries {
            for mode in everySearchMode {
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

    @Test("Two stores fed the same saves give identical rankings and bit-identical scores in every mode", arguments: StoreBackend.available)
    func determinismAcrossStores(backend: StoreBackend) async throws {
        let texts = [
            "alpha beta", "alpha beta", "beta gamma", "gamma delta", "alpha", "atomic_write_json", "alpha beta",
            "東京 検索", "emoji 🚀 alpha",
        ]
        var rankings: [[String]] = []
        for _ in 0..<2 {
            let folder = try TemporaryFolder()
            defer { folder.remove() }
            let facade = try await openFacade(in: folder, backend: backend, clock: TestClock(), synchronizesWrites: false)
            for (index, text) in texts.enumerated() {
                try await facade.saveText(text, name: "doc\(index).txt")
            }
            var signature: [String] = []
            for query in ["alpha beta", "alpha", "gamma", "", "東京", "atomic write"] {
                for mode in everySearchMode {
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

    @Test("best: max/min, ties go to the newest, missing metrics never win, nil without candidates", arguments: StoreBackend.available)
    func best(backend: StoreBackend) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let clock = TestClock()
        let facade = try await openFacade(in: folder, backend: backend, clock: clock)
        #expect(try await facade.best(kind: "model", metric: "acc") == nil)
        let low = try await facade.saveText("a", kind: "model", metrics: ["acc": 0.7, "loss": 0.1])
        clock.advance(by: 1)
        let tieOld = try await facade.saveText("b", kind: "model", metrics: ["acc": 0.9, "loss": 0.5])
        clock.advance(by: 1)
        let tieNew = try await facade.saveText("c", kind: "model", metrics: ["acc": 0.9, "loss": 0.5])
        clock.advance(by: 1)
        _ = try await facade.saveText("d", kind: "model")  // no metrics: never wins
        clock.advance(by: 1)
        _ = try await facade.saveText("e", kind: "data", metrics: ["acc": 1.0])  // other kind
        #expect(try await facade.best(kind: "model", metric: "acc")?.artifactID == tieNew.artifactID)
        #expect(try await facade.best(kind: "model", metric: "acc", metricMode: .min)?.artifactID == low.artifactID)
        #expect(try await facade.best(kind: "model", metric: "loss", metricMode: .max)?.artifactID == tieNew.artifactID)
        #expect(try await facade.best(kind: "model", metric: "f1") == nil)
        #expect(try await facade.best(metric: "acc")?.kind == "data")
        #expect(try await facade.best(kind: "model", metric: "acc", filters: ["x": 1]) == nil)
        #expect(throws: ArtifactError.invalidMetricMode("median")) { try MetricMode(parsing: "median") }
        // Structured search ranked by a metric: value order, missing last, scores = values.
        let ranked = try await facade.search(kind: "model", metric: "acc", metricMode: .max, limit: 10)
        #expect(ranked.map(\.artifact.artifactID).prefix(3) == [tieNew.artifactID, tieOld.artifactID, low.artifactID])
        #expect(ranked.map(\.score) == [0.9, 0.9, 0.7, nil])
    }
}
