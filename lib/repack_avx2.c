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

/* The per-block float scales d[nb] of a Q8_0 activation row of n values
 * (its extras, dot.h); the sums follow: ds[nb], then int32 qsum[nb]. */
static inline const float *act_scales(const void *a, int64_t n)
{
    return (const float *)((const uint8_t *)a + llm_dot_q8_0_extras(n));
}

/* Q4_0 against Q8_0: per block, the 8 rows' integer sums of (q - 8) * y
 * come out in the 8 lanes, then one fused multiply-add by d_w * d_a,
 * block after block, as ggml's repacked kernels sum. */
static void gemv8_q4_0(int64_t n, const uint8_t *g, const void *va, float out[LLM_PACK_ROWS])
{
    const block_q8_0 *a = va;
    int64_t nb = n / QK4_0;
    const float *da = act_scales(va, n);
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
    const block_q8_0 *a0 = va[0], *a1 = va[1], *a2 = va[2], *a3 = va[3];
    const float *d0 = act_scales(va[0], n), *d1 = act_scales(va[1], n);
    const float *d2 = act_scales(va[2], n), *d3 = act_scales(va[3], n);
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

/* Q8_0 against Q8_0: signed by signed bytes, so each chunk's weights
 * lend their sign to the activations (_mm256_sign_epi8) and are used as
 * magnitudes; a pair of products reaches 2*127*128, so every chunk is
 * widened to 32 bits at once. */
static void gemv8_q8_0(int64_t n, const uint8_t *g, const void *va, float out[LLM_PACK_ROWS])
{
    const block_q8_0 *a = va;
    int64_t nb = n / QK8_0;
    const float *da = act_scales(va, n);
    const __m256i ones = _mm256_set1_epi16(1);
    __m256 acc = _mm256_setzero_ps();
    for (int64_t b = 0; b < nb; b++, g += 272) {
        const int8_t *y = a[b].qs;
        __m256i isum = _mm256_setzero_si256();
#pragma GCC unroll 8
        for (int c = 0; c < 8; c++) {
            __m256i v = _mm256_loadu_si256((const __m256i *)(g + 16 + 32 * c));
            __m256i p = _mm256_maddubs_epi16(_mm256_sign_epi8(v, v), _mm256_sign_epi8(bcast4(y + 4 * c), v));
            isum = _mm256_add_epi32(isum, _mm256_madd_epi16(p, ones));
        }
        __m256 dw = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)g));
        acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(isum), _mm256_mul_ps(dw, _mm256_set1_ps(da[b])), acc);
    }
    _mm256_storeu_ps(out, acc);
}

/* The same for 4 tokens (same bits per token). */
static void gemm8x4_q8_0(int64_t n, const uint8_t *g, const void *const va[4], float out[4][LLM_PACK_ROWS])
{
    int64_t nb = n / QK8_0;
    const block_q8_0 *a0 = va[0], *a1 = va[1], *a2 = va[2], *a3 = va[3];
    const float *d0 = act_scales(va[0], n), *d1 = act_scales(va[1], n);
    const float *d2 = act_scales(va[2], n), *d3 = act_scales(va[3], n);
    const __m256i ones = _mm256_set1_epi16(1);
    __m256 acc0 = _mm256_setzero_ps(), acc1 = acc0, acc2 = acc0, acc3 = acc0;
    for (int64_t b = 0; b < nb; b++, g += 272) {
        const int8_t *y0 = a0[b].qs, *y1 = a1[b].qs, *y2 = a2[b].qs, *y3 = a3[b].qs;
        __m256i s0 = _mm256_setzero_si256(), s1 = s0, s2 = s0, s3 = s0;
#pragma GCC unroll 8
        for (int c = 0; c < 8; c++) {
            __m256i v = _mm256_loadu_si256((const __m256i *)(g + 16 + 32 * c));
            __m256i av = _mm256_sign_epi8(v, v);
#define TOK(s, y) s = _mm256_add_epi32(s, _mm256_madd_epi16(_mm256_maddubs_epi16(av, _mm256_sign_epi8(bcast4(y + 4 * c), v)), ones))
            TOK(s0, y0);
            TOK(s1, y1);
            TOK(s2, y2);
            TOK(s3, y3);
#undef TOK
        }
        __m256 dw = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)g));
        acc0 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(s0), _mm256_mul_ps(dw, _mm256_set1_ps(d0[b])), acc0);
        acc1 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(s1), _mm256_mul_ps(dw, _mm256_set1_ps(d1[b])), acc1);
        acc2 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(s2), _mm256_mul_ps(dw, _mm256_set1_ps(d2[b])), acc2);
        acc3 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(s3), _mm256_mul_ps(dw, _mm256_set1_ps(d3[b])), acc3);
    }
    _mm256_storeu_ps(out[0], acc0);
    _mm256_storeu_ps(out[1], acc1);
    _mm256_storeu_ps(out[2], acc2);
    _mm256_storeu_ps(out[3], acc3);
}

