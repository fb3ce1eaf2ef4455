/* dot_neon_q.h: the quantized NEON dot products, written once and included
 * twice by dot_neon.c: once with DOT16 = widening multiplies (any AArch64
 * CPU: Cortex-A72, Raspberry Pi 4) and once with DOT16 = SDOT (the dotprod
 * extension: Cortex-A76, Raspberry Pi 5), each function compiled for its
 * instruction set. Not a public header.
 *
 * The includer defines:
 *   SFX(name)          the function name with the variant's suffix
 *   ATTR               the variant's target attribute (or nothing)
 *   DOT16(acc, x, y)   acc (int32x4_t) plus the 16 products of int8x16_t x
 *                      and y, summed exactly into its four lanes
 *
 * Each kernel computes the integer block sums of its portable twin in
 * dot.c exactly (int8 products never overflow here: both DOT16s widen
 * before adding); only the order of the float additions differs. Sums that
 * one scale multiplies are summed across lanes only at the end, since the
 * two DOT16s place products in different lanes. */

/* ---- legacy quants: blocks of 32 against Q8_0 / Q8_1 --------------------- */

/* The integer sums of one block (four lanes; their total is the sum). */
ATTR static inline int32x4_t SFX(blk_q8_0)(const block_q8_0 *w, const block_q8_0 *a)
{
    int32x4_t s = DOT16(vdupq_n_s32(0), vld1q_s8(w->qs), vld1q_s8(a->qs));
    return DOT16(s, vld1q_s8(w->qs + 16), vld1q_s8(a->qs + 16));
}

ATTR static inline int32x4_t SFX(blk_q4_0)(const block_q4_0 *w, const block_q8_0 *a)
{
    int8x16_t x0, x1;
    nibbles(w->qs, &x0, &x1);
    const int8x16_t k8 = vdupq_n_s8(8);
    int32x4_t s = DOT16(vdupq_n_s32(0), vsubq_s8(x0, k8), vld1q_s8(a->qs));
    return DOT16(s, vsubq_s8(x1, k8), vld1q_s8(a->qs + 16));
}

/* Q4_1: unsigned nibbles (0..15 fit int8) times the activation */
ATTR static inline int32x4_t SFX(blk_q4_1)(const block_q4_1 *w, const block_q8_1 *a)
{
    int8x16_t x0, x1;
    nibbles(w->qs, &x0, &x1);
    int32x4_t s = DOT16(vdupq_n_s32(0), x0, vld1q_s8(a->qs));
    return DOT16(s, x1, vld1q_s8(a->qs + 16));
}

ATTR static inline int32x4_t SFX(blk_q5_0)(const block_q5_0 *w, const block_q8_0 *a)
{
    int8x16_t x0, x1;
    nibbles5(w->qs, w->qh, &x0, &x1);
    const int8x16_t k16 = vdupq_n_s8(16);
    int32x4_t s = DOT16(vdupq_n_s32(0), vsubq_s8(x0, k16), vld1q_s8(a->qs));
    return DOT16(s, vsubq_s8(x1, k16), vld1q_s8(a->qs + 16));
}

ATTR static inline int32x4_t SFX(blk_q5_1)(const block_q5_1 *w, const block_q8_1 *a)
{
    int8x16_t x0, x1;
    nibbles5(w->qs, w->qh, &x0, &x1);
    int32x4_t s = DOT16(vdupq_n_s32(0), x0, vld1q_s8(a->qs));
    return DOT16(s, x1, vld1q_s8(a->qs + 16));
}

/* One kernel per legacy type: two float accumulators (blocks alternate)
 * so consecutive blocks' multiply-adds do not wait on each other. Block
 * sums stay below 2^24, so their conversion to float is exact. MINS adds
 * the min term of the types with one (Q4_1, Q5_1). */
