/* dot_neon.c: NEON (AArch64) versions of the dot products in dot.c.
 *
 * Compiled only for aarch64 (see the Makefile), where NEON is always
 * there. The quantized kernels come in two variants from one template
 * (dot_neon_q.h): plain NEON, whose int8 products are widened to int16
 * (SMULL) and pairwise added into int32 (SADALP), for the Cortex-A72 of the
 * Raspberry Pi 4; and SDOT (the dotprod extension, ARMv8.2), four products
 * per int32 lane in one instruction, for the Cortex-A76 of the Pi 5. The
 * SDOT variant is compiled for that extension only (a function attribute;
 * see HAVE_DP for clang) and picked at run time from the kernel's HWCAP, so
 * one binary runs on both. LLM_NO_DOTPROD=1 picks the plain variant.
 *
 * Each kernel computes the same integer block sums as its portable twin in
 * dot.c; only the order of the float additions differs, and
 * tests/unit/test_dot.c holds them together (tests/cross-arm.sh runs it
 * under qemu-aarch64 as a Cortex-A72 and as a CPU with dotprod). */
#include <arm_neon.h>
#include <stdlib.h>
#include <string.h>
#if defined(__linux__)
#include <sys/auxv.h>
#endif

#include "dot.h"
#include "quant.h"

/* f16 -> f32 by the FPU (FCVT), exact. */
static inline float f16(uint16_t h)
{
    __fp16 x;
    memcpy(&x, &h, sizeof x);
    return (float)x;
}

/* ---- float types ---------------------------------------------------------- */

static float dot_f32(int64_t n, const void *vw, const void *va)
{
    const float *w = vw, *a = va;
    float32x4_t s0 = vdupq_n_f32(0), s1 = s0, s2 = s0, s3 = s0;
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        s0 = vfmaq_f32(s0, vld1q_f32(w + i), vld1q_f32(a + i));
        s1 = vfmaq_f32(s1, vld1q_f32(w + i + 4), vld1q_f32(a + i + 4));
        s2 = vfmaq_f32(s2, vld1q_f32(w + i + 8), vld1q_f32(a + i + 8));
        s3 = vfmaq_f32(s3, vld1q_f32(w + i + 12), vld1q_f32(a + i + 12));
    }
    for (; i + 4 <= n; i += 4)
        s0 = vfmaq_f32(s0, vld1q_f32(w + i), vld1q_f32(a + i));
    float s = vaddvq_f32(vaddq_f32(vaddq_f32(s0, s1), vaddq_f32(s2, s3)));
    for (; i < n; i++) s += w[i] * a[i];
    return s;
}

/* 8 halves as two float32x4 (FCVTL / FCVTL2). */
static inline void load_f16x8(const uint16_t *p, float32x4_t *lo, float32x4_t *hi)
{
    float16x8_t h = vreinterpretq_f16_u16(vld1q_u16(p));
    *lo = vcvt_f32_f16(vget_low_f16(h));
    *hi = vcvt_high_f32_f16(h);
}

static float dot_f16(int64_t n, const void *vw, const void *va)
{
    const uint16_t *w = vw, *a = va;
    float32x4_t s0 = vdupq_n_f32(0), s1 = s0, s2 = s0, s3 = s0;
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        float32x4_t w0, w1, w2, w3, a0, a1, a2, a3;
        load_f16x8(w + i, &w0, &w1);
        load_f16x8(w + i + 8, &w2, &w3);
        load_f16x8(a + i, &a0, &a1);
        load_f16x8(a + i + 8, &a2, &a3);
        s0 = vfmaq_f32(s0, w0, a0);
        s1 = vfmaq_f32(s1, w1, a1);
        s2 = vfmaq_f32(s2, w2, a2);
        s3 = vfmaq_f32(s3, w3, a3);
    }
    for (; i + 8 <= n; i += 8) {
        float32x4_t w0, w1, a0, a1;
        load_f16x8(w + i, &w0, &w1);
        load_f16x8(a + i, &a0, &a1);
        s0 = vfmaq_f32(s0, w0, a0);
        s1 = vfmaq_f32(s1, w1, a1);
    }
    float s = vaddvq_f32(vaddq_f32(vaddq_f32(s0, s1), vaddq_f32(s2, s3)));
    for (; i < n; i++) s += f16(w[i]) * f16(a[i]);
    return s;
}

/* bf16 is the top half of an f32: widen with a shift by 16 (SHLL). */
static inline float32x4_t bf16x4(uint16x4_t h)
{
    return vreinterpretq_f32_u32(vshll_n_u16(h, 16));
}

