/* matmul_tile.c: the prompt-processing path of llm_matmul: weight rows
 * against tiles of 8 tokens (tile.h), each weight row decoded once for all
 * the tiles while it sits in the L1 cache. */
#include "matmul.h"

#include <stdlib.h>

#include "dot.h"
#include "dtype.h"
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

int llm_matmul_tiled(llm_pool *pool, const llm_weight *w, const float *x, int32_t n_tok,
                     float *y, llm_mm_buf *buf, llm_err *e)
{
    llm_tile_fn fn = n_tok >= LLM_TILE ? llm_tile_fn_for(w->type) : NULL;
    size_t tb = fn ? llm_tile_bytes(w->type, w->ncols) : 0;
    if (!fn || !tb) return 0;
    int at = llm_dot_act_type(w->type);
    int32_t n_tiles = (n_tok + LLM_TILE - 1) / LLM_TILE;
    size_t scratch = (llm_dot_act_size((uint32_t)at, w->ncols) + 63) & ~(size_t)63;
    size_t need = (size_t)n_tiles * tb + scratch;
    if (need > buf->cap) {
        void *p = realloc(buf->p, need);
        if (!p) return llm_fail(e, "out of memory (%zu bytes of matmul scratch)", need);
        buf->p = p;
        buf->cap = need;
    }
    uint8_t *tiles = buf->p;
    for (int32_t t = 0; t < n_tiles; t++) {
        int32_t t0 = t * LLM_TILE, nt = n_tok - t0 < LLM_TILE ? n_tok - t0 : LLM_TILE;
        llm_tile_convert(w->type, x + (size_t)t0 * (size_t)w->ncols, (size_t)w->ncols, nt, w->ncols,
                         tiles + (size_t)t * tb, tiles + (size_t)n_tiles * tb);
    }
    tile_job j = { w, tiles, tb, n_tok, n_tiles, y, fn };
    llm_pool_run(pool, tile_work, &j);
    return 1;
}
