/* quant_legacy.c: the 32-value block types Q4_0, Q4_1, Q5_0, Q5_1, Q8_0,
 * Q8_1: dequantization and ggml's reference quantizers, in portable C.
 *
 * _0 types store x = d*q (q signed, centred), _1 types x = d*q + m.
 * Quantizers follow ggml's quantize_row_*_ref operation for operation (the
 * rounding by truncating x+0.5, roundf for Q8, 1.0f/d), so the bytes match
 * llama.cpp's files exactly. */
#include <float.h>
#include <math.h>

#include "quant.h"

#if defined(__clang__)
#pragma clang fp contract(off) /* an FMA would change the last bit: keep a*b+c as two roundings */
#endif

#define F16(h) llm_f16_to_f32(h)

/* The 32 high bits of Q5 blocks, stored little-endian. */
static uint32_t load_qh(const uint8_t qh[4]) {
    return (uint32_t)qh[0] | (uint32_t)qh[1] << 8 | (uint32_t)qh[2] << 16 | (uint32_t)qh[3] << 24;
}

static void store_qh(uint8_t qh[4], uint32_t v) {
    for (int i = 0; i < 4; i++) qh[i] = (uint8_t)(v >> (8 * i));
}

/* (int8_t)v the way ggml's reference build gets it from GCC on x86-64:
 * truncate to int32 (NaN and out-of-range give INT32_MIN, as cvttss2si
 * does) and keep the low byte. Only degenerate blocks reach the odd cases
 * (NaN/inf, or a subnormal scale whose inverse overflows to inf); spelling
 * them out keeps our bytes equal to llama.cpp's there too, on any CPU, and
 * avoids C's undefined out-of-range conversion. */
static int trunc8(float v) {
    const int32_t r = (v > -2147483648.f && v < 2147483648.f) ? (int32_t)v : INT32_MIN;
    const int b = r & 0xFF;
    return b < 128 ? b : b - 256;
}

/* The value of largest magnitude (the first one, on ties), signed. */
static float signed_absmax(const float *x, int n) {
    float amax = 0.0f, max = 0.0f;
    for (int j = 0; j < n; j++) {
        if (amax < fabsf(x[j])) {
            amax = fabsf(x[j]);
            max = x[j];
        }
    }
    return max;
}

/* Smallest and largest value of x[0..n). */
static void min_max(const float *x, int n, float *mn, float *mx) {
    float lo = FLT_MAX, hi = -FLT_MAX;
    for (int j = 0; j < n; j++) {
        if (x[j] < lo) lo = x[j];
        if (x[j] > hi) hi = x[j];
    }
    *mn = lo;
    *mx = hi;
}

/* ---- dequantization: element j of the block sits in the low nibble of
 * qs[j] for j < 16, in the high nibble of qs[j-16] otherwise. */

void llm_dequant_q4_0(const block_q4_0 *x, float *y, int64_t n) {
    for (int64_t i = 0; i < n / QK4_0; i++, y += QK4_0) {
        const float d = F16(x[i].d);
        for (int j = 0; j < QK4_0 / 2; j++) {
            y[j] = ((x[i].qs[j] & 0x0F) - 8) * d;
            y[j + QK4_0 / 2] = ((x[i].qs[j] >> 4) - 8) * d;
        }
    }
}

void llm_dequant_q4_1(const block_q4_1 *x, float *y, int64_t n) {
    for (int64_t i = 0; i < n / QK4_1; i++, y += QK4_1) {
        const float d = F16(x[i].d), m = F16(x[i].m);
        for (int j = 0; j < QK4_1 / 2; j++) {
            y[j] = (x[i].qs[j] & 0x0F) * d + m;
            y[j + QK4_1 / 2] = (x[i].qs[j] >> 4) * d + m;
        }
    }
}

void llm_dequant_q5_0(const block_q5_0 *x, float *y, int64_t n) {
    for (int64_t i = 0; i < n / QK5_0; i++, y += QK5_0) {
        const float d = F16(x[i].d);
        const uint32_t qh = load_qh(x[i].qh);
        for (int j = 0; j < QK5_0 / 2; j++) {
            const int h0 = (qh >> j) & 1, h1 = (qh >> (j + 16)) & 1;
            y[j] = (((x[i].qs[j] & 0x0F) | h0 << 4) - 16) * d;
            y[j + QK5_0 / 2] = (((x[i].qs[j] >> 4) | h1 << 4) - 16) * d;
        }
    }
}

void llm_dequant_q5_1(const block_q5_1 *x, float *y, int64_t n) {
    for (int64_t i = 0; i < n / QK5_1; i++, y += QK5_1) {
        const float d = F16(x[i].d), m = F16(x[i].m);
        const uint32_t qh = load_qh(x[i].qh);
        for (int j = 0; j < QK5_1 / 2; j++) {
            const int h0 = (qh >> j) & 1, h1 = (qh >> (j + 16)) & 1;
            y[j] = ((x[i].qs[j] & 0x0F) | h0 << 4) * d + m;
            y[j + QK5_1 / 2] = ((x[i].qs[j] >> 4) | h1 << 4) * d + m;
        }
    }
}

void llm_dequant_q8_0(const block_q8_0 *x, float *y, int64_t n) {
    for (int64_t i = 0; i < n / QK8_0; i++, y += QK8_0) {
        const float d = F16(x[i].d);
        for (int j = 0; j < QK8_0; j++) y[j] = x[i].qs[j] * d;
    }
}

void llm_dequant_q8_1(const block_q8_1 *x, float *y, int64_t n) {
    for (int64_t i = 0; i < n / QK8_1; i++, y += QK8_1) {
        const float d = F16(x[i].d);
        for (int j = 0; j < QK8_1; j++) y[j] = x[i].qs[j] * d;
    }
}

