/* quantize.h: rewrite a model's weights in another type, choosing the type
 * of each tensor the way llama.cpp's llama-quantize does (its "mixes":
 * Q4_K_M gives output.weight Q6_K, some attn_v/ffn_down more bits, ...).
 *
 * The input is any tensor source: a GGUF file (llm_qsrc_from_gguf) or a
 * converted checkpoint (convert_llama2c.c, convert_safetensors.c). The
 * output is written through gguf_writer, tensor by tensor at write time,
 * so only one tensor of output is in memory at once. */
#ifndef LLM_QUANTIZE_H
#define LLM_QUANTIZE_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"
#include "gguf.h"

/* llama.cpp's file types (enum llama_ftype), stored as general.file_type. */
enum llm_ftype {
    LLM_FTYPE_ALL_F32 = 0, LLM_FTYPE_F16 = 1, LLM_FTYPE_Q4_0 = 2,
    LLM_FTYPE_Q4_1 = 3, LLM_FTYPE_Q8_0 = 7, LLM_FTYPE_Q5_0 = 8,
    LLM_FTYPE_Q5_1 = 9, LLM_FTYPE_Q2_K = 10, LLM_FTYPE_Q3_K_S = 11,
    LLM_FTYPE_Q3_K_M = 12, LLM_FTYPE_Q3_K_L = 13, LLM_FTYPE_Q4_K_S = 14,
    LLM_FTYPE_Q4_K_M = 15, LLM_FTYPE_Q5_K_S = 16, LLM_FTYPE_Q5_K_M = 17,
    LLM_FTYPE_Q6_K = 18, LLM_FTYPE_Q2_K_S = 21, LLM_FTYPE_BF16 = 32
};

/* The mix named NAME (case-insensitive: "Q4_K_M", "q8_0", "Q4_K" = Q4_K_M,
 * "Q3_K" = Q3_K_M, "Q5_K" = Q5_K_M), or -1. */
int llm_mix_by_name(const char *name);
/* Canonical name of a mix ("Q4_K_M"), NULL if unknown. */
const char *llm_mix_name(int ftype);
/* The mixes' names separated by spaces, for usage messages. */
const char *llm_mix_names(void);
/* The tensor type a mix mostly uses (Q4_K for Q4_K_M), -1 if unknown. */
int llm_mix_default_type(int ftype);

/* One tensor of a source: data is the whole tensor, in type. */
typedef struct llm_qsrc_tensor {
    const char *name;
    uint32_t n_dims;
    int64_t ne[GGUF_MAX_DIMS];
    uint32_t type;
    const void *data;
} llm_qsrc_tensor;

/* What the mixes look at besides tensor names and shapes. */
typedef struct llm_qhparams {
    char arch[32];           /* general.architecture ("llama", "qwen2") */
    int n_layer;             /* ARCH.block_count */
    int n_head, n_head_kv;   /* for n_gqa() */
    int n_expert;            /* ARCH.expert_count, 0 if none */
} llm_qhparams;

typedef struct llm_qsrc {
    llm_qhparams hp;
    uint64_t n_tensors;
    llm_qsrc_tensor *tensors;
} llm_qsrc;

/* Fill src from an open GGUF file (tensors point into its map). */
int llm_qsrc_from_gguf(llm_qsrc *src, const gguf_file *f, llm_err *e);
void llm_qsrc_free(llm_qsrc *src);

/* A --tensor-type override: tensors whose name matches the POSIX extended
 * regular expression (anywhere in the name) get type. */
typedef struct llm_qoverride {
    const char *pattern;
    uint32_t type;
} llm_qoverride;

/* Per-tensor outcome, filled by llm_quantize_write. */
typedef struct llm_qstat {
    const char *name;        /* the source's string */
    uint32_t from, to;       /* types */
    int64_t n;               /* elements */
    uint64_t bytes_in, bytes_out;
    bool fallback;           /* the mix's type did not fit the row length */
    bool measured;           /* error measured (report on, type changed) */
    double sse, ss;          /* sum of squared error, sum of squares of the input */
    double max_err;          /* largest |error| */
} llm_qstat;

typedef struct llm_qparams {
    int ftype;               /* enum llm_ftype; -1: keep every tensor's type (plain conversion) */
    bool pure;               /* one type for all weights: no mix rules */
    const llm_qoverride *overrides;
    int n_overrides;
    int output_type;         /* output.weight type, -1 for the mix's choice */
    int embd_type;           /* token_embd.weight type, -1 for the mix's choice */
    bool keep_order;         /* keep the source's tensor order (else llama.cpp's: by layer, then name) */
    bool report;             /* measure the error of each converted tensor */
    int n_threads;           /* >= 1 */
    /* Optional: called for each notice (fallbacks, requantization), and
     * before each tensor is produced (i of n). */
    void (*note)(void *ctx, const char *msg);
    void (*progress)(void *ctx, uint64_t i, uint64_t n, const char *name);
    void *cb_ctx;
} llm_qparams;

/* Defaults: ftype -1 (keep types), llama.cpp's order, one thread, no report. */
void llm_qparams_init(llm_qparams *p);

/* The type each tensor gets (types[i] for src->tensors[i]) and whether it
 * fell back; the order tensors are written in (order[k] = source index).
 * Notes go to p->note. Fails on a bad override pattern or an unwritable
 * override type. */
int llm_quant_plan(const llm_qsrc *src, const llm_qparams *p, uint32_t *types,
                   bool *fallback, uint64_t *order, llm_err *e);

/* Add src's tensors to w (whose key-values the caller has set, except
 * general.file_type and general.quantization_version, which this sets when
 * p->ftype >= 0), converted as planned, and write PATH. stats, if not NULL,
 * gets src->n_tensors entries in writing order. */
int llm_quantize_write(const llm_qsrc *src, gguf_writer *w, const char *path,
                       const llm_qparams *p, llm_qstat *stats, llm_err *e);

/* Copy f's key-values into w, as llama-quantize does (split keys dropped). */
int llm_quant_copy_kv(gguf_writer *w, const gguf_file *f, llm_err *e);

#endif