/* Q4_K against Q8_K: per 32-value sub-block, the 8 rows' integer sums
 * come out in lanes (16-bit pairs, row r in lanes 2r and 2r+1) and
 * _mm256_madd_epi16 scales them by each row's 6-bit scale while widening;
 * the mins multiply the activation's 32-value sums, two sub-blocks per
 * _mm256_madd_epi16. All integer: any order gives the same sums. */

/* Row r's scale of sub-block j in both 16-bit halves of lane r. */
static inline __m256i scale_pairs(const uint8_t *sc, int j)
{
    __m256i v = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(sc + 8 * j)));
    return _mm256_or_si256(v, _mm256_slli_epi32(v, 16));
}

/* Row r's mins of sub-blocks 2jp and 2jp+1 as the 16-bit pair of lane r. */
static inline __m256i min_pairs(const uint8_t *mn, int jp)
{
    __m128i a = _mm_loadl_epi64((const __m128i *)(mn + 16 * jp));
    __m128i b = _mm_loadl_epi64((const __m128i *)(mn + 16 * jp + 8));
    return _mm256_cvtepu8_epi16(_mm_unpacklo_epi8(a, b));
}

/* The activation's sums of sub-blocks 2jp and 2jp+1 as a 16-bit pair in
 * every lane (each at most 32 * 128: 16 bits hold it). */
static inline __m256i bsum_pairs(const block_q8_K *a, int jp)
{
    int lo = a->bsums[4 * jp] + a->bsums[4 * jp + 1], hi = a->bsums[4 * jp + 2] + a->bsums[4 * jp + 3];
    return _mm256_set1_epi32((int32_t)((uint32_t)(uint16_t)lo | (uint32_t)(uint16_t)hi << 16));
}

static void gemv8_q4_K(int64_t n, const uint8_t *g, const void *va, float out[LLM_PACK_ROWS])
{
    const block_q8_K *a = va;
    const __m256i m4 = _mm256_set1_epi8(0x0F);
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
            isum = _mm256_add_epi32(isum, _mm256_madd_epi16(slo, scale_pairs(sc, 2 * p)));
            isum = _mm256_add_epi32(isum, _mm256_madd_epi16(shi, scale_pairs(sc, 2 * p + 1)));
            msum = _mm256_add_epi32(msum, _mm256_madd_epi16(min_pairs(mn, p), bsum_pairs(&a[b], p)));
        }
        __m256 da = _mm256_set1_ps(a[b].d);
        acc = _mm256_fmadd_ps(_mm256_mul_ps(dw, da), _mm256_cvtepi32_ps(isum), acc);
        accm = _mm256_fmadd_ps(_mm256_mul_ps(dmw, da), _mm256_cvtepi32_ps(msum), accm);
    }
    _mm256_storeu_ps(out, _mm256_sub_ps(acc, accm));
}

/* The same for 4 tokens: each chunk of weights decoded once; per token
 * the same integer sums and float updates as gemv8_q4_K (same bits). */
