/* dot.c: portable dot products of weight rows with converted activation
 * rows, one function per weight type (see dot.h).
 *
 * The quantized kernels sum integer products per block (exact) and scale
 * each block's sum in float, as ggml does; so results differ from
 * llama.cpp's only by the order of the float additions. */
#include "dot.h"

#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "dtype.h"
#include "quant.h"

float llm_f16_table[65536];
static pthread_once_t table_once = PTHREAD_ONCE_INIT;

static void build_table(void)
{
    for (uint32_t i = 0; i < 65536; i++)
        llm_f16_table[i] = llm_f16_to_f32((uint16_t)i);
}

/* Build the f16 table once (thread-safe). */
void llm_dot_init(void)
{
    pthread_once(&table_once, build_table);
}

#define H(x) llm_f16_table[(x)]

int llm_dot_act_type(uint32_t wtype)
{
    switch (wtype) {
    case LLM_F32: return LLM_F32;
    case LLM_F16: return LLM_F16;
    case LLM_BF16: return LLM_BF16;
    case LLM_Q4_0: case LLM_Q5_0: case LLM_Q8_0: return LLM_Q8_0;
    case LLM_Q4_1: case LLM_Q5_1: return LLM_Q8_1;
    case LLM_Q2_K: case LLM_Q3_K: case LLM_Q4_K: case LLM_Q5_K: case LLM_Q6_K: return LLM_Q8_K;
    default: return -1;
    }
}

/* ---- activation conversion --------------------------------------------- */

/* Q8_0/Q8_1 as ggml's AVX2 quantize_row_q8_0/1: id = 127/amax, round half
 * to even (the reference rounds half away; ties are rare but real). */
/* False if x[0..n) holds a NaN or an infinity. Such a block is written
 * with a NaN scale and zero quants, so every dot product with it is NaN
 * and the caller sees NaN logits (instead of garbage from converting NaN
 * to an integer, which C leaves undefined). */
static bool finite_block(const float *x, int n)
{
    int bad = 0;
    for (int j = 0; j < n; j++)
        bad |= !isfinite(x[j]);
    return !bad;
}

/* A scaled activation to int8 as x86's conversion does it (ggml's
 * quantizers use it): a value outside the int8 range - only possible when
 * a block's scale overflowed to inf, for blocks of denormals - becomes
 * -128, the saturated "integer indefinite"; in C it would be undefined. */
static int8_t q8_round(float v)
{
    float r = nearbyintf(v);
    return r >= -128.f && r <= 127.f ? (int8_t)r : (int8_t)-128;
}

static void act_q8_0(const float *x, block_q8_0 *y, int64_t n)
{
    for (int64_t b = 0; b < n / QK8_0; b++, x += QK8_0) {
        if (!finite_block(x, QK8_0)) {
            y[b].d = 0x7E00;   /* f16 NaN */
            memset(y[b].qs, 0, sizeof y[b].qs);
            continue;
        }
        float amax = 0;
        for (int j = 0; j < QK8_0; j++)
            amax = fmaxf(amax, fabsf(x[j]));
        float d = amax / 127.f, id = amax != 0 ? 127.f / amax : 0.f;
        y[b].d = llm_f32_to_f16(d);
        for (int j = 0; j < QK8_0; j++)
            y[b].qs[j] = q8_round(x[j] * id);
    }
}

static void act_q8_1(const float *x, block_q8_1 *y, int64_t n)
{
    for (int64_t b = 0; b < n / QK8_1; b++, x += QK8_1) {
        if (!finite_block(x, QK8_1)) {
            y[b].d = y[b].s = 0x7E00;   /* f16 NaN */
            memset(y[b].qs, 0, sizeof y[b].qs);
            continue;
        }
        float amax = 0;
        for (int j = 0; j < QK8_1; j++)
            amax = fmaxf(amax, fabsf(x[j]));
        float d = amax / 127.f, id = amax != 0 ? 127.f / amax : 0.f;
        int sum = 0;
        for (int j = 0; j < QK8_1; j++) {
            int q = q8_round(x[j] * id);
            y[b].qs[j] = (int8_t)q;
            sum += q;
        }
        y[b].d = llm_f32_to_f16(d);
        y[b].s = llm_f32_to_f16(d * (float)sum);
    }
}

size_t llm_dot_q8_0_extras(int64_t n)
{
    return ((size_t)(n / QK8_0) * sizeof(block_q8_0) + 3) & ~(size_t)3;
}

