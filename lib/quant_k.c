/* quant_k.c: the K types (Q2_K..Q6_K, Q8_K): super-blocks of 256 values
 * split into sub-blocks of 16 or 32, each with a scale (and min) that is
 * itself quantized against one fp16 super-block scale.
 *
 * The quantizers are ggml's reference ones (quantize_row_*_ref, without an
 * importance matrix): a search for the best sub-block scale, then the
 * sub-block scales are quantized and the values re-quantized against the
 * rounded scales. Every float expression keeps ggml's operand order, so the
 * output bytes equal llama.cpp's. */
#include <math.h>

#include "quant.h"

#if defined(__clang__)
#pragma clang fp contract(off) /* an FMA would change the last bit: keep a*b+c as two roundings */
#endif

#define F16(h) llm_f16_to_f32(h)
#define GROUP_MAX_EPS 1e-15f /* below this a sub-block counts as all zero */

static inline int clampi(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }

/* ---- scale searches */

/* Symmetric quantization of x[0..n) to L in [0, 2*nmax) (stored offset by
 * nmax), weighted by x^2: try 19 scales around -nmax/max and keep the one
 * that maximises sumlx^2/suml2 (least squares). Returns the scale. Q6_K. */
static float search_symmetric(int n, int nmax, const float *x, int8_t *L) {
    float max = 0, amax = 0;
    for (int i = 0; i < n; i++) {
        const float ax = fabsf(x[i]);
        if (ax > amax) { amax = ax; max = x[i]; }
    }
    if (amax < GROUP_MAX_EPS) {
        for (int i = 0; i < n; i++) L[i] = 0;
        return 0.f;
    }
    float iscale = -nmax / max;
    float sumlx = 0, suml2 = 0;
    for (int i = 0; i < n; i++) {
        const int l = clampi(llm_nearest_int(iscale * x[i]), -nmax, nmax - 1);
        L[i] = (int8_t)(l + nmax);
        const float w = x[i] * x[i];
        sumlx += w * x[i] * l;
        suml2 += w * l * l;
    }
    float scale = suml2 ? sumlx / suml2 : 0.0f;
    float best = scale * sumlx;
    for (int is = -9; is <= 9; is++) {
        if (is == 0) continue;
        iscale = -(nmax + 0.1f * is) / max;
        sumlx = suml2 = 0;
        for (int i = 0; i < n; i++) {
            const int l = clampi(llm_nearest_int(iscale * x[i]), -nmax, nmax - 1);
            const float w = x[i] * x[i];
            sumlx += w * x[i] * l;
            suml2 += w * l * l;
        }
        if (suml2 > 0 && sumlx * sumlx > best * suml2) {
            for (int i = 0; i < n; i++)
                L[i] = (int8_t)(nmax + clampi(llm_nearest_int(iscale * x[i]), -nmax, nmax - 1));
            scale = sumlx / suml2;
            best = scale * sumlx;
        }
    }
    return scale;
}

/* Symmetric quantization to [-nmax, nmax) refined coordinate-wise: each value
 * in turn moves to the level that is best given the others, up to 5 passes,
 * as long as the weighted (x^2) least-squares fit improves. L is stored
 * offset by nmax, except for an all-zero group (L = 0). Q3_K. */
static float search_symmetric_iter(int n, int nmax, const float *x, int8_t *L) {
    float max = 0, amax = 0;
    for (int i = 0; i < n; i++) {
        const float ax = fabsf(x[i]);
        if (ax > amax) { amax = ax; max = x[i]; }
    }
    if (amax < GROUP_MAX_EPS) {
        for (int i = 0; i < n; i++) L[i] = 0;
        return 0.f;
    }
    const float iscale = -nmax / max;
    float sumlx = 0, suml2 = 0;
    for (int i = 0; i < n; i++) {
        const int l = clampi(llm_nearest_int(iscale * x[i]), -nmax, nmax - 1);
        L[i] = (int8_t)l;
        const float w = x[i] * x[i];
        sumlx += w * x[i] * l;
        suml2 += w * l * l;
    }
    for (int pass = 0; pass < 5; pass++) {
        int changed = 0;
        for (int i = 0; i < n; i++) {
            const float w = x[i] * x[i];
            float slx = sumlx - w * x[i] * L[i];
            if (slx > 0) {
                float sl2 = suml2 - w * L[i] * L[i];
                const int nl = clampi(llm_nearest_int(x[i] * sl2 / slx), -nmax, nmax - 1);
                if (nl != L[i]) {
                    slx += w * x[i] * nl;
                    sl2 += w * nl * nl;
                    if (sl2 > 0 && slx * slx * suml2 > sumlx * sumlx * sl2) {
                        L[i] = (int8_t)nl;
                        sumlx = slx;
                        suml2 = sl2;
                        changed++;
                    }
                }
            }
        }
        if (!changed) break;
    }
    for (int i = 0; i < n; i++) L[i] = (int8_t)(L[i] + nmax);
    return suml2 > 0.0f ? sumlx / suml2 : 0.0f;
}

