import CVectorKernels
import Foundation
import Testing

/// The half-precision kernels of issue 9 item 8: conversion exactly as Swift's `Float16`
/// (round to nearest even), and one dot product, bit for bit, on the F16C and portable paths.
@Suite("Half-precision vector kernels")
struct HalfPrecisionKernelTests {
    static func randomFloats(_ count: Int, seed: UInt64) -> [Float] {
        var random = SeededGenerator(state: seed)
        return (0..<count).map { _ in Float(Double.random(in: -1...1, using: &random)) }
    }

    @Test("Conversion to binary16 matches Float16(x) for random, tie, subnormal, overflow and special values")
    func conversion() {
        var values = Self.randomFloats(4_096, seed: 3)
        values += [0, -0.0, 1, -1, 65_504, 65_520, 1e6, -1e6, .infinity, -.infinity, 6e-8, 3e-8, 5.96e-8, 1e-5, 6.1e-5]
        // Exact ties between two halves: 1 + (2k+1)·2⁻¹¹.
        values += (0..<64).map { 1 + Float(2 * $0 + 1) * 0x1p-11 }
        for path in [cvk_f32_to_f16, cvk_f32_to_f16_portable] {
            var halves = [UInt16](repeating: 0, count: values.count)
            path(values, &halves, values.count)
            for (value, half) in zip(values, halves) {
                #expect(half == Float16(value).bitPattern, "\(value)")
            }
        }
        var nan = [UInt16](repeating: 0, count: 1)
        cvk_f32_to_f16([Float.nan], &nan, 1)
        #expect(Float16(bitPattern: nan[0]).isNaN)
    }

    @Test("Dot product: F16C and portable paths give the same bits; both equal a naive loop to rounding", arguments: [1, 7, 8, 31, 32, 33, 256, 1_000, 1_024])
    func dot(count: Int) {
        let row = Self.randomFloats(count, seed: UInt64(count))
        let query = Self.randomFloats(count, seed: UInt64(count) &+ 99)
        var halves = [UInt16](repeating: 0, count: count)
        cvk_f32_to_f16(row, &halves, count)
        let fast = cvk_dot_f16(halves, query, count)
        let portable = cvk_dot_f16_portable(halves, query, count)
        #expect(fast.bitPattern == portable.bitPattern, "\(fast) vs \(portable)")
        var naive = 0.0
        for i in 0..<count { naive += Double(Float(Float16(bitPattern: halves[i]))) * Double(query[i]) }
        #expect(abs(Double(fast) - naive) <= 1e-5 * Double(count).squareRoot() + 1e-6, "\(fast) vs \(naive)")
    }
}
