import Foundation

/// A retrieval test collection in the BEIR layout: `corpus.jsonl`, `queries.jsonl` and
/// `qrels/<split>.tsv` (header `query-id  corpus-id  score`, TAB-separated, integer gains).
///
/// Source: N. Thakur et al., "BEIR: A Heterogeneous Benchmark for Zero-shot Evaluation of
/// Information Retrieval Models", NeurIPS 2021 Datasets and Benchmarks.
public struct BEIRCollection: Sendable {
    public struct Document: Sendable, Hashable {
        public var id: String
        public var title: String
        public var text: String
        /// What is indexed: the title, a blank line, the text (one field; see RESULTS.md).
        public var indexedText: String { title.isEmpty ? text : title + "\n\n" + text }
    }

    public struct Query: Sendable, Hashable {
        public var id: String
        public var text: String
    }

    public var documents: [Document]
    /// Only the queries judged in the qrels, in file order.
    public var queries: [Query]
    /// query id → (document id → gain > 0).
    public var relevance: [String: [String: Int]]

    public init(documents: [Document], queries: [Query], relevance: [String: [String: Int]]) {
        self.documents = documents
        self.queries = queries
        self.relevance = relevance
    }

    /// Loads `folder`.
    /// - Throws: ``EvaluationError`` naming the file and line of anything malformed.
    public init(contentsOf folder: URL, split: String = "test") throws(EvaluationError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .invalidArgument(
                "no folder at \(folder.path): --corpus must name a BEIR folder (corpus.jsonl, queries.jsonl, qrels/test.tsv)")
        }
        let corpusURL = folder.appendingPathComponent("corpus.jsonl")
        let queriesURL = folder.appendingPathComponent("queries.jsonl")
        let qrelsURL = folder.appendingPathComponent("qrels").appendingPathComponent("\(split).tsv")

        struct Line: Decodable {
            var _id: String
            var title: String?
            var text: String
        }
        func lines(_ url: URL) throws(EvaluationError) -> [Substring] {
            guard let data = FileManager.default.contents(atPath: url.path) else {
                throw .unreadable(path: url.path)
            }
            guard let text = String(data: data, encoding: .utf8) else {
                throw .malformed(path: url.path, line: 0, reason: "not valid UTF-8")
            }
            return text.split(separator: "\n", omittingEmptySubsequences: false)
        }
        func records(_ url: URL) throws(EvaluationError) -> [Line] {
            let decoder = JSONDecoder()
            var out: [Line] = []
            for (number, line) in try lines(url).enumerated() where !line.allSatisfy(\.isWhitespace) {
                do {
                    out.append(try decoder.decode(Line.self, from: Data(line.utf8)))
                } catch {
                    throw .malformed(path: url.path, line: number + 1, reason: "\(error)")
                }
            }
            return out
        }

        var relevance: [String: [String: Int]] = [:]
        for (number, line) in try lines(qrelsURL).enumerated() {
            let fields = line.split(separator: "\t").map { $0.trimmingCharacters(in: .whitespaces) }
            if fields.isEmpty || (number == 0 && fields.first == "query-id") { continue }
            guard fields.count >= 3, let gain = Int(fields[2]) else {
                throw .malformed(path: qrelsURL.path, line: number + 1, reason: "expected query-id, corpus-id, integer score")
            }
            if gain > 0 { relevance[fields[0], default: [:]][fields[1]] = gain }
        }
        self.documents = try records(corpusURL).map { Document(id: $0._id, title: $0.title ?? "", text: $0.text) }
        self.queries = try records(queriesURL).filter { relevance[$0._id] != nil }.map {
            Query(id: $0._id, text: $0.text)
        }
        self.relevance = relevance
    }
}

/// Errors loading or evaluating a collection.
public enum EvaluationError: Error, Sendable, CustomStringConvertible {
    case unreadable(path: String)
    case malformed(path: String, line: Int, reason: String)
    case invalidArgument(String)

    public var description: String {
        switch self {
        case .unreadable(let path):
            return "cannot read \(path): check that --corpus names a BEIR folder (corpus.jsonl, queries.jsonl, qrels/test.tsv)"
        case .malformed(let path, let line, let reason):
            return "\(path):\(line): \(reason)"
        case .invalidArgument(let text):
            return text
        }
    }
}
