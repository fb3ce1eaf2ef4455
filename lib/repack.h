/* repack.h: weights rearranged at load for the product kernels (Q4_0,
 * Q8_0, Q4_K and Q6_K on x86-64 with AVX2).
 *
 * A matrix-vector product reads each weight once per token; the faster
 * each block is consumed, the closer generation gets to the memory
 * bandwidth. For Q4_0 the per-row kernel spends most of its instructions
 * on per-block bookkeeping (scale conversion, the horizontal sum). Packing
 * 8 rows side by side lets one kernel produce 8 rows' results in the 8
 * lanes of a register: the scales of the 8 rows convert in one
 * instruction, and no horizontal sum is needed. Prompts use a kernel of
 * 8 rows x 4 tokens over the same layout (each chunk of weights decoded
 * once for 4 tokens), whose results are the same bits as the 8-row one.
 *
 * Q4_0 x8 layout, per group of 8 rows, per 32-value block (144 bytes, the
 * same as 8 blocks): 8 f16 scales (row 0..7), then 4 chunks of 32 bytes;
 * chunk c holds bytes 4c..4c+3 of each row's 16 quant bytes, row r at
 * 4r. The low nibbles of chunk c are values 4c..4c+3 of each row, the high
 * nibbles values 16+4c..16+4c+3.
 *
 * Q8_0 x8 layout, per group of 8 rows, per 32-value block (272 bytes):
 * 8 f16 scales, then 8 chunks of 32 bytes; chunk c holds values 4c..4c+3
 * of each row, row r at 4r.
 *
 * Q4_K x8 layout, per group of 8 rows, per 256-value super-block (1184
 * bytes): 8 f16 d, 8 f16 dmin, the 6-bit scales decoded to bytes (64:
 * sub-block j of row r at 8j + r), the mins likewise (64), then 32 chunks
 * of 32 bytes: chunk ch holds bytes 4ch..4ch+3 of each row's 128 quant
 * bytes, row r at 4r.
 *
 * Q6_K x8 layout, per group of 8 rows, per 256-value super-block (1680
 * bytes): 8 f16 d, the 16 int8 scales (sub-block j of row r at 8j + r),
 * then for each half k (0, 1) and chunk cq (0..7) 96 bytes: bytes 4cq..
 * 4cq+3 of each row's ql[64k..], of its ql[64k+32..] and of its qh[32k..],
 * 32 bytes each with row r at 4r. These give the values 128k + 32m + 4cq..
 * (m = 0..3) of each row, and the kernels read them in this order: one
 * sequential stream, which the hardware prefetcher follows (a layout read
 * out of order ran at a quarter of the memory bandwidth).
 *
 * The packed copy is made from the mapping at load, which then stays the
 * source (its pages of repacked tensors are released: memory stays about
 * the file size). LLM_NO_REPACK=1 in the environment turns packing off. */
#ifndef LLM_REPACK_H
#define LLM_REPACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "model.h"

#define LLM_PACK_ROWS 8

/* Pack w if its type has a packed kernel on this CPU and its rows are a
 * multiple of 8 (sets w->packed, owned by the weight; release it with
 * llm_weight_unpack). Returns 1 if packed, 0 if not (also when memory for
 * the copy is short: the unpacked kernels then serve). */
int llm_weight_pack(llm_weight *w, llm_err *e);
void llm_weight_unpack(llm_weight *w);
/* The model's weight arena (model.c): one anonymous region, 2 MiB
 * aligned, holding the packed layer matrices; with llm_model_set_no_mmap
 * every layer matrix (copied as it is where the type has no packed
 * kernels), marked for transparent huge pages. Generation sweeps all
 * weights once per token; with 4 KiB pages the TLB misses of that sweep
 * cost ~10% of F16 generation here, but huge pages make the load slower
 * (the kernel compacts memory for them), so they are asked for only then.
 * The copies are made from the mapping, whose pages are then released:
 * memory stays about the file size. */
bool llm_weight_packable(const llm_weight *w);
/* Bytes w takes in the arena (a multiple of 64). */
size_t llm_weight_place_bytes(const llm_weight *w);
/* Put w at dst (llm_weight_place_bytes(w) bytes): packed (sets w->packed,
 * returns 1) or copied (w->data becomes dst, returns 0); the mapping's
 * pages of w are released either way. */
int llm_weight_place(llm_weight *w, uint8_t *dst);
uint8_t *llm_arena_alloc(size_t n, bool huge);
void llm_arena_free(uint8_t *p, size_t n);
/* Tell the kernel the mapping's pages of w are no longer needed. */
void llm_weight_release_mapping(const llm_weight *w);

/* out[r] = dot(row r of the 8-row group at g, activation a) for a Q8_0
 * activation row with its extras (dot.h). */
typedef void (*llm_gemv8_fn)(int64_t n, const uint8_t *g, const void *a, float out[LLM_PACK_ROWS]);
llm_gemv8_fn llm_gemv8_fn_for(uint32_t wtype);
/* The same for 4 activation rows at once (prompts): out[t][r], the same
 * bits as 4 calls of the gemv8 kernel. NULL if the type has none. */
typedef void (*llm_gemm8x4_fn)(int64_t n, const uint8_t *g, const void *const a[4],
                               float out[4][LLM_PACK_ROWS]);
llm_gemm8x4_fn llm_gemm8x4_fn_for(uint32_t wtype);
/* Bytes of one packed block (or super-block) of 8 rows, 0 if none. */
size_t llm_pack_block_bytes(uint32_t wtype);
/* Bytes of one packed group of 8 rows of n values. */
size_t llm_pack_group_bytes(uint32_t wtype, int64_t n);

/* The AVX2 kernels (x86-64). */
llm_gemv8_fn llm_gemv8_fn_avx2(uint32_t wtype);
llm_gemm8x4_fn llm_gemm8x4_fn_avx2(uint32_t wtype);

#endif
