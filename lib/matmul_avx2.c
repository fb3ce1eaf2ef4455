/* matmul_avx2.c: F32 and F16 weight rows dotted in exactly the order
 * llama.cpp's x86 build uses, so float models agree with it bit for bit
 * where the rest of the pass does (compiled with -mavx2 -mfma -mf16c; used
 * by matmul.c when the CPU has them).
 *
 * Two orders, because ggml has two code paths:
 *  - one activation row (generation): ggml_vec_dot_f32/f16, four 8-lane
 *    FMA sums over blocks of 32, reduced (0+2, 1+3, then 0+1), the 8
 *    lanes summed as (l0+l4 + l1+l5) + (l2+l6 + l3+l7), then the rest;
 *  - several rows (a prompt): llamafile's tinyBLAS, one 8-lane FMA sum
 *    over the whole row, lanes summed as (l0+l4 + l2+l6) + (l1+l5 + l3+l7). */
#include <immintrin.h>
#include <math.h>
#include <stdint.h>

#include "matmul.h"

#define LOADH(p) _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(p)))

/* GGML_F32x8_REDUCE of four accumulators. */
static inline float reduce4(__m256 s0, __m256 s1, __m256 s2, __m256 s3)
{
    s0 = _mm256_add_ps(s0, s2);
    s1 = _mm256_add_ps(s1, s3);
    s0 = _mm256_add_ps(s0, s1);
    __m128 t0 = _mm_add_ps(_mm256_castps256_ps128(s0), _mm256_extractf128_ps(s0, 1));
    __m128 t1 = _mm_hadd_ps(t0, t0);
    return _mm_cvtss_f32(_mm_hadd_ps(t1, t1));
}

/* tinyBLAS's hsum. */
static inline float hsum_tb(__m256 x)
{
    __m128 t = _mm_add_ps(_mm256_extractf128_ps(x, 1), _mm256_castps256_ps128(x));
    t = _mm_add_ps(t, _mm_movehl_ps(t, t));
    t = _mm_add_ss(t, _mm_movehdup_ps(t));
    return _mm_cvtss_f32(t);
}

float llm_dot_f32_vec_ggml(int64_t n, const void *vw, const void *va)
{
    const float *w = vw, *a = va;
    int64_t np = n & ~(int64_t)31;
    __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
    for (int64_t i = 0; i < np; i += 32) {
        s0 = _mm256_fmadd_ps(_mm256_loadu_ps(w + i), _mm256_loadu_ps(a + i), s0);
        s1 = _mm256_fmadd_ps(_mm256_loadu_ps(w + i + 8), _mm256_loadu_ps(a + i + 8), s1);
        s2 = _mm256_fmadd_ps(_mm256_loadu_ps(w + i + 16), _mm256_loadu_ps(a + i + 16), s2);
        s3 = _mm256_fmadd_ps(_mm256_loadu_ps(w + i + 24), _mm256_loadu_ps(a + i + 24), s3);
    }
    float sum = reduce4(s0, s1, s2, s3);
    for (int64_t i = np; i < n; i++)
        sum += w[i] * a[i];
    return sum;
}

float llm_dot_f16_vec_ggml(int64_t n, const void *vw, const void *va)
{
    const uint16_t *w = vw, *a = va;
    int64_t np = n & ~(int64_t)31;
    /* four named accumulators: an array of them ends up in memory */
    __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
    for (int64_t i = 0; i < np; i += 32) {
        s0 = _mm256_fmadd_ps(LOADH(w + i), LOADH(a + i), s0);
        s1 = _mm256_fmadd_ps(LOADH(w + i + 8), LOADH(a + i + 8), s1);
        s2 = _mm256_fmadd_ps(LOADH(w + i + 16), LOADH(a + i + 16), s2);
        s3 = _mm256_fmadd_ps(LOADH(w + i + 24), LOADH(a + i + 24), s3);
    }
    double sum = np ? (double)reduce4(s0, s1, s2, s3) : 0.0;
    for (int64_t i = np; i < n; i++)
        sum += (double)(_cvtsh_ss(w[i]) * _cvtsh_ss(a[i]));
    return (float)sum;
}

/* n must be a multiple of 8 (tinyBLAS refuses other rows). */
float llm_dot_f32_tb_ggml(int64_t n, const void *vw, const void *va)
{
    const float *w = vw, *a = va;
    __m256 c = _mm256_setzero_ps();
    for (int64_t i = 0; i < n; i += 8)
        c = _mm256_fmadd_ps(_mm256_loadu_ps(w + i), _mm256_loadu_ps(a + i), c);
    return hsum_tb(c);
}

float llm_dot_f16_tb_ggml(int64_t n, const void *vw, const void *va)
{
    const uint16_t *w = vw, *a = va;
    __m256 c = _mm256_setzero_ps();
    for (int64_t i = 0; i < n; i += 8)
        c = _mm256_fmadd_ps(LOADH(w + i), LOADH(a + i), c);
    return hsum_tb(c);
}

/* One weight row against 4 activation rows (a_stride bytes apart) in the
 * tinyBLAS order: four independent FMA chains, so a prompt runs at the
 * speed of the SIMD units instead of the latency of one chain. Each
 * result equals the single-row function's, bit for bit. */
