/* matmul_tile.c: the SIMD product paths of llm_matmul beside the per-row
 * dot products: weight rows against tiles of 8 tokens (tile.h), each row
 * decoded once for all the tiles while it sits in the L1 cache; and packed
 * 8-row weights (repack.h), 8 rows' results a kernel call. */
#include "matmul.h"

#include <stdbool.h>
#include <stdlib.h>

#include "dot.h"
#include "dtype.h"
#include "repack.h"
#include "tile.h"

typedef struct tile_job {
    const llm_weight *w;
    const uint8_t *tiles;    /* n_tiles tiles, tile_bytes each */
    size_t tile_bytes;
    int32_t n_tok, n_tiles;
    float *y;
    llm_tile_fn fn;
} tile_job;

/* Worker: its share of the rows, every tile for each row. */
static void tile_work(void *arg, int ith, int nth)
{
    const tile_job *j = arg;
    const llm_weight *w = j->w;
    long lo, hi;
    llm_pool_range((long)w->nrows, ith, nth, &lo, &hi);
    float out[LLM_TILE];
    for (long r = lo; r < hi; r++) {
        const uint8_t *wr = w->data + (size_t)r * w->row_bytes;
        for (int32_t t = 0; t < j->n_tiles; t++) {
            j->fn(w->ncols, wr, j->tiles + (size_t)t * j->tile_bytes, out);
            int32_t t0 = t * LLM_TILE, nt = j->n_tok - t0 < LLM_TILE ? j->n_tok - t0 : LLM_TILE;
            for (int32_t k = 0; k < nt; k++)
                j->y[(size_t)(t0 + k) * (size_t)w->nrows + (size_t)r] = out[k];
        }
    }
}

/* Converting the activations is the serial part of a product: with many
 * tokens the pool shares it (each token or tile is converted the same way
 * on any thread). */
typedef struct conv_job {
    const llm_weight *w;
    const float *x;
    int32_t n_tok;
    uint8_t *out;
    size_t stride;       /* bytes per converted token (or per tile) */
    size_t scratch;      /* tiles: scratch bytes per thread, after the tiles */
    bool tiles;
} conv_job;

static void conv_work(void *arg, int ith, int nth)
{
    const conv_job *j = arg;
    const llm_weight *w = j->w;
    if (j->tiles) {
        int32_t n_tiles = (j->n_tok + LLM_TILE - 1) / LLM_TILE;
        uint8_t *scr = j->out + (size_t)n_tiles * j->stride + (size_t)ith * j->scratch;
        for (int32_t t = ith; t < n_tiles; t += nth) {
            int32_t t0 = t * LLM_TILE, nt = j->n_tok - t0 < LLM_TILE ? j->n_tok - t0 : LLM_TILE;
            llm_tile_convert(w->type, j->x + (size_t)t0 * (size_t)w->ncols, (size_t)w->ncols, nt, w->ncols,
                             j->out + (size_t)t * j->stride, scr);
        }
    } else {
        int at = llm_dot_act_type(w->type);
        for (int32_t t = ith; t < j->n_tok; t += nth)
            llm_dot_convert((uint32_t)at, j->x + (size_t)t * (size_t)w->ncols, j->out + (size_t)t * j->stride,
                            w->ncols);
    }
}

int llm_matmul_tiled(llm_pool *pool, const llm_weight *w, const float *x, int32_t n_tok,
                     float *y, llm_mm_buf *buf, llm_err *e)
{
    llm_tile_fn fn = n_tok >= LLM_TILE ? llm_tile_fn_for(w->type) : NULL;
    size_t tb = fn ? llm_tile_bytes(w->type, w->ncols) : 0;
    if (!fn || !tb) return 0;
    int at = llm_dot_act_type(w->type);
    int32_t n_tiles = (n_tok + LLM_TILE - 1) / LLM_TILE;
    size_t scratch = (llm_dot_act_size((uint32_t)at, w->ncols) + 63) & ~(size_t)63;
    size_t need = (size_t)n_tiles * tb + scratch * (size_t)llm_pool_size(pool);
    if (llm_mm_buf_grow(buf, need, e) < 0)
        return -1;
    uint8_t *tiles = buf->p;
    conv_job cj = { w, x, n_tok, tiles, tb, scratch, true };
    llm_pool_run(pool, conv_work, &cj);
    tile_job j = { w, tiles, tb, n_tok, n_tiles, y, fn };
    llm_pool_run(pool, tile_work, &j);
    return 1;
}