/* Asymmetric quantization x ~ scale*L - the_min, L in [0, nmax], min <= 0:
 * start from the min/max grid, then try nstep+1 grids (nmax + rmin +
 * rdelta*is levels over the range), fit scale and min by weighted least
 * squares for each, and keep the one of least weighted error (|diff| if
 * use_mad, else diff^2). Laux is scratch of n bytes. Q2_K, Q4_K, Q5_K. */
static float search_affine(int n, int nmax, const float *x, const float *weights, uint8_t *L,
                           float *the_min, uint8_t *Laux, float rmin, float rdelta, int nstep,
                           int use_mad) {
    float min = x[0], max = x[0];
    float sum_w = weights[0];
    float sum_x = sum_w * x[0];
    for (int i = 1; i < n; i++) {
        if (x[i] < min) min = x[i];
        if (x[i] > max) max = x[i];
        const float w = weights[i];
        sum_w += w;
        sum_x += w * x[i];
    }
    if (min > 0) min = 0;
    if (max == min) {
        for (int i = 0; i < n; i++) L[i] = 0;
        *the_min = -min;
        return 0.f;
    }
    float iscale = nmax / (max - min);
    float scale = 1 / iscale;
    float best_error = 0;
    for (int i = 0; i < n; i++) {
        L[i] = (uint8_t)clampi(llm_nearest_int(iscale * (x[i] - min)), 0, nmax);
        float diff = scale * L[i] + min - x[i];
        diff = use_mad ? fabsf(diff) : diff * diff;
        best_error += weights[i] * diff;
    }
    for (int is = 0; is <= nstep; is++) {
        iscale = (rmin + rdelta * is + nmax) / (max - min);
        float sum_l = 0, sum_l2 = 0, sum_xl = 0;
        for (int i = 0; i < n; i++) {
            const int l = clampi(llm_nearest_int(iscale * (x[i] - min)), 0, nmax);
            Laux[i] = (uint8_t)l;
            const float w = weights[i];
            sum_l += w * l;
            sum_l2 += w * l * l;
            sum_xl += w * l * x[i];
        }
        const float D = sum_w * sum_l2 - sum_l * sum_l;
        if (D > 0) {
            float this_scale = (sum_w * sum_xl - sum_x * sum_l) / D;
            float this_min = (sum_l2 * sum_x - sum_l * sum_xl) / D;
            if (this_min > 0) {
                this_min = 0;
                this_scale = sum_xl / sum_l2;
            }
            float cur_error = 0;
            for (int i = 0; i < n; i++) {
                float diff = this_scale * Laux[i] + this_min - x[i];
                diff = use_mad ? fabsf(diff) : diff * diff;
                cur_error += weights[i] * diff;
            }
            if (cur_error < best_error) {
                memcpy(L, Laux, (size_t)n);
                best_error = cur_error;
                scale = this_scale;
                min = this_min;
            }
        }
    }
    *the_min = -min;
    return scale;
}

/* ---- Q2_K: x = d*sc*q - dmin*m, q in 0..3, 4-bit sc and m per 16 values.
 * Value e of a super-block: 2-bit field e/32%4 of qs[32*(e/128) + e%32]. */

