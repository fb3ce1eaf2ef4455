/* test_dtype.c: the type table, fp16/bf16 conversions, dequantization of
 * hand-built blocks (expected values worked out by hand, as literals), and
 * quantize->dequantize error bounds. Byte identity with llama.cpp's
 * quantizers is in test_quant_golden.c. */
#include <stdint.h>

#include "dtype.h"
#include "quant.h"
#include "t.h"

static uint32_t fbits(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }
static float bitsf(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }

/* ---- table */

static void test_table(void) {
    static const struct { uint32_t t; const char *name; uint32_t blck, size; } want[] = {
        {LLM_F32, "f32", 1, 4},       {LLM_F16, "f16", 1, 2},       {LLM_BF16, "bf16", 1, 2},
        {LLM_Q4_0, "q4_0", 32, 18},   {LLM_Q4_1, "q4_1", 32, 20},   {LLM_Q5_0, "q5_0", 32, 22},
        {LLM_Q5_1, "q5_1", 32, 24},   {LLM_Q8_0, "q8_0", 32, 34},   {LLM_Q8_1, "q8_1", 32, 36},
        {LLM_Q2_K, "q2_K", 256, 84},  {LLM_Q3_K, "q3_K", 256, 110}, {LLM_Q4_K, "q4_K", 256, 144},
        {LLM_Q5_K, "q5_K", 256, 176}, {LLM_Q6_K, "q6_K", 256, 210}, {LLM_Q8_K, "q8_K", 256, 292},
    };
    int bad = 0;
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const llm_type_info *ti = llm_type(want[i].t);
        if (!ti || strcmp(ti->name, want[i].name) || ti->blck != want[i].blck || ti->size != want[i].size ||
            ti->quantized != (want[i].blck > 1) || llm_type_check(want[i].t, NULL) != 0 ||
            llm_type_by_name(want[i].name) != (int)want[i].t) {
            printf("# type %u (%s) wrong\n", want[i].t, want[i].name);
            bad++;
        }
    }
    T_CHECK("table: names, block sizes, bytes per block", !bad, "%d wrong", bad);
    T_CHECK("by name: case-insensitive", llm_type_by_name("Q4_K") == LLM_Q4_K && llm_type_by_name("F16") == LLM_F16 &&
            llm_type_by_name("BF16") == LLM_BF16, "no");
    T_CHECK("by name: unknown", llm_type_by_name("q4_") == -1 && llm_type_by_name("") == -1 &&
            llm_type_by_name("q4_k_m") == -1 && llm_type_by_name("iq4_xs") == -1, "no");

    llm_err e;
    T_CHECK("check: unknown number", llm_type_check(99, &e) == -1 && !strcmp(e.msg, "unknown tensor type 99"),
            "got '%s'", e.msg);
    T_CHECK("check: huge number", llm_type_check(4000000000u, &e) == -1 &&
            !strcmp(e.msg, "unknown tensor type 4000000000"), "got '%s'", e.msg);
    T_CHECK("check: removed q4_2", llm_type_check(4, &e) == -1 &&
            !strcmp(e.msg, "tensor type 4 (q4_2) was removed from ggml"), "got '%s'", e.msg);
    T_CHECK("check: removed q4_3", llm_type_check(5, &e) == -1 && strstr(e.msg, "type 5 (q4_3) was removed"),
            "got '%s'", e.msg);
    T_CHECK("check: not implemented iq4_xs", llm_type_check(23, &e) == -1 &&
            !strcmp(e.msg, "tensor type 23 (iq4_xs) is not supported"), "got '%s'", e.msg);
    T_CHECK("llm_type of removed/unknown is NULL", !llm_type(4) && !llm_type(5) && !llm_type(23) &&
            !llm_type(40) && !llm_type(UINT32_MAX), "no");
    T_CHECK("names of unimplemented numbers", !strcmp(llm_type_name(20), "iq4_nl") && !llm_type_name(100) &&
            !strcmp(llm_type_name(LLM_Q6_K), "q6_K"), "no");

    T_CHECK("row size", llm_row_size(LLM_Q4_K, 512) == 288 && llm_row_size(LLM_Q4_0, 4096) == 2304 &&
            llm_row_size(LLM_F32, 3) == 12 && llm_row_size(LLM_BF16, 5) == 10 &&
            llm_row_size(LLM_Q8_0, 0) == 0, "no");
    T_CHECK("row size: not a multiple of the block", llm_row_size(LLM_Q4_K, 100) == 0 &&
            llm_row_size(LLM_Q8_0, 33) == 0 && llm_row_size(LLM_Q4_0, -32) == 0, "no");
    T_CHECK("row size: unknown type", llm_row_size(4, 64) == 0 && llm_row_size(77, 64) == 0, "no");
}

