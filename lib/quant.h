/* quant.h: ggml's block layouts and the portable (de)quantizers, internal.
 *
 * The structs are byte-for-byte ggml's (ggml-common.h): GGUF tensor data is
 * an array of them, little-endian, halves stored as IEEE binary16 bits.
 * The _Static_asserts pin every size, so a padding surprise cannot slip in.
 * Kernels elsewhere (SIMD dot products, matmuls) use these structs and test
 * against the dequantizers declared here.
 *
 * The quantizers are ggml's reference ones (quantize_row_*_ref): same float
 * operations in the same order, so their output bytes equal llama.cpp's when
 * it quantizes without an importance matrix. Keep that in mind before
 * "simplifying" an expression in quant_*.c: x/d is not x*(1/d), and a fused
 * multiply-add rounds once where ggml rounds twice (the Makefile's -std=c11
 * keeps GCC from contracting; quant_*.c tell clang the same).
 * tests/unit/test_quant_golden.c checks the bytes against llama.cpp's. */
#ifndef LLM_QUANT_H
#define LLM_QUANT_H

#include <stdint.h>
#include <string.h>

#include "dtype.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the block structs map GGUF's little-endian bytes directly"
#endif

#define K_SCALE_SIZE 12   /* bytes of packed 6-bit scales and mins (Q4_K, Q5_K) */

/* ---- legacy types: 32 values per block, one scale (and min) per block */

typedef struct { uint16_t d; uint8_t qs[QK4_0 / 2]; } block_q4_0;
typedef struct { uint16_t d, m; uint8_t qs[QK4_1 / 2]; } block_q4_1;
typedef struct { uint16_t d; uint8_t qh[4]; uint8_t qs[QK5_0 / 2]; } block_q5_0;
typedef struct { uint16_t d, m; uint8_t qh[4]; uint8_t qs[QK5_1 / 2]; } block_q5_1;
typedef struct { uint16_t d; int8_t qs[QK8_0]; } block_q8_0;
/* s = d * sum(qs), kept for the dot product with Q4_1/Q5_1 */
typedef struct { uint16_t d, s; int8_t qs[QK8_1]; } block_q8_1;

_Static_assert(sizeof(block_q4_0) == 2 + QK4_0 / 2, "block_q4_0 size");
_Static_assert(sizeof(block_q4_1) == 4 + QK4_1 / 2, "block_q4_1 size");
_Static_assert(sizeof(block_q5_0) == 2 + 4 + QK5_0 / 2, "block_q5_0 size");
_Static_assert(sizeof(block_q5_1) == 4 + 4 + QK5_1 / 2, "block_q5_1 size");
_Static_assert(sizeof(block_q8_0) == 2 + QK8_0, "block_q8_0 size");
_Static_assert(sizeof(block_q8_1) == 4 + QK8_1, "block_q8_1 size");

/* ---- K types: super-blocks of QK_K = 256 values with per-sub-block scales */

/* 16 sub-blocks of 16: scales low nibble = scale, high nibble = min */
typedef struct {
    uint8_t scales[QK_K / 16];
    uint8_t qs[QK_K / 4];
    uint16_t d, dmin;
} block_q2_K;
/* 16 sub-blocks of 16: 2 low bits in qs, the high bit in hmask, 6-bit scales */
typedef struct {
    uint8_t hmask[QK_K / 8];
    uint8_t qs[QK_K / 4];
    uint8_t scales[12];
    uint16_t d;
} block_q3_K;
/* 8 sub-blocks of 32: 6-bit scales and mins packed into 12 bytes */
typedef struct {
    uint16_t d, dmin;
    uint8_t scales[K_SCALE_SIZE];
    uint8_t qs[QK_K / 2];
} block_q4_K;
typedef struct {
    uint16_t d, dmin;
    uint8_t scales[K_SCALE_SIZE];
    uint8_t qh[QK_K / 8];
    uint8_t qs[QK_K / 2];
} block_q5_K;
/* 16 sub-blocks of 16: 4 low bits in ql, 2 high bits in qh, int8 scales */
typedef struct {
    uint8_t ql[QK_K / 2];
    uint8_t qh[QK_K / 4];
    int8_t scales[QK_K / 16];
    uint16_t d;
} block_q6_K;
/* the activation side of K dot products: float scale, sums of 16 quants */
typedef struct {
    float d;
    int8_t qs[QK_K];
    int16_t bsums[QK_K / 16];
} block_q8_K;

