/* dtype.h: the tensor element types of GGUF files (ggml's block formats).
 *
 * Every quantized type packs BLCK values into one block of SIZE bytes;
 * a row of n values (n a multiple of BLCK) takes n/BLCK*SIZE bytes.
 * Numbers are ggml's enum ggml_type values, as stored in GGUF files.
 * The portable C code in quant_*.c is the reference; SIMD kernels sit
 * beside it in *_avx2.c / *_neon.c and are tested against it. */
#ifndef LLM_DTYPE_H
#define LLM_DTYPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

enum llm_type {
    LLM_F32 = 0, LLM_F16 = 1, LLM_Q4_0 = 2, LLM_Q4_1 = 3,
    /* 4 and 5 were Q4_2, Q4_3: removed from ggml */
    LLM_Q5_0 = 6, LLM_Q5_1 = 7, LLM_Q8_0 = 8, LLM_Q8_1 = 9,
    LLM_Q2_K = 10, LLM_Q3_K = 11, LLM_Q4_K = 12, LLM_Q5_K = 13,
    LLM_Q6_K = 14, LLM_Q8_K = 15,
    LLM_BF16 = 30,
    LLM_TYPE_MAX = 40
};

#define QK_K 256          /* super-block size of the K types */
#define QK4_0 32
#define QK4_1 32
#define QK5_0 32
#define QK5_1 32
#define QK8_0 32
#define QK8_1 32

typedef struct llm_type_info {
    const char *name;     /* "q4_K", as ggml names it */
    uint32_t blck;        /* values per block */
    uint32_t size;        /* bytes per block */
    bool quantized;
} llm_type_info;

/* The table entry for type t, or NULL for an unknown or removed type. */
const llm_type_info *llm_type(uint32_t t);
/* 0 if t is a known type whose dequantization we implement, else -1 with
 * "unknown tensor type N" / "tensor type N (q4_2) was removed from ggml". */
int llm_type_check(uint32_t t, llm_err *e);
/* ggml's name for any type number it ever had ("q4_K", "iq4_xs", "q4_2"),
 * implemented or not; NULL for a number ggml never used. For messages. */
const char *llm_type_name(uint32_t t);
/* Type by name, case-insensitive ("Q4_K", "f16"); -1 if none. */
int llm_type_by_name(const char *name);
/* Bytes of a row of n values; 0 if n is not a multiple of the block. */
size_t llm_row_size(uint32_t t, int64_t n);

/* Half and bfloat16 conversions (round to nearest even). */
float llm_f16_to_f32(uint16_t h);
uint16_t llm_f32_to_f16(float f);
float llm_bf16_to_f32(uint16_t h);
uint16_t llm_f32_to_bf16(float f);

/* Dequantize n values (a multiple of the block) of type t from src, which
 * is aligned to 4 bytes (GGUF data is). A type llm_type_check rejects gives
 * zeros: check first. */
void llm_dequantize(uint32_t t, const void *src, float *dst, int64_t n);
/* Quantize n values into dst with ggml's reference quantizer for t, so the
 * bytes equal llama.cpp's (no importance matrix). Returns bytes written,
 * 0 for an unknown type or n not a multiple of the block. */
size_t llm_quantize(uint32_t t, const float *src, void *dst, int64_t n);
/* The same for nrows rows of ncols values each (rows of llm_row_size
 * bytes). Returns bytes written, 0 if ncols does not fit the block. */
size_t llm_quantize_rows(uint32_t t, const float *src, void *dst, int64_t nrows, int64_t ncols);

#endif