static void gemm8x4_q4_K(int64_t n, const uint8_t *g, const void *const va[4], float out[4][LLM_PACK_ROWS])
{
    const block_q8_K *a[4] = { va[0], va[1], va[2], va[3] };
    const __m256i m4 = _mm256_set1_epi8(0x0F);
    __m256 acc[4], accm[4];
    for (int t = 0; t < 4; t++) acc[t] = accm[t] = _mm256_setzero_ps();
    for (int64_t b = 0; b < n / QK_K; b++, g += 1184) {
        const uint8_t *sc = g + 32, *mn = g + 96, *q = g + 160;
        const int8_t *y0 = a[0][b].qs, *y1 = a[1][b].qs, *y2 = a[2][b].qs, *y3 = a[3][b].qs;
        __m256i isum[4];
        for (int t = 0; t < 4; t++) isum[t] = _mm256_setzero_si256();
        for (int p = 0; p < 4; p++) {
            __m256i l0 = _mm256_setzero_si256(), l1 = l0, l2 = l0, l3 = l0;
            __m256i h0 = l0, h1 = l0, h2 = l0, h3 = l0;
            for (int c = 0; c < 8; c++) {
                __m256i v = _mm256_loadu_si256((const __m256i *)(q + 32 * (8 * p + c)));
                __m256i lo = _mm256_and_si256(v, m4);
                __m256i hi = _mm256_and_si256(_mm256_srli_epi16(v, 4), m4);
                int o = 64 * p + 4 * c;
#define TOK(l, h, y) l = _mm256_add_epi16(l, _mm256_maddubs_epi16(lo, bcast4(y + o))); \
                     h = _mm256_add_epi16(h, _mm256_maddubs_epi16(hi, bcast4(y + o + 32)))
                TOK(l0, h0, y0);
                TOK(l1, h1, y1);
                TOK(l2, h2, y2);
                TOK(l3, h3, y3);
#undef TOK
            }
            __m256i sl = scale_pairs(sc, 2 * p), sh = scale_pairs(sc, 2 * p + 1);
            isum[0] = _mm256_add_epi32(isum[0], _mm256_madd_epi16(l0, sl));
            isum[0] = _mm256_add_epi32(isum[0], _mm256_madd_epi16(h0, sh));
            isum[1] = _mm256_add_epi32(isum[1], _mm256_madd_epi16(l1, sl));
            isum[1] = _mm256_add_epi32(isum[1], _mm256_madd_epi16(h1, sh));
            isum[2] = _mm256_add_epi32(isum[2], _mm256_madd_epi16(l2, sl));
            isum[2] = _mm256_add_epi32(isum[2], _mm256_madd_epi16(h2, sh));
            isum[3] = _mm256_add_epi32(isum[3], _mm256_madd_epi16(l3, sl));
            isum[3] = _mm256_add_epi32(isum[3], _mm256_madd_epi16(h3, sh));
        }
        __m256 dw = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)g));
        __m256 dmw = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(g + 16)));
        __m256i mp0 = min_pairs(mn, 0), mp1 = min_pairs(mn, 1), mp2 = min_pairs(mn, 2), mp3 = min_pairs(mn, 3);
        for (int t = 0; t < 4; t++) {
            const block_q8_K *at = &a[t][b];
            __m256i msum = _mm256_madd_epi16(mp0, bsum_pairs(at, 0));
            msum = _mm256_add_epi32(msum, _mm256_madd_epi16(mp1, bsum_pairs(at, 1)));
            msum = _mm256_add_epi32(msum, _mm256_madd_epi16(mp2, bsum_pairs(at, 2)));
            msum = _mm256_add_epi32(msum, _mm256_madd_epi16(mp3, bsum_pairs(at, 3)));
            __m256 da = _mm256_set1_ps(at->d);
            acc[t] = _mm256_fmadd_ps(_mm256_mul_ps(dw, da), _mm256_cvtepi32_ps(isum[t]), acc[t]);
            accm[t] = _mm256_fmadd_ps(_mm256_mul_ps(dmw, da), _mm256_cvtepi32_ps(msum), accm[t]);
        }
    }
    for (int t = 0; t < 4; t++) _mm256_storeu_ps(out[t], _mm256_sub_ps(acc[t], accm[t]));
}

/* Q6_K against Q8_K. Values (6 bits, 0..63, less 32) come from a ql
 * chunk's nibble and 2 bits of a qh chunk; per 16-value sub-block the 8
 * rows' integer sums are taken two chunks at a time (a pair of products
 * reaches 2*63*128: two pairs fit 16 bits) and widened by the rows' signed
 * scales; the -32 offset is 32 times the scales dotted with the
 * activation's 16-value sums. */

