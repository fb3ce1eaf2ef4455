/* dot_convert_avx2.c: AVX2 versions of the activation quantizers of
 * llm_dot_convert (dot.c) for Q8_0 (with its extras), Q8_K and F16.
 *
 * Every token's activations are quantized before each product, on one
 * thread while the others wait, so the scalar loops (a libm call per value
 * to round) showed in generation profiles. The results are the same bytes
 * as the portable code: the max of absolute values is exact in any order,
 * the scale is computed by the same float operations, and the rounding
 * (_mm256_cvtps_epi32 under the default mode) is to nearest, ties to even,
 * like nearbyintf and ggml's nearest_int; tests/unit/test_dot.c compares
 * them byte for byte. */
#include <immintrin.h>
#include <math.h>
#include <string.h>

#include "dot.h"
#include "dtype.h"
#include "quant.h"

static inline float hmax(__m256 v)
{
    __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    m = _mm_max_ps(m, _mm_movehl_ps(m, m));
    m = _mm_max_ss(m, _mm_movehdup_ps(m));
    return _mm_cvtss_f32(m);
}

static inline int hsum_i32(__m256i v)
{
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4E));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xB1));
    return _mm_cvtsi128_si32(s);
}

/* 32 int32 (4 vectors, values in -128..127) to 32 int8 in order. */
static inline __m256i pack32(__m256i a, __m256i b, __m256i c, __m256i d)
{
    __m256i ab = _mm256_packs_epi32(a, b), cd = _mm256_packs_epi32(c, d);
    __m256i q = _mm256_packs_epi16(ab, cd);
    /* packs work per 128-bit lane: put the 4-byte groups back in order */
    return _mm256_permutevar8x32_epi32(q, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
}

/* A lane mask of |x| >= inf or NaN in any of the n/8 vectors at x. */
static inline int nonfinite(const float *x, int n)
{
    const __m256 absm = _mm256_castsi256_ps(_mm256_set1_epi32(0x7FFFFFFF));
    const __m256 inf = _mm256_set1_ps(INFINITY);
    __m256 bad = _mm256_setzero_ps();
    for (int i = 0; i < n; i += 8)
        bad = _mm256_or_ps(bad, _mm256_cmp_ps(_mm256_and_ps(_mm256_loadu_ps(x + i), absm), inf, _CMP_NLT_UQ));
    return _mm256_movemask_ps(bad);
}

void llm_dot_convert_q8_0_avx2(const float *x, void *dst, int64_t n)
{
    block_q8_0 *y = dst;
    int64_t nb = n / QK8_0;
    float *ext = (float *)((uint8_t *)dst + llm_dot_q8_0_extras(n));
    const __m256 absm = _mm256_castsi256_ps(_mm256_set1_epi32(0x7FFFFFFF));
    for (int64_t b = 0; b < nb; b++, x += QK8_0) {
        int sum = 0;
        if (nonfinite(x, QK8_0)) {
            y[b].d = 0x7E00;   /* f16 NaN, as the portable code */
            memset(y[b].qs, 0, sizeof y[b].qs);
        } else {
            __m256 v0 = _mm256_loadu_ps(x), v1 = _mm256_loadu_ps(x + 8);
            __m256 v2 = _mm256_loadu_ps(x + 16), v3 = _mm256_loadu_ps(x + 24);
            __m256 m = _mm256_max_ps(_mm256_max_ps(_mm256_and_ps(v0, absm), _mm256_and_ps(v1, absm)),
                                     _mm256_max_ps(_mm256_and_ps(v2, absm), _mm256_and_ps(v3, absm)));
            float amax = hmax(m);
            float d = amax / 127.f, id = amax != 0 ? 127.f / amax : 0.f;
            y[b].d = llm_f32_to_f16(d);
            __m256 vid = _mm256_set1_ps(id);
            __m256i i0 = _mm256_cvtps_epi32(_mm256_mul_ps(v0, vid));
            __m256i i1 = _mm256_cvtps_epi32(_mm256_mul_ps(v1, vid));
            __m256i i2 = _mm256_cvtps_epi32(_mm256_mul_ps(v2, vid));
            __m256i i3 = _mm256_cvtps_epi32(_mm256_mul_ps(v3, vid));
            __m256i q = pack32(i0, i1, i2, i3);
            _mm256_storeu_si256((__m256i *)y[b].qs, q);
            /* summed from the stored bytes (saturated when the scale was inf) */
            sum = hsum_i32(_mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_set1_epi8(1), q), _mm256_set1_epi16(1)));
        }
        /* the extras (dot.h) */
        ext[b] = llm_f16_to_f32(y[b].d);
        ext[nb + b] = ext[b] * (float)sum;
        memcpy(&ext[2 * nb + b], &sum, sizeof sum);
    }
}

void llm_dot_convert_q8_K_avx2(const float *x, void *dst, int64_t n)
{
    block_q8_K *y = dst;
    const __m256 absm = _mm256_castsi256_ps(_mm256_set1_epi32(0x7FFFFFFF));
    for (int64_t b = 0; b < n / QK_K; b++, x += QK_K) {
        memset(&y[b], 0, sizeof y[b]);
        if (nonfinite(x, QK_K)) {
            y[b].d = NAN;
            continue;
        }
        __m256 m = _mm256_setzero_ps();
        for (int i = 0; i < QK_K; i += 8)
            m = _mm256_max_ps(m, _mm256_and_ps(_mm256_loadu_ps(x + i), absm));
        float amax = hmax(m);
        if (!amax)
            continue;
        /* the first value of largest magnitude, with its sign (as ggml) */
        float max = 0;
        for (int j = 0; j < QK_K; j++)
            if (fabsf(x[j]) == amax) {
                max = x[j];
                break;
            }
        const float iscale = -127.f / max;
        if (!isfinite(iscale)) {
            /* blocks of denormals: ggml's scalar rounding of inf, as the
             * portable code does it */
            llm_quant_q8_K(x, &y[b], QK_K);
            continue;
        }
        __m256 vs = _mm256_set1_ps(iscale);
        for (int c = 0; c < QK_K; c += 32) {
            /* |iscale * x| <= 127 (to rounding): the saturating packs clamp
             * exactly where the portable min(v, 127) does */
            __m256i i0 = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(x + c), vs));
            __m256i i1 = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(x + c + 8), vs));
            __m256i i2 = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(x + c + 16), vs));
            __m256i i3 = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(x + c + 24), vs));
            _mm256_storeu_si256((__m256i *)(y[b].qs + c), pack32(i0, i1, i2, i3));
            y[b].bsums[c / 16] = (int16_t)hsum_i32(_mm256_add_epi32(i0, i1));
            y[b].bsums[c / 16 + 1] = (int16_t)hsum_i32(_mm256_add_epi32(i2, i3));
        }
        y[b].d = 1 / iscale;
    }
}

/* F16: the hardware conversion rounds to nearest even as llm_f32_to_f16;
 * NaNs are made the same quiet NaN the portable code writes. */
void llm_dot_convert_f16_avx2(const float *x, void *dst, int64_t n)
{
    uint16_t *h = dst;
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 v = _mm256_loadu_ps(x + i);
        if (_mm256_movemask_ps(_mm256_cmp_ps(v, v, _CMP_UNORD_Q))) {
            for (int j = 0; j < 8; j++) h[i + j] = llm_f32_to_f16(x[i + j]);
            continue;
        }
        _mm_storeu_si128((__m128i *)(h + i), _mm256_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT));
    }
    for (; i < n; i++) h[i] = llm_f32_to_f16(x[i]);
}