/* ---- fp16 */

static void test_f16(void) {
    /* every half: f16 -> f32 -> f16 is the identity, NaNs stay NaN */
    int bad = 0, nan_bad = 0;
    for (uint32_t h = 0; h < 65536; h++) {
        const float f = llm_f16_to_f32((uint16_t)h);
        const int is_nan = (h & 0x7C00) == 0x7C00 && (h & 0x3FF);
        if (is_nan) {
            if (f == f || llm_f32_to_f16(f) != ((h & 0x8000) | 0x7E00)) nan_bad++;
        } else if (llm_f32_to_f16(f) != h) {
            bad++;
        }
    }
    T_CHECK("f16: all 65536 halves round-trip", !bad, "%d halves changed", bad);
    T_CHECK("f16: NaNs stay NaN (as 0x7E00 with the sign)", !nan_bad, "%d wrong", nan_bad);

    /* values of some halves, by hand */
    T_CHECK("f16 -> f32 values", llm_f16_to_f32(0x3C00) == 1.0f && llm_f16_to_f32(0xC000) == -2.0f &&
            llm_f16_to_f32(0x7BFF) == 65504.0f && llm_f16_to_f32(0x0001) == 0x1p-24f &&
            llm_f16_to_f32(0x03FF) == 1023 * 0x1p-24f && llm_f16_to_f32(0x0400) == 0x1p-14f &&
            llm_f16_to_f32(0x3555) == 0.333251953125f && llm_f16_to_f32(0x7C00) == INFINITY &&
            llm_f16_to_f32(0xFC00) == -INFINITY && fbits(llm_f16_to_f32(0x8000)) == 0x80000000u, "no");
    T_CHECK("f16 -> f32: NaN payload kept, made quiet", fbits(llm_f16_to_f32(0x7C01)) == 0x7FC02000u &&
            fbits(llm_f16_to_f32(0xFE00)) == 0xFFC00000u, "%08x", fbits(llm_f16_to_f32(0x7C01)));

    /* ordering: positive halves map to increasing floats */
    int order_bad = 0;
    for (uint32_t h = 1; h < 0x7C01; h++)
        if (!(llm_f16_to_f32((uint16_t)h) > llm_f16_to_f32((uint16_t)(h - 1)))) order_bad++;
    T_CHECK("f16 -> f32 increasing over positive halves", !order_bad, "%d out of order", order_bad);

    /* rounding: the midpoint of two neighbours goes to the even one, a float
     * on either side of it to the nearer one; for every finite pair */
    int mid_bad = 0;
    for (uint32_t h = 0; h < 0x7BFF; h++) {
        const float a = llm_f16_to_f32((uint16_t)h), b = llm_f16_to_f32((uint16_t)(h + 1));
        const float m = a + (b - a) * 0.5f; /* exact: halves have 11 significant bits */
        const uint16_t even = (h & 1) ? (uint16_t)(h + 1) : (uint16_t)h;
        const float below = bitsf(fbits(m) - 1), above = bitsf(fbits(m) + 1);
        if (llm_f32_to_f16(m) != even || llm_f32_to_f16(below) != h || llm_f32_to_f16(above) != h + 1 ||
            llm_f32_to_f16(-m) != (even | 0x8000))
            mid_bad++;
    }
    T_CHECK("f32 -> f16 rounds to nearest even (every midpoint)", !mid_bad, "%d pairs wrong", mid_bad);

    T_CHECK("f32 -> f16 by hand", llm_f32_to_f16(1.0f + 0x1p-11f) == 0x3C00 &&
            llm_f32_to_f16(1.0f + 3 * 0x1p-11f) == 0x3C02 && llm_f32_to_f16(0.1f) == 0x2E66 &&
            llm_f32_to_f16(-0.0f) == 0x8000 && llm_f32_to_f16(65504.0f) == 0x7BFF &&
            llm_f32_to_f16(65519.996f) == 0x7BFF && llm_f32_to_f16(65520.0f) == 0x7C00 &&
            llm_f32_to_f16(1e10f) == 0x7C00 && llm_f32_to_f16(-1e10f) == 0xFC00 &&
            llm_f32_to_f16(INFINITY) == 0x7C00 && llm_f32_to_f16(-INFINITY) == 0xFC00, "no");
    T_CHECK("f32 -> f16 subnormals by hand", llm_f32_to_f16(0x1p-25f) == 0x0000 &&
            llm_f32_to_f16(bitsf(fbits(0x1p-25f) + 1)) == 0x0001 && llm_f32_to_f16(3 * 0x1p-25f) == 0x0002 &&
            llm_f32_to_f16(0x1p-14f - 0x1p-25f) == 0x0400 && llm_f32_to_f16(1e-30f) == 0 &&
            llm_f32_to_f16(-1e-30f) == 0x8000 && llm_f32_to_f16(bitsf(1)) == 0, "no");
    T_CHECK("f32 -> f16 NaN", llm_f32_to_f16(NAN) == 0x7E00 && llm_f32_to_f16(bitsf(0xFF800001u)) == 0xFE00, "no");
}

