/* dtype.c: the table of GGUF tensor element types, fp16/bf16 conversions,
 * and the dequantize/quantize dispatch over quant_legacy.c and quant_k.c. */
#include <ctype.h>
#include <string.h>

#include "dtype.h"
#include "quant.h"

/* ---- the type table: implemented types only */

static const llm_type_info types[LLM_TYPE_MAX] = {
    [LLM_F32] = {"f32", 1, 4, false},
    [LLM_F16] = {"f16", 1, 2, false},
    [LLM_BF16] = {"bf16", 1, 2, false},
    [LLM_Q4_0] = {"q4_0", QK4_0, sizeof(block_q4_0), true},
    [LLM_Q4_1] = {"q4_1", QK4_1, sizeof(block_q4_1), true},
    [LLM_Q5_0] = {"q5_0", QK5_0, sizeof(block_q5_0), true},
    [LLM_Q5_1] = {"q5_1", QK5_1, sizeof(block_q5_1), true},
    [LLM_Q8_0] = {"q8_0", QK8_0, sizeof(block_q8_0), true},
    [LLM_Q8_1] = {"q8_1", QK8_1, sizeof(block_q8_1), true},
    [LLM_Q2_K] = {"q2_K", QK_K, sizeof(block_q2_K), true},
    [LLM_Q3_K] = {"q3_K", QK_K, sizeof(block_q3_K), true},
    [LLM_Q4_K] = {"q4_K", QK_K, sizeof(block_q4_K), true},
    [LLM_Q5_K] = {"q5_K", QK_K, sizeof(block_q5_K), true},
    [LLM_Q6_K] = {"q6_K", QK_K, sizeof(block_q6_K), true},
    [LLM_Q8_K] = {"q8_K", QK_K, sizeof(block_q8_K), true},
};

/* ggml's names for the numbers we do not implement, for error messages. */
static const char *const other_names[] = {
    [4] = "q4_2", [5] = "q4_3", [16] = "iq2_xxs", [17] = "iq2_xs", [18] = "iq3_xxs",
    [19] = "iq1_s", [20] = "iq4_nl", [21] = "iq3_s", [22] = "iq2_s", [23] = "iq4_xs",
    [24] = "i8", [25] = "i16", [26] = "i32", [27] = "i64", [28] = "f64", [29] = "iq1_m",
    [31] = "q4_0_4_4", [32] = "q4_0_4_8", [33] = "q4_0_8_8", [34] = "tq1_0", [35] = "tq2_0",
    [36] = "iq4_nl_4_4", [37] = "iq4_nl_4_8", [38] = "iq4_nl_8_8", [39] = "mxfp4", [40] = "nvfp4", [41] = "q1_0", [42] = "q2_0",
};

/* Types whose support ggml itself dropped: GGUF files may still name them. */
static bool removed(uint32_t t) { return t == 4 || t == 5 || (t >= 31 && t <= 33) || (t >= 36 && t <= 38); }

const llm_type_info *llm_type(uint32_t t) {
    return t < LLM_TYPE_MAX && types[t].name ? &types[t] : NULL;
}

const char *llm_type_name(uint32_t t) {
    if (llm_type(t)) return types[t].name;
    if (t < sizeof other_names / sizeof other_names[0] && other_names[t]) return other_names[t];
    return NULL;
}

int llm_type_check(uint32_t t, llm_err *e) {
    if (llm_type(t)) return 0;
    const char *name = llm_type_name(t);
    if (!name) return llm_fail(e, "unknown tensor type %u", t);
    if (removed(t)) return llm_fail(e, "tensor type %u (%s) was removed from ggml", t, name);
    return llm_fail(e, "tensor type %u (%s) is not supported", t, name);
}

int llm_type_by_name(const char *name) {
    for (int t = 0; t < LLM_TYPE_MAX; t++) {
        const char *a = types[t].name, *b = name;
        if (!a) continue;
        while (*a && tolower((unsigned char)*a) == tolower((unsigned char)*b)) a++, b++;
        if (!*a && !*b) return t;
    }
    return -1;
}

size_t llm_row_size(uint32_t t, int64_t n) {
    const llm_type_info *ti = llm_type(t);
    if (!ti || n < 0 || n % ti->blck) return 0;
    return (size_t)(n / ti->blck) * ti->size;
}

/* ---- half and bfloat16 */

static uint32_t f32_bits(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }
static float bits_f32(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }

float llm_f16_to_f32(uint16_t h) {
    const uint32_t sign = (uint32_t)(h & 0x8000) << 16;
    const uint32_t exp = (h >> 10) & 0x1F, man = h & 0x3FF;
    if (exp == 0x1F) /* inf; NaN keeps its payload and comes out quiet, as on x86 (and ggml) */
        return bits_f32(sign | 0x7F800000 | man << 13 | (man ? 0x400000u : 0));
    if (exp) return bits_f32(sign | (exp + 112) << 23 | man << 13);
    /* zero or subnormal: man * 2^-24, exact in float */
    const float v = (float)man * 0x1p-24f;
    return bits_f32(sign | f32_bits(v));
}

/* Round to nearest even; overflow gives inf; any NaN becomes the quiet NaN
 * 0x7E00 with the sign kept (ggml does the same). */