/* ---- packed weights (repack.h): 8 rows at a time ------------------------ */

typedef struct pack_job {
    const llm_weight *w;
    const uint8_t *act;
    size_t act_bytes;
    int32_t n_tok;
    float *y;
    llm_gemv8_fn fn;
    llm_gemm8x4_fn fn4;     /* 4 tokens at a time, or NULL */
    atomic_long next;       /* groups handed out (pool.h) */
} pack_job;

/* Worker: its share of the 8-row groups, every token for each group (the
 * group's weights stay in cache while the tokens go by). */
static void pack_work(void *arg, int ith, int nth)
{
    pack_job *j = arg;
    const llm_weight *w = j->w;
    size_t gb = llm_pack_group_bytes(w->type, w->ncols);
    long groups = (long)(w->nrows / LLM_PACK_ROWS), lo, hi;
    long chunk = llm_pool_chunk(groups, nth);
    float out[4][LLM_PACK_ROWS];
    (void)ith;
    while (llm_pool_take(&j->next, chunk, groups, &lo, &hi)) {
        for (long g = lo; g < hi; g++) {
            const uint8_t *wg = w->packed + (size_t)g * gb;
            int32_t t = 0;
            if (j->fn4)
                for (; t + 4 <= j->n_tok; t += 4) {
                    const void *a[4];
                    for (int k = 0; k < 4; k++) a[k] = j->act + (size_t)(t + k) * j->act_bytes;
                    j->fn4(w->ncols, wg, a, out);
                    for (int k = 0; k < 4; k++) {
                        float *yr = j->y + (size_t)(t + k) * (size_t)w->nrows + (size_t)g * LLM_PACK_ROWS;
                        for (int r = 0; r < LLM_PACK_ROWS; r++) yr[r] = out[k][r];
                    }
                }
            for (; t < j->n_tok; t++) {
                j->fn(w->ncols, wg, j->act + (size_t)t * j->act_bytes, out[0]);
                float *yr = j->y + (size_t)t * (size_t)w->nrows + (size_t)g * LLM_PACK_ROWS;
                for (int r = 0; r < LLM_PACK_ROWS; r++) yr[r] = out[0][r];
            }
        }
    }
}

int llm_matmul_packed(llm_pool *pool, const llm_weight *w, const float *x, int32_t n_tok,
                      float *y, llm_mm_buf *buf, llm_err *e)
{
    llm_gemv8_fn fn = w->packed ? llm_gemv8_fn_for(w->type) : NULL;
    if (!fn) return 0;
    int at = llm_dot_act_type(w->type);
    size_t ab = (llm_dot_act_size((uint32_t)at, w->ncols) + 63) & ~(size_t)63;
    size_t need = ab * (size_t)n_tok;
    if (llm_mm_buf_grow(buf, need, e) < 0)
        return -1;
    uint8_t *act = buf->p;
    /* one small product is cheaper on the calling thread than waking workers */
    bool small = (double)w->nrows * (double)w->ncols * n_tok < 262144.0;
    conv_job cj = { w, x, n_tok, act, ab, 0, false };
    llm_pool_run(n_tok < 4 || small ? NULL : pool, conv_work, &cj);
    pack_job j = { w, act, ab, n_tok, y, fn, llm_gemm8x4_fn_for(w->type), 0 };
    llm_pool_run(small ? NULL : pool, pack_work, &j);
    return 1;
}