/* ---- bf16 */

static void test_bf16(void) {
    int bad = 0, nan_bad = 0;
    for (uint32_t h = 0; h < 65536; h++) {
        const float f = llm_bf16_to_f32((uint16_t)h);
        if (fbits(f) != h << 16) bad++;
        const int is_nan = (h & 0x7F80) == 0x7F80 && (h & 0x7F);
        if (is_nan ? llm_f32_to_bf16(f) != (h | 0x40) : llm_f32_to_bf16(f) != h) nan_bad++;
    }
    T_CHECK("bf16: all 65536 round-trip (NaNs made quiet)", !bad && !nan_bad, "%d %d", bad, nan_bad);
    int mid_bad = 0;
    for (uint32_t h = 0; h < 0x7F7F; h++) {
        const uint32_t m = h << 16 | 0x8000; /* the midpoint of h and h+1 */
        const uint32_t even = (h & 1) ? h + 1 : h;
        if (llm_f32_to_bf16(bitsf(m)) != even || llm_f32_to_bf16(bitsf(m - 1)) != h ||
            llm_f32_to_bf16(bitsf(m + 1)) != h + 1)
            mid_bad++;
    }
    T_CHECK("f32 -> bf16 rounds to nearest even (every midpoint)", !mid_bad, "%d wrong", mid_bad);
    T_CHECK("bf16 by hand", llm_f32_to_bf16(1.0f) == 0x3F80 && llm_f32_to_bf16(-5.0f) == 0xC0A0 &&
            llm_f32_to_bf16(1.0f + 0x1p-8f) == 0x3F80 && llm_f32_to_bf16(1.0f + 3 * 0x1p-8f) == 0x3F82 &&
            llm_f32_to_bf16(bitsf(0x3F808001u)) == 0x3F81 && llm_f32_to_bf16(bitsf(0x7F7FFFFFu)) == 0x7F80 &&
            llm_f32_to_bf16(INFINITY) == 0x7F80 && llm_f32_to_bf16(bitsf(0x7F800001u)) == 0x7FC0 &&
            llm_bf16_to_f32(0xC0A0) == -5.0f, "no");
}

/* ---- dequantization of hand-built blocks */

static int same(const float *got, const float *want, int n, const char *name) {
    for (int i = 0; i < n; i++)
        if (got[i] != want[i]) {
            T_FAIL(name, "value %d: got %.9g, want %.9g", i, got[i], want[i]);
            return 0;
        }
    T_OK(name);
    return 1;
}

/* (index, expected) pairs within a 256-value super-block */
typedef struct { int i; float v; } probe;

static void check_probes(const float *y, const probe *p, int n, const char *name) {
    for (int k = 0; k < n; k++)
        if (y[p[k].i] != p[k].v) {
            T_FAIL(name, "value %d: got %.9g, want %.9g", p[k].i, y[p[k].i], p[k].v);
            return;
        }
    T_OK(name);
}

