import CVectorKernels
import Dispatch
import Foundation

/// Exact cosine-similarity search over unit vectors stored as one contiguous row-major
/// `Float` matrix (row = document ordinal, `dimension` columns; an absent row is all zeros).
///
/// Vectors are L2-normalised on insertion, then every component is rounded to IEEE binary16
/// (``halfPrecisionRounded(_:)``) — what a segment stores, so the in-memory and the mapped
/// dense legs score every row with the same bits (SciFact nDCG@10 unchanged to four decimals,
/// Benchmarks/RESULTS.md). Cosine = dot product. A zero vector stays zero and scores 0
/// against everything (never NaN). Vectors with NaN or ±∞ are rejected.
///
/// Kernels: a single query is scored by ``DotKernel`` (a SIMD loop, or OpenBLAS `sgemv` when
/// ``ScanKernel/blas`` is chosen); a batch of queries by OpenBLAS `sgemm`. Every path of one
/// kernel computes each row's dot product with the same arithmetic, so a filtered scan ranks
/// exactly as the unfiltered scan restricted to the filter.
///
/// - Complexity: a scan reads rows × dimension × 4 bytes: memory-bandwidth bound.
public struct DenseIndex: Sendable {
    public enum ScanKernel: String, Sendable, Hashable, Codable {
        /// 8-wide SIMD dot products in Swift (default: faster than `sgemv` for one query here).
        case simd
        /// OpenBLAS `cblas_sgemv` over the whole matrix.
        case blas
    }

    public let dimension: Int
    public var kernel: ScanKernel
    private var matrix: [Float] = []
    private var present: [Bool] = []
    public private(set) var count = 0

    public init(dimension: Int, kernel: ScanKernel = .simd) {
        precondition(dimension >= 1)
        self.dimension = dimension
        self.kernel = kernel
    }

    /// Number of rows allocated (live and absent).
    public var rowCount: Int { present.count }

    public func contains(ordinal: Int) -> Bool { ordinal < present.count && present[ordinal] }

    /// Checks a vector without storing it.
    /// - Throws: ``SearchError/dimensionMismatch(expected:actual:)`` or
    ///   ``SearchError/invalidVector(id:reason:)`` for NaN/∞.
    public func validate(_ vector: [Float], id: String) throws(SearchError) {
        try Self.validate(vector, dimension: dimension, id: id)
    }

    /// ``validate(_:id:)`` for a given dimension, without an index.
    public static func validate(_ vector: [Float], dimension: Int, id: String) throws(SearchError) {
        guard vector.count == dimension else {
            throw .dimensionMismatch(expected: dimension, actual: vector.count)
        }
        guard vector.allSatisfy(\.isFinite) else {
            throw .invalidVector(id: id, reason: "it contains NaN or infinity; embed finite values")
        }
    }

    /// Stores `vector` (normalised) at `ordinal`, replacing any previous row.
    /// - Precondition: the vector passed ``validate(_:id:)``.
    public mutating func set(ordinal: Int, vector: [Float]) {
        precondition(vector.count == dimension)
        if ordinal >= present.count {
            let extra = ordinal + 1 - present.count
            present.append(contentsOf: repeatElement(false, count: extra))
            matrix.append(contentsOf: repeatElement(0, count: extra * dimension))
        }
        let unit = Self.halfPrecisionRounded(Self.normalized(vector))
        matrix.withUnsafeMutableBufferPointer { buffer in
            for column in 0..<dimension { buffer[ordinal * dimension + column] = unit[column] }
        }
        if !present[ordinal] { count += 1 }
        present[ordinal] = true
    }

    public mutating func remove(ordinal: Int) {
        guard contains(ordinal: ordinal) else { return }
        matrix.withUnsafeMutableBufferPointer { buffer in
            for column in 0..<dimension { buffer[ordinal * dimension + column] = 0 }
        }
        present[ordinal] = false
        count -= 1
    }

    /// The stored (unit) row, or `nil` if absent.
    public func vector(ordinal: Int) -> [Float]? {
        guard contains(ordinal: ordinal) else { return nil }
        return Array(matrix[(ordinal * dimension)..<((ordinal + 1) * dimension)])
    }

