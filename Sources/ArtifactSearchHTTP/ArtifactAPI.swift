import ArtifactSearch
import ArtifactSearchMCP
import Foundation
import HTTPTypes
import HybridSearch
import Hummingbird

/// The `/v1` JSON API over one warm store: every handler takes its tenant from the request
/// context (the API key's organisation and user — never the body's) and runs on a facade
/// scoped to it, so another organisation's artifacts are unreachable by any route.
struct ArtifactAPI: Sendable {
    let facade: ArtifactFacade
    let maxBodyBytes: Int
    let metrics: ServiceMetrics

    static let contentFields = ["text", "json", "content_base64"]
    static let filterFields = ["kind", "tags", "labels", "level"] + ProvenanceIDs.fieldNames.filter { !$0.hasPrefix("tool_") }
    static let metadataHeader = HTTPField.Name("X-Artifact-Metadata")!
    /// Largest `limit` of a list or search, and largest `offset`.
    static let maxLimit = 1_000
    static let maxOffset = 10_000

    func register(on router: Router<ArtifactRequestContext>) {
        router.get("/healthz") { _, _ in Self.json(JSONValue.object(["status": "ok"])) }
        router.get("/metrics") { _, context in try await self.metricsText(context) }
        router.post("/v1/artifacts") { request, context in try await self.save(request, context) }
        router.get("/v1/artifacts") { request, context in try await self.list(request, context) }
        router.get("/v1/artifacts/:id") { _, context in
            Self.json(RecordBody(try await self.visible(context).1))
        }
        router.get("/v1/artifacts/:id/content") { request, context in try await self.content(request, context) }
        router.delete("/v1/artifacts/:id") { _, context in
            _ = try context.requireWriter()
            let (facade, artifact) = try await self.visible(context)
            _ = try await facade.delete(ids: [artifact.artifactID])
            return Response(status: .noContent)
        }
        router.put("/v1/artifacts/:id/pin") { _, context in try await self.pin(context, true) }
        router.delete("/v1/artifacts/:id/pin") { _, context in try await self.pin(context, false) }
        router.post("/v1/search") { request, context in try await self.search(request, context) }
        router.post("/v1/best") { request, context in try await self.best(request, context) }
    }

    // MARK: Reading

    /// The tenant's facade and the artifact named by the route's `id` (404 when it does not
    /// exist or belongs to another organisation: the two are indistinguishable by design).
    private func visible(_ context: ArtifactRequestContext) async throws -> (ArtifactFacade, Artifact) {
        let facade = facade.scoped(to: try context.requireTenant().scope())
        let id = try context.parameters.require("id")
        guard let artifact = try await facade.artifact(id: id) else { throw ArtifactError.notFound(id: id) }
        return (facade, artifact)
    }