void llm_dot4t_f32_tb_ggml(int64_t n, const void *vw, const void *va, size_t a_stride, float out[4])
{
    const float *w = vw;
    const float *a0 = va, *a1 = (const float *)((const uint8_t *)va + a_stride);
    const float *a2 = (const float *)((const uint8_t *)va + 2 * a_stride);
    const float *a3 = (const float *)((const uint8_t *)va + 3 * a_stride);
    __m256 c0 = _mm256_setzero_ps(), c1 = c0, c2 = c0, c3 = c0;
    for (int64_t i = 0; i < n; i += 8) {
        __m256 x = _mm256_loadu_ps(w + i);
        c0 = _mm256_fmadd_ps(x, _mm256_loadu_ps(a0 + i), c0);
        c1 = _mm256_fmadd_ps(x, _mm256_loadu_ps(a1 + i), c1);
        c2 = _mm256_fmadd_ps(x, _mm256_loadu_ps(a2 + i), c2);
        c3 = _mm256_fmadd_ps(x, _mm256_loadu_ps(a3 + i), c3);
    }
    out[0] = hsum_tb(c0);
    out[1] = hsum_tb(c1);
    out[2] = hsum_tb(c2);
    out[3] = hsum_tb(c3);
}

void llm_dot4t_f16_tb_ggml(int64_t n, const void *vw, const void *va, size_t a_stride, float out[4])
{
    const uint16_t *w = vw;
    const uint16_t *a0 = va, *a1 = (const uint16_t *)((const uint8_t *)va + a_stride);
    const uint16_t *a2 = (const uint16_t *)((const uint8_t *)va + 2 * a_stride);
    const uint16_t *a3 = (const uint16_t *)((const uint8_t *)va + 3 * a_stride);
    __m256 c0 = _mm256_setzero_ps(), c1 = c0, c2 = c0, c3 = c0;
    for (int64_t i = 0; i < n; i += 8) {
        __m256 x = LOADH(w + i);
        c0 = _mm256_fmadd_ps(x, LOADH(a0 + i), c0);
        c1 = _mm256_fmadd_ps(x, LOADH(a1 + i), c1);
        c2 = _mm256_fmadd_ps(x, LOADH(a2 + i), c2);
        c3 = _mm256_fmadd_ps(x, LOADH(a3 + i), c3);
    }
    out[0] = hsum_tb(c0);
    out[1] = hsum_tb(c1);
    out[2] = hsum_tb(c2);
    out[3] = hsum_tb(c3);
}

/* The tinyBLAS order again for F16 weights against activations already
 * rounded to f16 and widened back to f32 (exact: the same products as
 * f16 x f16), 2 weight rows x 4 activation rows a call: each weight
 * vector is converted once for 4 tokens and each activation vector read
 * once for 2 rows. Each result equals llm_dot_f16_tb_ggml's, bit for bit. */
void llm_dot2x4_f16w_tb_ggml(int64_t n, const uint16_t *w0, const uint16_t *w1, const float *a,
                             size_t a_stride, float out[2][4])
{
    const float *a0 = a, *a1 = a + a_stride, *a2 = a + 2 * a_stride, *a3 = a + 3 * a_stride;
    __m256 c00 = _mm256_setzero_ps(), c01 = c00, c02 = c00, c03 = c00;
    __m256 c10 = c00, c11 = c00, c12 = c00, c13 = c00;
    for (int64_t i = 0; i < n; i += 8) {
        __m256 x0 = LOADH(w0 + i), x1 = LOADH(w1 + i), y;
        y = _mm256_loadu_ps(a0 + i);
        c00 = _mm256_fmadd_ps(x0, y, c00);
        c10 = _mm256_fmadd_ps(x1, y, c10);
        y = _mm256_loadu_ps(a1 + i);
        c01 = _mm256_fmadd_ps(x0, y, c01);
        c11 = _mm256_fmadd_ps(x1, y, c11);
        y = _mm256_loadu_ps(a2 + i);
        c02 = _mm256_fmadd_ps(x0, y, c02);
        c12 = _mm256_fmadd_ps(x1, y, c12);
        y = _mm256_loadu_ps(a3 + i);
        c03 = _mm256_fmadd_ps(x0, y, c03);
        c13 = _mm256_fmadd_ps(x1, y, c13);
    }
    out[0][0] = hsum_tb(c00); out[0][1] = hsum_tb(c01); out[0][2] = hsum_tb(c02); out[0][3] = hsum_tb(c03);
    out[1][0] = hsum_tb(c10); out[1][1] = hsum_tb(c11); out[1][2] = hsum_tb(c12); out[1][3] = hsum_tb(c13);
}

float llm_dot_f16w_tb_ggml(int64_t n, const uint16_t *w, const float *a)
{
    __m256 c = _mm256_setzero_ps();
    for (int64_t i = 0; i < n; i += 8)
        c = _mm256_fmadd_ps(LOADH(w + i), _mm256_loadu_ps(a + i), c);
    return hsum_tb(c);
}

/* x rounded to f16 (to nearest even) and widened back, 8 at a time. */
void llm_round_f16_avx2(const float *x, float *out, int64_t n)
{
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(out + i, _mm256_cvtph_ps(_mm256_cvtps_ph(_mm256_loadu_ps(x + i), _MM_FROUND_TO_NEAREST_INT)));
    for (; i < n; i++)
        out[i] = _cvtsh_ss(_cvtss_sh(x[i], _MM_FROUND_TO_NEAREST_INT));
}