    /// Top-k rows by cosine similarity with `query` among `candidates` (all rows if `nil`).
    /// - Returns: (ordinal, cosine in [-1, 1]) best first; ties by ascending `key`.
    public func search<Key: Comparable>(
        query: [Float], topK: Int, candidates: OrdinalSet?, key: (Int) -> Key
    ) -> [(ordinal: Int, score: Double)] {
        precondition(query.count == dimension)
        guard topK > 0, count > 0 else { return [] }
        let unit = Self.normalized(query)
        var collector = TopKCollector<Key>(k: topK)
        switch kernel {
        case .simd:
            // Two passes: a branch-free scoring loop into a buffer, then top-k selection
            // where almost every row is rejected by one comparison with the threshold.
            let ordinals: [Int32]? = candidates?.members
            let n = ordinals?.count ?? rowCount
            var scores = [Float](repeating: 0, count: n)
            let dimension = dimension
            let rowCount = rowCount
            matrix.withUnsafeBufferPointer { rows in
                unit.withUnsafeBufferPointer { q in
                    scores.withUnsafeMutableBufferPointer { out in
                        let base = SendablePointer(rows.baseAddress!)
                        let query = SendablePointer(q.baseAddress!)
                        let output = SendableMutablePointer(out.baseAddress!)
                        // Large scans are split across cores; each row's dot product is the same
                        // arithmetic on any thread, so scores do not depend on the split.
                        let parts = n * dimension >= Self.parallelScanFloats ? Self.scanThreads : 1
                        let chunk = (n + parts - 1) / max(parts, 1)
                        let scan: @Sendable (Int) -> Void = { part in
                            let range = (part * chunk)..<min(n, (part + 1) * chunk)
                            if let ordinals {
                                for j in range where Int(ordinals[j]) < rowCount {
                                    output.pointer[j] = DotKernel.dot(
                                        base.pointer + Int(ordinals[j]) * dimension, query.pointer, dimension)
                                }
                            } else {
                                for ordinal in range {
                                    output.pointer[ordinal] = DotKernel.dot(
                                        base.pointer + ordinal * dimension, query.pointer, dimension)
                                }
                            }
                        }
                        if parts > 1 {
                            DispatchQueue.concurrentPerform(iterations: parts, execute: scan)
                        } else if n > 0 {
                            scan(0)
                        }
                    }
                }
            }
            var threshold = -Double.infinity
            for j in 0..<n {
                let score = Double(scores[j])
                if score < threshold { continue }
                let ordinal = ordinals.map { Int($0[j]) } ?? j
                guard contains(ordinal: ordinal) else { continue }
                collector.insert(score: score, ordinal: ordinal, key: key(ordinal))
                if let worst = collector.threshold { threshold = worst }
            }
        case .blas:
            // sgemv always scans every row, so filtered and unfiltered scores are identical.
            let scores = scoresWithBLAS(unit)
            for ordinal in 0..<rowCount where present[ordinal] {
                if let candidates, !candidates.contains(ordinal) { continue }
                collector.insert(score: Double(scores[ordinal]), ordinal: ordinal, key: key(ordinal))
            }
        }
        return collector.sorted().map { ($0.ordinal, $0.score) }
    }

    /// Cosine scores of every row for one query with OpenBLAS `sgemv` (absent rows score 0).
    public func scoresWithBLAS(_ query: [Float]) -> [Float] {
        var scores = [Float](repeating: 0, count: rowCount)
        guard rowCount > 0 else { return scores }
        let unit = Self.normalized(query)
        guard let blas = OpenBLAS.library else {
            // No OpenBLAS on this machine: the same scores from the SIMD kernel.
            return (0..<rowCount).map { ordinal in
                matrix.withUnsafeBufferPointer { a in
                    unit.withUnsafeBufferPointer { x in DotKernel.dot(a.baseAddress! + ordinal * dimension, x.baseAddress!, dimension) }
                }
            }
        }
        matrix.withUnsafeBufferPointer { a in
            unit.withUnsafeBufferPointer { x in
                scores.withUnsafeMutableBufferPointer { y in
                    blas.sgemv(
                        OpenBLAS.rowMajor, OpenBLAS.noTranspose, Int32(rowCount), Int32(dimension), 1,
                        a.baseAddress, Int32(dimension), x.baseAddress, 1, 0, y.baseAddress, 1)
                }
            }
        }
        return scores
    }

    /// Cosine scores of every row for a batch of queries with OpenBLAS `sgemm`.
    /// - Returns: a row-major rowCount × queries.count matrix: element [r · q + j] is the
    ///   score of row r for query j.
    public func scoresWithBLAS(batch queries: [[Float]]) -> [Float] {
        let batch = queries.count
        var scores = [Float](repeating: 0, count: rowCount * batch)
        guard rowCount > 0, batch > 0 else { return scores }
        var packed = [Float]()
        packed.reserveCapacity(batch * dimension)
        for query in queries {
            precondition(query.count == dimension)
            packed.append(contentsOf: Self.normalized(query))
        }
        guard let blas = OpenBLAS.library else {
            for ordinal in 0..<rowCount {
                for (j, query) in packed.chunks(dimension).enumerated() {
                    scores[ordinal * batch + j] = matrix.withUnsafeBufferPointer { a in
                        query.withUnsafeBufferPointer { q in DotKernel.dot(a.baseAddress! + ordinal * dimension, q.baseAddress!, dimension) }
                    }
                }
            }
            return scores
        }
        matrix.withUnsafeBufferPointer { a in
            packed.withUnsafeBufferPointer { b in
                scores.withUnsafeMutableBufferPointer { c in
                    blas.sgemm(
                        OpenBLAS.rowMajor, OpenBLAS.noTranspose, OpenBLAS.transpose, Int32(rowCount), Int32(batch),
                        Int32(dimension), 1, a.baseAddress, Int32(dimension), b.baseAddress,
                        Int32(dimension), 0, c.baseAddress, Int32(batch))
                }
            }
        }
        return scores
    }

