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

#include "err.h"
#include "model.h"
#include "pool.h"

/* Scratch memory a caller keeps between calls (grown as needed). */
typedef struct llm_mm_buf {
    void *p;
    size_t cap;
} llm_mm_buf;

void llm_mm_buf_free(llm_mm_buf *b);

/* y[t * w->nrows + r] = dot(row r of w, x[t * w->ncols ...]) for t < n_tok.
 * Returns 0, or -1 when memory runs out or the type has no kernel. */
int llm_matmul(llm_pool *pool, const llm_weight *w, const float *x, int32_t n_tok,
               float *y, llm_mm_buf *buf, llm_err *e);

/* Use the float reference path from now on (process-wide). */
void llm_matmul_set_reference(bool on);
bool llm_matmul_reference(void);

/* Row r of w as floats (dst: w->ncols values). */
void llm_weight_row(const llm_weight *w, int64_t r, float *dst);

#endif
