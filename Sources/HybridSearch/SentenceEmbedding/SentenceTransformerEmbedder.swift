import Foundation

/// A sentence-transformer model run natively: WordPiece token ids (``WordPieceTokenizer``),
/// a BERT encoder (``BertEncoder``), mean pooling and L2 normalisation — the pipeline of
/// sentence-transformers' `encode(…, normalize_embeddings=True)` for models such as
/// all-MiniLM-L6-v2 (parity-tested: identical token ids, cosine ≥ 0.9999 with the reference).
///
/// It loads a model folder as sentence-transformers saves it:
///
/// | file | read for |
/// |---|---|
/// | `config.json` | `model_type` `bert`, `hidden_act` `gelu`, sizes, `layer_norm_eps` |
/// | `vocab.txt` | the WordPiece vocabulary |
/// | `tokenizer_config.json` | `do_lower_case` (default true) |
/// | `sentence_bert_config.json` | `max_seq_length` (tokens, `[CLS]`/`[SEP]` included; default: the model's positions) |
/// | `1_Pooling/config.json` | must ask for mean pooling (when present) |
/// | `model.safetensors` | the weights (F32) |
///
/// Texts longer than `max_seq_length` tokens are truncated, as the reference does. Vectors
/// are unit length, `hiddenSize` floats (384 for MiniLM-L6). Texts are embedded in batches of
/// similar length (sorted by token count, at most ``maximumBatchTokens`` padded tokens each).
///
/// ``identifier`` names the model (the `name` given, else the folder's name), a hash of its
/// weights (XXH64 of `model.safetensors`, computed once and cached beside it in
/// `model.safetensors.xxh64`, keyed by the file's size and modification time), the dimension
/// and the truncation length, so another model, other weights or another truncation never
/// share a store's vectors. It does not name the folder's location: a store follows its model
/// to another path (keep the folder's name, or pass the same `name`).
///
/// `embed` runs its batches on every core and blocks the calling thread until they are done
/// (≈ 35 ms of CPU per 256-token passage): from async code call ``Embedder/embeddings(_:ids:)``,
/// which runs it off the cooperative pool.
public struct SentenceTransformerEmbedder: Embedder {
    public let identifier: String
    public let dimension: Int
    public let tokenizer: WordPieceTokenizer
    public let encoder: BertEncoder
    /// Token ids per text, `[CLS]` and `[SEP]` included.
    public let maximumSequenceLength: Int
    /// Most padded tokens in one batch (sequences × longest sequence).
    public var maximumBatchTokens = 8_192

    /// 0.2: the weight with the best mean nDCG@10 over `Fixtures/agent-artifacts` and SciFact's
    /// odd-numbered queries among 0.15–2 for all-MiniLM-L6-v2 (Benchmarks/RESULTS.md, issue 11;
    /// reported on the even-numbered ones). Other models get it too until measured.
    public var defaultSemanticWeight: Double { Self.semanticWeight }
    public static let semanticWeight = 0.2

