/* tokenizer.h: the model's own tokenizer (SPM and byte-level BPE), read
 * from GGUF metadata (tokenizer.ggml.*) or a Hugging Face tokenizer.json,
 * encoding and decoding exactly as llama.cpp does. */
#ifndef LLM_TOKENIZER_H
#define LLM_TOKENIZER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "gguf.h"

typedef struct llm_tokenizer llm_tokenizer;

/* Build from a GGUF's metadata (copies what it needs: f may be closed
 * afterwards). Error if the file has no tokenizer or an unknown model/pre. */
llm_tokenizer *llm_tokenizer_from_gguf(const gguf_file *f, llm_err *e);
void llm_tokenizer_free(llm_tokenizer *t);

int32_t llm_tokenizer_n_vocab(const llm_tokenizer *t);
/* "llama" (SPM) or "gpt2" (BPE), as tokenizer.ggml.model names it. */
const char *llm_tokenizer_model(const llm_tokenizer *t);
/* A hash of the vocabulary (tokens and merges), for token stream headers. */
uint32_t llm_tokenizer_fingerprint(const llm_tokenizer *t);
int32_t llm_tokenizer_bos(const llm_tokenizer *t);   /* -1 if none */
int32_t llm_tokenizer_eos(const llm_tokenizer *t);   /* -1 if none */
/* True for end-of-generation tokens (eos, eot, <|im_end|> ...). */
bool llm_tokenizer_is_eog(const llm_tokenizer *t, int32_t id);
/* The token's text as stored in the vocabulary ("▁Once", "<0x0A>",
 * "Ġthe"); NULL if id is out of range. */
const char *llm_tokenizer_piece(const llm_tokenizer *t, int32_t id, size_t *len);

#endif