size_t llm_dot_act_size(uint32_t act_type, int64_t n)
{
    size_t sz = llm_row_size(act_type, n);
    if (act_type == LLM_Q8_0) sz = llm_dot_q8_0_extras(n) + (size_t)(n / QK8_0) * 3 * sizeof(float);
    return sz;
}

void llm_dot_convert_portable(uint32_t act_type, const float *x, void *dst, int64_t n)
{
    switch (act_type) {
    case LLM_F32:
        memcpy(dst, x, (size_t)n * sizeof(float));
        break;
    case LLM_F16: {
        uint16_t *h = dst;
        for (int64_t i = 0; i < n; i++)
            h[i] = llm_f32_to_f16(x[i]);
        break;
    }
    case LLM_BF16: {
        uint16_t *h = dst;
        for (int64_t i = 0; i < n; i++)
            h[i] = llm_f32_to_bf16(x[i]);
        break;
    }
    case LLM_Q8_0: {
        act_q8_0(x, dst, n);
        /* the extras after the blocks (dot.h): each block's scale as a
         * float, and scale times the sum of its quants */
        const block_q8_0 *y = dst;
        float *ext = (float *)((uint8_t *)dst + llm_dot_q8_0_extras(n));
        int64_t nb = n / QK8_0;
        for (int64_t b = 0; b < nb; b++) {
            int sum = 0;
            for (int j = 0; j < QK8_0; j++) sum += y[b].qs[j];
            ext[b] = llm_f16_to_f32(y[b].d);
            ext[nb + b] = ext[b] * (float)sum;
            memcpy(&ext[2 * nb + b], &sum, sizeof sum);
        }
        break;
    }
    case LLM_Q8_1: act_q8_1(x, dst, n); break;
    case LLM_Q8_K: {
        /* ggml's x86 build uses the reference Q8_K quantizer, which leaves
         * bsums of an all-zero block unset: zero them first. */
        memset(dst, 0, (size_t)(n / QK_K) * sizeof(block_q8_K));
        llm_quant_q8_K(x, dst, n);
        block_q8_K *y = dst;
        for (int64_t b = 0; b < n / QK_K; b++)
            if (!finite_block(x + b * QK_K, QK_K)) {
                y[b].d = NAN;
                memset(y[b].qs, 0, sizeof y[b].qs);
                memset(y[b].bsums, 0, sizeof y[b].bsums);
            }
        break;
    }
    }
}

void llm_dot_convert(uint32_t act_type, const float *x, void *dst, int64_t n)
{
#if defined(__x86_64__)
    if (llm_cpu_avx2() && (act_type == LLM_Q8_0 || act_type == LLM_Q8_K || act_type == LLM_F16)) {
        (act_type == LLM_Q8_0 ? llm_dot_convert_q8_0_avx2
         : act_type == LLM_Q8_K ? llm_dot_convert_q8_K_avx2 : llm_dot_convert_f16_avx2)(x, dst, n);
        return;
    }
#endif
    llm_dot_convert_portable(act_type, x, dst, n);
}

/* ---- float types ------------------------------------------------------- */

/* Eight partial sums, so the compiler can keep them in one vector. */
static float dot_f32(int64_t n, const void *vw, const void *va)
{
    const float *w = vw, *a = va;
    float acc[8] = {0};
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int j = 0; j < 8; j++)
            acc[j] += w[i + j] * a[i + j];
    float s = 0;
    for (; i < n; i++)
        s += w[i] * a[i];
    for (int j = 0; j < 8; j++)
        s += acc[j];
    return s;
}

static float dot_f16(int64_t n, const void *vw, const void *va)
{
    const uint16_t *w = vw, *a = va;
    float acc[8] = {0};
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int j = 0; j < 8; j++)
            acc[j] += H(w[i + j]) * H(a[i + j]);
    double s = 0;
    for (; i < n; i++)
        s += (double)(H(w[i]) * H(a[i]));
    for (int j = 0; j < 8; j++)
        s += acc[j];
    return (float)s;
}

static inline float bf16(uint16_t h)
{
    uint32_t u = (uint32_t)h << 16;
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

static float dot_bf16(int64_t n, const void *vw, const void *va)
{
    const uint16_t *w = vw, *a = va;
    float acc[8] = {0};
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int j = 0; j < 8; j++)
            acc[j] += bf16(w[i + j]) * bf16(a[i + j]);
    double s = 0;
    for (; i < n; i++)
        s += (double)(bf16(w[i]) * bf16(a[i]));
    for (int j = 0; j < 8; j++)
        s += acc[j];
    return (float)s;
}

