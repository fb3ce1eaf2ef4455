/* tile.h: matrix products over 8 tokens at once, for prompt processing.
 *
 * Token generation multiplies each weight row by one activation row: the
 * weights stream from memory once per token and the dot products of dot.h
 * are enough. A prompt of many tokens is different: each weight row can be
 * decoded once and used for several tokens. The tile kernels here take one
 * weight row and the activations of 8 tokens laid out side by side
 * ("interleaved": 4 bytes of token 0, 4 of token 1, ... 4 of token 7, then
 * the next 4 values), so one broadcast weight group multiplies all 8 tokens
 * in one SIMD instruction and the 8 results come out in the 8 lanes.
 *
 * The activations are quantized exactly as dot.h does it (llm_dot_convert),
 * so a tile computes the same integer block sums as the per-token kernels;
 * only the order of float additions differs.
 *
 * Layouts (per 8-token tile, n values a row):
 *  - Q8_0 flavour (Q4_0, Q8_0 weights), per 32-value block: 256 bytes of
 *    interleaved quants, then float d[8], float ds[8] (d * sum of quants).
 *  - Q8_K flavour (Q4_K, Q6_K weights), per 256-value super-block: 2048
 *    bytes of interleaved quants, float d[8], float bsum[16][8] (the sum of
 *    each 16 quants, per token). */
#ifndef LLM_TILE_H
#define LLM_TILE_H

#include <stddef.h>
#include <stdint.h>

#define LLM_TILE 8     /* tokens per tile */

/* out[t] = dot(weight row w, token t of the tile) for t < 8. */
typedef void (*llm_tile_fn)(int64_t n, const void *w, const void *tile, float out[LLM_TILE]);

/* The tile kernel for weight type wtype on this CPU, or NULL (use dot.h). */
llm_tile_fn llm_tile_fn_for(uint32_t wtype);
/* Bytes of one tile of rows of n values for wtype (0 if no tile layout). */
size_t llm_tile_bytes(uint32_t wtype, int64_t n);
/* Fill one tile from ntok (1..8) float rows x (row t at x + t*ldx); the
 * tokens past ntok are zero. scratch: llm_dot_act_size(act type, n) bytes. */
void llm_tile_convert(uint32_t wtype, const float *x, size_t ldx, int ntok, int64_t n,
                      void *tile, void *scratch);

/* The AVX2 kernels (x86-64 only; tile.c asks the CPU before using them). */
llm_tile_fn llm_tile_fn_avx2(uint32_t wtype);

#endif