static float dot_bf16(int64_t n, const void *vw, const void *va)
{
    const uint16_t *w = vw, *a = va;
    float32x4_t s0 = vdupq_n_f32(0), s1 = s0, s2 = s0, s3 = s0;
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        uint16x8_t x0 = vld1q_u16(w + i), y0 = vld1q_u16(a + i);
        uint16x8_t x1 = vld1q_u16(w + i + 8), y1 = vld1q_u16(a + i + 8);
        s0 = vfmaq_f32(s0, bf16x4(vget_low_u16(x0)), bf16x4(vget_low_u16(y0)));
        s1 = vfmaq_f32(s1, bf16x4(vget_high_u16(x0)), bf16x4(vget_high_u16(y0)));
        s2 = vfmaq_f32(s2, bf16x4(vget_low_u16(x1)), bf16x4(vget_low_u16(y1)));
        s3 = vfmaq_f32(s3, bf16x4(vget_high_u16(x1)), bf16x4(vget_high_u16(y1)));
    }
    for (; i + 4 <= n; i += 4)
        s0 = vfmaq_f32(s0, bf16x4(vld1_u16(w + i)), bf16x4(vld1_u16(a + i)));
    float s = vaddvq_f32(vaddq_f32(vaddq_f32(s0, s1), vaddq_f32(s2, s3)));
    for (; i < n; i++) {
        uint32_t x = (uint32_t)w[i] << 16, y = (uint32_t)a[i] << 16;
        float fx, fy;
        memcpy(&fx, &x, 4);
        memcpy(&fy, &y, 4);
        s += fx * fy;
    }
    return s;
}

/* ---- helpers of the quantized kernels -------------------------------------- */

/* The 32 nibbles of 16 bytes: low nibbles (values 0..15) in *lo, high
 * nibbles (values 16..31) in *hi, the order of ggml's legacy blocks. */
static inline void nibbles(const uint8_t *p, int8x16_t *lo, int8x16_t *hi)
{
    uint8x16_t b = vld1q_u8(p);
    *lo = vreinterpretq_s8_u8(vandq_u8(b, vdupq_n_u8(0x0F)));
    *hi = vreinterpretq_s8_u8(vshrq_n_u8(b, 4));
}

/* Byte j = 0x10 if bit j of the 16 bits is set, else 0. */
static inline uint8x16_t fifth_bits(uint32_t bits)
{
    static const uint8_t bit[16] = { 1, 2, 4, 8, 16, 32, 64, 128, 1, 2, 4, 8, 16, 32, 64, 128 };
    uint8x16_t v = vcombine_u8(vdup_n_u8((uint8_t)bits), vdup_n_u8((uint8_t)(bits >> 8)));
    return vandq_u8(vtstq_u8(v, vld1q_u8(bit)), vdupq_n_u8(0x10));
}

/* Q5_0/Q5_1 values 0..31 (unsigned): nibbles plus bit j of qh as 16. */
static inline void nibbles5(const uint8_t *qs, const uint8_t *qhp, int8x16_t *lo, int8x16_t *hi)
{
    uint32_t qh;
    memcpy(&qh, qhp, 4);
    nibbles(qs, lo, hi);
    *lo = vorrq_s8(*lo, vreinterpretq_s8_u8(fifth_bits(qh & 0xFFFF)));
    *hi = vorrq_s8(*hi, vreinterpretq_s8_u8(fifth_bits(qh >> 16)));
}

/* The 16 signed 6-bit scales of Q3_K: low 4 bits in bytes 0..7 (two per
 * byte), high 2 bits in bytes 8..11; stored with +32 (as dot.c). */
static inline void q3_scales(const uint8_t *ps, int sc[16])
{
    for (int j = 0; j < 16; j++) {
        int lo = j < 8 ? ps[j] & 0xF : ps[j - 8] >> 4;
        int hi = (ps[8 + j % 4] >> (2 * (j / 4))) & 3;
        sc[j] = (lo | (hi << 4)) - 32;
    }
}

/* sum over j < 16 of bsums[j] * m[j] (Q2_K's mins). */
static inline int bsum_dot16(const int16_t *bsums, uint8x16_t m)
{
    int16x8_t b0 = vld1q_s16(bsums), b1 = vld1q_s16(bsums + 8);
    int16x8_t m0 = vreinterpretq_s16_u16(vmovl_u8(vget_low_u8(m)));
    int16x8_t m1 = vreinterpretq_s16_u16(vmovl_high_u8(m));
    int32x4_t s = vmull_s16(vget_low_s16(b0), vget_low_s16(m0));
    s = vmlal_high_s16(s, b0, m0);
    s = vmlal_s16(s, vget_low_s16(b1), vget_low_s16(m1));
    s = vmlal_high_s16(s, b1, m1);
    return vaddvq_s32(s);
}