void llm_dequant_q2_K(const block_q2_K *x, float *y, int64_t n) {
    for (int64_t i = 0; i < n / QK_K; i++) {
        const float d = F16(x[i].d), min = F16(x[i].dmin);
        for (int e = 0; e < QK_K; e++) {
            const uint8_t sc = x[i].scales[e / 16];
            const float dl = d * (sc & 0xF), ml = min * (sc >> 4);
            const int q = (x[i].qs[32 * (e / 128) + e % 32] >> (2 * (e / 32 % 4))) & 3;
            *y++ = dl * q - ml;
        }
    }
}

/* Pack 2-bit values L[0..256) the way Q2_K and Q3_K store them. */
static void pack_2bit(const uint8_t *L, uint8_t *qs) {
    for (int j = 0; j < QK_K; j += 128)
        for (int l = 0; l < 32; l++)
            qs[j / 4 + l] = (uint8_t)(L[j + l] | L[j + l + 32] << 2 | L[j + l + 64] << 4 | L[j + l + 96] << 6);
}

void llm_quant_q2_K(const float *x, block_q2_K *y, int64_t n) {
    uint8_t L[QK_K], Laux[16];
    float weights[16], mins[QK_K / 16], scales[QK_K / 16];
    const float q4scale = 15.f;
    for (int64_t i = 0; i < n / QK_K; i++, x += QK_K) {
        float max_scale = 0, max_min = 0;
        for (int j = 0; j < QK_K / 16; j++) {
            for (int l = 0; l < 16; l++) weights[l] = fabsf(x[16 * j + l]);
            scales[j] = search_affine(16, 3, x + 16 * j, weights, L + 16 * j, &mins[j], Laux,
                                      -0.5f, 0.1f, 15, 1);
            if (scales[j] > max_scale) max_scale = scales[j];
            if (mins[j] > max_min) max_min = mins[j];
        }
        if (max_scale > 0) {
            const float iscale = q4scale / max_scale;
            for (int j = 0; j < QK_K / 16; j++) y[i].scales[j] = (uint8_t)llm_nearest_int(iscale * scales[j]);
            y[i].d = llm_f32_to_f16(max_scale / q4scale);
        } else {
            memset(y[i].scales, 0, sizeof y[i].scales);
            y[i].d = llm_f32_to_f16(0.f);
        }
        if (max_min > 0) {
            const float iscale = q4scale / max_min;
            for (int j = 0; j < QK_K / 16; j++)
                y[i].scales[j] |= (uint8_t)((unsigned)llm_nearest_int(iscale * mins[j]) << 4);
            y[i].dmin = llm_f32_to_f16(max_min / q4scale);
        } else {
            y[i].dmin = llm_f32_to_f16(0.f);
        }
        /* re-quantize against the rounded scales; a zero scale keeps the search's L */
        for (int j = 0; j < QK_K / 16; j++) {
            const float d = F16(y[i].d) * (y[i].scales[j] & 0xF);
            if (!d) continue;
            const float dm = F16(y[i].dmin) * (y[i].scales[j] >> 4);
            for (int l = 0; l < 16; l++)
                L[16 * j + l] = (uint8_t)clampi(llm_nearest_int((x[16 * j + l] + dm) / d), 0, 3);
        }
        pack_2bit(L, y[i].qs);
    }
}

/* ---- Q3_K: x = d*(sc-32)*(q-4), q in 0..7 (2 bits in qs, bit 2 in hmask),
 * 6-bit sc per 16 values: low nibbles in scales[0..7] (16 nibbles), the top
 * two bits of sc j in bits 2*(j/4) of scales[8 + j%4]. */

static int q3_scale(const uint8_t *s, int j) {
    const int lo = j < 8 ? s[j] & 0xF : s[j - 8] >> 4;
    return (lo | ((s[8 + j % 4] >> (2 * (j / 4))) & 3) << 4) - 32;
}

void llm_dequant_q3_K(const block_q3_K *x, float *y, int64_t n) {
    for (int64_t i = 0; i < n / QK_K; i++) {
        const float d_all = F16(x[i].d);
        for (int e = 0; e < QK_K; e++) {
            const float dl = d_all * q3_scale(x[i].scales, e / 16);
            const int lo = (x[i].qs[32 * (e / 128) + e % 32] >> (2 * (e / 32 % 4))) & 3;
            const int hi = (x[i].hmask[e % 32] >> (e / 32)) & 1;
            *y++ = dl * (lo - (hi ? 0 : 4));
        }
    }
}