    /// Loads the model folder at `folder`.
    /// - Parameter name: the model's name in ``identifier`` (default: the folder's name).
    /// - Throws: ``SentenceModelError``: a missing file, a malformed one, or another kind of model.
    public init(folder: URL, name: String? = nil) throws(SentenceModelError) {
        func json(_ file: String, required: Bool) throws(SentenceModelError) -> [String: Any]? {
            let url = folder.appendingPathComponent(file)
            guard let data = try? Data(contentsOf: url) else {
                if required { throw .missingFile(path: url.path) }
                return nil
            }
            guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw .malformed(file: url.path, reason: "not a JSON object")
            }
            return object
        }
        let configPath = folder.appendingPathComponent("config.json").path
        let config = try json("config.json", required: true)!
        func integer(_ key: String) throws(SentenceModelError) -> Int {
            guard let value = config[key] as? Int else { throw .malformed(file: configPath, reason: "no integer \(key)") }
            return value
        }
        guard (config["model_type"] as? String) == "bert" else {
            throw .unsupported(reason: "model_type \(config["model_type"] ?? "absent"), not bert")
        }
        guard (config["hidden_act"] as? String ?? "gelu") == "gelu" else {
            throw .unsupported(reason: "hidden_act \(config["hidden_act"]!), not gelu")
        }
        if let kind = config["position_embedding_type"] as? String, kind != "absolute" {
            throw .unsupported(reason: "position_embedding_type \(kind), not absolute")
        }
        let configuration = BertEncoder.Configuration(
            vocabularySize: try integer("vocab_size"), hiddenSize: try integer("hidden_size"),
            layerCount: try integer("num_hidden_layers"), headCount: try integer("num_attention_heads"),
            intermediateSize: try integer("intermediate_size"), maximumPositions: try integer("max_position_embeddings"),
            layerNormEpsilon: Float((config["layer_norm_eps"] as? Double) ?? 1e-12))
        if let pooling = try json("1_Pooling/config.json", required: false) {
            guard (pooling["pooling_mode_mean_tokens"] as? Bool) == true,
                (pooling["pooling_mode_cls_token"] as? Bool) != true, (pooling["pooling_mode_max_tokens"] as? Bool) != true
            else { throw .unsupported(reason: "pooling other than the mean of the tokens") }
        }
        let lowercases = (try json("tokenizer_config.json", required: false)?["do_lower_case"] as? Bool) ?? true
        let sentenceConfig = try json("sentence_bert_config.json", required: false)
        let maximumLength = min(
            (sentenceConfig?["max_seq_length"] as? Int) ?? configuration.maximumPositions, configuration.maximumPositions)
        guard maximumLength >= 2 else { throw .unsupported(reason: "max_seq_length \(maximumLength) leaves no room for text") }
        let tokenizer = try WordPieceTokenizer(vocabularyFile: folder.appendingPathComponent("vocab.txt"), lowercases: lowercases)
        guard tokenizer.vocabulary.count <= configuration.vocabularySize else {
            throw .malformed(file: folder.appendingPathComponent("vocab.txt").path, reason: "more tokens than vocab_size")
        }
        let weightsURL = folder.appendingPathComponent("model.safetensors")
        let weights = try SafeTensorsFile(url: weightsURL)
        self.encoder = try BertEncoder(configuration: configuration, weights: weights)
        self.tokenizer = tokenizer
        self.maximumSequenceLength = maximumLength
        self.dimension = configuration.hiddenSize
        let hash = try Self.weightsHash(of: weightsURL, computing: weights.xxh64)
        let model = name ?? folder.standardizedFileURL.lastPathComponent
        identifier = "sentence-transformer:\(model):xxh64-\(hash):d\(configuration.hiddenSize):max\(maximumLength):mean"
    }

    public func embed(_ texts: [String]) throws -> [[Float]] {
        let sequences = texts.map { tokenizer.tokenIDs($0, maximumLength: maximumSequenceLength) }
        // Batches of similar length: little padding. Ties keep text order.
        let order = sequences.indices.sorted { (sequences[$0].count, $0) < (sequences[$1].count, $1) }
        var batches: [ArraySlice<Int>] = []
        var start = 0
        while start < order.count {
            var end = start + 1
            while end < order.count, (end + 1 - start) * sequences[order[end]].count <= maximumBatchTokens { end += 1 }
            batches.append(order[start..<end])
            start = end
        }
        // A lone batch of several texts is split in two, so both cores have one.
        if batches.count == 1, let only = batches.first, only.count > 1 {
            let middle = only.startIndex + only.count / 2
            batches = [only[..<middle], only[middle...]]
        }
        // Batches run side by side, one per core, each on single-threaded sgemm: OpenBLAS's
        // own threads spent about a third of the time waking up and yielding on the per-head
        // attention products.
        Self.singleThreadedBLAS
        let encoder = self.encoder
        let pooled = batches.map { batch in batch.map { sequences[$0] } }.concurrentMap { encoder.meanPooled($0) }
        var vectors = [[Float]](repeating: [], count: texts.count)
        for (batch, pooled) in zip(batches, pooled) {
            for (index, vector) in zip(batch, pooled) { vectors[index] = DenseIndex.normalized(vector) }
        }
        return vectors
    }

    /// Sets OpenBLAS to one thread per call, once per process (a process-wide setting: other
    /// callers of OpenBLAS in a process that embeds run single-threaded too).
    private static let singleThreadedBLAS: Void = OpenBLAS.setThreadCount(1)

    /// XXH64 of the weights as 16 hex digits, from `<weights>.xxh64` when it names the file's
    /// current size and modification time, else `computing()` (≈ 90 MB hashed once) and
    /// written there (when the folder is writable).
    static func weightsHash(of url: URL, computing: () -> UInt64) throws(SentenceModelError) -> String {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: url.path),
            let size = attributes[.size] as? Int, let modified = attributes[.modificationDate] as? Date
        else { throw .missingFile(path: url.path) }
        let stamp = "\(size) \(Int64((modified.timeIntervalSince1970 * 1_000_000).rounded()))"
        let cache = URL(fileURLWithPath: url.path + ".xxh64")
        if let cached = try? String(contentsOf: cache, encoding: .utf8) {
            let fields = cached.split(separator: " ").map(String.init)
            if fields.count == 3, "\(fields[0]) \(fields[1])" == stamp, fields[2].count == 16 { return fields[2] }
        }
        let hash = String(computing(), radix: 16)
        let hex = String(repeating: "0", count: 16 - hash.count) + hash
        try? "\(stamp) \(hex)".write(to: cache, atomically: true, encoding: .utf8)
        return hex
    }
}