static void test_dequant_legacy(void) {
    float y[QK_K];

    /* Q4_0: d = 0.5, qs[j] = j | (15-j)<<4: value j is (j-8)/2, value 16+j is (7-j)/2 */
    block_q4_0 b40 = {.d = 0x3800};
    for (int j = 0; j < 16; j++) b40.qs[j] = (uint8_t)(j | (15 - j) << 4);
    static const float w40[32] = {-4, -3.5, -3, -2.5, -2, -1.5, -1, -0.5, 0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5,
                                  3.5, 3, 2.5, 2, 1.5, 1, 0.5, 0, -0.5, -1, -1.5, -2, -2.5, -3, -3.5, -4};
    llm_dequantize(LLM_Q4_0, &b40, y, 32);
    same(y, w40, 32, "dequant q4_0 by hand");

    /* Q4_1: d = 1, m = -2, qs[j] = j | ((j+1)%16)<<4 */
    block_q4_1 b41 = {.d = 0x3C00, .m = 0xC000};
    for (int j = 0; j < 16; j++) b41.qs[j] = (uint8_t)(j | ((j + 1) % 16) << 4);
    static const float w41[32] = {-2, -1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13,
                                  -1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, -2};
    llm_dequantize(LLM_Q4_1, &b41, y, 32);
    same(y, w41, 32, "dequant q4_1 by hand");

    /* Q5_0: d = 0.25, qs[j] = j | (15-j)<<4, qh bytes 0F F0 33 CC (bit j: fifth
     * bit of value j; bit 16+j: of value 16+j) */
    block_q5_0 b50 = {.d = 0x3400, .qh = {0x0F, 0xF0, 0x33, 0xCC}};
    for (int j = 0; j < 16; j++) b50.qs[j] = (uint8_t)(j | (15 - j) << 4);
    static const float w50[32] = {0, 0.25, 0.5, 0.75, -3, -2.75, -2.5, -2.25, -2, -1.75, -1.5, -1.25, 3, 3.25, 3.5, 3.75,
                                  3.75, 3.5, -0.75, -1, 2.75, 2.5, -1.75, -2, -2.25, -2.5, 1.25, 1, -3.25, -3.5, 0.25, 0};
    llm_dequantize(LLM_Q5_0, &b50, y, 32);
    same(y, w50, 32, "dequant q5_0 by hand");

    /* Q5_1: the same quants, d = 0.5, m = 3 */
    block_q5_1 b51 = {.d = 0x3800, .m = 0x4200, .qh = {0x0F, 0xF0, 0x33, 0xCC}};
    memcpy(b51.qs, b50.qs, 16);
    static const float w51[32] = {11, 11.5, 12, 12.5, 5, 5.5, 6, 6.5, 7, 7.5, 8, 8.5, 17, 17.5, 18, 18.5,
                                  18.5, 18, 9.5, 9, 16.5, 16, 7.5, 7, 6.5, 6, 13.5, 13, 4.5, 4, 11.5, 11};
    llm_dequantize(LLM_Q5_1, &b51, y, 32);
    same(y, w51, 32, "dequant q5_1 by hand");

    /* Q8_0: d = -0.5, qs[j] = 8j - 128 -> 64 - 4j */
    block_q8_0 b80 = {.d = 0xB800};
    float w80[32];
    for (int j = 0; j < 32; j++) { b80.qs[j] = (int8_t)(8 * j - 128); w80[j] = (float)(64 - 4 * j); }
    llm_dequantize(LLM_Q8_0, &b80, y, 32);
    same(y, w80, 32, "dequant q8_0 by hand");

    /* Q8_1: d = 2, qs[j] = j - 16 */
    block_q8_1 b81 = {.d = 0x4000, .s = 0};
    float w81[32];
    for (int j = 0; j < 32; j++) { b81.qs[j] = (int8_t)(j - 16); w81[j] = (float)(2 * (j - 16)); }
    llm_dequantize(LLM_Q8_1, &b81, y, 32);
    same(y, w81, 32, "dequant q8_1 by hand");

    /* float types */
    const uint16_t h[5] = {0x3C00, 0xC000, 0x7BFF, 0x0001, 0x3555};
    const float wh[5] = {1, -2, 65504, 0x1p-24f, 0.333251953125f};
    llm_dequantize(LLM_F16, h, y, 5);
    same(y, wh, 5, "dequant f16");
    const uint16_t bh[3] = {0x3F80, 0xC0A0, 0x3EAB};
    const float wb[3] = {1, -5, 0.333984375f};
    llm_dequantize(LLM_BF16, bh, y, 3);
    same(y, wb, 3, "dequant bf16");
    const float f[3] = {1.5f, -0.0f, 3e38f};
    llm_dequantize(LLM_F32, f, y, 3);
    T_CHECK("dequant f32", !memcmp(y, f, sizeof f), "no");
}