#define LEGACY_KERNEL(name, wblock, ablock, MINS)                                            \
    ATTR static float SFX(dot_##name)(int64_t n, const void *vw, const void *va)              \
    {                                                                                          \
        const wblock *w = vw;                                                                  \
        const ablock *a = va;                                                                  \
        float32x4_t acc0 = vdupq_n_f32(0), acc1 = acc0;                                        \
        float mins = 0;                                                                        \
        const int64_t nb = n / 32;                                                             \
        int64_t b = 0;                                                                         \
        for (; b + 2 <= nb; b += 2) {                                                          \
            acc0 = vfmaq_n_f32(acc0, vcvtq_f32_s32(SFX(blk_##name)(&w[b], &a[b])),             \
                               f16(w[b].d) * f16(a[b].d));                                     \
            acc1 = vfmaq_n_f32(acc1, vcvtq_f32_s32(SFX(blk_##name)(&w[b + 1], &a[b + 1])),     \
                               f16(w[b + 1].d) * f16(a[b + 1].d));                             \
            MINS(b);                                                                           \
            MINS(b + 1);                                                                       \
        }                                                                                      \
        for (; b < nb; b++) {                                                                  \
            acc0 = vfmaq_n_f32(acc0, vcvtq_f32_s32(SFX(blk_##name)(&w[b], &a[b])),             \
                               f16(w[b].d) * f16(a[b].d));                                     \
            MINS(b);                                                                           \
        }                                                                                      \
        return vaddvq_f32(vaddq_f32(acc0, acc1)) + mins;                                       \
    }

#define NO_MINS(b) ((void)0)
#define ADD_MINS(b) (mins += f16(w[b].m) * f16(a[b].s))

LEGACY_KERNEL(q8_0, block_q8_0, block_q8_0, NO_MINS)
LEGACY_KERNEL(q4_0, block_q4_0, block_q8_0, NO_MINS)
LEGACY_KERNEL(q4_1, block_q4_1, block_q8_1, ADD_MINS)
LEGACY_KERNEL(q5_0, block_q5_0, block_q8_0, NO_MINS)
LEGACY_KERNEL(q5_1, block_q5_1, block_q8_1, ADD_MINS)

#undef LEGACY_KERNEL
#undef NO_MINS
#undef ADD_MINS

/* ---- K quants: super-blocks of 256 against Q8_K --------------------------
 * Per super-block: isum (four lanes) gathers scale * sub-block sums; it is
 * summed across lanes to the portable kernel's exact integer before the
 * float scale, as dot.c does. */

/* 16 sub-blocks of 16, 2-bit values; scales low nibble, mins high nibble */
ATTR static float SFX(dot_q2_K)(int64_t n, const void *vw, const void *va)
{
    const block_q2_K *w = vw;
    const block_q8_K *a = va;
    const uint8x16_t m3 = vdupq_n_u8(3);
    float s = 0;
    for (int64_t b = 0; b < n / QK_K; b++) {
        const uint8_t *sc = w[b].scales;
        int summs = bsum_dot16(a[b].bsums, vshrq_n_u8(vld1q_u8(sc), 4));
        const int8_t *y = a[b].qs;
        int32x4_t isum = vdupq_n_s32(0);
        for (int k = 0; k < 2; k++) {
            /* value 128k + 32j + l: bits 2j of byte 32k + l */
            uint8x16_t q0 = vld1q_u8(w[b].qs + 32 * k), q1 = vld1q_u8(w[b].qs + 32 * k + 16);
            for (int j = 0; j < 4; j++, y += 32) {
                int8x16_t x0 = vreinterpretq_s8_u8(vandq_u8(q0, m3));
                int8x16_t x1 = vreinterpretq_s8_u8(vandq_u8(q1, m3));
                int sub = 8 * k + 2 * j;
                isum = vmlaq_n_s32(isum, DOT16(vdupq_n_s32(0), x0, vld1q_s8(y)), sc[sub] & 0xF);
                isum = vmlaq_n_s32(isum, DOT16(vdupq_n_s32(0), x1, vld1q_s8(y + 16)), sc[sub + 1] & 0xF);
                q0 = vshrq_n_u8(q0, 2);
                q1 = vshrq_n_u8(q1, 2);
            }
        }
        float dall = a[b].d * f16(w[b].d), dmin = a[b].d * f16(w[b].dmin);
        s += dall * (float)vaddvq_s32(isum) - dmin * (float)summs;
    }
    return s;
}

/* 16 sub-blocks of 16: 2 low bits in qs, the third in hmask (set means no
 * -4), 6-bit signed scales */
ATTR static float SFX(dot_q3_K)(int64_t n, const void *vw, const void *va)
{
    const block_q3_K *w = vw;
    const block_q8_K *a = va;
    const uint8x16_t m3 = vdupq_n_u8(3), m4 = vdupq_n_u8(4);
    float s = 0;
    for (int64_t b = 0; b < n / QK_K; b++) {
        int sc[16];
        q3_scales(w[b].scales, sc);
        /* bit 4k + j of hmask byte l: the high bit of value 128k + 32j + l */
        uint8x16_t h0 = vld1q_u8(w[b].hmask), h1 = vld1q_u8(w[b].hmask + 16);
        const int8_t *y = a[b].qs;
        int32x4_t isum = vdupq_n_s32(0);
        for (int k = 0; k < 2; k++) {
            uint8x16_t q0 = vld1q_u8(w[b].qs + 32 * k), q1 = vld1q_u8(w[b].qs + 32 * k + 16);
            for (int j = 0; j < 4; j++, y += 32) {
                /* 2 bits + 4 * hbit - 4, in -4..3 */
                uint8x16_t u0 = vorrq_u8(vandq_u8(q0, m3), vandq_u8(vshlq_n_u8(h0, 2), m4));
                uint8x16_t u1 = vorrq_u8(vandq_u8(q1, m3), vandq_u8(vshlq_n_u8(h1, 2), m4));
                int8x16_t x0 = vsubq_s8(vreinterpretq_s8_u8(u0), vreinterpretq_s8_u8(m4));
                int8x16_t x1 = vsubq_s8(vreinterpretq_s8_u8(u1), vreinterpretq_s8_u8(m4));
                int sub = 8 * k + 2 * j;
                isum = vmlaq_n_s32(isum, DOT16(vdupq_n_s32(0), x0, vld1q_s8(y)), sc[sub]);
                isum = vmlaq_n_s32(isum, DOT16(vdupq_n_s32(0), x1, vld1q_s8(y + 16)), sc[sub + 1]);
                q0 = vshrq_n_u8(q0, 2);
                q1 = vshrq_n_u8(q1, 2);
                h0 = vshrq_n_u8(h0, 1);
                h1 = vshrq_n_u8(h1, 1);
            }
        }
        s += a[b].d * f16(w[b].d) * (float)vaddvq_s32(isum);
    }
    return s;
}

/* 8 sub-blocks of 32: byte 32j + l holds value 64j + l (low nibble) and
 * 64j + 32 + l (high); Q5_K adds a fifth bit from qh */
ATTR static float SFX(dot_q4_K)(int64_t n, const void *vw, const void *va)
{
    const block_q4_K *w = vw;
    const block_q8_K *a = va;
    const uint8x16_t m4 = vdupq_n_u8(0x0F);
    float s = 0;
    for (int64_t b = 0; b < n / QK_K; b++) {
        uint8_t sc[8], mn[8];
        for (int j = 0; j < 8; j++)
            llm_k4_scale_min(j, w[b].scales, &sc[j], &mn[j]);
        int summs = bsum_pairs_dot8(a[b].bsums, mn);
        const uint8_t *q = w[b].qs;
        const int8_t *y = a[b].qs;
        int32x4_t isum = vdupq_n_s32(0);
        for (int j = 0; j < 4; j++, q += 32, y += 64) {
            uint8x16_t b0 = vld1q_u8(q), b1 = vld1q_u8(q + 16);
            int8x16_t lo0 = vreinterpretq_s8_u8(vandq_u8(b0, m4)), lo1 = vreinterpretq_s8_u8(vandq_u8(b1, m4));
            int8x16_t hi0 = vreinterpretq_s8_u8(vshrq_n_u8(b0, 4)), hi1 = vreinterpretq_s8_u8(vshrq_n_u8(b1, 4));
            int32x4_t plo = DOT16(DOT16(vdupq_n_s32(0), lo0, vld1q_s8(y)), lo1, vld1q_s8(y + 16));
            int32x4_t phi = DOT16(DOT16(vdupq_n_s32(0), hi0, vld1q_s8(y + 32)), hi1, vld1q_s8(y + 48));
            isum = vmlaq_n_s32(isum, plo, sc[2 * j]);
            isum = vmlaq_n_s32(isum, phi, sc[2 * j + 1]);
        }
        float d = a[b].d * f16(w[b].d), dmin = a[b].d * f16(w[b].dmin);
        s += d * (float)vaddvq_s32(isum) - dmin * (float)summs;
    }
    return s;
}

ATTR static float SFX(dot_q5_K)(int64_t n, const void *vw, const void *va)
{
    const block_q5_K *w = vw;
    const block_q8_K *a = va;
    const uint8x16_t m4 = vdupq_n_u8(0x0F), b4 = vdupq_n_u8(0x10);
    float s = 0;
    for (int64_t b = 0; b < n / QK_K; b++) {
        uint8_t sc[8], mn[8];
        for (int j = 0; j < 8; j++)
            llm_k4_scale_min(j, w[b].scales, &sc[j], &mn[j]);
        int summs = bsum_pairs_dot8(a[b].bsums, mn);
        /* bit 2j of qh[l]: fifth bit of value 64j + l; bit 2j + 1: of 64j + 32 + l */
        uint8x16_t h0 = vld1q_u8(w[b].qh), h1 = vld1q_u8(w[b].qh + 16);
        const uint8_t *q = w[b].qs;
        const int8_t *y = a[b].qs;
        int32x4_t isum = vdupq_n_s32(0);
        for (int j = 0; j < 4; j++, q += 32, y += 64) {
            uint8x16_t b0 = vld1q_u8(q), b1 = vld1q_u8(q + 16);
            uint8x16_t lo0 = vorrq_u8(vandq_u8(b0, m4), vandq_u8(vshlq_n_u8(h0, 4), b4));
            uint8x16_t lo1 = vorrq_u8(vandq_u8(b1, m4), vandq_u8(vshlq_n_u8(h1, 4), b4));
            uint8x16_t hi0 = vorrq_u8(vshrq_n_u8(b0, 4), vandq_u8(vshlq_n_u8(h0, 3), b4));
            uint8x16_t hi1 = vorrq_u8(vshrq_n_u8(b1, 4), vandq_u8(vshlq_n_u8(h1, 3), b4));
            int32x4_t plo = DOT16(DOT16(vdupq_n_s32(0), vreinterpretq_s8_u8(lo0), vld1q_s8(y)),
                                  vreinterpretq_s8_u8(lo1), vld1q_s8(y + 16));
            int32x4_t phi = DOT16(DOT16(vdupq_n_s32(0), vreinterpretq_s8_u8(hi0), vld1q_s8(y + 32)),
                                  vreinterpretq_s8_u8(hi1), vld1q_s8(y + 48));
            isum = vmlaq_n_s32(isum, plo, sc[2 * j]);
            isum = vmlaq_n_s32(isum, phi, sc[2 * j + 1]);
            h0 = vshrq_n_u8(h0, 2);
            h1 = vshrq_n_u8(h1, 2);
        }
        float d = a[b].d * f16(w[b].d), dmin = a[b].d * f16(w[b].dmin);
        s += d * (float)vaddvq_s32(isum) - dmin * (float)summs;
    }
    return s;
}

/* 16 sub-blocks of 16, int8 scales. Per 128 values (half k): ql 64 bytes
 * hold the low nibbles of values l and l + 32 and the high nibbles of l + 64
 * and l + 96; qh byte l holds their 2 high bits (bits 0-1, 2-3, 4-5, 6-7). */
ATTR static float SFX(dot_q6_K)(int64_t n, const void *vw, const void *va)
{
    const block_q6_K *w = vw;
    const block_q8_K *a = va;
    const uint8x16_t m4 = vdupq_n_u8(0x0F), m30 = vdupq_n_u8(0x30);
    const int8x16_t k32 = vdupq_n_s8(32);
    float s = 0;
    for (int64_t b = 0; b < n / QK_K; b++) {
        const int8_t *sc = w[b].scales;
        int32x4_t isum = vdupq_n_s32(0);
        for (int k = 0; k < 2; k++) {
            const uint8_t *ql = w[b].ql + 64 * k, *qh = w[b].qh + 32 * k;
            const int8_t *y = a[b].qs + 128 * k;
            uint8x16_t l0 = vld1q_u8(ql), l1 = vld1q_u8(ql + 16), l2 = vld1q_u8(ql + 32), l3 = vld1q_u8(ql + 48);
            uint8x16_t h0 = vld1q_u8(qh), h1 = vld1q_u8(qh + 16);
            /* the 8 sub-blocks of 16 values of this half, in order */
            uint8x16_t u[8] = {
                vorrq_u8(vandq_u8(l0, m4), vandq_u8(vshlq_n_u8(h0, 4), m30)),
                vorrq_u8(vandq_u8(l1, m4), vandq_u8(vshlq_n_u8(h1, 4), m30)),
                vorrq_u8(vandq_u8(l2, m4), vandq_u8(vshlq_n_u8(h0, 2), m30)),
                vorrq_u8(vandq_u8(l3, m4), vandq_u8(vshlq_n_u8(h1, 2), m30)),
                vorrq_u8(vshrq_n_u8(l0, 4), vandq_u8(h0, m30)),
                vorrq_u8(vshrq_n_u8(l1, 4), vandq_u8(h1, m30)),
                vorrq_u8(vshrq_n_u8(l2, 4), vandq_u8(vshrq_n_u8(h0, 2), m30)),
                vorrq_u8(vshrq_n_u8(l3, 4), vandq_u8(vshrq_n_u8(h1, 2), m30)),
            };
            for (int m = 0; m < 8; m++) {
                int8x16_t x = vsubq_s8(vreinterpretq_s8_u8(u[m]), k32);
                isum = vmlaq_n_s32(isum, DOT16(vdupq_n_s32(0), x, vld1q_s8(y + 16 * m)), sc[8 * k + m]);
            }
        }
        s += a[b].d * f16(w[b].d) * (float)vaddvq_s32(isum);
    }
    return s;
}

/* The kernel of this variant for wtype, or NULL. */
static llm_dot_fn SFX(pick)(uint32_t wtype)
{
    switch (wtype) {
    case LLM_Q8_0: return SFX(dot_q8_0);
    case LLM_Q4_0: return SFX(dot_q4_0);
    case LLM_Q4_1: return SFX(dot_q4_1);
    case LLM_Q5_0: return SFX(dot_q5_0);
    case LLM_Q5_1: return SFX(dot_q5_1);
    case LLM_Q2_K: return SFX(dot_q2_K);
    case LLM_Q3_K: return SFX(dot_q3_K);
    case LLM_Q4_K: return SFX(dot_q4_K);
    case LLM_Q5_K: return SFX(dot_q5_K);
    case LLM_Q6_K: return SFX(dot_q6_K);
    default: return NULL;
    }
}