/* sum over j < 8 of (bsums[2j] + bsums[2j+1]) * m[j] (Q4_K/Q5_K's mins,
 * one per 32 values); a pair of 16-value sums fits int16 (|.| <= 4096). */
static inline int bsum_pairs_dot8(const int16_t *bsums, const uint8_t *m)
{
    int16x8_t pairs = vpaddq_s16(vld1q_s16(bsums), vld1q_s16(bsums + 8));
    int16x8_t mm = vreinterpretq_s16_u16(vmovl_u8(vld1_u8(m)));
    int32x4_t s = vmull_s16(vget_low_s16(pairs), vget_low_s16(mm));
    s = vmlal_high_s16(s, pairs, mm);
    return vaddvq_s32(s);
}

/* ---- the two variants of the quantized kernels ----------------------------- */

/* Plain NEON: products widened to int16 (|x*y| <= 128*128 fits), each
 * half then pairwise-added into the int32 lanes, so nothing adds in 16
 * bits and no input overflows. */
static inline int32x4_t dot16_plain(int32x4_t acc, int8x16_t x, int8x16_t y)
{
    acc = vpadalq_s16(acc, vmull_s8(vget_low_s8(x), vget_low_s8(y)));
    return vpadalq_s16(acc, vmull_high_s8(x, y));
}

#define SFX(name) name##_plain
#define ATTR
#define DOT16 dot16_plain
#include "dot_neon_q.h"
#undef SFX
#undef ATTR
#undef DOT16

/* SDOT: lane i += x[4i..4i+3] . y[4i..4i+3]. GCC compiles it for one
 * function with a target attribute (a CPU with SDOT implements ARMv8.2,
 * where the extension became optional, and GCC's arm_neon.h declares
 * vdotq_s32 for exactly that target). Clang before 16 declares vdotq_s32
 * only when the whole file targets dotprod (-march=armv8.2-a+dotprod,
 * -mcpu=cortex-a76 or native on a Pi 5); otherwise it builds plain only. */
#if defined(__ARM_FEATURE_DOTPROD)
#define HAVE_DP 1
#define DP_ATTR
#elif defined(__GNUC__) && !defined(__clang__)
#define HAVE_DP 1
#define DP_ATTR __attribute__((target("arch=armv8.2-a+dotprod")))
#else
#define HAVE_DP 0
#endif

#if HAVE_DP
DP_ATTR static inline int32x4_t dot16_dp(int32x4_t acc, int8x16_t x, int8x16_t y)
{
    return vdotq_s32(acc, x, y);
}

#define SFX(name) name##_dp
#define ATTR DP_ATTR
#define DOT16 dot16_dp
#include "dot_neon_q.h"
#undef SFX
#undef ATTR
#undef DOT16

#ifndef HWCAP_ASIMDDP
#define HWCAP_ASIMDDP (1 << 20) /* Linux arm64 uapi hwcap.h */
#endif

/* True when the CPU has SDOT (the kernel says so in AT_HWCAP) and the
 * environment does not ask for the plain path (LLM_NO_DOTPROD=1). */
static int use_dotprod(void)
{
    static int cached = -1;
    if (cached < 0) {
        const char *no = getenv("LLM_NO_DOTPROD");
        int has = 0;
#if defined(__linux__)
        has = (getauxval(AT_HWCAP) & HWCAP_ASIMDDP) != 0;
#elif defined(__ARM_FEATURE_DOTPROD)
        has = 1;
#endif
        cached = has && !(no && *no && strcmp(no, "0"));
    }
    return cached;
}
#endif /* HAVE_DP */

/* The NEON kernel for wtype (SDOT variant where the CPU has it), or NULL. */
llm_dot_fn llm_dot_fn_neon(uint32_t wtype)
{
    switch (wtype) {
    case LLM_F32: return dot_f32;
    case LLM_F16: return dot_f16;
    case LLM_BF16: return dot_bf16;
#if HAVE_DP
    default: return use_dotprod() ? pick_dp(wtype) : pick_plain(wtype);
#else
    default: return pick_plain(wtype);
#endif
    }
}