void llm_quant_q3_K(const float *x, block_q3_K *y, int64_t n) {
    int8_t L[QK_K];
    float scales[QK_K / 16];
    for (int64_t i = 0; i < n / QK_K; i++, x += QK_K) {
        float max_scale = 0, amax = 0;
        for (int j = 0; j < QK_K / 16; j++) {
            scales[j] = search_symmetric_iter(16, 4, x + 16 * j, L + 16 * j);
            const float scale = fabsf(scales[j]);
            if (scale > amax) { amax = scale; max_scale = scales[j]; }
        }
        memset(y[i].scales, 0, sizeof y[i].scales);
        if (max_scale) {
            const float iscale = -32.f / max_scale;
            for (int j = 0; j < QK_K / 16; j++) {
                /* int8 first, as ggml: matters only for inf (nearest_int gives -2^22) */
                const int l = clampi((int8_t)llm_nearest_int(iscale * scales[j]), -32, 31) + 32;
                if (j < 8) y[i].scales[j] = (uint8_t)(l & 0xF);
                else y[i].scales[j - 8] |= (uint8_t)((l & 0xF) << 4);
                y[i].scales[j % 4 + 8] |= (uint8_t)((l >> 4) << (2 * (j / 4)));
            }
            y[i].d = llm_f32_to_f16(1 / iscale);
        } else {
            y[i].d = llm_f32_to_f16(0.f);
        }
        for (int j = 0; j < QK_K / 16; j++) {
            const float d = F16(y[i].d) * q3_scale(y[i].scales, j);
            if (!d) continue;
            for (int l = 0; l < 16; l++)
                L[16 * j + l] = (int8_t)(clampi(llm_nearest_int(x[16 * j + l] / d), -4, 3) + 4);
        }
        /* bit 2 of value e goes to bit e/32 of hmask[e%32] */
        memset(y[i].hmask, 0, sizeof y[i].hmask);
        uint8_t low[QK_K];
        for (int e = 0; e < QK_K; e++) {
            int l = L[e];
            if (l > 3) {
                y[i].hmask[e % 32] |= (uint8_t)(1 << (e / 32));
                l -= 4;
            }
            low[e] = (uint8_t)l;
        }
        pack_2bit(low, y[i].qs);
    }
}

/* ---- Q4_K and Q5_K: x = d*sc*q - dmin*m per 32 values, 6-bit sc and m
 * packed in 12 bytes (see llm_k4_scale_min). Values 64*k + l and 64*k + 32
 * + l share byte qs[32*k + l]: low nibble, high nibble. */

void llm_dequant_q4_K(const block_q4_K *x, float *y, int64_t n) {
    for (int64_t i = 0; i < n / QK_K; i++) {
        const float d = F16(x[i].d), min = F16(x[i].dmin);
        for (int j = 0; j < QK_K / 32; j++) {
            uint8_t sc, m;
            llm_k4_scale_min(j, x[i].scales, &sc, &m);
            const float d1 = d * sc, m1 = min * m;
            const uint8_t *q = x[i].qs + 32 * (j / 2);
            const int shift = 4 * (j % 2);
            for (int l = 0; l < 32; l++) *y++ = d1 * ((q[l] >> shift) & 0xF) - m1;
        }
    }
}

void llm_dequant_q5_K(const block_q5_K *x, float *y, int64_t n) {
    for (int64_t i = 0; i < n / QK_K; i++) {
        const float d = F16(x[i].d), min = F16(x[i].dmin);
        for (int j = 0; j < QK_K / 32; j++) {
            uint8_t sc, m;
            llm_k4_scale_min(j, x[i].scales, &sc, &m);
            const float d1 = d * sc, m1 = min * m;
            const uint8_t *q = x[i].qs + 32 * (j / 2);
            const int shift = 4 * (j % 2);
            for (int l = 0; l < 32; l++) {
                const int hi = (x[i].qh[l] >> j) & 1;
                *y++ = d1 * (((q[l] >> shift) & 0xF) + (hi ? 16 : 0)) - m1;
            }
        }
    }
}

/* The common part of the Q4_K/Q5_K quantizers: sub-block search (weights
 * |x| + rms), 6-bit scales and mins into scales[12], d and dmin, and the
 * final levels L in [0, nmax]. */
