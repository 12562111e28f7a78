import Foundation

struct HTTPResponse {
    var status: Int
    var headers: [String: String]
    var body: [UInt8]
}

enum HTTPParseError: Error { case truncated, badStatusLine, badChunkSize(String) }

/// Legacy parser: Content-Length bodies only.
func parseHTTPResponse(_ bytes: [UInt8]) throws -> HTTPResponse {
    try parseHTTPResponse2(bytes, allowChunked: false)
}

/// v2 parser: also understands `Transfer-Encoding: chunked`.
func parseHTTPResponse2(_ bytes: [UInt8], allowChunked: Bool = true) throws -> HTTPResponse {
    guard let headerEnd = bytes.firstRange(of: Array("\r\n\r\n".utf8)) else { throw HTTPParseError.truncated }
    let head = String(decoding: bytes[..<headerEnd.lowerBound], as: UTF8.self)
    var lines = head.components(separatedBy: "\r\n")
    let statusParts = lines.removeFirst().split(separator: " ")
    guard statusParts.count >= 2, let status = Int(statusParts[1]) else { throw HTTPParseError.badStatusLine }
    var headers: [String: String] = [:]
    for line in lines {
        guard let colon = line.firstIndex(of: ":") else { continue }
        headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
    }
    var body = Array(bytes[headerEnd.upperBound...])
    if allowChunked, headers["transfer-encoding"] == "chunked" {
        body = try decodeChunked(body)
    }
    return HTTPResponse(status: status, headers: headers, body: body)
}
