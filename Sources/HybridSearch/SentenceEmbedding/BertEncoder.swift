import CVectorKernels
import Foundation

/// A BERT encoder (Devlin et al., 2019) in inference: token, position and segment-0
/// embeddings, then `layers` × (multi-head self-attention, residual, LayerNorm; GELU
/// feed-forward, residual, LayerNorm), and the mean of the last hidden states over each
/// sequence's tokens — sentence-transformers' mean pooling (Reimers & Gurevych, 2019).
///
/// Weights are the `BertModel` tensors of a `model.safetensors` (F32, PyTorch's `Linear`
/// layout: `[out, in]`). Matrix products go through OpenBLAS `sgemm` when it loads
/// (``OpenBLAS``), else a plain loop (slow, same results to rounding). A batch's sequences
/// are padded to its longest; padded positions are masked out of attention and pooling, so a
/// sequence's vector does not depend on the batch it is in beyond the last bits of `sgemm`.
///
/// - Complexity: per sequence of n tokens, O(layers · (n · hidden² · 12 + n² · hidden)):
///   ≈ 6 GFLOP for 256 tokens of all-MiniLM-L6-v2.
public struct BertEncoder: Sendable {
    public struct Configuration: Sendable, Hashable {
        public var vocabularySize: Int
        public var hiddenSize: Int
        public var layerCount: Int
        public var headCount: Int
        public var intermediateSize: Int
        public var maximumPositions: Int
        public var layerNormEpsilon: Float

        public init(
            vocabularySize: Int, hiddenSize: Int, layerCount: Int, headCount: Int, intermediateSize: Int,
            maximumPositions: Int, layerNormEpsilon: Float
        ) {
            self.vocabularySize = vocabularySize
            self.hiddenSize = hiddenSize
            self.layerCount = layerCount
            self.headCount = headCount
            self.intermediateSize = intermediateSize
            self.maximumPositions = maximumPositions
            self.layerNormEpsilon = layerNormEpsilon
        }
    }

    struct Norm: Sendable {
        var gamma: [Float]
        var beta: [Float]
    }

    struct Layer: Sendable {
        /// Query, key and value projections stacked: `[3 · hidden, hidden]`.
        var qkvWeight: [Float]
        var qkvBias: [Float]
        var attentionOutputWeight: [Float]
        var attentionOutputBias: [Float]
        var attentionNorm: Norm
        var intermediateWeight: [Float]
        var intermediateBias: [Float]
        var outputWeight: [Float]
        var outputBias: [Float]
        var outputNorm: Norm
    }

    public let configuration: Configuration
    let wordEmbeddings: [Float]
    let positionEmbeddings: [Float]
    let tokenTypeEmbedding: [Float]  // segment 0's row
    let embeddingNorm: Norm
    let layers: [Layer]

    /// Reads the weights from `file`.
    /// - Throws: ``SentenceModelError`` when a tensor is missing, of another type or shape.
    public init(configuration: Configuration, weights file: SafeTensorsFile) throws(SentenceModelError) {
        let c = configuration
        guard c.hiddenSize > 0, c.headCount > 0, c.hiddenSize % c.headCount == 0, c.layerCount > 0, c.intermediateSize > 0,
            c.maximumPositions > 0, c.vocabularySize > 0
        else { throw .unsupported(reason: "hidden size \(c.hiddenSize) with \(c.headCount) heads, \(c.layerCount) layers") }
        self.configuration = c
        let h = c.hiddenSize
        // sentence-transformers saves the bare `BertModel`; a `BertFor…` checkpoint prefixes `bert.`.
        let prefix = file.tensors["embeddings.word_embeddings.weight"] == nil && file.tensors["bert.embeddings.word_embeddings.weight"] != nil ? "bert." : ""
        func tensor(_ name: String, _ shape: [Int]) throws(SentenceModelError) -> [Float] {
            try file.floats(prefix + name, shape: shape)
        }
        func norm(_ name: String) throws(SentenceModelError) -> Norm {
            Norm(gamma: try tensor("\(name).weight", [h]), beta: try tensor("\(name).bias", [h]))
        }
        wordEmbeddings = try tensor("embeddings.word_embeddings.weight", [c.vocabularySize, h])
        positionEmbeddings = try tensor("embeddings.position_embeddings.weight", [c.maximumPositions, h])
        let types = try file.floats(
            prefix + "embeddings.token_type_embeddings.weight",
            shape: file.tensors[prefix + "embeddings.token_type_embeddings.weight"]?.shape.first.map { [$0, h] } ?? [2, h])
        tokenTypeEmbedding = Array(types[0..<h])
        embeddingNorm = try norm("embeddings.LayerNorm")
        var layers: [Layer] = []
        for index in 0..<c.layerCount {
            let base = "encoder.layer.\(index)."
            let q = try tensor(base + "attention.self.query.weight", [h, h])
            let k = try tensor(base + "attention.self.key.weight", [h, h])
            let v = try tensor(base + "attention.self.value.weight", [h, h])
            let qb = try tensor(base + "attention.self.query.bias", [h])
            let kb = try tensor(base + "attention.self.key.bias", [h])
            let vb = try tensor(base + "attention.self.value.bias", [h])
            layers.append(
                Layer(
                    qkvWeight: q + k + v, qkvBias: qb + kb + vb,
                    attentionOutputWeight: try tensor(base + "attention.output.dense.weight", [h, h]),
                    attentionOutputBias: try tensor(base + "attention.output.dense.bias", [h]),
                    attentionNorm: try norm(base + "attention.output.LayerNorm"),
                    intermediateWeight: try tensor(base + "intermediate.dense.weight", [c.intermediateSize, h]),
                    intermediateBias: try tensor(base + "intermediate.dense.bias", [c.intermediateSize]),
                    outputWeight: try tensor(base + "output.dense.weight", [h, c.intermediateSize]),
                    outputBias: try tensor(base + "output.dense.bias", [h]),
                    outputNorm: try norm(base + "output.LayerNorm")))
        }
        self.layers = layers
    }

