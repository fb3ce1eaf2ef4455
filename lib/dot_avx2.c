/* dot_avx2.c: AVX2/FMA/F16C versions of the dot products in dot.c.
 *
 * Compiled with -mavx2 -mfma -mf16c (see the Makefile) and used only when
 * the CPU reports those features (dot.c asks at run time), so one binary
 * runs on any x86-64. Each kernel computes the same integer block sums as
 * its portable twin in dot.c; only the order of the float additions
 * differs, and tests/unit/test_dot.c holds them together.
 *
 * The integer core: _mm256_maddubs_epi16 multiplies unsigned by signed
 * bytes and adds neighbours into 16-bit lanes; _mm256_madd_epi16 then
 * widens (times a scale, or 1) into 32-bit lanes. Signed-by-signed
 * products take the sign of one side onto the other first. */
#include <immintrin.h>
#include <string.h>

#include "dot.h"
#include "quant.h"

static inline float f16(uint16_t h) { return _cvtsh_ss(h); }

/* Sum of the 8 floats of v. */
static inline float hsum(__m256 v)
{
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

/* 8 int32 sums of products of signed bytes x and y (4 products each). */
static inline __m256i dot_i8(__m256i x, __m256i y)
{
    __m256i ax = _mm256_sign_epi8(x, x);       /* |x|, unsigned */
    __m256i sy = _mm256_sign_epi8(y, x);       /* y with x's sign */
    return _mm256_madd_epi16(_mm256_maddubs_epi16(ax, sy), _mm256_set1_epi16(1));
}

/* 8 int32 sums of products of unsigned bytes u and signed bytes y. */
static inline __m256i dot_u8(__m256i u, __m256i y)
{
    return _mm256_madd_epi16(_mm256_maddubs_epi16(u, y), _mm256_set1_epi16(1));
}

/* 32 nibbles of 16 bytes: low nibbles in bytes 0..15, high in 16..31
 * (the order of ggml's legacy 4-bit blocks). */
static inline __m256i nibbles(const uint8_t *p)
{
    __m128i b = _mm_loadu_si128((const __m128i *)p);
    __m256i v = _mm256_set_m128i(_mm_srli_epi16(b, 4), b);
    return _mm256_and_si256(v, _mm256_set1_epi8(0x0F));
}

/* Byte j = 0x10 if bit j of the 32-bit qh is set, else 0. */
static inline __m256i fifth_bits(const uint8_t *qhp)
{
    uint32_t qh;
    memcpy(&qh, qhp, 4);
    const __m256i pick = _mm256_setr_epi8(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1,
                                          2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3);
    const __m256i bit = _mm256_set1_epi64x(0x8040201008040201LL);
    __m256i v = _mm256_shuffle_epi8(_mm256_set1_epi32((int)qh), pick);
    v = _mm256_cmpeq_epi8(_mm256_and_si256(v, bit), bit);
    return _mm256_and_si256(v, _mm256_set1_epi8(0x10));
}

/* ---- float types ---------------------------------------------------------- */

static float dot_f32(int64_t n, const void *vw, const void *va)
{
    const float *w = vw, *a = va;
    __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
    int64_t i = 0;
    for (; i + 32 <= n; i += 32) {
        s0 = _mm256_fmadd_ps(_mm256_loadu_ps(w + i), _mm256_loadu_ps(a + i), s0);
        s1 = _mm256_fmadd_ps(_mm256_loadu_ps(w + i + 8), _mm256_loadu_ps(a + i + 8), s1);
        s2 = _mm256_fmadd_ps(_mm256_loadu_ps(w + i + 16), _mm256_loadu_ps(a + i + 16), s2);
        s3 = _mm256_fmadd_ps(_mm256_loadu_ps(w + i + 24), _mm256_loadu_ps(a + i + 24), s3);
    }
    for (; i + 8 <= n; i += 8)
        s0 = _mm256_fmadd_ps(_mm256_loadu_ps(w + i), _mm256_loadu_ps(a + i), s0);
    float s = hsum(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
    for (; i < n; i++) s += w[i] * a[i];
    return s;
}

#define LOADH(p) _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(p)))

static float dot_f16(int64_t n, const void *vw, const void *va)
{
    const uint16_t *w = vw, *a = va;
    __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
    int64_t i = 0;
    for (; i + 32 <= n; i += 32) {
        s0 = _mm256_fmadd_ps(LOADH(w + i), LOADH(a + i), s0);
        s1 = _mm256_fmadd_ps(LOADH(w + i + 8), LOADH(a + i + 8), s1);
        s2 = _mm256_fmadd_ps(LOADH(w + i + 16), LOADH(a + i + 16), s2);
        s3 = _mm256_fmadd_ps(LOADH(w + i + 24), LOADH(a + i + 24), s3);
    }
    for (; i + 8 <= n; i += 8)
        s0 = _mm256_fmadd_ps(LOADH(w + i), LOADH(a + i), s0);
    float s = hsum(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
    for (; i < n; i++) s += f16(w[i]) * f16(a[i]);
    return s;
}

/* bf16 is the top half of an f32: widen and shift. */
#define LOADBF(p) _mm256_castsi256_ps(_mm256_slli_epi32( \
        _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)(p))), 16))

