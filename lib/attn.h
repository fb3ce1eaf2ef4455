/* attn.h: the attention kernels of the forward pass, one query row of one
 * head against the f16 KV cache (internal to forward.c).
 *
 * Two kernels, because llama.cpp's flash attention has two and their
 * rounding differs:
 *  - vec (generation, batches < 64 tokens): q rounded to f16, q.k summed
 *    in float, online softmax with the value accumulator kept in f16,
 *    rounded after every step (ggml's one_chunk kernel);
 *  - f32 (larger batches): f32 q, scores and accumulator (ggml's tiled
 *    kernel, in effect).
 * The portable versions are in attn.c, the F16C/AVX2 ones, which round
 * exactly as ggml's x86 build does, in attn_avx2.c. */
#ifndef LLM_ATTN_H
#define LLM_ATTN_H

#include <stdint.h>

/* out[0..hd) = softmax(scale * q.K[0..n_kv)) V[0..n_kv); rows of K and V
 * are kv_stride apart. scratch: vec needs 2*hd uint16, f32 max(n_kv, 64) floats. */
typedef void (*llm_attn_fn)(const float *q, const uint16_t *k, const uint16_t *v, int32_t n_kv,
                            int kv_stride, int hd, float scale, float *out, void *scratch);

typedef struct llm_attn_kernels {
    llm_attn_fn vec;
    llm_attn_fn f32;
} llm_attn_kernels;

/* The fastest kernels this CPU runs (LLM_NO_SIMD=1: the portable ones). */
llm_attn_kernels llm_attn_pick(void);

void llm_attn_vec_portable(const float *q, const uint16_t *k, const uint16_t *v, int32_t n_kv,
                           int kv_stride, int hd, float scale, float *out, void *scratch);
void llm_attn_f32_portable(const float *q, const uint16_t *k, const uint16_t *v, int32_t n_kv,
                           int kv_stride, int hd, float scale, float *out, void *scratch);
void llm_attn_vec_avx2(const float *q, const uint16_t *k, const uint16_t *v, int32_t n_kv,
                       int kv_stride, int hd, float scale, float *out, void *scratch);
void llm_attn_f32_avx2(const float *q, const uint16_t *k, const uint16_t *v, int32_t n_kv,
                       int kv_stride, int hd, float scale, float *out, void *scratch);

#endif
