// Half-precision vector kernels (issue 9, item 8): Swift converts Float16 one value at a time
// here, so the F16C instructions that convert eight at once are reached from C.
#ifndef CVECTORKERNELS_H
#define CVECTORKERNELS_H

#include <stddef.h>
#include <stdint.h>

/// Σ row[i] · query[i] for i < count, `row` in IEEE 754 binary16, `query` in binary32, summed
/// in binary32 in a fixed order (32 lanes: lane j takes i ≡ j mod 32, lanes folded pairwise,
/// then the tail in order) — the same bits on the F16C path and the portable one.
float cvk_dot_f16(const uint16_t *row, const float *query, size_t count);

/// Converts `count` binary32 values to binary16, rounding to nearest, ties to even.
void cvk_f32_to_f16(const float *source, uint16_t *destination, size_t count);

/// The portable paths (what runs without F16C), callable directly to test that both agree.
float cvk_dot_f16_portable(const uint16_t *row, const float *query, size_t count);
void cvk_f32_to_f16_portable(const float *source, uint16_t *destination, size_t count);

/// 1 when this CPU runs the F16C/AVX2 path, 0 when the portable one.
int cvk_uses_f16c(void);

/// The x86-64 vector level of this CPU: 2 with AVX-512 (F, BW, VL), 1 with AVX2 and FMA,
/// else 0 (also on other architectures).
int cvk_x86_level(void);

/// In place: x · ½ (1 + erf(x / √2)), GELU with the exact Gaussian CDF (8 at a time with glibc's
/// libmvec and AVX2).
void cvk_gelu(float *values, size_t count);

/// In place over `count` ≥ 1 scores: exp(x − max) / Σ exp(x − max).
void cvk_softmax(float *scores, size_t count);

#endif