/* ---- reference quantizers */

/* d = -max/8 maps the largest-magnitude value to q = -8 exactly, so the
 * asymmetric range [-8, 7] is used in full on the side that matters. */
void llm_quant_q4_0(const float *x, block_q4_0 *y, int64_t n) {
    for (int64_t i = 0; i < n / QK4_0; i++, x += QK4_0) {
        const float d = signed_absmax(x, QK4_0) / -8;
        const float id = d ? 1.0f / d : 0.0f;
        y[i].d = llm_f32_to_f16(d);
        for (int j = 0; j < QK4_0 / 2; j++) {
            int q0 = trunc8(x[j] * id + 8.5f), q1 = trunc8(x[j + QK4_0 / 2] * id + 8.5f);
            q0 = q0 < 15 ? q0 : 15;
            q1 = q1 < 15 ? q1 : 15;
            y[i].qs[j] = (uint8_t)((uint8_t)q0 | (uint8_t)q1 << 4);
        }
    }
}

void llm_quant_q4_1(const float *x, block_q4_1 *y, int64_t n) {
    for (int64_t i = 0; i < n / QK4_1; i++, x += QK4_1) {
        float mn, mx;
        min_max(x, QK4_1, &mn, &mx);
        const float d = (mx - mn) / 15;
        const float id = d ? 1.0f / d : 0.0f;
        y[i].d = llm_f32_to_f16(d);
        y[i].m = llm_f32_to_f16(mn);
        for (int j = 0; j < QK4_1 / 2; j++) {
            int q0 = trunc8((x[j] - mn) * id + 0.5f), q1 = trunc8((x[j + QK4_1 / 2] - mn) * id + 0.5f);
            q0 = q0 < 15 ? q0 : 15;
            q1 = q1 < 15 ? q1 : 15;
            y[i].qs[j] = (uint8_t)((uint8_t)q0 | (uint8_t)q1 << 4);
        }
    }
}

void llm_quant_q5_0(const float *x, block_q5_0 *y, int64_t n) {
    for (int64_t i = 0; i < n / QK5_0; i++, x += QK5_0) {
        const float d = signed_absmax(x, QK5_0) / -16;
        const float id = d ? 1.0f / d : 0.0f;
        uint32_t qh = 0;
        y[i].d = llm_f32_to_f16(d);
        for (int j = 0; j < QK5_0 / 2; j++) {
            int s0 = trunc8(x[j] * id + 16.5f), s1 = trunc8(x[j + QK5_0 / 2] * id + 16.5f);
            const uint8_t q0 = (uint8_t)(s0 < 31 ? s0 : 31), q1 = (uint8_t)(s1 < 31 ? s1 : 31);
            y[i].qs[j] = (uint8_t)((q0 & 0x0F) | (q1 & 0x0F) << 4);
            qh |= (uint32_t)((q0 >> 4) & 1) << j | (uint32_t)((q1 >> 4) & 1) << (j + 16);
        }
        store_qh(y[i].qh, qh);
    }
}

/* No clamp to 31 here, as in ggml: (x-min)/d + 0.5 cannot reach 32. */
void llm_quant_q5_1(const float *x, block_q5_1 *y, int64_t n) {
    for (int64_t i = 0; i < n / QK5_1; i++, x += QK5_1) {
        float mn, mx;
        min_max(x, QK5_1, &mn, &mx);
        const float d = (mx - mn) / 31;
        const float id = d ? 1.0f / d : 0.0f;
        uint32_t qh = 0;
        y[i].d = llm_f32_to_f16(d);
        y[i].m = llm_f32_to_f16(mn);
        for (int j = 0; j < QK5_1 / 2; j++) {
            const uint8_t q0 = (uint8_t)trunc8((x[j] - mn) * id + 0.5f);
            const uint8_t q1 = (uint8_t)trunc8((x[j + QK5_1 / 2] - mn) * id + 0.5f);
            y[i].qs[j] = (uint8_t)((q0 & 0x0F) | (q1 & 0x0F) << 4);
            qh |= (uint32_t)((q0 >> 4) & 1) << j | (uint32_t)((q1 >> 4) & 1) << (j + 16);
        }
        store_qh(y[i].qh, qh);
    }
}

/* Scale 1/127 of the absolute maximum; d for both Q8 types. The operand
 * order is ggml's MAX(amax, |x|): a NaN resets the running maximum. */
static float q8_scale(const float *x) {
    float amax = 0.0f;
    for (int j = 0; j < 32; j++) amax = amax > fabsf(x[j]) ? amax : fabsf(x[j]);
    return amax / 127;
}

void llm_quant_q8_0(const float *x, block_q8_0 *y, int64_t n) {
    for (int64_t i = 0; i < n / QK8_0; i++, x += QK8_0) {
        const float d = q8_scale(x);
        const float id = d ? 1.0f / d : 0.0f;
        y[i].d = llm_f32_to_f16(d);
        for (int j = 0; j < QK8_0; j++) y[i].qs[j] = (int8_t)trunc8(roundf(x[j] * id));
    }
}

void llm_quant_q8_1(const float *x, block_q8_1 *y, int64_t n) {
    for (int64_t i = 0; i < n / QK8_1; i++, x += QK8_1) {
        const float d = q8_scale(x);
        const float id = d ? 1.0f / d : 0.0f;
        int sum = 0;
        y[i].d = llm_f32_to_f16(d);
        for (int j = 0; j < QK8_1; j++) {
            y[i].qs[j] = (int8_t)trunc8(roundf(x[j] * id));
            sum += y[i].qs[j];
        }
        y[i].s = llm_f32_to_f16(sum * d);
    }
}
