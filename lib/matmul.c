/* matmul.c: weight matrix times a batch of activation rows (matmul.h). */
#include "matmul.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "dot.h"
#include "dtype.h"

static atomic_bool use_reference;

void llm_matmul_set_reference(bool on) { atomic_store(&use_reference, on); }
bool llm_matmul_reference(void) { return atomic_load(&use_reference); }

void llm_mm_buf_free(llm_mm_buf *b)
{
    free(b->p);
    b->p = NULL;
    b->cap = 0;
}

int llm_mm_buf_grow(llm_mm_buf *b, size_t need, llm_err *e)
{
    if (need <= b->cap)
        return 0;
    void *p = realloc(b->p, need);
    if (!p)
        return llm_fail(e, "out of memory (%zu bytes of matmul scratch)", need);
    b->p = p;
    b->cap = need;
    return 0;
}

void llm_weight_row(const llm_weight *w, int64_t r, float *dst)
{
    const uint8_t *src = w->data + (size_t)r * w->row_bytes;
    if (w->type == LLM_F32)
        memcpy(dst, src, (size_t)w->ncols * sizeof(float));
    else
        llm_dequantize(w->type, src, dst, w->ncols);
}

typedef struct mm_job {
    const llm_weight *w;
    const uint8_t *act;      /* converted activations, act_bytes per row */
    size_t act_bytes;
    int32_t n_tok;
    float *y;
    llm_dot_fn dot;
    float *rowbuf;           /* reference path: ncols floats per thread */
    atomic_long next;        /* rows handed out (pool.h) */
} mm_job;

/* Worker: its share of the output rows, every token for each row (the
 * weight row stays in cache while the tokens go by). */
static void mm_work(void *arg, int ith, int nth)
{
    mm_job *j = arg;
    const llm_weight *w = j->w;
    long lo, hi, chunk = llm_pool_chunk((long)w->nrows, nth);
    float *rb = j->rowbuf ? j->rowbuf + (size_t)ith * (size_t)w->ncols : NULL;
    void (*dot4)(int64_t, const void *, const void *, size_t, float *) = NULL;
#if defined(__x86_64__)
    /* prompts of F32/F16 models: 4 tokens at a time, the same bits */
    if (j->dot == llm_dot_f32_tb_ggml)
        dot4 = llm_dot4t_f32_tb_ggml;
    else if (j->dot == llm_dot_f16_tb_ggml)
        dot4 = llm_dot4t_f16_tb_ggml;
#endif
    while (llm_pool_take(&j->next, chunk, (long)w->nrows, &lo, &hi)) {
        for (long r = lo; r < hi; r++) {
            const void *wr = w->data + (size_t)r * w->row_bytes;
            if (rb) {
                llm_weight_row(w, r, rb);
                wr = rb;
            }
            int32_t t = 0;
            if (dot4)
                for (; t + 4 <= j->n_tok; t += 4) {
                    float out[4];
                    dot4(w->ncols, wr, j->act + (size_t)t * j->act_bytes, j->act_bytes, out);
                    for (int k = 0; k < 4; k++)
                        j->y[(size_t)(t + k) * (size_t)w->nrows + (size_t)r] = out[k];
                }
            for (; t < j->n_tok; t++)
                j->y[(size_t)t * (size_t)w->nrows + (size_t)r] =
                    j->dot(w->ncols, wr, j->act + (size_t)t * j->act_bytes);
        }
    }
}

#if defined(__x86_64__)
/* F16 weights in a prompt (tinyBLAS order): activations rounded to f16
 * and widened back once, then 2 rows x 4 tokens a kernel call. */
typedef struct f16w_job {
    const llm_weight *w;
    const float *act;        /* n_tok rows of ncols f16-exact floats */
    int32_t n_tok;
    float *y;
    atomic_long next;        /* row pairs handed out (pool.h) */
} f16w_job;

static void f16w_work(void *arg, int ith, int nth)
{
    f16w_job *j = arg;
    const llm_weight *w = j->w;
    int64_t n = w->ncols;
    size_t ny = (size_t)w->nrows;
    long pairs = (long)(w->nrows + 1) / 2, lo, hi, chunk = llm_pool_chunk(pairs, nth);
    (void)ith;
    while (llm_pool_take(&j->next, chunk, pairs, &lo, &hi)) {
        for (long rp = lo; rp < hi; rp++) {
            long r = 2 * rp;
            const uint16_t *w0 = (const uint16_t *)(w->data + (size_t)r * w->row_bytes);
            if (r + 1 >= w->nrows) {   /* an odd last row */
                for (int32_t t = 0; t < j->n_tok; t++)
                    j->y[(size_t)t * ny + (size_t)r] = llm_dot_f16w_tb_ggml(n, w0, j->act + (size_t)t * (size_t)n);
                continue;
            }
            const uint16_t *w1 = (const uint16_t *)(w->data + (size_t)(r + 1) * w->row_bytes);
            int32_t t = 0;
            for (; t + 4 <= j->n_tok; t += 4) {
                float out[2][4];
                llm_dot2x4_f16w_tb_ggml(n, w0, w1, j->act + (size_t)t * (size_t)n, (size_t)n, out);
                for (int k = 0; k < 4; k++) {
                    j->y[(size_t)(t + k) * ny + (size_t)r] = out[0][k];
                    j->y[(size_t)(t + k) * ny + (size_t)r + 1] = out[1][k];
                }
            }
            for (; t < j->n_tok; t++) {
                const float *a = j->act + (size_t)t * (size_t)n;
                j->y[(size_t)t * ny + (size_t)r] = llm_dot_f16w_tb_ggml(n, w0, a);
                j->y[(size_t)t * ny + (size_t)r + 1] = llm_dot_f16w_tb_ggml(n, w1, a);
            }
        }
    }
}

