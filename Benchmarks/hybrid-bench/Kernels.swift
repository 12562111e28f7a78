import ArgumentParser
import CVectorKernels
import Foundation
import HybridSearch

/// Dense-scan kernels against the machine's memory bandwidth.
struct Kernels: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Time the dense scan kernels (SIMD, sgemv, sgemm) and memory bandwidth.")

    @Option(help: "Matrix rows.") var rows: Int = 1_000_000
    @Option(help: "Vector dimension.") var dimension: Int = 256
    @Option(help: "Repetitions (median reported).") var repeats: Int = 15
    @Option(help: "Queries per sgemm batch.") var batch: Int = 32
    @Option(help: "OpenBLAS threads (0 = library default).") var blasThreads: Int = 0

    func run() throws {
        if blasThreads > 0 { OpenBLAS.setThreadCount(blasThreads) }
        var random = SplitMix64(seed: 1)
        var index = DenseIndex(dimension: dimension, kernel: .simd)
        var row = [Float](repeating: 0, count: dimension)
        for ordinal in 0..<rows {
            for column in 0..<dimension { row[column] = Float(random.nextUnit() * 2 - 1) }
            index.set(ordinal: ordinal, vector: row)
        }
        let queries = (0..<max(batch, repeats)).map { _ in (0..<dimension).map { _ in Float(random.nextUnit() * 2 - 1) } }
        let bytes = Double(rows * dimension * 4)
        let clock = ContinuousClock()
        func median(_ body: (Int) -> Void) -> Double {
            var times: [Double] = []
            for r in 0..<repeats {
                let start = clock.now
                body(r)
                times.append((clock.now - start).seconds)
            }
            return times.sorted()[times.count / 2]
        }
        // Memory bandwidth: memcpy of the same number of bytes, and a read-only pass.
        let source = [Float](repeating: 1, count: rows * dimension)
        var destination = [Float](repeating: 0, count: rows * dimension)
        let copy = median { _ in
            source.withUnsafeBytes { s in destination.withUnsafeMutableBytes { d in d.copyMemory(from: s) } }
        }
        var sink: Float = 0
        let read = median { _ in
            source.withUnsafeBufferPointer { s in
                // Four accumulators, as in the dot kernel, so this is bandwidth-bound.
                var acc0 = SIMD8<Float>(), acc1 = SIMD8<Float>(), acc2 = SIMD8<Float>(), acc3 = SIMD8<Float>()
                let raw = UnsafeRawPointer(s.baseAddress!)
                var i = 0
                while i + 32 <= s.count {
                    acc0 += raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
                    acc1 += raw.loadUnaligned(fromByteOffset: (i + 8) * 4, as: SIMD8<Float>.self)
                    acc2 += raw.loadUnaligned(fromByteOffset: (i + 16) * 4, as: SIMD8<Float>.self)
                    acc3 += raw.loadUnaligned(fromByteOffset: (i + 24) * 4, as: SIMD8<Float>.self)
                    i += 32
                }
                sink += (acc0 + acc1 + acc2 + acc3).sum()
            }
        }
        let simd = median { r in _ = index.search(query: queries[r], topK: 10, candidates: nil) { $0 } }
        // The same rows in binary16 (issue 9, item 8), scanned the way the f32 scan is: split
        // across the cores into a score buffer, then top-10.
        var halves = [UInt16](repeating: 0, count: rows * dimension)
        for ordinal in 0..<rows {
            let unitRow = index.vector(ordinal: ordinal) ?? []
            halves.withUnsafeMutableBufferPointer { h in cvk_f32_to_f16(unitRow, h.baseAddress! + ordinal * dimension, dimension) }
        }
        let rowCount = rows
        let dimensionCount = dimension
        let matrixHalves = halves
        halves = []
        let half = median { r in
            let unit = DenseIndex.normalized(queries[r])
            var scores = [Float](repeating: 0, count: rowCount)
            matrixHalves.withUnsafeBufferPointer { h in
                unit.withUnsafeBufferPointer { q in
                    scores.withUnsafeMutableBufferPointer { out in
                        let matrix = UncheckedPointer(h.baseAddress!)
                        let query = UncheckedPointer(q.baseAddress!)
                        let output = UncheckedMutablePointer(out.baseAddress!)
                        let parts = max(1, min(8, ProcessInfo.processInfo.activeProcessorCount))
                        let chunk = (rowCount + parts - 1) / parts
                        DispatchQueue.concurrentPerform(iterations: parts) { part in
                            for ordinal in (part * chunk)..<min(rowCount, (part + 1) * chunk) {
                                output.pointer[ordinal] = cvk_dot_f16(matrix.pointer + ordinal * dimensionCount, query.pointer, dimensionCount)
                            }
                        }
                    }
                }
            }
            // Top-10 as the engine selects it: one comparison with the threshold rejects most rows
            // (the collector is generic across modules, so it is only called for candidates).
            var collector = TopKCollector<Int>(k: 10)
            var threshold = -Double.infinity
            for (ordinal, score) in scores.enumerated() where Double(score) >= threshold {
                collector.insert(score: Double(score), ordinal: ordinal, key: ordinal)
                if let worst = collector.threshold { threshold = worst }
            }
            sink += Float(collector.sorted().first?.score ?? 0)
        }
        let gemv = median { r in _ = index.scoresWithBLAS(queries[r]) }
        let gemm = median { _ in _ = index.scoresWithBLAS(batch: Array(queries.prefix(batch))) } / Double(batch)
        func line(_ name: String, _ seconds: Double, _ note: String = "") {
            print(String(format: "| %@ | %.3f | %.1f | %@ |", name, seconds * 1000, bytes / seconds / 1e9, note))
        }
        print("rows \(rows) × dimension \(dimension) = \(Int(bytes / 1e6)) MB, median of \(repeats); sink \(sink > 0)")
        print("| kernel | ms per query | GB/s of matrix | note |")
        print("|---|---|---|---|")
        line("memcpy (read+write)", copy, "bytes copied / s")
        line("read-only SIMD sum", read, "physical read limit")
        line("SIMD scan + top-10", simd, String(format: "%.0f%% of read limit", read / simd * 100))
        print(String(
            format: "| Float16 scan + top-10 (%@) | %.3f | %.1f | %.2f× the f32 scan's time; half the bytes |",
            cvk_uses_f16c() == 1 ? "F16C" : "portable", half * 1000, bytes / 2 / half / 1e9, half / simd))
        line("cblas_sgemv", gemv, String(format: "%.0f%% of read limit", read / gemv * 100))
        line("cblas_sgemm ×\(batch)", gemm, "per query, amortised")
    }
}

private struct UncheckedPointer<T>: @unchecked Sendable {
    let pointer: UnsafePointer<T>
    init(_ pointer: UnsafePointer<T>) { self.pointer = pointer }
}

private struct UncheckedMutablePointer<T>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<T>
    init(_ pointer: UnsafeMutablePointer<T>) { self.pointer = pointer }
}