static float dot_bf16(int64_t n, const void *vw, const void *va)
{
    const uint16_t *w = vw, *a = va;
    __m256 s0 = _mm256_setzero_ps(), s1 = s0;
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        s0 = _mm256_fmadd_ps(LOADBF(w + i), LOADBF(a + i), s0);
        s1 = _mm256_fmadd_ps(LOADBF(w + i + 8), LOADBF(a + i + 8), s1);
    }
    for (; i + 8 <= n; i += 8)
        s0 = _mm256_fmadd_ps(LOADBF(w + i), LOADBF(a + i), s0);
    float s = hsum(_mm256_add_ps(s0, s1));
    for (; i < n; i++) {
        uint32_t x = (uint32_t)w[i] << 16, y = (uint32_t)a[i] << 16;
        float fx, fy;
        memcpy(&fx, &x, 4);
        memcpy(&fy, &y, 4);
        s += fx * fy;
    }
    return s;
}

/* ---- legacy quants against Q8_0 / Q8_1 -------------------------------------- */

/* The float extras after a Q8_0 activation row (dot.h): scales d[] and
 * d times the block sums, ds[]. */
static inline const float *q8_0_extras(const void *a, int64_t n)
{
    return (const float *)((const uint8_t *)a + llm_dot_q8_0_extras(n));
}

static float dot_q8_0(int64_t n, const void *vw, const void *va)
{
    const block_q8_0 *w = vw;
    const block_q8_0 *a = va;
    const float *da = q8_0_extras(va, n);
    __m256 acc0 = _mm256_setzero_ps(), acc1 = acc0;
    int64_t nb = n / QK8_0, b = 0;
    for (; b + 2 <= nb; b += 2) {
        __m256i x0 = _mm256_loadu_si256((const __m256i *)w[b].qs);
        __m256i x1 = _mm256_loadu_si256((const __m256i *)w[b + 1].qs);
        __m256i y0 = _mm256_loadu_si256((const __m256i *)a[b].qs);
        __m256i y1 = _mm256_loadu_si256((const __m256i *)a[b + 1].qs);
        acc0 = _mm256_fmadd_ps(_mm256_set1_ps(f16(w[b].d) * da[b]), _mm256_cvtepi32_ps(dot_i8(x0, y0)), acc0);
        acc1 = _mm256_fmadd_ps(_mm256_set1_ps(f16(w[b + 1].d) * da[b + 1]), _mm256_cvtepi32_ps(dot_i8(x1, y1)), acc1);
    }
    for (; b < nb; b++) {
        __m256i x = _mm256_loadu_si256((const __m256i *)w[b].qs);
        __m256i y = _mm256_loadu_si256((const __m256i *)a[b].qs);
        acc0 = _mm256_fmadd_ps(_mm256_set1_ps(f16(w[b].d) * da[b]), _mm256_cvtepi32_ps(dot_i8(x, y)), acc0);
    }
    return hsum(_mm256_add_ps(acc0, acc1));
}

/* Q4_0: unsigned nibbles times the activations, then the offset 8 taken
 * off with the block sums: d_w * (d_a * sum(q * y) - 8 * d_a * sum(y)). */
