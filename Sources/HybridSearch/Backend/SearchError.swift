/// Errors of the search engine. Each message says what was wrong and what to do.
public enum SearchError: Error, Sendable, Hashable, CustomStringConvertible {
    case invalidTimeWindow(String)
    case unknownMode(String)
    case invalidTopK(Int)
    case invalidVector(id: String, reason: String)
    case dimensionMismatch(expected: Int, actual: Int)
    case embedderMismatch(stored: String, current: String)
    case invalidArgument(String)
    /// A file of a persistent index could not be read or written.
    case storage(path: String, reason: String)
    /// A segment file is not one this build can read: damaged (checksum), truncated, or of
    /// another format version. The index is derived data: rebuild it from the source of truth.
    case corruptSegment(name: String, reason: String)
    /// The embedder could not embed (a model not installed, a server that did not answer):
    /// nothing was saved or searched. `reason` is the embedder's own error.
    case embedderFailed(embedder: String, reason: String)

    public var description: String {
        switch self {
        case .invalidTimeWindow(let text):
            return "invalid time window \"\(text)\": use \(TimeWindow.acceptedForms)"
        case .unknownMode(let text):
            return "unknown search mode \"\(text)\": use one of "
                + SearchMode.allCases.map(\.rawValue).joined(separator: ", ")
        case .invalidTopK(let value):
            return "top_k must be at least 1 (got \(value))"
        case .invalidVector(let id, let reason):
            return "vector of item \"\(id)\" rejected: \(reason)"
        case .dimensionMismatch(let expected, let actual):
            return "vector has \(actual) dimensions but the index holds \(expected)-dimensional vectors: "
                + "embed with the index's embedder or rebuild the index"
        case .embedderMismatch(let stored, let current):
            return "the index was built with embedder \"\(stored)\" but \"\(current)\" was given: "
                + "open it with the same embedder, or re-embed every item (rebuild the index) to switch"
        case .invalidArgument(let text):
            return text
        case .storage(let path, let reason):
            return "index file \(path): \(reason); check that the folder exists, is writable, and the disk is not full"
        case .corruptSegment(let name, let reason):
            return "segment \(name) cannot be used (\(reason)): the index is derived data, rebuild it from the records"
        case .embedderFailed(let embedder, let reason):
            return "embedder \"\(embedder)\" failed: \(reason)"
        }
    }
}