    /// The mean of the last hidden states over each sequence's tokens (not normalised), one
    /// `hiddenSize` vector per sequence, in order.
    /// - Precondition: every sequence is non-empty, at most `maximumPositions` ids, each id in
    ///   the vocabulary.
    public func meanPooled(_ sequences: [[Int32]]) -> [[Float]] {
        guard !sequences.isEmpty else { return [] }
        let c = configuration
        let h = c.hiddenSize
        let lengths = sequences.map(\.count)
        precondition(lengths.allSatisfy { $0 >= 1 && $0 <= c.maximumPositions }, "sequence lengths within 1…maximumPositions")
        let width = lengths.max()!
        let batch = sequences.count
        let rows = batch * width
        var hidden = embeddings(sequences, width: width)
        Self.layerNorm(&hidden, rows: rows, width: h, embeddingNorm, epsilon: c.layerNormEpsilon)
        var qkv = [Float](repeating: 0, count: rows * 3 * h)
        var context = [Float](repeating: 0, count: rows * h)
        var projected = [Float](repeating: 0, count: rows * h)
        var intermediate = [Float](repeating: 0, count: rows * c.intermediateSize)
        for layer in layers {
            Self.linear(hidden, rows: rows, inputs: h, layer.qkvWeight, layer.qkvBias, outputs: 3 * h, into: &qkv)
            attention(qkv, lengths: lengths, width: width, into: &context)
            Self.linear(context, rows: rows, inputs: h, layer.attentionOutputWeight, layer.attentionOutputBias, outputs: h, into: &projected)
            Self.add(projected, to: &hidden)
            Self.layerNorm(&hidden, rows: rows, width: h, layer.attentionNorm, epsilon: c.layerNormEpsilon)
            Self.linear(
                hidden, rows: rows, inputs: h, layer.intermediateWeight, layer.intermediateBias, outputs: c.intermediateSize,
                into: &intermediate)
            intermediate.withUnsafeMutableBufferPointer { cvk_gelu($0.baseAddress!, $0.count) }
            Self.linear(
                intermediate, rows: rows, inputs: c.intermediateSize, layer.outputWeight, layer.outputBias, outputs: h,
                into: &projected)
            Self.add(projected, to: &hidden)
            Self.layerNorm(&hidden, rows: rows, width: h, layer.outputNorm, epsilon: c.layerNormEpsilon)
        }
        // Mean pooling over each sequence's own rows.
        return (0..<batch).map { b in
            var sum = [Double](repeating: 0, count: h)
            for position in 0..<lengths[b] {
                let row = (b * width + position) * h
                for i in 0..<h { sum[i] += Double(hidden[row + i]) }
            }
            return sum.map { Float($0 / Double(lengths[b])) }
        }
    }

