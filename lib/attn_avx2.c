/* attn_avx2.c: the attention kernels of attn.c with F16C/AVX2/FMA, built
 * with -mavx2 -mfma -mf16c and used when the CPU has them (attn_pick).
 * The vec kernel rounds exactly as ggml's x86 flash attention: f16 q,
 * q.k in four 8-lane FMA sums, value accumulator f16 after every step
 * (FMA over blocks of 32 dims, a plain multiply-add for the rest). */
#include <immintrin.h>
#include <math.h>
#include <string.h>

#include "act.h"
#include "attn.h"

static inline __m256 load_h(const uint16_t *p)
{
    return _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)p));
}

static inline void store_h(uint16_t *p, __m256 v)
{
    _mm_storeu_si128((__m128i *)p, _mm256_cvtps_ph(v, 0));
}

static inline float h2f(uint16_t h) { return _cvtsh_ss(h); }
static inline uint16_t f2h(float f) { return (uint16_t)_cvtss_sh(f, 0); }

/* ggml_vec_dot_f16 on AVX2. */
static float dot_h(const uint16_t *a, const uint16_t *b, int n)
{
    int np = n & ~31;
    __m256 acc[4] = { _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps() };
    for (int i = 0; i < np; i += 32)
        for (int j = 0; j < 4; j++)
            acc[j] = _mm256_fmadd_ps(load_h(a + i + 8 * j), load_h(b + i + 8 * j), acc[j]);
    double s = 0;
    if (np) {
        acc[0] = _mm256_add_ps(acc[0], acc[2]);
        acc[1] = _mm256_add_ps(acc[1], acc[3]);
        acc[0] = _mm256_add_ps(acc[0], acc[1]);
        __m128 t0 = _mm_add_ps(_mm256_castps256_ps128(acc[0]), _mm256_extractf128_ps(acc[0], 1));
        __m128 t1 = _mm_hadd_ps(t0, t0);
        s = (double)_mm_cvtss_f32(_mm_hadd_ps(t1, t1));
    }
    for (int i = np; i < n; i++)
        s += (double)(h2f(a[i]) * h2f(b[i]));
    return (float)s;
}

void llm_attn_vec_avx2(const float *q, const uint16_t *k, const uint16_t *v, int32_t n_kv,
                       int kv_stride, int hd, float scale, float *out, void *scratch)
{
    uint16_t *qh = scratch, *acc = qh + hd;
    int n8 = hd & ~7, np = hd & ~31;
    for (int i = 0; i < n8; i += 8)
        store_h(qh + i, _mm256_loadu_ps(q + i));
    for (int i = n8; i < hd; i++)
        qh[i] = f2h(q[i]);
    memset(acc, 0, (size_t)hd * sizeof *acc);
    float M = -INFINITY, S = 0;
    for (int32_t ic = 0; ic < n_kv; ic++) {
        float s = dot_h(k + (size_t)ic * kv_stride, qh, hd) * scale;
        float ms = 1.0f, vs = 1.0f;
        if (s > M) {
            float Mold = M;
            M = s;
            ms = expf(Mold - M);
            __m256 m = _mm256_set1_ps(ms);
            for (int i = 0; i < np; i += 8)
                store_h(acc + i, _mm256_mul_ps(load_h(acc + i), m));
            for (int i = np; i < hd; i++)
                acc[i] = f2h(h2f(acc[i]) * ms);
        } else {
            vs = expf(s - M);
        }
        const uint16_t *vr = v + (size_t)ic * kv_stride;
        __m256 w = _mm256_set1_ps(vs);
        for (int i = 0; i < np; i += 8)
            store_h(acc + i, _mm256_fmadd_ps(load_h(vr + i), w, load_h(acc + i)));
        for (int i = np; i < hd; i++)
            acc[i] = f2h(h2f(acc[i]) + h2f(vr[i]) * vs);
        S = S * ms + vs;
    }
    float inv = S == 0.0f ? 0.0f : 1.0f / S;
    for (int i = 0; i < hd; i++)
        out[i] = h2f(acc[i]) * inv;
}

/* ggml's tiled kernel, one query row at a time (its results do not
 * depend on the other rows of a tile): keys in tiles of 64 positions; a
 * score is one FMA chain over the head dims, times scale; per tile the
 * running max, the rescale of the accumulator and sum, exp with ggml's
 * polynomial, the tile's sum in 8-lane partials added in double; values
 * accumulated in one FMA chain over the tile's positions per dim. */
#define KV_TILE 64

