/* repack_avx2.c: the AVX2 8-row generation kernels (repack.h). */
#include <immintrin.h>
#include <string.h>

#include "dot.h"
#include "quant.h"
#include "repack.h"

/* 4 activation quants (one group) in every 32-bit lane. */
static inline __m256i bcast4(const int8_t *p)
{
    int32_t v;
    memcpy(&v, p, 4);
    return _mm256_set1_epi32(v);
}

/* Q4_0 against Q8_0: per block, the 8 rows' integer sums of (q - 8) * y
 * come out in the 8 lanes, then one fused multiply-add by d_w * d_a,
 * block after block, as ggml's repacked kernels sum. */
static void gemv8_q4_0(int64_t n, const uint8_t *g, const void *va, float out[LLM_PACK_ROWS])
{
    const block_q8_0 *a = va;
    int64_t nb = n / QK4_0;
    const float *da = (const float *)((const uint8_t *)va + llm_dot_q8_0_extras(n));
    const int32_t *qsum = (const int32_t *)(da + 2 * nb);
    const __m256i m4 = _mm256_set1_epi8(0x0F), ones = _mm256_set1_epi16(1);
    __m256 acc = _mm256_setzero_ps();
    for (int64_t b = 0; b < nb; b++, g += 144) {
        __m256 dw = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)g));
        const int8_t *y = a[b].qs;
        __m256i s = _mm256_setzero_si256();
        for (int c = 0; c < 4; c++) {
            __m256i v = _mm256_loadu_si256((const __m256i *)(g + 16 + 32 * c));
            __m256i lo = _mm256_and_si256(v, m4);
            __m256i hi = _mm256_and_si256(_mm256_srli_epi16(v, 4), m4);
            /* 8 products of at most 2*15*127 fit 16 bits */
            s = _mm256_add_epi16(s, _mm256_maddubs_epi16(lo, bcast4(y + 4 * c)));
            s = _mm256_add_epi16(s, _mm256_maddubs_epi16(hi, bcast4(y + 16 + 4 * c)));
        }
        __m256i isum = _mm256_sub_epi32(_mm256_madd_epi16(s, ones), _mm256_set1_epi32(8 * qsum[b]));
        acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(isum), _mm256_mul_ps(dw, _mm256_set1_ps(da[b])), acc);
    }
    _mm256_storeu_ps(out, acc);
}

/* The same for 4 tokens at once: each chunk of weights is decoded once
 * and multiplied with the 4 tokens' activations; per token the block's
 * integer sum and float update are exactly those of gemv8_q4_0, so the
 * results are the same bits. */
static void gemm8x4_q4_0(int64_t n, const uint8_t *g, const void *const va[4], float out[4][LLM_PACK_ROWS])
{
    int64_t nb = n / QK4_0;
    size_t xo = llm_dot_q8_0_extras(n);
    const block_q8_0 *a0 = va[0], *a1 = va[1], *a2 = va[2], *a3 = va[3];
    const float *d0 = (const float *)((const uint8_t *)va[0] + xo), *d1 = (const float *)((const uint8_t *)va[1] + xo);
    const float *d2 = (const float *)((const uint8_t *)va[2] + xo), *d3 = (const float *)((const uint8_t *)va[3] + xo);
    const int32_t *q0 = (const int32_t *)(d0 + 2 * nb), *q1 = (const int32_t *)(d1 + 2 * nb);
    const int32_t *q2 = (const int32_t *)(d2 + 2 * nb), *q3 = (const int32_t *)(d3 + 2 * nb);
    const __m256i m4 = _mm256_set1_epi8(0x0F), ones = _mm256_set1_epi16(1);
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    __m256 acc2 = _mm256_setzero_ps(), acc3 = _mm256_setzero_ps();
    for (int64_t b = 0; b < nb; b++, g += 144) {
        const int8_t *y0 = a0[b].qs, *y1 = a1[b].qs, *y2 = a2[b].qs, *y3 = a3[b].qs;
        __m256i s0 = _mm256_setzero_si256(), s1 = _mm256_setzero_si256();
        __m256i s2 = _mm256_setzero_si256(), s3 = _mm256_setzero_si256();
        for (int c = 0; c < 4; c++) {
            __m256i v = _mm256_loadu_si256((const __m256i *)(g + 16 + 32 * c));
            __m256i lo = _mm256_and_si256(v, m4);
            __m256i hi = _mm256_and_si256(_mm256_srli_epi16(v, 4), m4);
#define TOK(s, y) s = _mm256_add_epi16(s, _mm256_maddubs_epi16(lo, bcast4(y + 4 * c))); \
                  s = _mm256_add_epi16(s, _mm256_maddubs_epi16(hi, bcast4(y + 16 + 4 * c)))
            TOK(s0, y0);
            TOK(s1, y1);
            TOK(s2, y2);
            TOK(s3, y3);
#undef TOK
        }
        __m256 dw = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)g));