    /// Token + position + segment-0 embeddings, `[sequences · width, hidden]`; padding rows zero.
    private func embeddings(_ sequences: [[Int32]], width: Int) -> [Float] {
        let h = configuration.hiddenSize
        var hidden = [Float](repeating: 0, count: sequences.count * width * h)
        for (b, sequence) in sequences.enumerated() {
            for (position, id) in sequence.enumerated() {
                precondition(id >= 0 && Int(id) < configuration.vocabularySize, "token id in the vocabulary")
                let row = (b * width + position) * h
                let word = Int(id) * h
                let place = position * h
                for i in 0..<h { hidden[row + i] = wordEmbeddings[word + i] + positionEmbeddings[place + i] + tokenTypeEmbedding[i] }
            }
        }
        return hidden
    }

    /// Multi-head self-attention of each sequence over its own tokens: per head,
    /// softmax(scale · Q Kᵀ) V into the head's columns of `context` (`qkv`: the stacked
    /// projections, `[rows, 3 · hidden]`). Padding rows of `context` are left as they are.
    private func attention(_ qkv: [Float], lengths: [Int], width: Int, into context: inout [Float]) {
        let h = configuration.hiddenSize
        let headSize = h / configuration.headCount
        let scale = 1 / Float(headSize).squareRoot()
        var scores = [Float](repeating: 0, count: width * width)
        qkv.withUnsafeBufferPointer { qkv in
            context.withUnsafeMutableBufferPointer { context in
                scores.withUnsafeMutableBufferPointer { scores in
                    for (b, n) in lengths.enumerated() {
                        for head in 0..<configuration.headCount {
                            let q = qkv.baseAddress! + b * width * 3 * h + head * headSize
                            // scores[n × n] = scale · Q Kᵀ over the sequence's own tokens.
                            Matrix.multiply(
                                rows: n, columns: n, depth: headSize, q, leading: 3 * h, q + h, leading: 3 * h,
                                transposingB: true, into: scores.baseAddress!, leading: n, alpha: scale)
                            for i in 0..<n { cvk_softmax(scores.baseAddress! + i * n, n) }
                            // context[n × headSize] = P V.
                            Matrix.multiply(
                                rows: n, columns: headSize, depth: n, UnsafePointer(scores.baseAddress!), leading: n, q + 2 * h,
                                leading: 3 * h, transposingB: false,
                                into: context.baseAddress! + b * width * h + head * headSize, leading: h, alpha: 1)
                        }
                    }
                }
            }
        }
    }

    /// `values[i] += addend[i]` (the residual connections).
    static func add(_ addend: [Float], to values: inout [Float]) {
        addend.withUnsafeBufferPointer { addend in
            values.withUnsafeMutableBufferPointer { values in
                for i in values.indices { values[i] += addend[i] }
            }
        }
    }

    /// `output[rows × outputs] = input[rows × inputs] · weightᵀ + bias` (weight `[outputs, inputs]`).
    static func linear(
        _ input: [Float], rows: Int, inputs: Int, _ weight: [Float], _ bias: [Float], outputs: Int, into output: inout [Float]
    ) {
        input.withUnsafeBufferPointer { a in
            weight.withUnsafeBufferPointer { w in
                output.withUnsafeMutableBufferPointer { out in
                    Matrix.multiply(
                        rows: rows, columns: outputs, depth: inputs, a.baseAddress!, leading: inputs, w.baseAddress!,
                        leading: inputs, transposingB: true, into: out.baseAddress!, leading: outputs, alpha: 1)
                    for row in 0..<rows {
                        let line = out.baseAddress! + row * outputs
                        for j in 0..<outputs { line[j] += bias[j] }
                    }
                }
            }
        }
    }

    /// LayerNorm of each row (Ba et al., 2016): `(x − mean) / √(variance + ε) · γ + β`, the
    /// variance the biased one, as PyTorch computes it.
    static func layerNorm(_ values: inout [Float], rows: Int, width: Int, _ norm: Norm, epsilon: Float) {
        values.withUnsafeMutableBufferPointer { buffer in
            let gamma = norm.gamma
            let beta = norm.beta
            for row in 0..<rows {
                let line = buffer.baseAddress! + row * width
                var mean: Float = 0
                for i in 0..<width { mean += line[i] }
                mean /= Float(width)
                var variance: Float = 0
                for i in 0..<width {
                    let d = line[i] - mean
                    variance += d * d
                }
                variance /= Float(width)
                let inverse = 1 / (variance + epsilon).squareRoot()
                for i in 0..<width { line[i] = (line[i] - mean) * inverse * gamma[i] + beta[i] }
            }
        }
    }
}