static void test_dequant_k(void) {
    float y[2 * QK_K];

    /* Q2_K: d = 1, dmin = 0.5; sub-block s: scale s, min 15-s; qs bytes of the
     * first half E4 (2-bit fields 0,1,2,3), qs[5] = 0, second half 1B (3,2,1,0).
     * value e = s*q - 0.5*(15-s), s = e/16, q = field e/32%4 of qs[32*(e/128) + e%32] */
    block_q2_K b2 = {.d = 0x3C00, .dmin = 0x3800};
    for (int s = 0; s < 16; s++) b2.scales[s] = (uint8_t)(s | (15 - s) << 4);
    for (int b = 0; b < 64; b++) b2.qs[b] = b < 32 ? 0xE4 : 0x1B;
    b2.qs[5] = 0;
    static const probe p2[] = {{0, -7.5}, {17, -7}, {36, -4.5}, {37, -6.5}, {40, -4.5}, {70, 2.5}, {100, 13.5},
                               {130, 20.5}, {200, 10.5}, {255, 0}};
    llm_dequantize(LLM_Q2_K, &b2, y, QK_K);
    check_probes(y, p2, sizeof p2 / sizeof p2[0], "dequant q2_K by hand");

    /* Q3_K: d = 1; 6-bit scale j = 32 + j - 8, i.e. multiplier j-8: low nibbles
     * 08 19 2A 3B 4C 5D 6E 7F, high bits A5 A5 A5 A5; qs as Q2_K (no qs[5]
     * change); hmask F0 (bit 2 set for e >= 128) but hmask[3] = F2.
     * value e = (e/16 - 8) * (q - (hbit ? 0 : 4)) */
    block_q3_K b3 = {.d = 0x3C00};
    static const uint8_t sc3[12] = {0x08, 0x19, 0x2A, 0x3B, 0x4C, 0x5D, 0x6E, 0x7F, 0xA5, 0xA5, 0xA5, 0xA5};
    memcpy(b3.scales, sc3, 12);
    for (int b = 0; b < 64; b++) b3.qs[b] = b < 32 ? 0xE4 : 0x1B;
    memset(b3.hmask, 0xF0, 32);
    b3.hmask[3] = 0xF2;
    static const probe p3[] = {{0, 32}, {3, 32}, {35, -6}, {40, 18}, {100, 2}, {127, 1},
                               {128, 0}, {150, 3}, {180, 6}, {200, 4}};
    llm_dequantize(LLM_Q3_K, &b3, y, QK_K);
    check_probes(y, p3, sizeof p3 / sizeof p3[0], "dequant q3_K by hand");

    /* Q4_K: d = 1, dmin = 0.5; sub-block j: scale 10 + 7j (10 17 24 31 38 45 52 59),
     * min 63 - 5j (63 58 53 48 43 38 33 28), packed into 12 bytes by hand;
     * qs[b] = (b%16) | (15 - b%16)<<4; value 32j + l: nibble j%2 of qs[32*(j/2) + l] */
    block_q4_K b4 = {.d = 0x3C00, .dmin = 0x3800};
    static const uint8_t sc4[12] = {138, 145, 216, 223, 191, 186, 181, 112, 0xB6, 0x6D, 0x14, 0xCB};
    memcpy(b4.scales, sc4, 12);
    for (int b = 0; b < 128; b++) b4.qs[b] = (uint8_t)((b & 15) | (15 - (b & 15)) << 4);
    static const probe p4[] = {{0, -31.5}, {5, 18.5}, {39, 107}, {84, 69.5}, {97, 410}, {131, 92.5},
                               {191, -19}, {202, 503.5}, {226, 753}, {255, -14}};
    llm_dequantize(LLM_Q4_K, &b4, y, QK_K);
    check_probes(y, p4, sizeof p4 / sizeof p4[0], "dequant q4_K by hand");
    uint8_t sc, m;
    int sm_bad = 0;
    for (int j = 0; j < 8; j++) {
        llm_k4_scale_min(j, sc4, &sc, &m);
        if (sc != 10 + 7 * j || m != 63 - 5 * j) sm_bad++;
    }
    T_CHECK("q4_K packed scales and mins by hand", !sm_bad, "%d wrong", sm_bad);

    /* Q5_K: the same scales, mins and nibbles; fifth bit of value 32j + l is bit
     * j of qh[l]: qh AA (odd sub-blocks) but qh[10] = 55 (even ones) */
    block_q5_K b5 = {.d = 0x3C00, .dmin = 0x3800};
    memcpy(b5.scales, sc4, 12);
    memcpy(b5.qs, b4.qs, 128);
    memset(b5.qh, 0xAA, 32);
    b5.qh[10] = 0x55;
    static const probe p5[] = {{0, -31.5}, {39, 379}, {84, 69.5}, {97, 906}, {131, 92.5}, {138, 966.5},
                               {202, 1335.5}, {226, 1697}};
    llm_dequantize(LLM_Q5_K, &b5, y, QK_K);
    check_probes(y, p5, sizeof p5 / sizeof p5[0], "dequant q5_K by hand");

    /* Q6_K: d = 0.5, scale of sub-block s = s - 8; ql[b] = b; qh E4 in the first
     * half, 1B in the second. value e = 0.5 * (e/16 - 8) * (q - 32) */
    block_q6_K b6 = {.d = 0x3800};
    for (int s = 0; s < 16; s++) b6.scales[s] = (int8_t)(s - 8);
    for (int b = 0; b < 128; b++) b6.ql[b] = (uint8_t)b;
    for (int b = 0; b < 64; b++) b6.qh[b] = b < 32 ? 0xE4 : 0x1B;
    static const probe p6[] = {{0, 128}, {40, 24}, {90, -1.5}, {100, -18}, {127, -9.5}, {165, 5},
                               {200, -24}, {255, -87.5}};
    llm_dequantize(LLM_Q6_K, &b6, y, QK_K);
    check_probes(y, p6, sizeof p6 / sizeof p6[0], "dequant q6_K by hand");

    /* Q8_K: d = 0.25 (a float), qs[j] = j - 128 */
    block_q8_K b8 = {.d = 0.25f};
    for (int j = 0; j < QK_K; j++) b8.qs[j] = (int8_t)(j - 128);
    static const probe p8[] = {{0, -32}, {100, -7}, {128, 0}, {255, 31.75}};
    llm_dequantize(LLM_Q8_K, &b8, y, QK_K);
    check_probes(y, p8, sizeof p8 / sizeof p8[0], "dequant q8_K by hand");

    /* two super-blocks: the second is read from the right place */
    block_q4_K two[2];
    memcpy(&two[0], &b4, sizeof b4);
    memcpy(&two[1], &b4, sizeof b4);
    two[1].d = 0x4000; /* 2: scales double */
    llm_dequantize(LLM_Q4_K, two, y, 2 * QK_K);
    T_CHECK("dequant q4_K second super-block", y[QK_K + 97] == 2 * 434 - 24 && y[97] == 410, "%g", y[QK_K + 97]);
}