    private func content(_ request: Request, _ context: ArtifactRequestContext) async throws -> Response {
        let (facade, artifact) = try await visible(context)
        let fields = try FieldReader(
            request: try Self.queryObject(request, endpoint: "GET /v1/artifacts/{id}/content"),
            endpoint: "GET /v1/artifacts/{id}/content", accepted: ["path"])
        let opened = try await facade.openContent(of: artifact, path: try fields.string("path"))
        let etag = "\"\(opened.sha256)\""
        var headers: HTTPFields = [.eTag: etag, .contentType: opened.mime]
        // RFC 9110 §13.1.2: `*`, or any listed tag equal by weak comparison (W/ ignored).
        if let match = request.headers[.ifNoneMatch],
            match.split(separator: ",").contains(where: { tag in
                let tag = tag.trimmingCharacters(in: .whitespaces)
                return tag == "*" || (tag.hasPrefix("W/") ? String(tag.dropFirst(2)) : tag) == etag
            })
        {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentLength] = String(opened.size)
        let reader = opened.reader
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody(contentLength: opened.size) { writer in
                // One chunk in memory at a time; a blob damaged after the check fails the
                // stream (the connection closes short of Content-Length).
                while let chunk = try reader.next() { try await writer.write(ByteBuffer(bytes: chunk)) }
                try await writer.finish(nil)
            })
    }

    private func list(_ request: Request, _ context: ArtifactRequestContext) async throws -> Response {
        let endpoint = "GET /v1/artifacts"
        let fields = try FieldReader(
            request: try Self.queryObject(request, endpoint: endpoint), endpoint: endpoint,
            accepted: Self.filterFields + ["limit", "offset"])
        let ids = try ProvenanceIDs(fields)
        let facade = facade.scoped(to: try context.requireTenant().scope(ids))
        let limit = try fields.int("limit", default: 20, range: 1...Self.maxLimit)
        let offset = try fields.int("offset", default: 0, range: 0...Self.maxOffset)
        let results = try await facade.search(
            nil, kind: try fields.string("kind"), tags: try fields.strings("tags"),
            labels: try fields.labels("labels").mapValues { Optional($0) },
            level: try fields.choice("level", default: ScopeLevel.run, kind: "unknown_level"), limit: offset + limit,
            includeGraph: ids.graphID != nil, includeNode: ids.nodeID != nil, mode: .structural)
        return Self.json(ArtifactPage(artifacts: results.dropFirst(offset).map { RecordBody($0.artifact) }, offset: offset, limit: limit))
    }

    private func search(_ request: Request, _ context: ArtifactRequestContext) async throws -> Response {
        let endpoint = "POST /v1/search"
        let fields = try await Self.bodyFields(
            request, limit: maxBodyBytes, endpoint: endpoint,
            accepted: Self.filterFields + ["query", "mode", "time_window", "limit", "offset", "explain", "snippets"])
        let ids = try ProvenanceIDs(fields)
        let facade = facade.scoped(to: try context.requireTenant().scope(ids))
        let query = try fields.requiredString("query")
        if let problem = ArtifactToolbox.queryLengthProblem(query) { throw APIError(.badRequest, "invalid_argument", "\(endpoint): " + problem) }
        let modeName = try fields.string("mode")?.lowercased() ?? "auto"
        guard let mode = SearchMode(rawValue: modeName), mode != .structural else {
            throw APIError(
                .badRequest, "unknown_mode",
                "\(endpoint): \"mode\" must be one of auto, hybrid, lexical, semantic (got \"\(modeName)\"; GET /v1/artifacts lists)")
        }
        let limit = try fields.int("limit", default: 10, range: 1...Self.maxLimit)
        let offset = try fields.int("offset", default: 0, range: 0...Self.maxOffset)
        let explain = try fields.bool("explain", default: false)
        let snippets = try fields.bool("snippets", default: true)
        let window = try fields.string("time_window").map { text throws in try TimeWindow(parsing: text) }
        let level = try fields.choice("level", default: ScopeLevel.run, kind: "unknown_level")
        // A blank query in an explicit query mode matches nothing, as in the CLI (`auto` lists).
        if query.allSatisfy(\.isWhitespace), mode != .auto { return Self.json(SearchPage(hits: [], offset: offset, limit: limit)) }
        // Paging: the results for offset + limit, computed with a fusion window at least that
        // large, so pages never overlap or skip.
        let results = try await facade.search(
            query, kind: try fields.string("kind"), tags: try fields.strings("tags"),
            labels: try fields.labels("labels").mapValues { Optional($0) }, level: level, limit: offset + limit,
            includeGraph: ids.graphID != nil, includeNode: ids.nodeID != nil, timeWindow: window, mode: mode,
            explain: explain)
        let extractor = SnippetExtractor(query: query, analyzer: facade.backend.analyzer)
        var hits: [SearchHitBody] = []
        for result in results.dropFirst(offset) {
            let snippet = snippets ? try await facade.snippet(of: result.artifact, using: extractor) : nil
            hits.append(SearchHitBody(result, snippet: snippet, explain: explain))
        }
        return Self.json(SearchPage(hits: hits, offset: offset, limit: limit))
    }

    private func best(_ request: Request, _ context: ArtifactRequestContext) async throws -> Response {
        let endpoint = "POST /v1/best"
        let fields = try await Self.bodyFields(
            request, limit: maxBodyBytes, endpoint: endpoint, accepted: Self.filterFields + ["metric", "metric_mode"])
        let ids = try ProvenanceIDs(fields)
        let facade = facade.scoped(to: try context.requireTenant().scope(ids))
        let best = try await facade.best(
            kind: try fields.string("kind"), metric: try fields.requiredString("metric"),
            metricMode: try fields.choice("metric_mode", default: MetricMode.max, kind: "invalid_metric_mode"),
            level: try fields.choice("level", default: ScopeLevel.run, kind: "unknown_level"),
            tags: try fields.strings("tags"), filters: try fields.labels("labels").mapValues { Optional($0) })
        return Self.json(BestAnswer(artifact: best.map(RecordBody.init)))
    }

    private func metricsText(_ context: ArtifactRequestContext) async throws -> Response {
        _ = try context.requireTenant()
        metrics.set("artifacts", try await facade.index.count(), help: "Artifacts in the store (every organisation).")
        if let index = facade.openedSearchIndex {
            metrics.set("index_documents", index.count, help: "Documents in the search index.")
            metrics.set("index_segments", index.segmentNames.count, help: "Committed segments of the search index.")
            metrics.set("index_tail_documents", index.tailCount, help: "Documents not yet committed to a segment.")
        }
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: metrics.render())))
    }

    // MARK: Writing

    private func save(_ request: Request, _ context: ArtifactRequestContext) async throws -> Response {
        let endpoint = "POST /v1/artifacts"
        let tenant = try context.requireWriter()
        let body = try await Self.body(of: request, limit: maxBodyBytes)
        let metadata = request.headers[Self.metadataHeader]
        let artifact: Artifact
        if metadata == nil, Self.mediaType(request) == "application/json" {
            let fields = try FieldReader(
                body: body, endpoint: endpoint, accepted: Self.contentFields + SaveOptions.fieldNames + ProvenanceIDs.fieldNames)
            let given = Self.contentFields.filter { fields.json($0) != nil }
            guard given.count == 1 else {
                throw APIError.badRequest(
                    "\(endpoint): give exactly one of text, json, content_base64 (got \(given.isEmpty ? "none" : given.joined(separator: ", "))),"
                        + " or send raw bytes with another Content-Type and the metadata in X-Artifact-Metadata")
            }
            let options = try SaveOptions(fields)
            let facade = facade.scoped(to: tenant.scope(try ProvenanceIDs(fields)))
            switch given[0] {
            case "text":
                artifact = try await facade.saveText(
                    try fields.requiredString("text"), kind: options.kind ?? "text", labels: options.labels,
                    metrics: options.metrics, tags: options.tags, name: options.name, pin: options.pin)
            case "json":
                artifact = try await facade.saveJSON(
                    fields.json("json") ?? .null, kind: options.kind ?? "json", labels: options.labels,
                    metrics: options.metrics, tags: options.tags, name: options.name, pin: options.pin)
            default:
                guard let bytes = Data(base64Encoded: try fields.requiredString("content_base64")) else {
                    throw APIError(.badRequest, "invalid_base64", "\(endpoint): \"content_base64\" is not valid base64 (RFC 4648, with padding)")
                }
                artifact = try await facade.saveData(
                    bytes, kind: options.kind ?? "file", labels: options.labels, metrics: options.metrics,
                    tags: options.tags, name: options.name, pin: options.pin)
            }
        } else {
            let header = endpoint + " X-Artifact-Metadata"
            let value = try metadata.map { try ArtifactFacade.parseJSON(Data($0.utf8), source: "the X-Artifact-Metadata header") }
            let fields = try FieldReader(request: value ?? .object([:]), endpoint: header, accepted: SaveOptions.fieldNames + ProvenanceIDs.fieldNames)
            let options = try SaveOptions(fields)
            artifact = try await facade.scoped(to: tenant.scope(try ProvenanceIDs(fields))).saveData(
                body, kind: options.kind ?? "file", labels: options.labels, metrics: options.metrics, tags: options.tags,
                name: options.name, pin: options.pin)
        }
        var response = Self.json(RecordBody(artifact), status: .created)
        response.headers[.location] = "/v1/artifacts/\(artifact.artifactID)"
        return response
    }

    private func pin(_ context: ArtifactRequestContext, _ pinned: Bool) async throws -> Response {
        _ = try context.requireWriter()
        let (facade, artifact) = try await visible(context)
        return Self.json(RecordBody(try await facade.pin(artifact.artifactID, pinned: pinned)))
    }

    // MARK: Helpers

    /// The request's media type, lower-cased, without parameters (`application/json`).
    static func mediaType(_ request: Request) -> String? {
        request.headers[.contentType].map {
            $0.split(separator: ";", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        }
    }

    /// A JSON body's fields (an empty body is `{}`); 415 for a body that is not JSON.
    static func bodyFields(_ request: Request, limit: Int, endpoint: String, accepted: [String]) async throws -> FieldReader {
        if let type = mediaType(request), type != "application/json" {
            throw APIError(.unsupportedMediaType, "unsupported_media_type", "\(endpoint) takes a JSON body (Content-Type: application/json; got \(type))")
        }
        return try FieldReader(body: try await body(of: request, limit: limit), endpoint: endpoint, accepted: accepted)
    }

    /// The whole body, at most `limit` bytes (413 beyond, at once when `Content-Length`
    /// declares more: a client waiting on `Expect: 100-continue` then never sends it). A body
    /// that breaks off or is not valid HTTP (a bad chunk size) is the client's mistake: 400
    /// `invalid_body`, not a 500.
    static func body(of request: Request, limit: Int) async throws -> Data {
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > limit {
            throw HTTPError(.contentTooLarge)
        }
        var request = request
        do {
            return Data(buffer: try await request.collectBody(upTo: limit))
        } catch let error as any HTTPResponseError {
            throw error
        } catch {
            throw APIError(.badRequest, "invalid_body", "the request body could not be read: \(error)")
        }
    }

    /// Query parameters as a JSON object: `tag` (or `tags`; repeatable) a list, `labels` a
    /// JSON object, `limit`/`offset` whole numbers, everything else a string; a parameter
    /// given twice (but `tag`) is an error.
    static func queryObject(_ request: Request, endpoint: String) throws -> JSONValue {
        var members: [String: JSONValue] = [:]
        var tags: [JSONValue] = []
        for (rawKey, rawValue) in request.uri.queryParameters {
            let key = String(rawKey)
            let value = String(rawValue)
            if key != "tag", key != "tags", members[key] != nil {
                throw APIError.badRequest("\(endpoint): \"\(key)\" is given more than once")
            }
            switch key {
            case "tag", "tags":
                tags.append(.string(value))  // one tag per parameter: a tag may hold a comma
                continue
            case "labels":
                members[key] = try ArtifactFacade.parseJSON(Data(value.utf8), source: "the labels parameter")
            case "limit", "offset":
                guard let number = Int64(value) else { throw APIError.badRequest("\(endpoint): \"\(key)\" must be a whole number (got \"\(value)\")") }
                members[key] = .integer(number)
            default:
                members[key] = .string(value)
            }
        }
        if !tags.isEmpty { members["tags"] = .array(tags) }
        return .object(members)
    }

    static func json(_ value: some JSONBody, status: HTTPResponse.Status = .ok) -> Response {
        var writer = JSONWriter(reservingCapacity: 4096)
        value.write(to: &writer)
        return Response(
            status: status, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: writer.bytes)))
    }
}

