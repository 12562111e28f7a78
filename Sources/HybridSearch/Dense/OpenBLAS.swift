import CVectorKernels

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// OpenBLAS, loaded (`dlopen`) at its first use instead of linked: the library starts its
/// worker threads when it is loaded, and they spin in `sched_yield` before going to sleep —
/// measured at ≈ 50 ms of a core in every short-lived `artifact-search` process on this
/// 2-core machine, although only ``DenseIndex/ScanKernel/blas`` and batch scoring call it.
/// Nothing links the library; without it, the callers compute the same scores with
/// ``DotKernel``.
public enum OpenBLAS {
    /// CBLAS's enumerations, by their standard values (C enums are passed as `int`).
    static let rowMajor: Int32 = 101
    static let noTranspose: Int32 = 111
    static let transpose: Int32 = 112

    typealias Sgemv = @convention(c) (
        Int32, Int32, Int32, Int32, Float, UnsafePointer<Float>?, Int32, UnsafePointer<Float>?, Int32,
        Float, UnsafeMutablePointer<Float>?, Int32
    ) -> Void
    typealias Sgemm = @convention(c) (
        Int32, Int32, Int32, Int32, Int32, Int32, Float, UnsafePointer<Float>?, Int32,
        UnsafePointer<Float>?, Int32, Float, UnsafeMutablePointer<Float>?, Int32
    ) -> Void
    typealias SetThreads = @convention(c) (Int32) -> Void

    struct Library: @unchecked Sendable {
        let sgemv: Sgemv
        let sgemm: Sgemm
        let setThreads: SetThreads?
    }

    /// The library, or `nil` when it cannot be loaded (callers then compute with ``DotKernel``).
    static let library: Library? = {
        chooseKernels()
        for name in ["libopenblas.so.0", "libopenblas.so", "libopenblas.dylib"] {
            guard let handle = dlopen(name, RTLD_NOW | RTLD_LOCAL),
                let sgemv = dlsym(handle, "cblas_sgemv"), let sgemm = dlsym(handle, "cblas_sgemm")
            else { continue }
            return Library(
                sgemv: unsafeBitCast(sgemv, to: Sgemv.self), sgemm: unsafeBitCast(sgemm, to: Sgemm.self),
                setThreads: dlsym(handle, "openblas_set_num_threads").map { unsafeBitCast($0, to: SetThreads.self) })
        }
        return nil
    }()

    /// Names OpenBLAS's kernels for this CPU's instruction set in `OPENBLAS_CORETYPE` (unless
    /// the user set it): `SkylakeX` with AVX-512, `Haswell` with AVX2 and FMA.
    ///
    /// OpenBLAS picks its kernels from the CPU's model name; on one it does not know (this
    /// project's virtual machines report "Intel Xeon Processor") it falls back to its SSE3
    /// "Prescott" kernels — there the sentence embedder's `sgemm` took 4× the time of the
    /// AVX-512 ones. It reads the variable when it loads, so this runs before the first use
    /// (which calls it too). It changes the environment, which is not safe while other threads
    /// read it: the program calls it first thing, while it has one thread.
    public static func chooseKernels() {
        guard getenv("OPENBLAS_CORETYPE") == nil else { return }
        switch cvk_x86_level() {
        case 2: setenv("OPENBLAS_CORETYPE", "SkylakeX", 0)
        case 1: setenv("OPENBLAS_CORETYPE", "Haswell", 0)
        default: break
        }
    }

    /// Sets OpenBLAS's thread count (loading it); no effect without the library.
    public static func setThreadCount(_ count: Int) {
        library?.setThreads?(Int32(count))
    }
}
