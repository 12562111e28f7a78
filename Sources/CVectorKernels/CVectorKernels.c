#include "CVectorKernels.h"

#include <math.h>
#include <string.h>

// No fused multiply-add anywhere: every path rounds the product, then the sum, so results do
// not depend on the CPU or on what the compiler may contract.
#pragma STDC FP_CONTRACT OFF

#if defined(__x86_64__)
#include <immintrin.h>
#endif

// binary16 → binary32, exactly (every half value is a float value).
static float half_to_float(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000) << 16;
    uint32_t exponent = (h >> 10) & 0x1F;
    uint32_t mantissa = h & 0x3FF;
    uint32_t bits;
    if (exponent == 0) {
        if (mantissa == 0) {
            bits = sign;
        } else {  // subnormal: normalise
            exponent = 127 - 15 + 1;
            while ((mantissa & 0x400) == 0) {
                mantissa <<= 1;
                exponent--;
            }
            mantissa &= 0x3FF;
            bits = sign | (exponent << 23) | (mantissa << 13);
        }
    } else if (exponent == 0x1F) {
        bits = sign | 0x7F800000 | (mantissa << 13);
    } else {
        bits = sign | ((exponent + 127 - 15) << 23) | (mantissa << 13);
    }
    float value;
    memcpy(&value, &bits, sizeof value);
    return value;
}

// binary32 → binary16, round to nearest even (NaN stays NaN, overflow → ∞).
static uint16_t float_to_half(float value) {
    uint32_t bits;
    memcpy(&bits, &value, sizeof bits);
    uint32_t sign = (bits >> 16) & 0x8000;
    uint32_t exponent = (bits >> 23) & 0xFF;
    uint32_t mantissa = bits & 0x7FFFFF;
    if (exponent == 0xFF) return (uint16_t)(sign | 0x7C00 | (mantissa ? 0x200 : 0));
    int e = (int)exponent - 127 + 15;
    if (e >= 0x1F) return (uint16_t)(sign | 0x7C00);
    if (e <= 0) {
        if (e < -10) return (uint16_t)sign;
        mantissa |= 0x800000;
        uint32_t shift = (uint32_t)(14 - e);
        uint32_t half = mantissa >> shift;
        uint32_t rest = mantissa & ((1u << shift) - 1);
        uint32_t midpoint = 1u << (shift - 1);
        if (rest > midpoint || (rest == midpoint && (half & 1))) half++;
        return (uint16_t)(sign | half);
    }
    uint32_t half = ((uint32_t)e << 10) | (mantissa >> 13);
    uint32_t rest = mantissa & 0x1FFF;
    if (rest > 0x1000 || (rest == 0x1000 && (half & 1))) half++;  // may carry into the exponent: correct
    return (uint16_t)(sign | half);
}

// The fixed summation order, portably: 32 lanes, lanes (j, j+16) then (j, j+8) folded as the
// SIMD path folds its four 8-wide accumulators, then a pairwise tree over the 8 lanes.
static float fold8(const float lanes[8]) {
    float a = lanes[0] + lanes[4], b = lanes[1] + lanes[5], c = lanes[2] + lanes[6], d = lanes[3] + lanes[7];
    return (a + c) + (b + d);
}

float cvk_dot_f16_portable(const uint16_t *row, const float *query, size_t count) {
    float acc[4][8] = {{0}};
    size_t i = 0;
    for (; i + 32 <= count; i += 32) {
        for (int block = 0; block < 4; block++) {
            for (int lane = 0; lane < 8; lane++) {
                size_t k = i + (size_t)block * 8 + (size_t)lane;
                acc[block][lane] = acc[block][lane] + half_to_float(row[k]) * query[k];
            }
        }
    }
    for (; i + 8 <= count; i += 8) {
        for (int lane = 0; lane < 8; lane++) acc[0][lane] = acc[0][lane] + half_to_float(row[i + lane]) * query[i + lane];
    }
    float lanes[8];
    for (int lane = 0; lane < 8; lane++) lanes[lane] = (acc[0][lane] + acc[2][lane]) + (acc[1][lane] + acc[3][lane]);
    float sum = fold8(lanes);
    for (; i < count; i++) sum += half_to_float(row[i]) * query[i];
    return sum;
}

#if defined(__x86_64__)
__attribute__((target("avx2,f16c")))
static float dot_f16_f16c(const uint16_t *row, const float *query, size_t count) {
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps(), acc2 = _mm256_setzero_ps(), acc3 = _mm256_setzero_ps();
    size_t i = 0;
    // Multiply, then add (no FMA): the portable path rounds the same way.
    for (; i + 32 <= count; i += 32) {
        acc0 = _mm256_add_ps(acc0, _mm256_mul_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(row + i))), _mm256_loadu_ps(query + i)));
        acc1 = _mm256_add_ps(acc1, _mm256_mul_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(row + i + 8))), _mm256_loadu_ps(query + i + 8)));
        acc2 = _mm256_add_ps(acc2, _mm256_mul_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(row + i + 16))), _mm256_loadu_ps(query + i + 16)));
        acc3 = _mm256_add_ps(acc3, _mm256_mul_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(row + i + 24))), _mm256_loadu_ps(query + i + 24)));
    }
    for (; i + 8 <= count; i += 8) {
        acc0 = _mm256_add_ps(acc0, _mm256_mul_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(row + i))), _mm256_loadu_ps(query + i)));
    }
    __m256 folded = _mm256_add_ps(_mm256_add_ps(acc0, acc2), _mm256_add_ps(acc1, acc3));
    float lanes[8];
    _mm256_storeu_ps(lanes, folded);
    float sum = fold8(lanes);
    for (; i < count; i++) sum += _cvtsh_ss(row[i]) * query[i];
    return sum;
}