static float dot_q4_0(int64_t n, const void *vw, const void *va)
{
    const block_q4_0 *w = vw;
    const block_q8_0 *a = va;
    int64_t nb = n / QK4_0, b = 0;
    const float *da = q8_0_extras(va, n), *ds = da + nb;
    const __m256i ones = _mm256_set1_epi16(1);
    __m256 acc0 = _mm256_setzero_ps(), acc1 = acc0;
    float corr = 0;
    for (; b + 2 <= nb; b += 2) {
        __m256i p0 = _mm256_maddubs_epi16(nibbles(w[b].qs), _mm256_loadu_si256((const __m256i *)a[b].qs));
        __m256i p1 = _mm256_maddubs_epi16(nibbles(w[b + 1].qs), _mm256_loadu_si256((const __m256i *)a[b + 1].qs));
        float d0 = f16(w[b].d), d1 = f16(w[b + 1].d);
        acc0 = _mm256_fmadd_ps(_mm256_set1_ps(d0 * da[b]), _mm256_cvtepi32_ps(_mm256_madd_epi16(p0, ones)), acc0);
        acc1 = _mm256_fmadd_ps(_mm256_set1_ps(d1 * da[b + 1]), _mm256_cvtepi32_ps(_mm256_madd_epi16(p1, ones)), acc1);
        corr += d0 * ds[b] + d1 * ds[b + 1];
    }
    for (; b < nb; b++) {
        __m256i p = _mm256_maddubs_epi16(nibbles(w[b].qs), _mm256_loadu_si256((const __m256i *)a[b].qs));
        float d0 = f16(w[b].d);
        acc0 = _mm256_fmadd_ps(_mm256_set1_ps(d0 * da[b]), _mm256_cvtepi32_ps(_mm256_madd_epi16(p, ones)), acc0);
        corr += d0 * ds[b];
    }
    return hsum(_mm256_add_ps(acc0, acc1)) - 8.0f * corr;
}

static float dot_q4_1(int64_t n, const void *vw, const void *va)
{
    const block_q4_1 *w = vw;
    const block_q8_1 *a = va;
    __m256 acc = _mm256_setzero_ps();
    float mins = 0;
    for (int64_t b = 0; b < n / QK4_1; b++) {
        __m256i y = _mm256_loadu_si256((const __m256i *)a[b].qs);
        __m256 d = _mm256_set1_ps(f16(w[b].d) * f16(a[b].d));
        acc = _mm256_fmadd_ps(d, _mm256_cvtepi32_ps(dot_u8(nibbles(w[b].qs), y)), acc);
        mins += f16(w[b].m) * f16(a[b].s);
    }
    return hsum(acc) + mins;
}

static float dot_q5_0(int64_t n, const void *vw, const void *va)
{
    const block_q5_0 *w = vw;
    const block_q8_0 *a = va;
    const float *da = q8_0_extras(va, n);
    const __m256i off = _mm256_set1_epi8(16);
    __m256 acc = _mm256_setzero_ps();
    for (int64_t b = 0; b < n / QK5_0; b++) {
        __m256i x = _mm256_or_si256(nibbles(w[b].qs), fifth_bits(w[b].qh));
        x = _mm256_sub_epi8(x, off);
        __m256i y = _mm256_loadu_si256((const __m256i *)a[b].qs);
        __m256 d = _mm256_set1_ps(f16(w[b].d) * da[b]);
        acc = _mm256_fmadd_ps(d, _mm256_cvtepi32_ps(dot_i8(x, y)), acc);
    }
    return hsum(acc);
}

static float dot_q5_1(int64_t n, const void *vw, const void *va)
{
    const block_q5_1 *w = vw;
    const block_q8_1 *a = va;
    __m256 acc = _mm256_setzero_ps();
    float mins = 0;
    for (int64_t b = 0; b < n / QK5_1; b++) {
        __m256i x = _mm256_or_si256(nibbles(w[b].qs), fifth_bits(w[b].qh));
        __m256i y = _mm256_loadu_si256((const __m256i *)a[b].qs);
        __m256 d = _mm256_set1_ps(f16(w[b].d) * f16(a[b].d));
        acc = _mm256_fmadd_ps(d, _mm256_cvtepi32_ps(dot_u8(x, y)), acc);
        mins += f16(w[b].m) * f16(a[b].s);
    }
    return hsum(acc) + mins;
}

/* ---- K quants against Q8_K ---------------------------------------------------- */

