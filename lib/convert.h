/* convert.h: read foreign checkpoints as a tensor source for quantize.h.
 *
 * A converter sets the GGUF key-values of the model on a writer and fills
 * an llm_qsrc whose tensors point into mapped input files or buffers that
 * the returned llm_convert owns; free it after writing.
 *
 *   llama2.c   MODEL.bin (legacy 7-int header, or "ak42" version 1 fp32 /
 *              version 2 int8) + TOKENIZER.bin, as llama.cpp's
 *              convert-llama2c-to-ggml writes them.
 *   safetensors  a Hugging Face folder: config.json, *.safetensors
 *              (F32/F16/BF16), tokenizer.json, tokenizer_config.json;
 *              llama and qwen2. */
#ifndef LLM_CONVERT_H
#define LLM_CONVERT_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "gguf.h"
#include "quantize.h"

typedef struct llm_convert llm_convert;

/* n_ctx: llama.context_length to write; 0 for the checkpoint's seq_len. */
llm_convert *llm_convert_llama2c(const char *model, const char *tokenizer, uint32_t n_ctx,
                                 gguf_writer *w, llm_qsrc *src, llm_err *e);
llm_convert *llm_convert_safetensors(const char *dir, gguf_writer *w, llm_qsrc *src, llm_err *e);
/* Only the vocabulary: PATH is a folder with tokenizer.json (and maybe
 * tokenizer_config.json, config.json) or a tokenizer.json file. */
llm_convert *llm_convert_vocab(const char *path, gguf_writer *w, llm_err *e);
void llm_convert_free(llm_convert *c);

/* ---- shared by the converters (convert.c) ---- */

/* Keep p until llm_convert_free; returns p (NULL stays NULL). */
void *llm_convert_keep(llm_convert *c, void *p);
/* Map PATH read-only; unmapped by llm_convert_free. */
const void *llm_convert_map(llm_convert *c, const char *path, size_t *len, llm_err *e);
llm_convert *llm_convert_new(void);
/* The tokenizer.* key-values from a Hugging Face tokenizer (convert_vocab.c).
 * Any path may be NULL or name a missing file, except that one of tok_json
 * and sp_model must exist. arch picks the BPE pre-tokenizer; vocab_size
 * <= 0 means the largest id + 1. */
int llm_convert_hf_vocab(llm_convert *cv, const char *tok_json, const char *tok_cfg, const char *cfg_json,
                         const char *sp_model, const char *arch, int64_t vocab_size, gguf_writer *w, llm_err *e);

#endif
