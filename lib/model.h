/* model.h: a llama-family or Qwen2 transformer read from a GGUF file, and
 * the forward pass over a batch of positions with a KV cache.
 *
 * The weights stay in the file's mapping (no copy): a matrix is a pointer
 * to its rows, in whatever type the file stores, and lib/matmul.c reads
 * it in place. Only the 1-D tensors (norms, biases) are copied, as floats.
 *
 * Use:
 *   llm_model *m = llm_model_load("m.gguf", &e);
 *   llm_pool *p = llm_pool_new(4, &e);
 *   llm_ctx *c = llm_ctx_new(m, 2048, p, &e);
 *   llm_forward(c, tokens, n, logits, &e);   (logits of the last one)
 *   ... llm_forward(c, &next, 1, logits, &e) ...
 */
#ifndef LLM_MODEL_H
#define LLM_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "gguf.h"
#include "pool.h"

enum llm_arch { LLM_ARCH_LLAMA = 0, LLM_ARCH_QWEN2 = 1 };

typedef struct llm_hparams {
    int arch;             /* enum llm_arch */
    char arch_name[16];   /* "llama", "qwen2" */
    int32_t n_vocab;      /* rows of token_embd */
    int32_t n_embd;
    int32_t n_ff;
    int32_t n_layer;
    int32_t n_head;
    int32_t n_head_kv;
    int32_t head_dim;     /* n_embd / n_head */
    int32_t n_rot;        /* dims rotated by RoPE (<= head_dim, even) */
    int32_t n_ctx_train;  /* {arch}.context_length */
    float eps;            /* RMSNorm epsilon */
    float rope_base;      /* theta base (10000 if absent) */
    float rope_freq_scale;/* 1 / rope.scaling.factor for "linear" scaling, else 1 */
    bool rope_neox;       /* NEOX pairs (x[i], x[i+n_rot/2]) vs adjacent */
} llm_hparams;

/* A 2-D weight: nrows rows of ncols values (GGUF ne[0] = ncols), each row
 * row_bytes bytes of type `type`, starting at data (inside the mapping). */
typedef struct llm_weight {
    const char *name;
    uint32_t type;        /* enum llm_type */
    int64_t ncols;
    int64_t nrows;
    size_t row_bytes;
    const uint8_t *data;
    uint8_t *packed;      /* 8-row packed copy for the generation kernels, or NULL (repack.h) */
} llm_weight;

typedef struct llm_layer {
    float *attn_norm;     /* [n_embd] */
    llm_weight wq, wk, wv, wo;
    float *bq, *bk, *bv;  /* qwen2 only, else NULL */
    float *ffn_norm;      /* [n_embd] */
    llm_weight gate, up, down;
} llm_layer;

typedef struct llm_model {
    gguf_file *gf;        /* owned; the weights point into its map */
    llm_hparams hp;
    llm_weight tok_embd;  /* [n_vocab rows of n_embd] */
    float *output_norm;
    llm_weight output;    /* = tok_embd when tied */
    float *rope_freqs;    /* rope_freqs.weight (n_rot/2 divisors, Llama 3.1), or NULL */
    bool tied_output;
    uint8_t *arena;       /* the placed weights (repack.h), or NULL */
    size_t arena_size;
    llm_layer *layers;
} llm_model;

/* Open PATH and check every hyper-parameter and tensor shape. Errors name
 * the file and the key or tensor ("m.gguf: tensor 'blk.3.ffn_up.weight'
 * missing"). */
llm_model *llm_model_load(const char *path, llm_err *e);
/* The same over an opened file, which the model then owns (closed by
 * llm_model_free, also on failure). */
llm_model *llm_model_from_gguf(gguf_file *gf, llm_err *e);
void llm_model_free(llm_model *m);
/* From now on (process-wide), load every layer matrix into memory backed
 * by huge pages instead of reading the unpacked ones from the file
 * mapping (llm-infer --no-mmap): slower to load, faster to generate. */
void llm_model_set_no_mmap(bool on);

/* ---- inference state ---------------------------------------------------- */

typedef struct llm_ctx llm_ctx;

/* Called with each intermediate tensor the forward pass produces, for the
 * rows of positions pos0..pos0+n_rows-1 (row-major, n_rows x width).
 * `want` is asked first (cheap: by name) so unwanted tensors cost nothing.
 * Names: see man/llm-infer.1 (--dump). A non-zero return from `emit` aborts
 * the pass with that error. */
typedef struct llm_dump_hook {
    bool (*want)(void *ud, const char *name);
    int (*emit)(void *ud, const char *name, int32_t pos0, int32_t n_rows,
                int64_t width, const float *data, llm_err *e);
    void *ud;
} llm_dump_hook;

/* A context of n_ctx positions (KV cache in f16, as llama.cpp's default).
 * pool may be NULL (one thread). n_ctx must be >= 1. */
llm_ctx *llm_ctx_new(const llm_model *m, int32_t n_ctx, llm_pool *pool, llm_err *e);
void llm_ctx_free(llm_ctx *c);
/* Forget every position (empty cache). */
void llm_ctx_reset(llm_ctx *c);
int32_t llm_ctx_n_past(const llm_ctx *c);
int32_t llm_ctx_n_ctx(const llm_ctx *c);
void llm_ctx_set_dump(llm_ctx *c, const llm_dump_hook *h);

/* Run tokens[0..n) at positions n_past..n_past+n-1 and append them to the
 * cache. logits (may be NULL) receives the n_vocab logits of the last
 * token. Errors: a token outside the vocabulary or a full context (the
 * cache is then unchanged), out of memory. */
int llm_forward(llm_ctx *c, const int32_t *tokens, int32_t n, float *logits, llm_err *e);

/* The same, with the logits of every token, passed to fn in position order
 * as they are computed (fn's data is valid during the call only). A
 * non-zero return from fn stops the pass with that error. */
typedef int (*llm_logits_fn)(void *ud, int32_t pos, const float *logits, llm_err *e);
int llm_forward_each(llm_ctx *c, const int32_t *tokens, int32_t n, llm_logits_fn fn,
                     void *ud, llm_err *e);

#endif