static void quant_k4_common(const float *x, int nmax, float rmin, int nstep, uint16_t *dp,
                            uint16_t *dminp, uint8_t *packed, uint8_t *L) {
    uint8_t Laux[32];
    float weights[32], mins[QK_K / 32], scales[QK_K / 32];
    float max_scale = 0, max_min = 0;
    for (int j = 0; j < QK_K / 32; j++) {
        float sum_x2 = 0;
        for (int l = 0; l < 32; l++) sum_x2 += x[32 * j + l] * x[32 * j + l];
        const float av_x = sqrtf(sum_x2 / 32);
        for (int l = 0; l < 32; l++) weights[l] = av_x + fabsf(x[32 * j + l]);
        scales[j] = search_affine(32, nmax, x + 32 * j, weights, L + 32 * j, &mins[j], Laux,
                                  rmin, 0.1f, nstep, 0);
        if (scales[j] > max_scale) max_scale = scales[j];
        if (mins[j] > max_min) max_min = mins[j];
    }
    const float inv_scale = max_scale > 0 ? 63.f / max_scale : 0.f;
    const float inv_min = max_min > 0 ? 63.f / max_min : 0.f;
    for (int j = 0; j < QK_K / 32; j++) {
        uint8_t ls = (uint8_t)llm_nearest_int(inv_scale * scales[j]);
        uint8_t lm = (uint8_t)llm_nearest_int(inv_min * mins[j]);
        ls = ls < 63 ? ls : 63;
        lm = lm < 63 ? lm : 63;
        if (j < 4) {
            packed[j] = ls;
            packed[j + 4] = lm;
        } else {
            packed[j + 4] = (uint8_t)((ls & 0xF) | (lm & 0xF) << 4);
            packed[j - 4] |= (uint8_t)((ls >> 4) << 6);
            packed[j] |= (uint8_t)((lm >> 4) << 6);
        }
    }
    *dp = llm_f32_to_f16(max_scale / 63.f);
    *dminp = llm_f32_to_f16(max_min / 63.f);
    for (int j = 0; j < QK_K / 32; j++) {
        uint8_t sc, m;
        llm_k4_scale_min(j, packed, &sc, &m);
        const float d = F16(*dp) * sc;
        if (!d) continue;
        const float dm = F16(*dminp) * m;
        for (int l = 0; l < 32; l++)
            L[32 * j + l] = (uint8_t)clampi(llm_nearest_int((x[32 * j + l] + dm) / d), 0, nmax);
    }
}

void llm_quant_q4_K(const float *x, block_q4_K *y, int64_t n) {
    uint8_t L[QK_K];
    for (int64_t i = 0; i < n / QK_K; i++, x += QK_K) {
        quant_k4_common(x, 15, -1.f, 20, &y[i].d, &y[i].dmin, y[i].scales, L);
        for (int k = 0; k < QK_K / 64; k++)
            for (int l = 0; l < 32; l++)
                y[i].qs[32 * k + l] = (uint8_t)(L[64 * k + l] | L[64 * k + 32 + l] << 4);
    }
}

/* Q5_K: bit 4 of value 32*j + l goes to bit j of qh[l]. */
void llm_quant_q5_K(const float *x, block_q5_K *y, int64_t n) {
    uint8_t L[QK_K];
    for (int64_t i = 0; i < n / QK_K; i++, x += QK_K) {
        quant_k4_common(x, 31, -0.5f, 15, &y[i].d, &y[i].dmin, y[i].scales, L);
        memset(y[i].qh, 0, sizeof y[i].qh);
        for (int e = 0; e < QK_K; e++)
            y[i].qh[e % 32] |= (uint8_t)((L[e] >> 4) << (e / 32));
        for (int k = 0; k < QK_K / 64; k++)
            for (int l = 0; l < 32; l++)
                y[i].qs[32 * k + l] = (uint8_t)((L[64 * k + l] & 0xF) | (L[64 * k + 32 + l] & 0xF) << 4);
    }
}

