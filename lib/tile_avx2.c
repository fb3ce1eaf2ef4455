/* tile_avx2.c: AVX2 tile kernels (see tile.h): one weight row against 8
 * tokens, the 8 results in the 8 lanes of one register.
 *
 * Each kernel decodes a block of weights into bytes in value order, then
 * for each group of 4 values broadcasts the group to all lanes
 * (_mm256_permutevar8x32_epi32) and multiplies it with the 8 tokens' 4
 * values at once (_mm256_maddubs_epi16: unsigned weights by signed
 * activations). Unsigned weights with an offset (Q4_0's 8, Q6_K's 32) are
 * corrected with the activations' sums, as in the per-token kernels. */
#include <immintrin.h>
#include <string.h>

#include "quant.h"
#include "tile.h"

#define Q80_TILE_BLOCK (256 + 2 * LLM_TILE * sizeof(float))
#define Q8K_TILE_BLOCK (2048 + LLM_TILE * sizeof(float) + 16 * LLM_TILE * sizeof(float))

static inline float f16(uint16_t h) { return _cvtsh_ss(h); }

/* The 4-byte groups of a 32-byte vector in every 32-bit lane: groups
 * 0..3 come from the low half (l = low half in both lanes), 4..7 from the
 * high half; an in-lane shuffle then picks the group. */
#define HALVES(v, l, h) __m256i l = _mm256_permute2x128_si256(v, v, 0x00), \
                                h = _mm256_permute2x128_si256(v, v, 0x11)
#define G0(x) _mm256_shuffle_epi32(x, 0x00)
#define G1(x) _mm256_shuffle_epi32(x, 0x55)
#define G2(x) _mm256_shuffle_epi32(x, 0xAA)
#define G3(x) _mm256_shuffle_epi32(x, 0xFF)
#define MUL(wg, p) _mm256_maddubs_epi16(wg, _mm256_loadu_si256((const __m256i *)(p)))

/* Sum over the 4 groups of a 16-byte half (in both lanes as l) times the
 * tile quants at a (4 x 32 bytes), in 16-bit lanes. */
static inline __m256i half4(__m256i l, const uint8_t *a)
{
    __m256i s = _mm256_add_epi16(MUL(G0(l), a), MUL(G1(l), a + 32));
    return _mm256_add_epi16(s, _mm256_add_epi16(MUL(G2(l), a + 64), MUL(G3(l), a + 96)));
}

/* The same over all 8 groups of 32 unsigned weight bytes v: each product
 * pair is at most 2*15*128, so 8 of them fit 16 bits only for 4-bit
 * weights (the callers). */
static inline __m256i groups8_u4(__m256i v, const uint8_t *a)
{
    HALVES(v, l, h);
    return _mm256_add_epi16(half4(l, a), half4(h, a + 128));
}

static void tile_q4_0(int64_t n, const void *vw, const void *va, float out[LLM_TILE])
{
    const block_q4_0 *w = vw;
    const uint8_t *a = va;
    const __m256i ones = _mm256_set1_epi16(1), m4 = _mm256_set1_epi8(0x0F);
    __m256 acc = _mm256_setzero_ps();
    for (int64_t b = 0; b < n / QK4_0; b++, a += Q80_TILE_BLOCK) {
        /* values 0..15 are the low nibbles, 16..31 the high ones */
        __m128i raw = _mm_loadu_si128((const __m128i *)w[b].qs);
        __m256i l = _mm256_and_si256(_mm256_broadcastsi128_si256(raw), m4);
        __m256i h = _mm256_and_si256(_mm256_broadcastsi128_si256(_mm_srli_epi16(raw, 4)), m4);
        __m256i s = _mm256_madd_epi16(_mm256_add_epi16(half4(l, a), half4(h, a + 128)), ones);
        const float *d = (const float *)(a + 256);
        float dw = f16(w[b].d);
        /* dw * d * (sum(q*a) - 8 * sum(a)) */
        __m256 dd = _mm256_mul_ps(_mm256_set1_ps(dw), _mm256_loadu_ps(d));
        acc = _mm256_fmadd_ps(dd, _mm256_cvtepi32_ps(s), acc);
        acc = _mm256_fnmadd_ps(_mm256_set1_ps(8.0f * dw), _mm256_loadu_ps(d + LLM_TILE), acc);
    }
    _mm256_storeu_ps(out, acc);
}