/* 8x8 transpose: r[i] holds row i; afterwards r[i] holds column i. */
static inline void transpose8(__m256 r[8])
{
    __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
    __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
    __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]), t5 = _mm256_unpackhi_ps(r[4], r[5]);
    __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]), t7 = _mm256_unpackhi_ps(r[6], r[7]);
    __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE);
    __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
    __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE);
    __m256 u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
    r[0] = _mm256_permute2f128_ps(u0, u4, 0x20);
    r[1] = _mm256_permute2f128_ps(u1, u5, 0x20);
    r[2] = _mm256_permute2f128_ps(u2, u6, 0x20);
    r[3] = _mm256_permute2f128_ps(u3, u7, 0x20);
    r[4] = _mm256_permute2f128_ps(u0, u4, 0x31);
    r[5] = _mm256_permute2f128_ps(u1, u5, 0x31);
    r[6] = _mm256_permute2f128_ps(u2, u6, 0x31);
    r[7] = _mm256_permute2f128_ps(u3, u7, 0x31);
}

/* The scores of 8 keys at once, one key a lane: each lane is the same
 * FMA chain over the dims in order as the scalar score (same bits), but
 * 8 chains run side by side instead of one (hd a multiple of 8). */
static __m256 scores8(const uint16_t *k, int kv_stride, const float *q, int hd)
{
    __m256 s = _mm256_setzero_ps();
    for (int d = 0; d < hd; d += 8) {
        __m256 r[8];
        for (int j = 0; j < 8; j++) r[j] = load_h(k + (size_t)j * kv_stride + d);
        transpose8(r);
        for (int i = 0; i < 8; i++) s = _mm256_fmadd_ps(r[i], _mm256_broadcast_ss(q + d + i), s);
    }
    return s;
}

void llm_attn_f32_avx2(const float *q, const uint16_t *k, const uint16_t *v, int32_t n_kv,
                       int kv_stride, int hd, float scale, float *out, void *scratch)
{
    float *p = scratch;                     /* KV_TILE probabilities */
    float M = -INFINITY, S = 0;
    for (int i = 0; i < hd; i++)
        out[i] = 0;
    for (int32_t t0 = 0; t0 < n_kv; t0 += KV_TILE) {
        int nt = n_kv - t0 < KV_TILE ? (int)(n_kv - t0) : KV_TILE;
        float tmax = -INFINITY;
        int j8 = 0;
        if (hd % 8 == 0)
            for (; j8 + 8 <= nt; j8 += 8) {
                __m256 sc = _mm256_mul_ps(scores8(k + (size_t)(t0 + j8) * kv_stride, kv_stride, q, hd),
                                          _mm256_set1_ps(scale));
                _mm256_storeu_ps(p + j8, sc);
                for (int j = j8; j < j8 + 8; j++) tmax = fmaxf(tmax, p[j]);
            }
        for (int j = j8; j < KV_TILE; j++) {
            if (j >= nt) {
                p[j] = -INFINITY;           /* masked (causal) or padding */
                continue;
            }
            const uint16_t *kr = k + (size_t)(t0 + j) * kv_stride;
            float s = 0;
            for (int d = 0; d < hd; d++)
                s = fmaf(_cvtsh_ss(kr[d]), q[d], s);
            p[j] = s * scale;
            tmax = fmaxf(tmax, p[j]);
        }
        float Mnew = fmaxf(M, tmax);
        if (Mnew > M) {
            float ms = expf(M - Mnew);
            for (int i = 0; i < hd; i++)
                out[i] *= ms;
            S *= ms;
        }
        M = Mnew;
        double sum = 0;
        __m256 mx = _mm256_set1_ps(M);
        for (int j = 0; j < KV_TILE; j += 8) {
            __m256 e = llm_exp8_avx2(_mm256_sub_ps(_mm256_loadu_ps(p + j), mx));
            _mm256_storeu_ps(p + j, e);
            __m128 h = _mm_add_ps(_mm256_extractf128_ps(e, 1), _mm256_castps256_ps128(e));
            h = _mm_add_ps(h, _mm_movehl_ps(h, h));
            h = _mm_add_ss(h, _mm_movehdup_ps(h));
            sum += (double)_mm_cvtss_f32(h);
        }
        S = (float)((double)S + sum);
        /* per dim one FMA chain over the positions in order, 8 dims a
         * vector (the same bits as the scalar loop) */
        int d8 = hd & ~7;
        for (int d = 0; d < d8; d += 8) {
            __m256 o = _mm256_loadu_ps(out + d);
            for (int j = 0; j < nt; j++)
                o = _mm256_fmadd_ps(load_h(v + (size_t)(t0 + j) * kv_stride + d), _mm256_broadcast_ss(p + j), o);
            _mm256_storeu_ps(out + d, o);
        }
        for (int j = 0; j < nt; j++) {
            const uint16_t *vr = v + (size_t)(t0 + j) * kv_stride;
            for (int d = d8; d < hd; d++)
                out[d] = fmaf(_cvtsh_ss(vr[d]), p[j], out[d]);
        }
    }
    float inv = S == 0.0f ? 0.0f : 1.0f / S;
    for (int i = 0; i < hd; i++)
        out[i] *= inv;
}