static int matmul_f16w(llm_pool *pool, const llm_weight *w, const float *x, int32_t n_tok, float *y,
                       llm_mm_buf *buf, llm_err *e)
{
    size_t n = (size_t)w->ncols;
    if (llm_mm_buf_grow(buf, n * (size_t)n_tok * sizeof(float), e) < 0)
        return -1;
    float *act = buf->p;
    llm_round_f16_avx2(x, act, (int64_t)(n * (size_t)n_tok));
    f16w_job j = { w, act, n_tok, y, 0 };
    llm_pool_run(pool, f16w_work, &j);
    return 0;
}
#endif

/* Below this many multiply-adds a job runs on the calling thread: waking
 * workers costs more than it saves. Results are the same either way. */
#define MIN_PARALLEL_WORK 262144

/* For F32/F16 weights on x86 with AVX2: ggml's own summation order, which
 * depends on whether its matmul sees one row or a batch (tinyBLAS takes
 * batches of rows a multiple of 8 long, row counts a multiple of 4). */
static llm_dot_fn ggml_order_dot(const llm_weight *w, bool batched)
{
#if defined(__x86_64__)
    bool ok = llm_cpu_avx2();
    if (!ok || (w->type != LLM_F32 && w->type != LLM_F16))
        return NULL;
    bool tb = batched && w->ncols % 8 == 0 && w->nrows % 4 == 0;
    if (w->type == LLM_F32)
        return tb ? llm_dot_f32_tb_ggml : llm_dot_f32_vec_ggml;
    return tb ? llm_dot_f16_tb_ggml : llm_dot_f16_vec_ggml;
#else
    (void)w;
    (void)batched;
    return NULL;
#endif
}

llm_dot_fn llm_matmul_dot_fn(const llm_weight *w, bool batched)
{
    llm_dot_fn exact = ggml_order_dot(w, batched);
    return exact ? exact : llm_dot_fn_for(w->type);
}

int llm_matmul(llm_pool *pool, const llm_weight *w, const float *x, int32_t n_tok,
               float *y, llm_mm_buf *buf, llm_err *e)
{
    return llm_matmul_ex(pool, w, x, n_tok, n_tok >= 2, y, buf, e);
}

int llm_matmul_ex(llm_pool *pool, const llm_weight *w, const float *x, int32_t n_tok,
                  bool batched, float *y, llm_mm_buf *buf, llm_err *e)
{
    /* a few tokens: the path of matmul_multi.c, with one weight */
    if (n_tok < LLM_MULTI_MAX_TOK)
        return llm_matmul_multi(pool, &w, 1, x, n_tok, batched, &y, buf, e);
    return llm_matmul_one(pool, w, x, n_tok, batched, y, buf, e);
}

int llm_matmul_one(llm_pool *pool, const llm_weight *w, const float *x, int32_t n_tok,
                   bool batched, float *y, llm_mm_buf *buf, llm_err *e)
{
    bool ref = llm_matmul_reference();
    int at = ref ? LLM_F32 : llm_dot_act_type(w->type);
    llm_dot_fn dot = ref ? llm_dot_fn_for(LLM_F32) : llm_dot_fn_for(w->type);
    if (!ref) {
        /* packed weights, then 8 tokens or more: the kernels of matmul_tile.c */
        int tiled = llm_matmul_packed(pool, w, x, n_tok, y, buf, e);
        if (!tiled)
            tiled = llm_matmul_tiled(pool, w, x, n_tok, y, buf, e);
        if (tiled)
            return tiled < 0 ? -1 : 0;
    }
    llm_dot_fn exact = ref ? NULL : ggml_order_dot(w, batched);
    if (exact)
        dot = exact;
#if defined(__x86_64__)
    if (dot == llm_dot_f16_tb_ggml && n_tok >= 4)
        return matmul_f16w(pool, w, x, n_tok, y, buf, e);
#endif
    if (at < 0 || !dot)
        return llm_fail(e, "tensor '%s': no matrix product for type %u", w->name, w->type);
    int nth = llm_pool_size(pool);
    if ((double)w->nrows * (double)w->ncols * n_tok < MIN_PARALLEL_WORK)
        nth = 1;
    size_t act_bytes = llm_dot_act_size((uint32_t)at, w->ncols);
    size_t act_total = act_bytes * (size_t)n_tok;
    act_total = (act_total + 63) & ~(size_t)63;
    size_t need = act_total + (ref ? (size_t)nth * (size_t)w->ncols * sizeof(float) : 0);
    if (llm_mm_buf_grow(buf, need, e) < 0)
        return -1;
    uint8_t *act = buf->p;
    for (int32_t t = 0; t < n_tok; t++)
        llm_dot_convert((uint32_t)at, x + (size_t)t * (size_t)w->ncols, act + (size_t)t * act_bytes, w->ncols);
    mm_job j = { w, act, act_bytes, n_tok, y, dot, ref ? (float *)(act + act_total) : NULL, 0 };
    llm_pool_run(nth == 1 ? NULL : pool, mm_work, &j);
    return 0;
}