/* ---- legacy quants: blocks of 32 against Q8_0 / Q8_1 --------------------- */

static float dot_q8_0(int64_t n, const void *vw, const void *va)
{
    const block_q8_0 *w = vw;
    const block_q8_0 *a = va;
    float s = 0;
    for (int64_t b = 0; b < n / QK8_0; b++) {
        int sum = 0;
        for (int j = 0; j < QK8_0; j++)
            sum += w[b].qs[j] * a[b].qs[j];
        s += (float)sum * (H(w[b].d) * H(a[b].d));
    }
    return s;
}

/* Q4_0: byte j holds values j (low nibble) and j+16 (high), offset 8. */
static float dot_q4_0(int64_t n, const void *vw, const void *va)
{
    const block_q4_0 *w = vw;
    const block_q8_0 *a = va;
    float s = 0;
    for (int64_t b = 0; b < n / QK4_0; b++) {
        int sum = 0;
        for (int j = 0; j < QK4_0 / 2; j++) {
            int v0 = (w[b].qs[j] & 0x0F) - 8, v1 = (w[b].qs[j] >> 4) - 8;
            sum += v0 * a[b].qs[j] + v1 * a[b].qs[j + 16];
        }
        s += (float)sum * (H(w[b].d) * H(a[b].d));
    }
    return s;
}

/* Q4_1: unsigned nibbles with a min: d*q + m, so the block adds m * s. */
static float dot_q4_1(int64_t n, const void *vw, const void *va)
{
    const block_q4_1 *w = vw;
    const block_q8_1 *a = va;
    float s = 0;
    for (int64_t b = 0; b < n / QK4_1; b++) {
        int sum = 0;
        for (int j = 0; j < QK4_1 / 2; j++)
            sum += (w[b].qs[j] & 0x0F) * a[b].qs[j] + (w[b].qs[j] >> 4) * a[b].qs[j + 16];
        s += (H(w[b].d) * H(a[b].d)) * (float)sum + H(w[b].m) * H(a[b].s);
    }
    return s;
}

/* Q5: the fifth bit of value j is bit j of qh (little-endian u32). */
static float dot_q5_0(int64_t n, const void *vw, const void *va)
{
    const block_q5_0 *w = vw;
    const block_q8_0 *a = va;
    float s = 0;
    for (int64_t b = 0; b < n / QK5_0; b++) {
        uint32_t qh;
        memcpy(&qh, w[b].qh, 4);
        int sum = 0;
        for (int j = 0; j < QK5_0 / 2; j++) {
            int h0 = ((qh >> j) << 4) & 0x10, h1 = (qh >> (j + 12)) & 0x10;
            int v0 = ((w[b].qs[j] & 0x0F) | h0) - 16, v1 = ((w[b].qs[j] >> 4) | h1) - 16;
            sum += v0 * a[b].qs[j] + v1 * a[b].qs[j + 16];
        }
        s += (float)sum * (H(w[b].d) * H(a[b].d));
    }
    return s;
}

static float dot_q5_1(int64_t n, const void *vw, const void *va)
{
    const block_q5_1 *w = vw;
    const block_q8_1 *a = va;
    float s = 0;
    for (int64_t b = 0; b < n / QK5_1; b++) {
        uint32_t qh;
        memcpy(&qh, w[b].qh, 4);
        int sum = 0;
        for (int j = 0; j < QK5_1 / 2; j++) {
            int h0 = ((qh >> j) << 4) & 0x10, h1 = (qh >> (j + 12)) & 0x10;
            int v0 = (w[b].qs[j] & 0x0F) | h0, v1 = (w[b].qs[j] >> 4) | h1;
            sum += v0 * a[b].qs[j] + v1 * a[b].qs[j + 16];
        }
        s += (H(w[b].d) * H(a[b].d)) * (float)sum + H(w[b].m) * H(a[b].s);
    }
    return s;
}

/* ---- K quants: super-blocks of 256 against Q8_K --------------------------
 * Each kernel unpacks one super-block's quants to int8 q[256] and its
 * sub-block scales (and mins) to ints, then sums integer products per
 * sub-block. Mins multiply the activation's precomputed 16-value sums. */

/* sum over sub-blocks of len values: sc[s] * sum(q * a) */
static inline int sub_dot(const int8_t *q, const int8_t *a, const int *sc, int nsub, int len)
{
    int total = 0;
    for (int s = 0; s < nsub; s++) {
        int sum = 0;
        for (int l = 0; l < len; l++)
            sum += q[s * len + l] * a[s * len + l];
        total += sc[s] * sum;
    }
    return total;
}

