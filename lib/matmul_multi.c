/* matmul_multi.c: several weights that read the same input (attention's
 * Q, K and V; the feed-forward's gate and up) for a few tokens at a time.
 *
 * In generation each product is small (a token's worth of work is over in
 * tens of microseconds), so what surrounds it counts: converting the
 * activation row, waking the workers, waiting for the slowest. Here the
 * input is converted once per activation type and all the weights' rows
 * are dealt out in one pool job. Every value is computed by the same
 * kernel as in a product of its own (matmul.c, matmul_tile.c), so the
 * results are the same bits. */
#include "matmul.h"

#include <stdlib.h>

#include "dot.h"
#include "dtype.h"
#include "repack.h"

#define MAX_W 4

typedef struct seg {
    const llm_weight *w;
    float *y;
    const uint8_t *act;     /* this weight's converted input rows */
    size_t act_bytes;
    llm_dot_fn dot;         /* per-row kernel, or */
    llm_gemv8_fn gemv8;     /* the packed 8-row one */
    long row0;              /* first row in the concatenation */
} seg;

typedef struct multi_job {
    seg s[MAX_W];
    int nw;
    long rows;              /* all weights' rows */
    int32_t n_tok;
    atomic_long next;       /* units of 8 rows handed out (pool.h) */
} multi_job;

/* One chunk [lo, hi) of the concatenated rows (lo a multiple of 8, so a
 * packed group is never split). */
static void multi_rows(const multi_job *j, long lo, long hi)
{
    for (int k = 0; k < j->nw; k++) {
        const seg *s = &j->s[k];
        const llm_weight *w = s->w;
        long a = lo > s->row0 ? lo - s->row0 : 0, b = hi - s->row0;
        if (b > w->nrows) b = (long)w->nrows;
        if (a >= b) continue;
        if (s->gemv8) {
            size_t gb = llm_pack_group_bytes(w->type, w->ncols);
            for (long g = a / LLM_PACK_ROWS; g < b / LLM_PACK_ROWS; g++)
                for (int32_t t = 0; t < j->n_tok; t++) {
                    float out[LLM_PACK_ROWS];
                    s->gemv8(w->ncols, w->packed + (size_t)g * gb, s->act + (size_t)t * s->act_bytes, out);
                    float *yr = s->y + (size_t)t * (size_t)w->nrows + (size_t)g * LLM_PACK_ROWS;
                    for (int r = 0; r < LLM_PACK_ROWS; r++) yr[r] = out[r];
                }
        } else {
            for (long r = a; r < b; r++) {
                const uint8_t *wr = w->data + (size_t)r * w->row_bytes;
                for (int32_t t = 0; t < j->n_tok; t++)
                    s->y[(size_t)t * (size_t)w->nrows + (size_t)r] =
                        s->dot(w->ncols, wr, s->act + (size_t)t * s->act_bytes);
            }
        }
    }
}

/* Worker: chunks of 8-row units until none are left. */
static void multi_work(void *arg, int ith, int nth)
{
    multi_job *j = arg;
    (void)ith;
    long units = (j->rows + LLM_PACK_ROWS - 1) / LLM_PACK_ROWS, lo, hi;
    long chunk = llm_pool_chunk(units, nth);
    while (llm_pool_take(&j->next, chunk, units, &lo, &hi))
        multi_rows(j, lo * LLM_PACK_ROWS, hi * LLM_PACK_ROWS < j->rows ? hi * LLM_PACK_ROWS : j->rows);
}

/* Below this many multiply-adds the calling thread does it alone. */
#define MIN_PARALLEL_WORK 262144

int llm_matmul_multi(llm_pool *pool, const llm_weight *const *ws, int nw, const float *x,
                     int32_t n_tok, bool batched, float *const *ys, llm_mm_buf *buf, llm_err *e)
{
    bool fuse = nw >= 1 && nw <= MAX_W && n_tok < LLM_MULTI_MAX_TOK && !llm_matmul_reference();
    multi_job j = { .nw = nw, .n_tok = n_tok };
    atomic_init(&j.next, 0);
    int ats[MAX_W];
    size_t off[MAX_W], total = 0;
    double work = 0;
    for (int k = 0; fuse && k < nw; k++) {
        const llm_weight *w = ws[k];
        seg *s = &j.s[k];
        s->w = w;
        s->y = ys[k];
        s->row0 = j.rows;
        s->gemv8 = w->packed ? llm_gemv8_fn_for(w->type) : NULL;
        s->dot = s->gemv8 ? NULL : llm_matmul_dot_fn(w, batched);
        ats[k] = llm_dot_act_type(w->type);
        /* one input: the same width; packed rows stay whole groups of 8 */
        fuse = (s->gemv8 || s->dot) && ats[k] >= 0 && w->ncols == ws[0]->ncols &&
               (k == nw - 1 || w->nrows % LLM_PACK_ROWS == 0);
        if (!fuse) break;
        s->act_bytes = llm_dot_act_size((uint32_t)ats[k], w->ncols);
        /* one conversion per activation type */
        off[k] = total;
        for (int i = 0; i < k; i++)
            if (ats[i] == ats[k]) {
                off[k] = off[i];
                break;
            }
        if (off[k] == total)
            total += (s->act_bytes * (size_t)n_tok + 63) & ~(size_t)63;
        j.rows += (long)w->nrows;
        work += (double)w->nrows * (double)w->ncols * n_tok;
    }
    if (!fuse) {
        for (int k = 0; k < nw; k++)
            if (llm_matmul_one(pool, ws[k], x, n_tok, batched, ys[k], buf, e) < 0)
                return -1;
        return 0;
    }
    if (llm_mm_buf_grow(buf, total, e) < 0)
        return -1;
    uint8_t *base = buf->p;
    for (int k = 0; k < nw; k++) {
        j.s[k].act = base + off[k];
        bool first = true;
        for (int i = 0; i < k; i++)
            if (off[i] == off[k]) first = false;
        if (first)
            for (int32_t t = 0; t < n_tok; t++)
                llm_dot_convert((uint32_t)ats[k], x + (size_t)t * (size_t)ws[k]->ncols,
                                base + off[k] + (size_t)t * j.s[k].act_bytes, ws[k]->ncols);
    }
    llm_pool_run(work < MIN_PARALLEL_WORK ? NULL : pool, multi_work, &j);
    return 0;
}
