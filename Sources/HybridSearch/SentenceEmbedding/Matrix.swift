/// Single-precision matrix products for the encoder: OpenBLAS `sgemm` when loaded, else a
/// plain triple loop.
enum Matrix {
    /// `c[rows × columns] = alpha · a[rows × depth] · b` (b `[depth × columns]`, or
    /// `[columns × depth]` used transposed), row-major with the given leading dimensions.
    static func multiply(
        rows: Int, columns: Int, depth: Int, _ a: UnsafePointer<Float>, leading lda: Int, _ b: UnsafePointer<Float>,
        leading ldb: Int, transposingB: Bool, into c: UnsafeMutablePointer<Float>, leading ldc: Int, alpha: Float
    ) {
        guard rows > 0, columns > 0 else { return }
        if let blas = OpenBLAS.library {
            blas.sgemm(
                OpenBLAS.rowMajor, OpenBLAS.noTranspose, transposingB ? OpenBLAS.transpose : OpenBLAS.noTranspose,
                Int32(rows), Int32(columns), Int32(depth), alpha, a, Int32(lda), b, Int32(ldb), 0, c, Int32(ldc))
            return
        }
        for i in 0..<rows {
            for j in 0..<columns {
                var sum: Float = 0
                for p in 0..<depth {
                    sum += a[i * lda + p] * (transposingB ? b[j * ldb + p] : b[p * ldb + j])
                }
                c[i * ldc + j] = alpha * sum
            }
        }
    }
}