static float dot_q2_K(int64_t n, const void *vw, const void *va)
{
    const block_q2_K *w = vw;
    const block_q8_K *a = va;
    float s = 0;
    int8_t q[QK_K];
    int sc[16];
    for (int64_t b = 0; b < n / QK_K; b++) {
        const uint8_t *qs = w[b].qs;
        /* out index 128k + 32j + l: bits 2j of byte 32k + l */
        for (int k = 0; k < 2; k++)
            for (int j = 0; j < 4; j++)
                for (int l = 0; l < 32; l++)
                    q[128 * k + 32 * j + l] = (int8_t)((qs[32 * k + l] >> (2 * j)) & 3);
        int summs = 0;
        for (int j = 0; j < 16; j++) {
            sc[j] = w[b].scales[j] & 0xF;
            summs += a[b].bsums[j] * (w[b].scales[j] >> 4);
        }
        int isum = sub_dot(q, a[b].qs, sc, 16, 16);
        float dall = a[b].d * H(w[b].d), dmin = a[b].d * H(w[b].dmin);
        s += dall * (float)isum - dmin * (float)summs;
    }
    return s;
}

static float dot_q3_K(int64_t n, const void *vw, const void *va)
{
    const block_q3_K *w = vw;
    const block_q8_K *a = va;
    float s = 0;
    int8_t q[QK_K];
    int sc[16];
    for (int64_t b = 0; b < n / QK_K; b++) {
        const uint8_t *qs = w[b].qs, *hm = w[b].hmask, *ps = w[b].scales;
        /* out 128k + 32j + l: 2 bits from qs, minus 4 unless the hmask
         * bit (4k + j) of byte l is set */
        for (int k = 0; k < 2; k++)
            for (int j = 0; j < 4; j++) {
                uint8_t m = (uint8_t)(1u << (4 * k + j));
                for (int l = 0; l < 32; l++)
                    q[128 * k + 32 * j + l] =
                        (int8_t)(((qs[32 * k + l] >> (2 * j)) & 3) - ((hm[l] & m) ? 0 : 4));
            }
        /* 6-bit scales: low 4 bits in bytes 0..7 (two per byte), high 2
         * bits in bytes 8..11; stored with +32 */
        for (int j = 0; j < 16; j++) {
            int lo = j < 8 ? ps[j] & 0xF : ps[j - 8] >> 4;
            int hi = (ps[8 + j % 4] >> (2 * (j / 4))) & 3;
            sc[j] = (lo | (hi << 4)) - 32;
        }
        int isum = sub_dot(q, a[b].qs, sc, 16, 16);
        s += a[b].d * H(w[b].d) * (float)isum;
    }
    return s;
}

static float dot_q4_K(int64_t n, const void *vw, const void *va)
{
    const block_q4_K *w = vw;
    const block_q8_K *a = va;
    float s = 0;
    int8_t q[QK_K];
    int sc[8];
    for (int64_t b = 0; b < n / QK_K; b++) {
        const uint8_t *qs = w[b].qs;
        for (int j = 0; j < 4; j++)
            for (int l = 0; l < 32; l++) {
                q[64 * j + l] = (int8_t)(qs[32 * j + l] & 0xF);
                q[64 * j + 32 + l] = (int8_t)(qs[32 * j + l] >> 4);
            }
        int summs = 0;
        for (int j = 0; j < 8; j++) {
            uint8_t scale, min;
            llm_k4_scale_min(j, w[b].scales, &scale, &min);
            sc[j] = scale;
            summs += min * (a[b].bsums[2 * j] + a[b].bsums[2 * j + 1]);
        }
        int isum = sub_dot(q, a[b].qs, sc, 8, 32);
        float d = a[b].d * H(w[b].d), dmin = a[b].d * H(w[b].dmin);
        s += d * (float)isum - dmin * (float)summs;
    }
    return s;
}