    /// Top-k for a batch of queries scored together with `sgemm` (no filter).
    public func search<Key: Comparable>(
        batch queries: [[Float]], topK: Int, key: (Int) -> Key
    ) -> [[(ordinal: Int, score: Double)]] {
        let scores = scoresWithBLAS(batch: queries)
        let batch = queries.count
        return (0..<batch).map { j in
            var collector = TopKCollector<Key>(k: topK)
            for ordinal in 0..<rowCount where present[ordinal] {
                collector.insert(score: Double(scores[ordinal * batch + j]), ordinal: ordinal, key: key(ordinal))
            }
            return collector.sorted().map { ($0.ordinal, $0.score) }
        }
    }

    /// Scans of at least this many floats (rows × dimension) are split across cores.
    static let parallelScanFloats = 4_000_000
    static let scanThreads = max(1, min(8, ProcessInfo.processInfo.activeProcessorCount))

    /// The vector scaled to unit L2 norm; the zero vector is returned unchanged.
    /// Each component rounded to the nearest IEEE binary16 value (ties to even), as a Float:
    /// the values a segment's binary16 rows hold (``SegmentFormat``).
    public static func halfPrecisionRounded(_ vector: [Float]) -> [Float] {
        var halves = [UInt16](repeating: 0, count: vector.count)
        cvk_f32_to_f16(vector, &halves, vector.count)
        return halves.map { Float(Float16(bitPattern: $0)) }
    }

    public static func normalized(_ vector: [Float]) -> [Float] {
        var norm: Double = 0
        for value in vector { norm += Double(value) * Double(value) }
        guard norm > 0, norm.isFinite else { return vector.map { _ in 0 } }
        // The scale stays in Double: for subnormal vectors 1/‖v‖ overflows Float.
        let scale = 1 / norm.squareRoot()
        return vector.map { Float(Double($0) * scale) }
    }
}

/// The single-query dot product used by every SIMD scan path.
public enum DotKernel {
    /// Σ a[i]·b[i] over `count` floats: four independent 8-wide SIMD accumulators (to hide
    /// add latency), then 8-wide steps, then the scalar tail. Always the same operation order
    /// for a given `count`, so a row scores identically on every path.
    @inline(__always)
    public static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ count: Int) -> Float {
        var acc0 = SIMD8<Float>()
        var acc1 = SIMD8<Float>()
        var acc2 = SIMD8<Float>()
        var acc3 = SIMD8<Float>()
        var i = 0
        let raw = UnsafeRawPointer(a)
        let rawB = UnsafeRawPointer(b)
        while i + 32 <= count {
            acc0 += raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
                * rawB.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            acc1 += raw.loadUnaligned(fromByteOffset: (i + 8) * 4, as: SIMD8<Float>.self)
                * rawB.loadUnaligned(fromByteOffset: (i + 8) * 4, as: SIMD8<Float>.self)
            acc2 += raw.loadUnaligned(fromByteOffset: (i + 16) * 4, as: SIMD8<Float>.self)
                * rawB.loadUnaligned(fromByteOffset: (i + 16) * 4, as: SIMD8<Float>.self)
            acc3 += raw.loadUnaligned(fromByteOffset: (i + 24) * 4, as: SIMD8<Float>.self)
                * rawB.loadUnaligned(fromByteOffset: (i + 24) * 4, as: SIMD8<Float>.self)
            i += 32
        }
        while i + 8 <= count {
            acc0 += raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
                * rawB.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            i += 8
        }
        acc0 += acc2
        acc1 += acc3
        let lanes = acc0 + acc1
        // The lanes folded in a fixed tree — the order of `cvk_dot_f16`, so a binary16 row
        // mapped from a segment scores exactly as its rounded Float copy in memory.
        let low = lanes.lowHalf + lanes.highHalf  // (l0+l4, l1+l5, l2+l6, l3+l7)
        var sum = (low[0] + low[2]) + (low[1] + low[3])
        while i < count {
            sum += a[i] * b[i]
            i += 1
        }
        return sum
    }

    /// ``dot(_:_:_:)`` of a binary16 row and a Float query: the same products (binary16 →
    /// Float is exact) summed in the same order, with F16C where the CPU has it.
    @inline(__always)
    public static func dot(half row: UnsafePointer<UInt16>, _ query: UnsafePointer<Float>, _ count: Int) -> Float {
        cvk_dot_f16(row, query, count)
    }
}

/// A pointer handed to scan workers that only read through it (or write disjoint ranges).
struct SendablePointer<T>: @unchecked Sendable {
    let pointer: UnsafePointer<T>
    init(_ pointer: UnsafePointer<T>) { self.pointer = pointer }
}

/// A pointer to an output buffer whose disjoint ranges are written by different workers.
struct SendableMutablePointer<T>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<T>
    init(_ pointer: UnsafeMutablePointer<T>) { self.pointer = pointer }
}

extension Array where Element == Float {
    /// Consecutive slices of `size` elements, as arrays.
    fileprivate func chunks(_ size: Int) -> [[Float]] {
        stride(from: 0, to: count, by: size).map { Array(self[$0..<Swift.min($0 + size, count)]) }
    }
}