uint16_t llm_f32_to_f16(float f) {
    const uint32_t x = f32_bits(f);
    const uint16_t sign = (uint16_t)((x >> 16) & 0x8000);
    const uint32_t ax = x & 0x7FFFFFFF;
    if (ax > 0x7F800000) return sign | 0x7E00;
    if (ax >= 0x477FF000) return sign | 0x7C00;        /* >= 65520 rounds to inf */
    uint32_t r, rem, half;
    if (ax >= 0x38800000) {                            /* normal half: >= 2^-14 */
        r = (ax >> 13) - (112u << 10);                  /* rebias 127 -> 15 */
        rem = ax & 0x1FFF;
        half = 0x1000;
    } else {                                           /* subnormal half, units of 2^-24 */
        const int e = (int)(ax >> 23);
        if (e < 102) return sign;                       /* < 2^-25: rounds to 0 */
        const uint32_t m = (ax & 0x7FFFFF) | 0x800000;  /* value = m * 2^(e-150) */
        const int shift = 126 - e;                      /* 14..24 */
        r = m >> shift;
        rem = m & ((1u << shift) - 1);
        half = 1u << (shift - 1);
    }
    if (rem > half || (rem == half && (r & 1))) r++;   /* a carry into the exponent is right */
    return (uint16_t)(sign | r);
}

float llm_bf16_to_f32(uint16_t h) { return bits_f32((uint32_t)h << 16); }

/* Round to nearest even; NaNs stay NaN (quiet bit forced), as ggml. */
uint16_t llm_f32_to_bf16(float f) {
    const uint32_t x = f32_bits(f);
    if ((x & 0x7FFFFFFF) > 0x7F800000) return (uint16_t)((x >> 16) | 64);
    return (uint16_t)((x + 0x7FFF + ((x >> 16) & 1)) >> 16);
}

/* ---- dispatch */

void llm_dequantize(uint32_t t, const void *src, float *dst, int64_t n) {
    const uint16_t *h = src;
    switch (t) {
    case LLM_F32: memcpy(dst, src, (size_t)n * sizeof(float)); break;
    case LLM_F16: for (int64_t i = 0; i < n; i++) dst[i] = llm_f16_to_f32(h[i]); break;
    case LLM_BF16: for (int64_t i = 0; i < n; i++) dst[i] = llm_bf16_to_f32(h[i]); break;
    case LLM_Q4_0: llm_dequant_q4_0(src, dst, n); break;
    case LLM_Q4_1: llm_dequant_q4_1(src, dst, n); break;
    case LLM_Q5_0: llm_dequant_q5_0(src, dst, n); break;
    case LLM_Q5_1: llm_dequant_q5_1(src, dst, n); break;
    case LLM_Q8_0: llm_dequant_q8_0(src, dst, n); break;
    case LLM_Q8_1: llm_dequant_q8_1(src, dst, n); break;
    case LLM_Q2_K: llm_dequant_q2_K(src, dst, n); break;
    case LLM_Q3_K: llm_dequant_q3_K(src, dst, n); break;
    case LLM_Q4_K: llm_dequant_q4_K(src, dst, n); break;
    case LLM_Q5_K: llm_dequant_q5_K(src, dst, n); break;
    case LLM_Q6_K: llm_dequant_q6_K(src, dst, n); break;
    case LLM_Q8_K: llm_dequant_q8_K(src, dst, n); break;
    default: memset(dst, 0, (size_t)n * sizeof(float)); break; /* caller skipped llm_type_check */
    }
}

size_t llm_quantize(uint32_t t, const float *src, void *dst, int64_t n) {
    uint16_t *h = dst;
    const size_t bytes = llm_row_size(t, n);
    if (!bytes) return 0;
    switch (t) {
    case LLM_F32: memcpy(dst, src, bytes); break;
    case LLM_F16: for (int64_t i = 0; i < n; i++) h[i] = llm_f32_to_f16(src[i]); break;
    case LLM_BF16: for (int64_t i = 0; i < n; i++) h[i] = llm_f32_to_bf16(src[i]); break;
    case LLM_Q4_0: llm_quant_q4_0(src, dst, n); break;
    case LLM_Q4_1: llm_quant_q4_1(src, dst, n); break;
    case LLM_Q5_0: llm_quant_q5_0(src, dst, n); break;
    case LLM_Q5_1: llm_quant_q5_1(src, dst, n); break;
    case LLM_Q8_0: llm_quant_q8_0(src, dst, n); break;
    case LLM_Q8_1: llm_quant_q8_1(src, dst, n); break;
    case LLM_Q2_K: llm_quant_q2_K(src, dst, n); break;
    case LLM_Q3_K: llm_quant_q3_K(src, dst, n); break;
    case LLM_Q4_K: llm_quant_q4_K(src, dst, n); break;
    case LLM_Q5_K: llm_quant_q5_K(src, dst, n); break;
    case LLM_Q6_K: llm_quant_q6_K(src, dst, n); break;
    case LLM_Q8_K: llm_quant_q8_K(src, dst, n); break;
    default: return 0;
    }
    return bytes;
}

size_t llm_quantize_rows(uint32_t t, const float *src, void *dst, int64_t nrows, int64_t ncols) {
    const size_t row = llm_row_size(t, ncols);
    if (!row || nrows < 0) return 0;
    for (int64_t r = 0; r < nrows; r++)
        llm_quantize(t, src + r * ncols, (char *)dst + (size_t)r * row, ncols);
    return row * (size_t)nrows;
}