/* Row r's signed scale of sub-block j in both 16-bit halves of lane r. */
static inline __m256i scale_pairs_i8(const uint8_t *sc, int j)
{
    __m256i v = _mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)(sc + 8 * j)));
    return _mm256_or_si256(_mm256_and_si256(v, _mm256_set1_epi32(0xFFFF)), _mm256_slli_epi32(v, 16));
}

/* 32 * sum_j scale_j(r) * bsums_j, for the 8 rows of a packed Q6_K
 * super-block against one activation super-block. */
static inline __m256i q6_offset(const uint8_t *sc, const block_q8_K *a)
{
    __m256i m = _mm256_setzero_si256();
    for (int i = 0; i < 8; i++) {
        __m128i lo = _mm_loadl_epi64((const __m128i *)(sc + 16 * i));
        __m128i hi = _mm_loadl_epi64((const __m128i *)(sc + 16 * i + 8));
        __m256i sp = _mm256_cvtepi8_epi16(_mm_unpacklo_epi8(lo, hi));
        int32_t bs;
        memcpy(&bs, &a->bsums[2 * i], 4);
        m = _mm256_add_epi32(m, _mm256_madd_epi16(sp, _mm256_set1_epi32(bs)));
    }
    return _mm256_slli_epi32(m, 5);
}

/* The 6-bit values of chunk cq (0..7) of half k (q: the chunks, after
 * the scales): for group m (0..3), 4 values of each row, 128k + 32m +
 * 4cq.. in value order. */
static inline void q6_values4(const uint8_t *q, int k, int cq, __m256i v[4])
{
    const __m256i m4 = _mm256_set1_epi8(0x0F), m30 = _mm256_set1_epi8(0x30);
    const uint8_t *p = q + 96 * (8 * k + cq);
    __m256i la = _mm256_loadu_si256((const __m256i *)p);
    __m256i lb = _mm256_loadu_si256((const __m256i *)(p + 32));
    __m256i h = _mm256_loadu_si256((const __m256i *)(p + 64));
    v[0] = _mm256_or_si256(_mm256_and_si256(la, m4), _mm256_and_si256(_mm256_slli_epi16(h, 4), m30));
    v[1] = _mm256_or_si256(_mm256_and_si256(lb, m4), _mm256_and_si256(_mm256_slli_epi16(h, 2), m30));
    v[2] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(la, 4), m4), _mm256_and_si256(h, m30));
    v[3] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(lb, 4), m4),
                           _mm256_and_si256(_mm256_srli_epi16(h, 2), m30));
}

/* One group m of chunk cq (0..7) of half k, for the 4-token kernel. */
static inline __m256i q6_values(const uint8_t *q, int k, int m, int cq)
{
    const __m256i m4 = _mm256_set1_epi8(0x0F), m30 = _mm256_set1_epi8(0x30);
    const uint8_t *p = q + 96 * (8 * k + cq);
    __m256i l = _mm256_loadu_si256((const __m256i *)(p + 32 * (m & 1)));
    __m256i h = _mm256_loadu_si256((const __m256i *)(p + 64));
    __m256i lo = m < 2 ? _mm256_and_si256(l, m4) : _mm256_and_si256(_mm256_srli_epi16(l, 4), m4);
    __m256i hb = m == 0 ? _mm256_slli_epi16(h, 4) : m == 1 ? _mm256_slli_epi16(h, 2) : m == 2 ? h : _mm256_srli_epi16(h, 2);
    return _mm256_or_si256(lo, _mm256_and_si256(hb, m30));
}