__attribute__((target("avx2,f16c")))
static void f32_to_f16_f16c(const float *source, uint16_t *destination, size_t count) {
    size_t i = 0;
    for (; i + 8 <= count; i += 8) {
        __m128i half = _mm256_cvtps_ph(_mm256_loadu_ps(source + i), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
        _mm_storeu_si128((__m128i *)(destination + i), half);
    }
    for (; i < count; i++) destination[i] = float_to_half(source[i]);
}
#endif

static int f16c_available(void) {
#if defined(__x86_64__)
    static int cached = -1;
    if (cached < 0) cached = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("f16c");
    return cached;
#else
    return 0;
#endif
}

int cvk_uses_f16c(void) { return f16c_available(); }

int cvk_x86_level(void) {
#if defined(__x86_64__)
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl")) return 2;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return 1;
#endif
    return 0;
}

float cvk_dot_f16(const uint16_t *row, const float *query, size_t count) {
#if defined(__x86_64__)
    if (f16c_available()) return dot_f16_f16c(row, query, count);
#endif
    return cvk_dot_f16_portable(row, query, count);
}

void cvk_f32_to_f16(const float *source, uint16_t *destination, size_t count) {
#if defined(__x86_64__)
    if (f16c_available()) {
        f32_to_f16_f16c(source, destination, count);
        return;
    }
#endif
    cvk_f32_to_f16_portable(source, destination, count);
}

void cvk_f32_to_f16_portable(const float *source, uint16_t *destination, size_t count) {
    for (size_t i = 0; i < count; i++) destination[i] = float_to_half(source[i]);
}

// MARK: Activation kernels of the sentence encoder (GELU, softmax)
//
// glibc's vector math library (libmvec, since 2.35) has 8-wide erff and expf (within 4 ulp):
// the encoder calls them a few million times per passage, where the scalar libm calls took a
// quarter of its time. Without libmvec or AVX2 the scalar functions give the same values to
// rounding.
static inline float gelu_scalar(float x) { return 0.5f * x * (1.0f + erff(x * 0.70710678118654752f)); }

#if defined(__x86_64__) && defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 35))
#define CVK_HAS_MVEC 1
__attribute__((target("avx2"))) __m256 _ZGVdN8v_erff(__m256 x);
__attribute__((target("avx2"))) __m256 _ZGVdN8v_expf(__m256 x);

__attribute__((target("avx2,fma"))) static void gelu_avx2(float *values, size_t count) {
    const __m256 half = _mm256_set1_ps(0.5f), one = _mm256_set1_ps(1.0f), scale = _mm256_set1_ps(0.70710678118654752f);
    size_t i = 0;
    for (; i + 8 <= count; i += 8) {
        __m256 x = _mm256_loadu_ps(values + i);
        __m256 e = _ZGVdN8v_erff(_mm256_mul_ps(x, scale));
        _mm256_storeu_ps(values + i, _mm256_mul_ps(_mm256_mul_ps(half, x), _mm256_add_ps(one, e)));
    }
    for (; i < count; i++) values[i] = gelu_scalar(values[i]);
}

__attribute__((target("avx2,fma"))) static void softmax_avx2(float *scores, size_t count) {
    size_t i = 0;
    __m256 wide = _mm256_set1_ps(-INFINITY);
    for (; i + 8 <= count; i += 8) wide = _mm256_max_ps(wide, _mm256_loadu_ps(scores + i));
    float lanes[8];
    _mm256_storeu_ps(lanes, wide);
    float largest = -INFINITY;
    for (int lane = 0; lane < 8; lane++) largest = fmaxf(largest, lanes[lane]);
    for (; i < count; i++) largest = fmaxf(largest, scores[i]);
    const __m256 shift = _mm256_set1_ps(largest);
    __m256 sums = _mm256_setzero_ps();
    for (i = 0; i + 8 <= count; i += 8) {
        __m256 e = _ZGVdN8v_expf(_mm256_sub_ps(_mm256_loadu_ps(scores + i), shift));
        _mm256_storeu_ps(scores + i, e);
        sums = _mm256_add_ps(sums, e);
    }
    _mm256_storeu_ps(lanes, sums);
    float sum = ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
    for (; i < count; i++) {
        scores[i] = expf(scores[i] - largest);
        sum += scores[i];
    }
    const __m256 inverse = _mm256_set1_ps(1.0f / sum);
    for (i = 0; i + 8 <= count; i += 8) _mm256_storeu_ps(scores + i, _mm256_mul_ps(_mm256_loadu_ps(scores + i), inverse));
    for (; i < count; i++) scores[i] *= 1.0f / sum;
}
#endif

void cvk_gelu(float *values, size_t count) {
#ifdef CVK_HAS_MVEC
    if (cvk_x86_level() >= 1) {
        gelu_avx2(values, count);
        return;
    }
#endif
    for (size_t i = 0; i < count; i++) values[i] = gelu_scalar(values[i]);
}

void cvk_softmax(float *scores, size_t count) {
    if (count == 0) return;
#ifdef CVK_HAS_MVEC
    if (cvk_x86_level() >= 1) {
        softmax_avx2(scores, count);
        return;
    }
#endif
    float largest = -INFINITY;
    for (size_t i = 0; i < count; i++) largest = fmaxf(largest, scores[i]);
    float sum = 0;
    for (size_t i = 0; i < count; i++) {
        scores[i] = expf(scores[i] - largest);
        sum += scores[i];
    }
    for (size_t i = 0; i < count; i++) scores[i] *= 1.0f / sum;
}