static float dot_q5_K(int64_t n, const void *vw, const void *va)
{
    const block_q5_K *w = vw;
    const block_q8_K *a = va;
    float s = 0;
    int8_t q[QK_K];
    int sc[8];
    for (int64_t b = 0; b < n / QK_K; b++) {
        const uint8_t *qs = w[b].qs, *qh = w[b].qh;
        for (int j = 0; j < 4; j++)
            for (int l = 0; l < 32; l++) {
                q[64 * j + l] = (int8_t)((qs[32 * j + l] & 0xF) + ((qh[l] >> (2 * j)) & 1) * 16);
                q[64 * j + 32 + l] = (int8_t)((qs[32 * j + l] >> 4) + ((qh[l] >> (2 * j + 1)) & 1) * 16);
            }
        int summs = 0;
        for (int j = 0; j < 8; j++) {
            uint8_t scale, min;
            llm_k4_scale_min(j, w[b].scales, &scale, &min);
            sc[j] = scale;
            summs += min * (a[b].bsums[2 * j] + a[b].bsums[2 * j + 1]);
        }
        int isum = sub_dot(q, a[b].qs, sc, 8, 32);
        float d = a[b].d * H(w[b].d), dmin = a[b].d * H(w[b].dmin);
        s += d * (float)isum - dmin * (float)summs;
    }
    return s;
}

static float dot_q6_K(int64_t n, const void *vw, const void *va)
{
    const block_q6_K *w = vw;
    const block_q8_K *a = va;
    float s = 0;
    int8_t q[QK_K];
    int sc[16];
    for (int64_t b = 0; b < n / QK_K; b++) {
        /* per 128 values: ql 64 bytes (low nibbles of l and l+32, high
         * nibbles of l+64 and l+96), qh 32 bytes (2 bits for each) */
        for (int k = 0; k < 2; k++) {
            const uint8_t *ql = w[b].ql + 64 * k, *qh = w[b].qh + 32 * k;
            int8_t *o = q + 128 * k;
            for (int l = 0; l < 32; l++) {
                o[l] = (int8_t)(((ql[l] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32);
                o[l + 32] = (int8_t)(((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32);
                o[l + 64] = (int8_t)(((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32);
                o[l + 96] = (int8_t)(((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32);
            }
        }
        for (int j = 0; j < 16; j++)
            sc[j] = w[b].scales[j];
        int isum = sub_dot(q, a[b].qs, sc, 16, 16);
        s += a[b].d * H(w[b].d) * (float)isum;
    }
    return s;
}

llm_dot_fn llm_dot_fn_portable(uint32_t wtype)
{
    llm_dot_init();
    switch (wtype) {
    case LLM_F32: return dot_f32;
    case LLM_F16: return dot_f16;
    case LLM_BF16: return dot_bf16;
    case LLM_Q4_0: return dot_q4_0;
    case LLM_Q4_1: return dot_q4_1;
    case LLM_Q5_0: return dot_q5_0;
    case LLM_Q5_1: return dot_q5_1;
    case LLM_Q8_0: return dot_q8_0;
    case LLM_Q2_K: return dot_q2_K;
    case LLM_Q3_K: return dot_q3_K;
    case LLM_Q4_K: return dot_q4_K;
    case LLM_Q5_K: return dot_q5_K;
    case LLM_Q6_K: return dot_q6_K;
    default: return NULL;
    }
}

#if defined(__x86_64__)
#include <cpuid.h>

/* True when the CPU runs the AVX2 kernels (AVX2, FMA and F16C) and the
 * environment does not ask for the portable path (LLM_NO_SIMD=1). */
bool llm_cpu_avx2(void)
{
    static int cached = -1;
    if (cached < 0) {
        const char *no = getenv("LLM_NO_SIMD");
        __builtin_cpu_init();
        /* F16C is CPUID.1:ECX bit 29 (clang's builtin does not name it) */
        unsigned a, b, c, d;
        bool f16c = __get_cpuid(1, &a, &b, &c, &d) && (c >> 29 & 1);
        cached = !(no && *no && strcmp(no, "0")) && __builtin_cpu_supports("avx2") &&
                 __builtin_cpu_supports("fma") && f16c;
    }
    return cached;
}
#elif defined(__aarch64__)
/* NEON is part of AArch64: only LLM_NO_SIMD=1 asks for the portable path. */
static bool use_neon(void)
{
    static int cached = -1;
    if (cached < 0) {
        const char *no = getenv("LLM_NO_SIMD");
        cached = !(no && *no && strcmp(no, "0"));
    }
    return cached;
}
#endif

llm_dot_fn llm_dot_fn_for(uint32_t wtype)
{
#if defined(__x86_64__)
    if (llm_cpu_avx2()) {
        llm_dot_fn f = llm_dot_fn_avx2(wtype);
        llm_dot_init();
        if (f) return f;
    }
#elif defined(__aarch64__)
    if (use_neon()) {
        llm_dot_fn f = llm_dot_fn_neon(wtype);
        llm_dot_init();
        if (f) return f;
    }
#endif
    return llm_dot_fn_portable(wtype);
}
