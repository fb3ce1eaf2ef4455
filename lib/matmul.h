/* matmul.h: y = W x for a batch of activation rows, W read in place from
 * the model's mapping in its own type (no copy of the weights).
 *
 * Two paths:
 *  - the default converts each activation row once to the weight's
 *    vec_dot_type (Q8_0, Q8_1, Q8_K, f16, bf16: see dot.h), as llama.cpp
 *    does, then takes per-type dot products;
 *  - the reference (llm_matmul_set_reference) dequantizes each weight row
 *    to floats and takes a float dot product: slower, easy to read, and
 *    what the fast path is tested against.
 * Output rows are split across the pool's threads; each value is computed
 * by one thread with the same code, so results do not depend on the
 * thread count. */
#ifndef LLM_MATMUL_H
#define LLM_MATMUL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dot.h"
#include "err.h"
#include "model.h"
#include "pool.h"

/* Scratch memory a caller keeps between calls (grown as needed). */
typedef struct llm_mm_buf {
    void *p;
    size_t cap;
} llm_mm_buf;

void llm_mm_buf_free(llm_mm_buf *b);
/* Make b hold at least need bytes (0, or -1 with e set). */
int llm_mm_buf_grow(llm_mm_buf *b, size_t need, llm_err *e);

/* y[t * w->nrows + r] = dot(row r of w, x[t * w->ncols ...]) for t < n_tok.
 * Returns 0, or -1 when memory runs out or the type has no kernel. */
int llm_matmul(llm_pool *pool, const llm_weight *w, const float *x, int32_t n_tok,
               float *y, llm_mm_buf *buf, llm_err *e);
/* The same, saying whether llama.cpp would see these rows as part of a
 * batch of 2 or more (its F32/F16 products then sum in another order;
 * matching it keeps float models bit-identical with llama.cpp). */
int llm_matmul_ex(llm_pool *pool, const llm_weight *w, const float *x, int32_t n_tok,
                  bool batched, float *y, llm_mm_buf *buf, llm_err *e);

/* Products of several weights (at most 4, the same ncols) with the same
 * input x: ys[k] = ws[k] x. Below LLM_MULTI_MAX_TOK tokens the input is
 * converted once and all the rows are shared out in one pool job
 * (matmul_multi.c); otherwise, and for the reference path, it is one
 * llm_matmul_one per weight. Same results as separate products. */
#define LLM_MULTI_MAX_TOK 8
int llm_matmul_multi(llm_pool *pool, const llm_weight *const *ws, int nw, const float *x,
                     int32_t n_tok, bool batched, float *const *ys, llm_mm_buf *buf, llm_err *e);
/* One weight, without the few-token path (matmul.c). */
int llm_matmul_one(llm_pool *pool, const llm_weight *w, const float *x, int32_t n_tok,
                   bool batched, float *y, llm_mm_buf *buf, llm_err *e);
/* The per-row dot product of w's type (ggml's order for F32/F16). */
llm_dot_fn llm_matmul_dot_fn(const llm_weight *w, bool batched);

/* matmul_avx2.c: F32/F16 dot products in ggml's orders (x86 only). */
float llm_dot_f32_vec_ggml(int64_t n, const void *w, const void *a);
float llm_dot_f16_vec_ggml(int64_t n, const void *w, const void *a);
float llm_dot_f32_tb_ggml(int64_t n, const void *w, const void *a);
float llm_dot_f16_tb_ggml(int64_t n, const void *w, const void *a);
/* The tinyBLAS-order ones for 4 activation rows a_stride bytes apart. */
void llm_dot4t_f32_tb_ggml(int64_t n, const void *w, const void *a, size_t a_stride, float out[4]);
void llm_dot4t_f16_tb_ggml(int64_t n, const void *w, const void *a, size_t a_stride, float out[4]);

/* F16 weights against activations rounded to f16 and kept as f32 (the
 * prompt path of F16 models): 2 rows x 4 tokens (a_stride floats apart),
 * and one by one; the same bits as llm_dot_f16_tb_ggml. */
void llm_dot2x4_f16w_tb_ggml(int64_t n, const uint16_t *w0, const uint16_t *w1, const float *a,
                             size_t a_stride, float out[2][4]);
float llm_dot_f16w_tb_ggml(int64_t n, const uint16_t *w, const float *a);
void llm_round_f16_avx2(const float *x, float *out, int64_t n);

/* matmul_tile.c: the prompt path over tiles of 8 tokens (tile.h). Returns
 * 1 when it did the product, 0 when it does not apply (fewer than 8 tokens,
 * a type or CPU without tile kernels), -1 on error. */
int llm_matmul_tiled(llm_pool *pool, const llm_weight *w, const float *x, int32_t n_tok,
                     float *y, llm_mm_buf *buf, llm_err *e);

/* The same for weights packed at load (repack.h), at any token count. */
int llm_matmul_packed(llm_pool *pool, const llm_weight *w, const float *x, int32_t n_tok,
                      float *y, llm_mm_buf *buf, llm_err *e);

/* Use the float reference path from now on (process-wide). */
void llm_matmul_set_reference(bool on);
bool llm_matmul_reference(void);

/* Row r of w as floats (dst: w->ncols values). */
void llm_weight_row(const llm_weight *w, int64_t r, float *dst);

#endif