static void tile_q8_0(int64_t n, const void *vw, const void *va, float out[LLM_TILE])
{
    const block_q8_0 *w = vw;
    const uint8_t *a = va;
    const __m256i ones = _mm256_set1_epi16(1);
    __m256 acc = _mm256_setzero_ps();
    for (int64_t b = 0; b < n / QK8_0; b++, a += Q80_TILE_BLOCK) {
        __m256i v = _mm256_loadu_si256((const __m256i *)w[b].qs);
        HALVES(v, l, h);
        /* signed x signed: |w| times a with w's sign; one pair of products
         * fills 16 bits, so each group is widened to 32 at once */
#define SG(wg, p) _mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_sign_epi8(wg, wg), \
                  _mm256_sign_epi8(_mm256_loadu_si256((const __m256i *)(p)), wg)), ones)
        __m256i s = _mm256_add_epi32(_mm256_add_epi32(SG(G0(l), a), SG(G1(l), a + 32)),
                                     _mm256_add_epi32(SG(G2(l), a + 64), SG(G3(l), a + 96)));
        s = _mm256_add_epi32(s, _mm256_add_epi32(_mm256_add_epi32(SG(G0(h), a + 128), SG(G1(h), a + 160)),
                                                 _mm256_add_epi32(SG(G2(h), a + 192), SG(G3(h), a + 224))));
#undef SG
        const float *d = (const float *)(a + 256);
        __m256 dd = _mm256_mul_ps(_mm256_set1_ps(f16(w[b].d)), _mm256_loadu_ps(d));
        acc = _mm256_fmadd_ps(dd, _mm256_cvtepi32_ps(s), acc);
    }
    _mm256_storeu_ps(out, acc);
}

static void tile_q4_K(int64_t n, const void *vw, const void *va, float out[LLM_TILE])
{
    const block_q4_K *w = vw;
    const uint8_t *a = va;
    const __m256i m4 = _mm256_set1_epi8(0x0F);
    __m256 acc = _mm256_setzero_ps();
    for (int64_t b = 0; b < n / QK_K; b++, a += Q8K_TILE_BLOCK) {
        uint8_t sc[8], mn[8];
        for (int j = 0; j < 8; j++) llm_k4_scale_min(j, w[b].scales, &sc[j], &mn[j]);
        const float *d = (const float *)(a + 2048), *bs = d + LLM_TILE;
        __m256i s = _mm256_setzero_si256();
        __m256 mins = _mm256_setzero_ps();
        for (int j = 0; j < 4; j++) {
            __m256i bytes = _mm256_loadu_si256((const __m256i *)(w[b].qs + 32 * j));
            __m256i lo = _mm256_and_si256(bytes, m4);
            __m256i hi = _mm256_and_si256(_mm256_srli_epi16(bytes, 4), m4);
            /* sub-block 2j: values 64j..64j+31, 2j+1: the next 32 */
            s = _mm256_add_epi32(s, _mm256_madd_epi16(groups8_u4(lo, a + 512 * j), _mm256_set1_epi16(sc[2 * j])));
            s = _mm256_add_epi32(s, _mm256_madd_epi16(groups8_u4(hi, a + 512 * j + 256), _mm256_set1_epi16(sc[2 * j + 1])));
            for (int h = 0; h < 2; h++) {
                int sb = 2 * j + h;   /* its two 16-value sums */
                __m256 sum32 = _mm256_add_ps(_mm256_loadu_ps(bs + (2 * sb) * LLM_TILE),
                                             _mm256_loadu_ps(bs + (2 * sb + 1) * LLM_TILE));
                mins = _mm256_fmadd_ps(_mm256_set1_ps((float)mn[sb]), sum32, mins);
            }
        }
        __m256 da = _mm256_loadu_ps(d);
        acc = _mm256_fmadd_ps(_mm256_mul_ps(_mm256_set1_ps(f16(w[b].d)), da), _mm256_cvtepi32_ps(s), acc);
        acc = _mm256_fnmadd_ps(_mm256_mul_ps(_mm256_set1_ps(f16(w[b].dmin)), da), mins, acc);
    }
    _mm256_storeu_ps(out, acc);
}