static void gemv8_q6_K(int64_t n, const uint8_t *g, const void *va, float out[LLM_PACK_ROWS])
{
    const block_q8_K *a = va;
    __m256 acc = _mm256_setzero_ps();
    for (int64_t b = 0; b < n / QK_K; b++, g += 1680) {
        const uint8_t *sc = g + 16, *q = g + 144;
        const int8_t *y = a[b].qs;
        __m256i isum = _mm256_setzero_si256();
#pragma GCC unroll 2
        for (int k = 0; k < 2; k++)
#pragma GCC unroll 2
            for (int hf = 0; hf < 2; hf++) {
                /* chunks 4hf..4hf+3: sub-block 8k + 2m + hf of each group m */
                __m256i sp[4], s[4];
#pragma GCC unroll 4
                for (int m = 0; m < 4; m++) sp[m] = scale_pairs_i8(sc, 8 * k + 2 * m + hf);
#pragma GCC unroll 4
                for (int c = 0; c < 4; c++) {
                    int cq = 4 * hf + c;
                    __m256i v[4];
                    q6_values4(q, k, cq, v);
#pragma GCC unroll 4
                    for (int m = 0; m < 4; m++) {
                        __m256i p = _mm256_maddubs_epi16(v[m], bcast4(y + 128 * k + 32 * m + 4 * cq));
                        s[m] = c % 2 ? _mm256_add_epi16(s[m], p) : p;
                        if (c % 2) isum = _mm256_add_epi32(isum, _mm256_madd_epi16(s[m], sp[m]));
                    }
                }
            }
        isum = _mm256_sub_epi32(isum, q6_offset(sc, &a[b]));
        __m256 dw = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)g));
        acc = _mm256_fmadd_ps(_mm256_mul_ps(dw, _mm256_set1_ps(a[b].d)), _mm256_cvtepi32_ps(isum), acc);
    }
    _mm256_storeu_ps(out, acc);
}

/* The same for 4 tokens, each chunk's values decoded once (same bits). */
static void gemm8x4_q6_K(int64_t n, const uint8_t *g, const void *const va[4], float out[4][LLM_PACK_ROWS])
{
    const block_q8_K *a[4] = { va[0], va[1], va[2], va[3] };
    __m256 acc[4];
    for (int t = 0; t < 4; t++) acc[t] = _mm256_setzero_ps();
    for (int64_t b = 0; b < n / QK_K; b++, g += 1680) {
        const uint8_t *sc = g + 16, *q = g + 144;
        const int8_t *y0 = a[0][b].qs, *y1 = a[1][b].qs, *y2 = a[2][b].qs, *y3 = a[3][b].qs;
        __m256i i0 = _mm256_setzero_si256(), i1 = i0, i2 = i0, i3 = i0;
        for (int k = 0; k < 2; k++)
            for (int m = 0; m < 4; m++)
                for (int hf = 0; hf < 2; hf++) {
                    __m256i sp = scale_pairs_i8(sc, 8 * k + 2 * m + hf);
                    for (int c2 = 0; c2 < 4; c2 += 2) {
                        int cq = 4 * hf + c2, o = 128 * k + 32 * m + 4 * cq;
                        __m256i v0 = q6_values(q, k, m, cq), v1 = q6_values(q, k, m, cq + 1);
#define TOK(i, y) i = _mm256_add_epi32(i, _mm256_madd_epi16(_mm256_add_epi16(_mm256_maddubs_epi16(v0, bcast4(y + o)), \
                      _mm256_maddubs_epi16(v1, bcast4(y + o + 4))), sp))
                        TOK(i0, y0);
                        TOK(i1, y1);
                        TOK(i2, y2);
                        TOK(i3, y3);
#undef TOK
                    }
                }
        __m256 dw = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)g));
        __m256i is[4] = { i0, i1, i2, i3 };
        for (int t = 0; t < 4; t++) {
            __m256i isum = _mm256_sub_epi32(is[t], q6_offset(sc, &a[t][b]));
            acc[t] = _mm256_fmadd_ps(_mm256_mul_ps(dw, _mm256_set1_ps(a[t][b].d)), _mm256_cvtepi32_ps(isum), acc[t]);
        }
    }
    for (int t = 0; t < 4; t++) _mm256_storeu_ps(out[t], acc[t]);
}

llm_gemm8x4_fn llm_gemm8x4_fn_avx2(uint32_t wtype)
{
    return wtype == LLM_Q4_0 ? gemm8x4_q4_0 : wtype == LLM_Q8_0 ? gemm8x4_q8_0 : wtype == LLM_Q4_K ? gemm8x4_q4_K : wtype == LLM_Q6_K ? gemm8x4_q6_K : NULL;
}

llm_gemv8_fn llm_gemv8_fn_avx2(uint32_t wtype)
{
    return wtype == LLM_Q4_0 ? gemv8_q4_0 : wtype == LLM_Q8_0 ? gemv8_q8_0 : wtype == LLM_Q4_K ? gemv8_q4_K : wtype == LLM_Q6_K ? gemv8_q6_K : NULL;
}
