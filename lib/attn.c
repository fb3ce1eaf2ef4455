/* attn.c: portable attention kernels and the run-time choice (attn.h). */
#include "attn.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "dot.h"

#define H2F(x) llm_f16_table[(x)]

/* f32 -> f16, round to nearest even, inline (this sits in the innermost
 * loop of generation). Normal results: rebias the exponent and round with
 * an integer add; subnormal results: let a float add align the bits. */
static inline uint16_t f2h(float f)
{
    uint32_t x;
    memcpy(&x, &f, sizeof x);
    uint16_t sign = (uint16_t)((x >> 16) & 0x8000);
    x &= 0x7fffffff;
    if (x >= 0x47800000)                          /* >= 65536, inf, nan */
        return sign | (x > 0x7f800000 ? 0x7e00 : 0x7c00);
    if (x < 0x38800000) {                         /* below 2^-14 */
        float a;
        memcpy(&a, &x, sizeof a);
        a += 0.5f;                                /* 2^-24 steps land in the low bits */
        uint32_t y;
        memcpy(&y, &a, sizeof y);
        return sign | (uint16_t)(y - 0x3f000000);
    }
    x += 0xc8000fffu + ((x >> 13) & 1);           /* exponent -112, round half even */
    return sign | (uint16_t)(x >> 13);
}

/* q.k as ggml_vec_dot_f16: four 8-lane float sums over blocks of 32,
 * reduced pairwise, then the rest added in double. */
static float dot_h(const uint16_t *a, const uint16_t *b, int n)
{
    int np = n & ~31;
    float acc[4][8] = {{0}};
    for (int i = 0; i < np; i += 32)
        for (int j = 0; j < 4; j++)
            for (int l = 0; l < 8; l++)
                acc[j][l] += H2F(a[i + 8 * j + l]) * H2F(b[i + 8 * j + l]);
    double s = 0;
    if (np) {
        float r[8], t[4];
        for (int l = 0; l < 8; l++)
            r[l] = (acc[0][l] + acc[2][l]) + (acc[1][l] + acc[3][l]);
        for (int l = 0; l < 4; l++)
            t[l] = r[l] + r[l + 4];
        s = (double)((t[0] + t[1]) + (t[2] + t[3]));
    }
    for (int i = np; i < n; i++)
        s += (double)(H2F(a[i]) * H2F(b[i]));
    return (float)s;
}

void llm_attn_vec_portable(const float *q, const uint16_t *k, const uint16_t *v, int32_t n_kv,
                           int kv_stride, int hd, float scale, float *out, void *scratch)
{
    uint16_t *qh = scratch, *acc = qh + hd;
    for (int i = 0; i < hd; i++) {
        qh[i] = f2h(q[i]);
        acc[i] = 0;
    }
    float M = -INFINITY, S = 0;
    for (int32_t ic = 0; ic < n_kv; ic++) {
        float s = dot_h(k + (size_t)ic * kv_stride, qh, hd) * scale;
        float ms = 1.0f, vs = 1.0f;
        if (s > M) {
            float Mold = M;
            M = s;
            ms = expf(Mold - M);
            for (int i = 0; i < hd; i++)
                acc[i] = f2h(H2F(acc[i]) * ms);
        } else {
            vs = expf(s - M);
        }
        const uint16_t *vr = v + (size_t)ic * kv_stride;
        for (int i = 0; i < hd; i++)
            acc[i] = f2h(H2F(acc[i]) + H2F(vr[i]) * vs);
        S = S * ms + vs;
    }
    float inv = S == 0.0f ? 0.0f : 1.0f / S;
    for (int i = 0; i < hd; i++)
        out[i] = H2F(acc[i]) * inv;
}

void llm_attn_f32_portable(const float *q, const uint16_t *k, const uint16_t *v, int32_t n_kv,
                           int kv_stride, int hd, float scale, float *out, void *scratch)
{
    float *sc = scratch;
    float M = -INFINITY;
    for (int32_t ic = 0; ic < n_kv; ic++) {
        const uint16_t *kr = k + (size_t)ic * kv_stride;
        float s = 0;
        for (int i = 0; i < hd; i++)
            s += q[i] * H2F(kr[i]);
        sc[ic] = s * scale;
        M = fmaxf(M, sc[ic]);
    }
    double S = 0;
    for (int i = 0; i < hd; i++)
        out[i] = 0;
    for (int32_t ic = 0; ic < n_kv; ic++) {
        float p = expf(sc[ic] - M);
        S += p;
        const uint16_t *vr = v + (size_t)ic * kv_stride;
        for (int i = 0; i < hd; i++)
            out[i] += p * H2F(vr[i]);
    }
    float inv = S == 0 ? 0.0f : 1.0f / (float)S;
    for (int i = 0; i < hd; i++)
        out[i] *= inv;
}

llm_attn_kernels llm_attn_pick(void)
{
    llm_dot_init();
    llm_attn_kernels k = { llm_attn_vec_portable, llm_attn_f32_portable };
#if defined(__x86_64__)
    if (llm_cpu_avx2()) {
        k.vec = llm_attn_vec_avx2;
        k.f32 = llm_attn_f32_avx2;
    }
#endif
    return k;
}
