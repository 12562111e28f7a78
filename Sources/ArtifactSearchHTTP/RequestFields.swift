import ArtifactSearch
import ArtifactSearchMCP
import Foundation
import HybridSearch

extension FieldReader {
    /// A request's fields — a JSON body object, or query parameters turned into one
    /// (``ArtifactAPI/queryObject(_:endpoint:)``) — checked against what `endpoint` takes.
    /// - Throws: ``FieldError`` when `value` is not an object or has a field `accepted` lacks.
    init(request value: JSONValue, endpoint: String, accepted: [String]) throws(FieldError) {
        guard case .object(let members) = value else { throw FieldError("\(endpoint): the body must be a JSON object") }
        try self.init(members, subject: endpoint, noun: "field", accepted: accepted)
    }

    /// A JSON body (an empty one is `{}`), parsed with the store's JSON checks.
    init(body data: Data, endpoint: String, accepted: [String]) throws {
        let value = data.isEmpty ? JSONValue.object([:]) : try ArtifactFacade.parseJSON(data, source: "the request body")
        try self.init(request: value, endpoint: endpoint, accepted: accepted)
    }
}