/* ---- quantize -> dequantize */

static uint64_t lcg = 7;
static float unif(void) {
    lcg = lcg * 6364136223846793005ull + 1442695040888963407ull;
    return (float)(lcg >> 40) * (1.0f / 16777216.0f);
}

static void test_roundtrip(void) {
    enum { N = 16384 };
    static float x[N], y[N];
    static unsigned char q[N * 4];
    for (int i = 0; i < N; i++) x[i] = (unif() + unif() + unif() + unif() - 2.0f) * 1.7320508f;
    /* RMSE relative to the signal's RMS on unit gaussian data: measured value
     * plus ~20%; the order of the types is that of their bits per weight */
    static const struct { uint32_t t; double max; } b[] = {
        {LLM_F16, 0.0003},  {LLM_BF16, 0.0025}, {LLM_Q4_0, 0.095}, {LLM_Q4_1, 0.09},  {LLM_Q5_0, 0.048},
        {LLM_Q5_1, 0.044},  {LLM_Q8_0, 0.0065}, {LLM_Q8_1, 0.0065}, {LLM_Q2_K, 0.33}, {LLM_Q3_K, 0.17},
        {LLM_Q4_K, 0.08},   {LLM_Q5_K, 0.042},  {LLM_Q6_K, 0.021}, {LLM_Q8_K, 0.0075},
    };
    double prev_k = 1;
    for (size_t k = 0; k < sizeof b / sizeof b[0]; k++) {
        char name[96];
        const size_t bytes = llm_quantize(b[k].t, x, q, N);
        llm_dequantize(b[k].t, q, y, N);
        double se = 0, ss = 0;
        for (int i = 0; i < N; i++) {
            se += (double)(y[i] - x[i]) * (y[i] - x[i]);
            ss += (double)x[i] * x[i];
        }
        const double rel = sqrt(se / ss);
        snprintf(name, sizeof name, "round trip %s: relative rmse <= %g", llm_type(b[k].t)->name, b[k].max);
        T_CHECK(name, bytes == llm_row_size(b[k].t, N) && rel <= b[k].max && rel > 0, "rmse %.6f", rel);
        if (b[k].t >= LLM_Q2_K && b[k].t <= LLM_Q6_K) {
            snprintf(name, sizeof name, "round trip %s: better than fewer bits", llm_type(b[k].t)->name);
            T_CHECK(name, rel < prev_k, "rmse %.6f >= %.6f", rel, prev_k);
            prev_k = rel;
        }
    }

    /* zeros stay zeros; a constant row and exact small integers come back */
    int bad = 0;
    for (uint32_t t = 0; t < LLM_TYPE_MAX; t++) {
        if (!llm_type(t)) continue;
        memset(x, 0, sizeof(float) * 512);
        llm_quantize(t, x, q, 512);
        llm_dequantize(t, q, y, 512);
        for (int i = 0; i < 512; i++) if (y[i] != 0) { printf("# %s: zero in, %g out\n", llm_type(t)->name, y[i]); bad++; break; }
    }
    T_CHECK("round trip: zeros stay zero (every type)", !bad, "%d types", bad);
    /* integers in -8..7 with a -8 in every block: Q4_0 picks d = -8/-8 = 1 and
     * the grid holds every value exactly */
    for (int i = 0; i < 256; i++) x[i] = (float)(i % 15 - 7);
    for (int i = 0; i < 256; i += 32) x[i + 3] = -8;
    llm_quantize(LLM_Q4_0, x, q, 256);
    llm_dequantize(LLM_Q4_0, q, y, 256);
    T_CHECK("round trip q4_0: integers -8..7 exact", !memcmp(x, y, 256 * sizeof(float)), "no");
    llm_quantize(LLM_Q8_0, x, q, 256);
    llm_dequantize(LLM_Q8_0, q, y, 256);
    double me = 0;
    /* not me = fmax(me, ...): GCC 12 for aarch64 crashes vectorizing that
     * reduction at -O2 (internal compiler error in vect_transform_reduction) */
    for (int i = 0; i < 256; i++) { double e = fabs(y[i] - x[i]); if (e > me) me = e; }
    T_CHECK("round trip q8_0: max error <= d/2", me <= 8.0 / 127 / 2 * 1.001, "%g", me);

    T_CHECK("quantize: n not a multiple of the block", llm_quantize(LLM_Q4_K, x, q, 100) == 0 &&
            llm_quantize(LLM_Q8_0, x, q, 31) == 0 && llm_quantize(23, x, q, 256) == 0, "no");
    T_CHECK("quantize rows: size", llm_quantize_rows(LLM_Q6_K, x, q, 2, 256) == 420 &&
            llm_quantize_rows(LLM_Q6_K, x, q, 2, 255) == 0, "no");
}

int main(void) {
    test_table();
    test_f16();
    test_bf16();
    test_dequant_legacy();
    test_dequant_k();
    test_roundtrip();
    return t_exit();
}
