import Foundation

/// The tensors of a `.safetensors` file (Hugging Face's format), read directly:
///
/// ```
/// bytes 0..<8      header length N, UInt64 little-endian
/// bytes 8..<8+N    JSON: { name: { "dtype": "F32", "shape": [..], "data_offsets": [begin, end] },
///                          "__metadata__": { … } }
/// bytes 8+N…       the tensors' data; offsets are relative to here, little-endian, row-major
/// ```
///
/// Only `F32` tensors are read (the only type the sentence embedder needs); every offset and
/// shape is checked against the file before a byte is used.
public struct SafeTensorsFile: Sendable {
    public struct TensorInfo: Sendable, Hashable {
        public var dtype: String
        public var shape: [Int]
        public var range: Range<Int>
    }

    public let path: String
    public let tensors: [String: TensorInfo]
    private let data: Data
    private let dataStart: Int

    /// Maps the file and checks its header.
    /// - Throws: ``SentenceModelError/missingFile(path:)``, ``SentenceModelError/malformed(file:reason:)``.
    public init(url: URL) throws(SentenceModelError) {
        path = url.path
        do {
            data = try Data(contentsOf: url, options: .alwaysMapped)
        } catch {
            throw .missingFile(path: url.path)
        }
        let path = self.path
        func fail(_ reason: String) -> SentenceModelError { .malformed(file: path, reason: reason) }
        guard data.count >= 8 else { throw fail("shorter than its 8-byte header length") }
        let headerLength = data.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        guard headerLength <= 100_000_000, Int(headerLength) <= data.count - 8 else {
            throw fail("header length \(headerLength) past the end of the file")
        }
        dataStart = 8 + Int(headerLength)
        let header: [String: Any]
        do {
            guard let object = try JSONSerialization.jsonObject(with: data.subdata(in: 8..<dataStart)) as? [String: Any] else {
                throw fail("the header is not a JSON object")
            }
            header = object
        } catch let error as SentenceModelError {
            throw error
        } catch {
            throw fail("the header is not JSON (\(error))")
        }
        var tensors: [String: TensorInfo] = [:]
        let available = data.count - dataStart
        for (name, value) in header where name != "__metadata__" {
            guard let entry = value as? [String: Any], let dtype = entry["dtype"] as? String,
                let shape = entry["shape"] as? [Int], let offsets = entry["data_offsets"] as? [Int], offsets.count == 2
            else { throw fail("tensor \(name) has no dtype, shape or data_offsets") }
            let (begin, end) = (offsets[0], offsets[1])
            guard begin >= 0, begin <= end, end <= available, shape.allSatisfy({ $0 >= 0 }) else {
                throw fail("tensor \(name) lies outside the file")
            }
            tensors[name] = TensorInfo(dtype: dtype, shape: shape, range: begin..<end)
        }
        self.tensors = tensors
    }

    /// XXH64 of the whole file (read through the mapping already open).
    public func xxh64() -> UInt64 {
        data.withUnsafeBytes { XXHash64.hash($0) }
    }

    /// The F32 tensor `name`, row-major, with its shape checked against `shape`.
    /// - Throws: ``SentenceModelError/malformed(file:reason:)`` when it is missing or has
    ///   another shape; ``SentenceModelError/unsupported(reason:)`` for another type.
    public func floats(_ name: String, shape expected: [Int]) throws(SentenceModelError) -> [Float] {
        guard let info = tensors[name] else { throw .malformed(file: path, reason: "no tensor \(name)") }
        guard info.dtype == "F32" else { throw .unsupported(reason: "tensor \(name) is \(info.dtype), not F32") }
        guard info.shape == expected else {
            throw .malformed(file: path, reason: "tensor \(name) has shape \(info.shape), expected \(expected)")
        }
        let count = expected.reduce(1, *)
        guard info.range.count == 4 * count else {
            throw .malformed(file: path, reason: "tensor \(name) holds \(info.range.count) bytes for \(count) floats")
        }
        let start = dataStart + info.range.lowerBound
        return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            data.withUnsafeBytes { raw in
                for index in 0..<count {
                    buffer[index] = Float(bitPattern: raw.loadUnaligned(fromByteOffset: start + 4 * index, as: UInt32.self).littleEndian)
                }
            }
            initialized = count
        }
    }
}