/* The 8 six-bit scales and 8 mins of a Q4_K/Q5_K super-block (12 packed
 * bytes) with word operations: bytes 0..3 hold scales 0..3 (low 6 bits),
 * bytes 4..7 mins 0..3, bytes 8..11 the low 4 bits of scales 4..7 (low
 * nibble) and mins 4..7 (high nibble), whose top 2 bits are the spare top
 * bits of bytes 0..3 (scales) and 4..7 (mins). */
static inline void k4_scales(const uint8_t *q, uint8_t sc[8], uint8_t mn[8])
{
    uint32_t w[3], s[2], m[2];
    memcpy(w, q, 12);
    s[0] = w[0] & 0x3f3f3f3fu;
    m[0] = w[1] & 0x3f3f3f3fu;
    s[1] = (w[2] & 0x0f0f0f0fu) | ((w[0] >> 6) & 0x03030303u) << 4;
    m[1] = ((w[2] >> 4) & 0x0f0f0f0fu) | ((w[1] >> 6) & 0x03030303u) << 4;
    memcpy(sc, s, 8);
    memcpy(mn, m, 8);
}

/* 8 int32 lanes: mins[j] * (bsums[2j] + bsums[2j+1]) for j = 0..7. */
static inline __m256i k4_min_sums(const uint8_t mn[8], const int16_t *bsums)
{
    __m128i m8 = _mm_loadl_epi64((const __m128i *)mn);
    __m256i m16 = _mm256_cvtepu8_epi16(_mm_unpacklo_epi8(m8, m8));   /* each min twice */
    return _mm256_madd_epi16(m16, _mm256_loadu_si256((const __m256i *)bsums));
}

/* Two 16-value sub-blocks' scales as one vector of 16 int16: lanes 0..7
 * (the first 16 values' pair sums) take s0, lanes 8..15 take s1. */
static inline __m256i scale_pair(int s0, int s1)
{
    return _mm256_set_m128i(_mm_set1_epi16((short)s1), _mm_set1_epi16((short)s0));
}

static float dot_q4_K(int64_t n, const void *vw, const void *va)
{
    const block_q4_K *w = vw;
    const block_q8_K *a = va;
    const __m256i m4 = _mm256_set1_epi8(0x0F);
    __m256 acc = _mm256_setzero_ps(), accm = _mm256_setzero_ps();
    for (int64_t b = 0; b < n / QK_K; b++) {
        uint8_t sc[8], mn[8];
        k4_scales(w[b].scales, sc, mn);
        __m256i sum = _mm256_setzero_si256();
        const uint8_t *q = w[b].qs;
        const int8_t *y = a[b].qs;
        for (int j = 0; j < 4; j++, q += 32, y += 64) {
            __m256i bytes = _mm256_loadu_si256((const __m256i *)q);
            __m256i lo = _mm256_and_si256(bytes, m4);
            __m256i hi = _mm256_and_si256(_mm256_srli_epi16(bytes, 4), m4);
            __m256i plo = _mm256_maddubs_epi16(lo, _mm256_loadu_si256((const __m256i *)y));
            __m256i phi = _mm256_maddubs_epi16(hi, _mm256_loadu_si256((const __m256i *)(y + 32)));
            sum = _mm256_add_epi32(sum, _mm256_madd_epi16(plo, _mm256_set1_epi16(sc[2 * j])));
            sum = _mm256_add_epi32(sum, _mm256_madd_epi16(phi, _mm256_set1_epi16(sc[2 * j + 1])));
        }
        float d = a[b].d * f16(w[b].d), dmin = a[b].d * f16(w[b].dmin);
        acc = _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(sum), acc);
        accm = _mm256_fmadd_ps(_mm256_set1_ps(dmin), _mm256_cvtepi32_ps(k4_min_sums(mn, a[b].bsums)), accm);
    }
    return hsum(acc) - hsum(accm);
}