static void tile_q6_K(int64_t n, const void *vw, const void *va, float out[LLM_TILE])
{
    const block_q6_K *w = vw;
    const uint8_t *a = va;
    const __m256i m4 = _mm256_set1_epi8(0x0F), m2 = _mm256_set1_epi8(3);
    __m256 acc = _mm256_setzero_ps();
    for (int64_t b = 0; b < n / QK_K; b++, a += Q8K_TILE_BLOCK) {
        const int8_t *sc = w[b].scales;
        const float *d = (const float *)(a + 2048), *bs = d + LLM_TILE;
        __m256i s = _mm256_setzero_si256();
        __m256 corr = _mm256_setzero_ps();
        for (int k = 0; k < 2; k++) {
            const uint8_t *ql = w[b].ql + 64 * k, *qhp = w[b].qh + 32 * k;
            __m256i l0 = _mm256_loadu_si256((const __m256i *)ql);
            __m256i l1 = _mm256_loadu_si256((const __m256i *)(ql + 32));
            __m256i qh = _mm256_loadu_si256((const __m256i *)qhp);
            __m256i q[4];
            q[0] = _mm256_or_si256(_mm256_and_si256(l0, m4), _mm256_slli_epi16(_mm256_and_si256(qh, m2), 4));
            q[1] = _mm256_or_si256(_mm256_and_si256(l1, m4),
                                   _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 2), m2), 4));
            q[2] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l0, 4), m4),
                                   _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 4), m2), 4));
            q[3] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l1, 4), m4),
                                   _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 6), m2), 4));
            for (int c = 0; c < 4; c++) {
                /* 32 values 128k + 32c: two 16-value sub-blocks (the two
                 * halves) of 4 groups; pairs of products are at most
                 * 2*63*128, two of them fit in 16 bits */
                const uint8_t *ac = a + 1024 * k + 256 * c;
                HALVES(q[c], l, h);
                int sb = 8 * k + 2 * c;
                __m256i s0 = _mm256_set1_epi16(sc[sb]), s1 = _mm256_set1_epi16(sc[sb + 1]);
                s = _mm256_add_epi32(s, _mm256_madd_epi16(_mm256_add_epi16(MUL(G0(l), ac), MUL(G1(l), ac + 32)), s0));
                s = _mm256_add_epi32(s, _mm256_madd_epi16(_mm256_add_epi16(MUL(G2(l), ac + 64), MUL(G3(l), ac + 96)), s0));
                s = _mm256_add_epi32(s, _mm256_madd_epi16(_mm256_add_epi16(MUL(G0(h), ac + 128), MUL(G1(h), ac + 160)), s1));
                s = _mm256_add_epi32(s, _mm256_madd_epi16(_mm256_add_epi16(MUL(G2(h), ac + 192), MUL(G3(h), ac + 224)), s1));
                /* values are q - 32: subtract 32 * scale * sum(a) */
                corr = _mm256_fmadd_ps(_mm256_set1_ps((float)sc[sb]), _mm256_loadu_ps(bs + sb * LLM_TILE), corr);
                corr = _mm256_fmadd_ps(_mm256_set1_ps((float)sc[sb + 1]), _mm256_loadu_ps(bs + (sb + 1) * LLM_TILE), corr);
            }
        }
        __m256 dd = _mm256_mul_ps(_mm256_set1_ps(f16(w[b].d)), _mm256_loadu_ps(d));
        __m256 isum = _mm256_fnmadd_ps(_mm256_set1_ps(32.0f), corr, _mm256_cvtepi32_ps(s));
        acc = _mm256_fmadd_ps(dd, isum, acc);
    }
    _mm256_storeu_ps(out, acc);
}

llm_tile_fn llm_tile_fn_avx2(uint32_t wtype)
{
    switch (wtype) {
    case LLM_Q4_0: return tile_q4_0;
    case LLM_Q8_0: return tile_q8_0;
    case LLM_Q4_K: return tile_q4_K;
    case LLM_Q6_K: return tile_q6_K;
    default: return NULL;
    }
}
