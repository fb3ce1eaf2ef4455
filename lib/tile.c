/* tile.c: the 8-token activation tiles of tile.h, in portable C, and the
 * choice of tile kernel. */
#include "tile.h"

#include <string.h>

#include "dot.h"
#include "dtype.h"
#include "quant.h"

/* Which layout a weight type's tile uses: Q8_0 flavour, Q8_K, or none. */
static int flavour(uint32_t wtype)
{
    switch (wtype) {
    case LLM_Q4_0: case LLM_Q8_0: return LLM_Q8_0;
    case LLM_Q4_K: case LLM_Q6_K: return LLM_Q8_K;
    default: return -1;
    }
}

#define Q80_TILE_BLOCK (256 + 2 * LLM_TILE * sizeof(float))
#define Q8K_TILE_BLOCK (2048 + LLM_TILE * sizeof(float) + 16 * LLM_TILE * sizeof(float))

size_t llm_tile_bytes(uint32_t wtype, int64_t n)
{
    switch (flavour(wtype)) {
    case LLM_Q8_0: return n % QK8_0 ? 0 : (size_t)(n / QK8_0) * Q80_TILE_BLOCK;
    case LLM_Q8_K: return n % QK_K ? 0 : (size_t)(n / QK_K) * Q8K_TILE_BLOCK;
    default: return 0;
    }
}

/* Copy the 4-value groups of one token's quants (len values) into the
 * interleaved tile quants: group g of token t lands at 32*g + 4*t. */
static void interleave(uint8_t *dst, const int8_t *qs, int len, int t)
{
    for (int g = 0; g < len / 4; g++)
        memcpy(dst + 32 * g + 4 * t, qs + 4 * g, 4);
}

void llm_tile_convert(uint32_t wtype, const float *x, size_t ldx, int ntok, int64_t n,
                      void *tile, void *scratch)
{
    int fl = flavour(wtype);
    uint8_t *out = tile;
    memset(tile, 0, llm_tile_bytes(wtype, n));
    for (int t = 0; t < ntok; t++) {
        llm_dot_convert((uint32_t)fl, x + (size_t)t * ldx, scratch, n);
        if (fl == LLM_Q8_0) {
            const block_q8_0 *q = scratch;
            for (int64_t b = 0; b < n / QK8_0; b++) {
                uint8_t *blk = out + (size_t)b * Q80_TILE_BLOCK;
                float *d = (float *)(blk + 256), *ds = d + LLM_TILE;
                interleave(blk, q[b].qs, QK8_0, t);
                int sum = 0;
                for (int j = 0; j < QK8_0; j++) sum += q[b].qs[j];
                d[t] = llm_f16_to_f32(q[b].d);
                ds[t] = d[t] * (float)sum;
            }
        } else {
            const block_q8_K *q = scratch;
            for (int64_t b = 0; b < n / QK_K; b++) {
                uint8_t *blk = out + (size_t)b * Q8K_TILE_BLOCK;
                float *d = (float *)(blk + 2048), *bs = d + LLM_TILE;
                interleave(blk, q[b].qs, QK_K, t);
                d[t] = q[b].d;
                for (int j = 0; j < 16; j++) bs[j * LLM_TILE + t] = (float)q[b].bsums[j];
            }
        }
    }
}

llm_tile_fn llm_tile_fn_for(uint32_t wtype)
{
#if defined(__x86_64__)
    if (llm_cpu_avx2()) return llm_tile_fn_avx2(wtype);
#endif
    (void)wtype;
    return NULL;
}