static float dot_q5_K(int64_t n, const void *vw, const void *va)
{
    const block_q5_K *w = vw;
    const block_q8_K *a = va;
    const __m256i m4 = _mm256_set1_epi8(0x0F), one = _mm256_set1_epi8(1);
    __m256 acc = _mm256_setzero_ps(), accm = _mm256_setzero_ps();
    for (int64_t b = 0; b < n / QK_K; b++) {
        uint8_t sc[8], mn[8];
        k4_scales(w[b].scales, sc, mn);
        __m256i sum = _mm256_setzero_si256();
        __m256i qh = _mm256_loadu_si256((const __m256i *)w[b].qh);
        const uint8_t *q = w[b].qs;
        const int8_t *y = a[b].qs;
        for (int j = 0; j < 4; j++, q += 32, y += 64) {
            __m256i bytes = _mm256_loadu_si256((const __m256i *)q);
            /* bit 2j of qh[l] is the fifth bit of value 64j + l, bit 2j+1 of 64j + 32 + l */
            __m256i hlo = _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 2 * j), one), 4);
            __m256i hhi = _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 2 * j + 1), one), 4);
            __m256i lo = _mm256_or_si256(_mm256_and_si256(bytes, m4), hlo);
            __m256i hi = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(bytes, 4), m4), hhi);
            __m256i plo = _mm256_maddubs_epi16(lo, _mm256_loadu_si256((const __m256i *)y));
            __m256i phi = _mm256_maddubs_epi16(hi, _mm256_loadu_si256((const __m256i *)(y + 32)));
            sum = _mm256_add_epi32(sum, _mm256_madd_epi16(plo, _mm256_set1_epi16(sc[2 * j])));
            sum = _mm256_add_epi32(sum, _mm256_madd_epi16(phi, _mm256_set1_epi16(sc[2 * j + 1])));
        }
        float d = a[b].d * f16(w[b].d), dmin = a[b].d * f16(w[b].dmin);
        acc = _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(sum), acc);
        accm = _mm256_fmadd_ps(_mm256_set1_ps(dmin), _mm256_cvtepi32_ps(k4_min_sums(mn, a[b].bsums)), accm);
    }
    return hsum(acc) - hsum(accm);
}

static float dot_q6_K(int64_t n, const void *vw, const void *va)
{
    const block_q6_K *w = vw;
    const block_q8_K *a = va;
    const __m256i m4 = _mm256_set1_epi8(0x0F), m2 = _mm256_set1_epi8(3);
    const __m256i k32 = _mm256_set1_epi8(32);
    __m256 acc = _mm256_setzero_ps();
    for (int64_t b = 0; b < n / QK_K; b++) {
        const int8_t *sc = w[b].scales;
        __m256i sum = _mm256_setzero_si256();
        for (int k = 0; k < 2; k++) {
            const uint8_t *ql = w[b].ql + 64 * k, *qhp = w[b].qh + 32 * k;
            const int8_t *y = a[b].qs + 128 * k;
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
                /* values are q - 32: subtract 32 * sum(y) per pair */
                __m256i yy = _mm256_loadu_si256((const __m256i *)(y + 32 * c));
                __m256i p = _mm256_sub_epi16(_mm256_maddubs_epi16(q[c], yy), _mm256_maddubs_epi16(k32, yy));
                int s = 8 * k + 2 * c;
                sum = _mm256_add_epi32(sum, _mm256_madd_epi16(p, scale_pair(sc[s], sc[s + 1])));
            }
        }
        float d = a[b].d * f16(w[b].d);
        acc = _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(sum), acc);
    }
    return hsum(acc);
}

static float dot_q3_K(int64_t n, const void *vw, const void *va)
{
    const block_q3_K *w = vw;
    const block_q8_K *a = va;
    const __m256i m2 = _mm256_set1_epi8(3), one = _mm256_set1_epi8(1), k4 = _mm256_set1_epi8(4);
    __m256 acc = _mm256_setzero_ps();
    for (int64_t b = 0; b < n / QK_K; b++) {
        /* 16 six-bit scales (+32): low nibbles of bytes 0..7 are scales
         * 0..7, their high nibbles 8..15; bytes 8..11 hold the top 2 bits,
         * scale j in byte 8 + j%4 at bit 2*(j/4) */
        uint32_t ws[3], u[4];
        memcpy(ws, w[b].scales, 12);
        u[0] = (ws[0] & 0x0f0f0f0fu) | (ws[2] & 0x03030303u) << 4;
        u[1] = (ws[1] & 0x0f0f0f0fu) | ((ws[2] >> 2) & 0x03030303u) << 4;
        u[2] = ((ws[0] >> 4) & 0x0f0f0f0fu) | ((ws[2] >> 4) & 0x03030303u) << 4;
        u[3] = ((ws[1] >> 4) & 0x0f0f0f0fu) | ((ws[2] >> 6) & 0x03030303u) << 4;
        int8_t sc[16];
        memcpy(sc, u, 16);
        for (int j = 0; j < 16; j++) sc[j] = (int8_t)(sc[j] - 32);
        __m256i hm = _mm256_loadu_si256((const __m256i *)w[b].hmask);
        __m256i sum = _mm256_setzero_si256();
        for (int k = 0; k < 2; k++) {
            __m256i qs = _mm256_loadu_si256((const __m256i *)(w[b].qs + 32 * k));
            for (int j = 0; j < 4; j++) {
                /* value = 2 bits + 4 * hmask bit - 4, as unsigned (0..7) minus 4 */
                __m256i q2 = _mm256_and_si256(_mm256_srli_epi16(qs, 2 * j), m2);
                __m256i h = _mm256_and_si256(_mm256_srli_epi16(hm, 4 * k + j), one);
                __m256i q = _mm256_or_si256(q2, _mm256_slli_epi16(h, 2));
                __m256i yy = _mm256_loadu_si256((const __m256i *)(a[b].qs + 128 * k + 32 * j));
                __m256i p = _mm256_sub_epi16(_mm256_maddubs_epi16(q, yy), _mm256_maddubs_epi16(k4, yy));
                int s = 8 * k + 2 * j;
                sum = _mm256_add_epi32(sum, _mm256_madd_epi16(p, scale_pair(sc[s], sc[s + 1])));
            }
        }
        float d = a[b].d * f16(w[b].d);
        acc = _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(sum), acc);
    }
    return hsum(acc);
}

