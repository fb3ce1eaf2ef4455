/* dot.h: dot products of one weight row (any GGUF type, read in place)
 * with one activation row, the way llama.cpp's CPU backend pairs them.
 *
 * ggml never multiplies a quantized weight by float activations: it first
 * converts the activation row once to the weight type's "vec_dot_type"
 * (Q8_0 for Q4_0/Q5_0/Q8_0, Q8_1 for Q4_1/Q5_1, Q8_K for the K types, f16
 * for F16, bf16 for BF16, nothing for F32) and then takes integer (or
 * half) dot products. Doing the same here makes logits agree with
 * llama.cpp's to float rounding instead of to quantization noise.
 *
 * The functions here are portable C, the reference; SIMD versions sit in
 * dot_avx2.c / dot_neon.c and are picked by llm_dot_fn_for at run time. */
#ifndef LLM_DOT_H
#define LLM_DOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The activation type that weights of type wtype are multiplied with, or
 * -1 if wtype has no dot product here. */
int llm_dot_act_type(uint32_t wtype);
/* Convert n floats (a multiple of the act type's block) to act_type into
 * dst (llm_dot_act_size(act_type, n) bytes), rounding as ggml's x86 code.
 * A Q8_0 row is followed by extras the SIMD kernels use: at byte offset
 * llm_dot_q8_0_extras(n), float d[nb] (each block's scale, the f16 value
 * as a float), float ds[nb] (d times the sum of the block's quants), then
 * int32 qsum[nb] (that sum itself). */
size_t llm_dot_act_size(uint32_t act_type, int64_t n);
size_t llm_dot_q8_0_extras(int64_t n);
void llm_dot_convert(uint32_t act_type, const float *x, void *dst, int64_t n);
/* The portable C conversion (the reference for the SIMD ones, same bytes),
 * and the AVX2 ones for Q8_0 (with extras), Q8_K and F16 (dot_convert_avx2.c;
 * call them only when llm_cpu_avx2() is true). */
void llm_dot_convert_portable(uint32_t act_type, const float *x, void *dst, int64_t n);
void llm_dot_convert_q8_0_avx2(const float *x, void *dst, int64_t n);
void llm_dot_convert_q8_K_avx2(const float *x, void *dst, int64_t n);
void llm_dot_convert_f16_avx2(const float *x, void *dst, int64_t n);

/* dot(w, a) over n values: w a row of the weight type, a the activation
 * row already converted with llm_dot_convert. */
typedef float (*llm_dot_fn)(int64_t n, const void *w, const void *a);
/* The fastest dot product this CPU has for wtype (NULL if none). */
llm_dot_fn llm_dot_fn_for(uint32_t wtype);
/* x86-64: true when the CPU has AVX2, FMA and F16C and LLM_NO_SIMD is not
 * set; every AVX2 kernel choice in libcore asks this one question. */
bool llm_cpu_avx2(void);
/* The AVX2/FMA/F16C one (x86-64 only; NULL if none for wtype). Call it
 * only on a CPU with those features: llm_dot_fn_for checks. */
llm_dot_fn llm_dot_fn_avx2(uint32_t wtype);
/* The NEON one (aarch64 only; NULL if none for wtype): the SDOT variant
 * when the CPU has the dotprod extension, else plain NEON. */
llm_dot_fn llm_dot_fn_neon(uint32_t wtype);
/* The portable C one, for tests of the SIMD kernels. */
llm_dot_fn llm_dot_fn_portable(uint32_t wtype);

/* f16 -> f32 through a table (built on first use of this module). */
extern float llm_f16_table[65536];
void llm_dot_init(void);

#endif