/* ---- Q6_K: x = d*sc*(q-32), q in 0..63, int8 sc per 16 values. Value e:
 * half h = e/128, r = e%128: low 4 bits in nibble r/64 of ql[64h + r%64],
 * high 2 bits at bit 2*(r/32) of qh[32h + r%32]. */

void llm_dequant_q6_K(const block_q6_K *x, float *y, int64_t n) {
    for (int64_t i = 0; i < n / QK_K; i++) {
        const float d = F16(x[i].d);
        for (int e = 0; e < QK_K; e++) {
            const int h = e / 128, r = e % 128;
            const int lo = (x[i].ql[64 * h + r % 64] >> (4 * (r / 64))) & 0xF;
            const int hi = (x[i].qh[32 * h + r % 32] >> (2 * (r / 32))) & 3;
            *y++ = d * x[i].scales[e / 16] * ((lo | hi << 4) - 32);
        }
    }
}

void llm_quant_q6_K(const float *x, block_q6_K *y, int64_t n) {
    int8_t L[QK_K];
    float scales[QK_K / 16];
    for (int64_t i = 0; i < n / QK_K; i++, x += QK_K) {
        float max_scale = 0, max_abs_scale = 0;
        for (int ib = 0; ib < QK_K / 16; ib++) {
            scales[ib] = search_symmetric(16, 32, x + 16 * ib, L + 16 * ib);
            const float abs_scale = fabsf(scales[ib]);
            if (abs_scale > max_abs_scale) { max_abs_scale = abs_scale; max_scale = scales[ib]; }
        }
        if (max_abs_scale < GROUP_MAX_EPS) {
            memset(&y[i], 0, sizeof y[i]);
            continue;
        }
        const float iscale = -128.f / max_scale;
        y[i].d = llm_f32_to_f16(1 / iscale);
        for (int ib = 0; ib < QK_K / 16; ib++) {
            const int s = llm_nearest_int(iscale * scales[ib]);
            y[i].scales[ib] = (int8_t)(s < 127 ? s : 127);
        }
        for (int j = 0; j < QK_K / 16; j++) {
            const float d = F16(y[i].d) * y[i].scales[j];
            if (!d) continue;
            for (int l = 0; l < 16; l++)
                L[16 * j + l] = (int8_t)(clampi(llm_nearest_int(x[16 * j + l] / d), -32, 31) + 32);
        }
        memset(y[i].ql, 0, sizeof y[i].ql);
        memset(y[i].qh, 0, sizeof y[i].qh);
        for (int e = 0; e < QK_K; e++) {
            const int h = e / 128, r = e % 128;
            y[i].ql[64 * h + r % 64] |= (uint8_t)((L[e] & 0xF) << (4 * (r / 64)));
            y[i].qh[32 * h + r % 32] |= (uint8_t)(((L[e] >> 4) & 3) << (2 * (r / 32)));
        }
    }
}

/* ---- Q8_K: x = d*q, float d, q in -127..127 (the value of largest
 * magnitude maps to -127), plus the sums of each 16 quants. */

void llm_dequant_q8_K(const block_q8_K *x, float *y, int64_t n) {
    for (int64_t i = 0; i < n / QK_K; i++)
        for (int j = 0; j < QK_K; j++) *y++ = x[i].d * x[i].qs[j];
}

/* An all-zero block gets zero bsums too (ggml leaves them unwritten). */
void llm_quant_q8_K(const float *x, block_q8_K *y, int64_t n) {
    for (int64_t i = 0; i < n / QK_K; i++, x += QK_K) {
        float max = 0, amax = 0;
        for (int j = 0; j < QK_K; j++) {
            const float ax = fabsf(x[j]);
            if (ax > amax) { amax = ax; max = x[j]; }
        }
        if (!amax) {
            memset(&y[i], 0, sizeof y[i]);
            continue;
        }
        const float iscale = -127.f / max;
        for (int j = 0; j < QK_K; j++) {
            const int v = llm_nearest_int(iscale * x[j]);
            y[i].qs[j] = (int8_t)(v < 127 ? v : 127);
        }
        for (int j = 0; j < QK_K / 16; j++) {
            int sum = 0;
            for (int l = 0; l < 16; l++) sum += y[i].qs[16 * j + l];
            y[i].bsums[j] = (int16_t)sum;
        }
        y[i].d = 1 / iscale;
    }
}