static float dot_q2_K(int64_t n, const void *vw, const void *va)
{
    const block_q2_K *w = vw;
    const block_q8_K *a = va;
    const __m256i m2 = _mm256_set1_epi8(3);
    __m256 acc = _mm256_setzero_ps(), accm = _mm256_setzero_ps();
    for (int64_t b = 0; b < n / QK_K; b++) {
        /* mins are the high nibbles of the 16 scale bytes, one per bsum */
        __m128i sb = _mm_loadu_si128((const __m128i *)w[b].scales);
        __m256i mins16 = _mm256_cvtepu8_epi16(_mm_and_si128(_mm_srli_epi16(sb, 4), _mm_set1_epi8(0x0F)));
        __m256i msum = _mm256_madd_epi16(mins16, _mm256_loadu_si256((const __m256i *)a[b].bsums));
        __m256i sum = _mm256_setzero_si256();
        for (int k = 0; k < 2; k++) {
            __m256i qs = _mm256_loadu_si256((const __m256i *)(w[b].qs + 32 * k));
            for (int j = 0; j < 4; j++) {
                __m256i q = _mm256_and_si256(_mm256_srli_epi16(qs, 2 * j), m2);
                __m256i yy = _mm256_loadu_si256((const __m256i *)(a[b].qs + 128 * k + 32 * j));
                int s = 8 * k + 2 * j;
                __m256i scv = scale_pair(w[b].scales[s] & 0xF, w[b].scales[s + 1] & 0xF);
                sum = _mm256_add_epi32(sum, _mm256_madd_epi16(_mm256_maddubs_epi16(q, yy), scv));
            }
        }
        acc = _mm256_fmadd_ps(_mm256_set1_ps(a[b].d * f16(w[b].d)), _mm256_cvtepi32_ps(sum), acc);
        accm = _mm256_fmadd_ps(_mm256_set1_ps(a[b].d * f16(w[b].dmin)), _mm256_cvtepi32_ps(msum), accm);
    }
    return hsum(acc) - hsum(accm);
}

/* The AVX2 kernel for wtype, or NULL (the caller falls back to portable C). */
llm_dot_fn llm_dot_fn_avx2(uint32_t wtype)
{
    switch (wtype) {
    case LLM_F32: return dot_f32;
    case LLM_F16: return dot_f16;
    case LLM_BF16: return dot_bf16;
    case LLM_Q8_0: return dot_q8_0;
    case LLM_Q4_0: return dot_q4_0;
    case LLM_Q4_1: return dot_q4_1;
    case LLM_Q5_0: return dot_q5_0;
    case LLM_Q5_1: return dot_q5_1;
    case LLM_Q2_K: return dot_q2_K;
    case LLM_Q3_K: return dot_q3_K;
    case LLM_Q4_K: return dot_q4_K;
    case LLM_Q5_K: return dot_q5_K;
    case LLM_Q6_K: return dot_q6_K;
    default: return NULL;
    }
}