/// A response body written with ``JSONWriter`` (the bytes `JSONEncoder` would give with
/// sorted keys, without its cost on every request).
protocol JSONBody {
    func write(to writer: inout JSONWriter)
}

extension JSONValue: JSONBody {
    func write(to writer: inout JSONWriter) { writer.write(self) }
}

/// `GET /v1/artifacts`: one page of records, newest first.
struct ArtifactPage: JSONBody {
    var artifacts: [RecordBody]
    var offset: Int
    var limit: Int

    func write(to writer: inout JSONWriter) {
        writePage(of: artifacts, as: "artifacts", offset: offset, limit: limit, to: &writer)
    }
}

/// `{"<key>": [items…], "limit": …, "offset": …}`: a page of a listing or a search.
private func writePage(of items: [some JSONBody], as key: String, offset: Int, limit: Int, to writer: inout JSONWriter) {
    writer.beginObject()
    writer.key(key)
    writer.beginArray()
    for item in items { item.write(to: &writer) }
    writer.endArray()
    writer.key("limit")
    writer.write(limit)
    writer.key("offset")
    writer.write(offset)
    writer.endObject()
}

/// `POST /v1/best`: the winner, or `null`.
struct BestAnswer: JSONBody {
    var artifact: RecordBody?

    func write(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("artifact")
        if let artifact { artifact.write(to: &writer) } else { writer.writeNull() }  // null, not absent
        writer.endObject()
    }
}