#define FIN(acc, s, q, d) acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_sub_epi32(_mm256_madd_epi16(s, ones), \
                              _mm256_set1_epi32(8 * q[b]))), _mm256_mul_ps(dw, _mm256_set1_ps(d[b])), acc)
        FIN(acc0, s0, q0, d0);
        FIN(acc1, s1, q1, d1);
        FIN(acc2, s2, q2, d2);
        FIN(acc3, s3, q3, d3);
#undef FIN
    }
    _mm256_storeu_ps(out[0], acc0);
    _mm256_storeu_ps(out[1], acc1);
    _mm256_storeu_ps(out[2], acc2);
    _mm256_storeu_ps(out[3], acc3);
}

/* Q4_K against Q8_K: per 32-value sub-block, the 8 rows' integer sums
 * come out in lanes and are scaled by each row's 6-bit scale; the mins
 * multiply the activation's 32-value sums. */
static void gemv8_q4_K(int64_t n, const uint8_t *g, const void *va, float out[LLM_PACK_ROWS])
{
    const block_q8_K *a = va;
    const __m256i m4 = _mm256_set1_epi8(0x0F), ones = _mm256_set1_epi16(1);
    __m256 acc = _mm256_setzero_ps(), accm = _mm256_setzero_ps();
    for (int64_t b = 0; b < n / QK_K; b++, g += 1184) {
        __m256 dw = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)g));
        __m256 dmw = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(g + 16)));
        const uint8_t *sc = g + 32, *mn = g + 96, *q = g + 160;
        const int8_t *y = a[b].qs;
        __m256i isum = _mm256_setzero_si256(), msum = _mm256_setzero_si256();
        for (int p = 0; p < 4; p++) {
            /* chunks 8p..8p+7: low nibbles are sub-block 2p, high 2p+1 */
            __m256i slo = _mm256_setzero_si256(), shi = _mm256_setzero_si256();
            for (int c = 0; c < 8; c++) {
                __m256i v = _mm256_loadu_si256((const __m256i *)(q + 32 * (8 * p + c)));
                __m256i lo = _mm256_and_si256(v, m4);
                __m256i hi = _mm256_and_si256(_mm256_srli_epi16(v, 4), m4);
                slo = _mm256_add_epi16(slo, _mm256_maddubs_epi16(lo, bcast4(y + 64 * p + 4 * c)));
                shi = _mm256_add_epi16(shi, _mm256_maddubs_epi16(hi, bcast4(y + 64 * p + 32 + 4 * c)));
            }
            for (int h = 0; h < 2; h++) {
                int j = 2 * p + h;
                __m128i s8 = _mm_loadl_epi64((const __m128i *)(sc + 8 * j));
                __m128i m8 = _mm_loadl_epi64((const __m128i *)(mn + 8 * j));
                __m256i part = _mm256_madd_epi16(h ? shi : slo, ones);
                isum = _mm256_add_epi32(isum, _mm256_mullo_epi32(part, _mm256_cvtepu8_epi32(s8)));
                int bs = a[b].bsums[2 * j] + a[b].bsums[2 * j + 1];
                msum = _mm256_add_epi32(msum, _mm256_mullo_epi32(_mm256_cvtepu8_epi32(m8), _mm256_set1_epi32(bs)));
            }
        }
        __m256 da = _mm256_set1_ps(a[b].d);
        acc = _mm256_fmadd_ps(_mm256_mul_ps(dw, da), _mm256_cvtepi32_ps(isum), acc);
        accm = _mm256_fmadd_ps(_mm256_mul_ps(dmw, da), _mm256_cvtepi32_ps(msum), accm);
    }
    _mm256_storeu_ps(out, _mm256_sub_ps(acc, accm));
}

llm_gemm8x4_fn llm_gemm8x4_fn_avx2(uint32_t wtype)
{
    return wtype == LLM_Q4_0 ? gemm8x4_q4_0 : NULL;
}

llm_gemv8_fn llm_gemv8_fn_avx2(uint32_t wtype)
{
    return wtype == LLM_Q4_0 ? gemv8_q4_0 : wtype == LLM_Q4_K ? gemv8_q4_K : NULL;
}
