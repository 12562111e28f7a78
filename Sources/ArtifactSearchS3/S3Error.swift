/// What an S3-compatible server answered, or why it could not be asked.
public enum S3Error: Error, Sendable, Equatable, CustomStringConvertible {
    /// `404`: no such object (or bucket).
    case notFound(key: String)
    /// `412`: a conditional write found the object already there (`If-None-Match: *`).
    case alreadyExists(key: String)
    /// `403` with `SignatureDoesNotMatch`, `InvalidAccessKeyId`, `AccessDenied`, …: the
    /// credentials (`AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY`) or the bucket policy.
    case accessDenied(code: String, message: String)
    /// Any other status after the retries: the server's error code and message.
    case server(status: Int, code: String, message: String)
    /// No answer (connection refused, timed out, dropped) after the retries.
    case unreachable(endpoint: String, reason: String)
    /// An `s3://` location that cannot be used.
    case invalidLocation(String)
    /// A key with a character outside `A–Z a–z 0–9 - _ . ~ /` (see ``S3ObjectClient``).
    case invalidKey(String)

    public var description: String {
        switch self {
        case .notFound(let key): return "S3: no object \"\(key)\""
        case .alreadyExists(let key): return "S3: object \"\(key)\" already exists (conditional write refused)"
        case .accessDenied(let code, let message):
            return "S3 refused the request (\(code)): \(message) — check AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and the bucket's policy"
        case .server(let status, let code, let message): return "S3 answered \(status) \(code): \(message)"
        case .unreachable(let endpoint, let reason): return "S3 endpoint \(endpoint) did not answer: \(reason)"
        case .invalidLocation(let reason): return "invalid S3 location: \(reason)"
        case .invalidKey(let key):
            return "S3 key \"\(key)\" has characters outside A–Z a–z 0–9 - _ . ~ / (the store's keys never do)"
        }
    }
}