/// `POST /v1/search`: one page of hits in ranking order.
struct SearchPage: JSONBody {
    var hits: [SearchHitBody]
    var offset: Int
    var limit: Int

    func write(to writer: inout JSONWriter) {
        writePage(of: hits, as: "hits", offset: offset, limit: limit, to: &writer)
    }
}

/// One hit: the record, the fused score, the best matching passage, and with `explain` each
/// leg's 1-based rank and raw score (`null` for a leg that did not find it).
struct SearchHitBody: JSONBody {
    struct Leg {
        var rank: Int
        var score: Double
    }

    struct Explanation {
        var lexical: Leg?
        var semantic: Leg?
    }

    var artifact: RecordBody
    var score: Double?
    var snippet: String?
    var explanation: Explanation?

    func write(to writer: inout JSONWriter) {
        func write(_ leg: Leg?) {
            guard let leg else { return writer.writeNull() }
            writer.beginObject()
            writer.key("rank")
            writer.write(leg.rank)
            writer.key("score")
            writer.write(leg.score)
            writer.endObject()
        }
        writer.beginObject()
        writer.key("artifact")
        artifact.write(to: &writer)
        if let explanation {
            writer.key("explanation")
            writer.beginObject()
            writer.key("lexical")
            write(explanation.lexical)
            writer.key("semantic")
            write(explanation.semantic)
            writer.endObject()
        }
        if let score {
            writer.key("score")
            writer.write(score)
        }
        if let snippet {
            writer.key("snippet")
            writer.write(snippet)
        }
        writer.endObject()
    }

    init(_ result: ArtifactSearchResult, snippet: String?, explain: Bool) {
        artifact = RecordBody(result.artifact)
        score = result.score
        self.snippet = snippet
        if explain {
            let legs = result.explanation
            explanation = Explanation(
                lexical: legs?.lexical.map { Leg(rank: $0.rank, score: $0.score) },
                semantic: legs?.semantic.map { Leg(rank: $0.rank, score: $0.score) })
        }
    }
}