_Static_assert(sizeof(block_q2_K) == 4 + QK_K / 16 + QK_K / 4, "block_q2_K size");
_Static_assert(sizeof(block_q3_K) == 2 + QK_K / 4 + QK_K / 8 + 12, "block_q3_K size");
_Static_assert(sizeof(block_q4_K) == 4 + K_SCALE_SIZE + QK_K / 2, "block_q4_K size");
_Static_assert(sizeof(block_q5_K) == 4 + K_SCALE_SIZE + QK_K / 2 + QK_K / 8, "block_q5_K size");
_Static_assert(sizeof(block_q6_K) == 2 + QK_K / 16 + 3 * QK_K / 4, "block_q6_K size");
_Static_assert(sizeof(block_q8_K) == 4 + QK_K + QK_K / 16 * 2, "block_q8_K size");

/* Round to nearest, ties to even, for |f| < 2^22: adding 1.5*2^23 pushes the
 * fraction out of the mantissa and the FPU rounds. ggml rounds this way in
 * its K quantizers, so we must too (roundf would round ties away). */
static inline int llm_nearest_int(float f) {
    float v = f + 12582912.f;
    int32_t i;
    memcpy(&i, &v, sizeof i);
    return (i & 0x007fffff) - 0x00400000;
}

/* Scale and min of sub-block j (0..7) from the 12 packed bytes of Q4_K/Q5_K:
 * j < 4: low 6 bits of bytes j and j+4; else 4 bits from byte j+4 and the
 * top 2 bits of bytes j-4 (scale) and j (min). */
static inline void llm_k4_scale_min(int j, const uint8_t *q, uint8_t *sc, uint8_t *m) {
    if (j < 4) {
        *sc = q[j] & 63;
        *m = q[j + 4] & 63;
    } else {
        *sc = (uint8_t)((q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4));
        *m = (uint8_t)((q[j + 4] >> 4) | ((q[j] >> 6) << 4));
    }
}

/* Dequantize n values (a multiple of the block) into y. */
void llm_dequant_q4_0(const block_q4_0 *x, float *y, int64_t n);
void llm_dequant_q4_1(const block_q4_1 *x, float *y, int64_t n);
void llm_dequant_q5_0(const block_q5_0 *x, float *y, int64_t n);
void llm_dequant_q5_1(const block_q5_1 *x, float *y, int64_t n);
void llm_dequant_q8_0(const block_q8_0 *x, float *y, int64_t n);
void llm_dequant_q8_1(const block_q8_1 *x, float *y, int64_t n);
void llm_dequant_q2_K(const block_q2_K *x, float *y, int64_t n);
void llm_dequant_q3_K(const block_q3_K *x, float *y, int64_t n);
void llm_dequant_q4_K(const block_q4_K *x, float *y, int64_t n);
void llm_dequant_q5_K(const block_q5_K *x, float *y, int64_t n);
void llm_dequant_q6_K(const block_q6_K *x, float *y, int64_t n);
void llm_dequant_q8_K(const block_q8_K *x, float *y, int64_t n);

/* Quantize n values (a multiple of the block) with ggml's reference
 * algorithm (quantize_row_*_ref, no importance matrix). */
void llm_quant_q4_0(const float *x, block_q4_0 *y, int64_t n);
void llm_quant_q4_1(const float *x, block_q4_1 *y, int64_t n);
void llm_quant_q5_0(const float *x, block_q5_0 *y, int64_t n);
void llm_quant_q5_1(const float *x, block_q5_1 *y, int64_t n);
void llm_quant_q8_0(const float *x, block_q8_0 *y, int64_t n);
void llm_quant_q8_1(const float *x, block_q8_1 *y, int64_t n);
void llm_quant_q2_K(const float *x, block_q2_K *y, int64_t n);
void llm_quant_q3_K(const float *x, block_q3_K *y, int64_t n);
void llm_quant_q4_K(const float *x, block_q4_K *y, int64_t n);
void llm_quant_q5_K(const float *x, block_q5_K *y, int64_t n);
void llm_quant_q6_K(const float *x, block_q6_K *y, int64_t n);
void llm_quant_q8_K(const float *x, block_q8_K *y, int64_t n);

#endif
