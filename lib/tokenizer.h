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
/* A hash of the vocabulary, for token stream headers: FNV-1a 32 over the
 * model name and a NUL, then per token its text, a NUL and its type byte,
 * then per merge "a b" and a NUL. Keep it stable: streams carry it. */
uint32_t llm_tokenizer_fingerprint(const llm_tokenizer *t);
int32_t llm_tokenizer_bos(const llm_tokenizer *t);   /* -1 if none */
int32_t llm_tokenizer_eos(const llm_tokenizer *t);   /* -1 if none */
/* True for end-of-generation tokens (eos, eot, <|im_end|> ...). */
bool llm_tokenizer_is_eog(const llm_tokenizer *t, int32_t id);
/* The token's text as stored in the vocabulary ("▁Once", "<0x0A>",
 * "Ġthe"); NULL if id is out of range. */
const char *llm_tokenizer_piece(const llm_tokenizer *t, int32_t id, size_t *len);

/* ---- loading, more ---- */

/* Build from a Hugging Face tokenizer.json (model BPE, merges as "a b"
 * strings or [a, b] pairs, added_tokens as control/user-defined tokens,
 * pre-tokenizer recognised from its Split regex / ByteLevel config). */
llm_tokenizer *llm_tokenizer_from_json(const char *path, llm_err *e);
/* tokenizer.ggml.pre as given ("gpt-2", "qwen2", ...; "" for SPM). */
const char *llm_tokenizer_pre(const llm_tokenizer *t);
/* tokenizer.chat_template, or NULL. */
const char *llm_tokenizer_chat_template(const llm_tokenizer *t);
/* Token id of an exact vocabulary text ("<|im_end|>"), or -1. */
int32_t llm_tokenizer_find(const llm_tokenizer *t, const char *text, size_t len);
/* GGUF token type of id (1 normal, 2 unknown, 3 control, 4 user-defined,
 * 5 unused, 6 byte), or 0 if out of range. */
int llm_tokenizer_type(const llm_tokenizer *t, int32_t id);
/* Whether BOS is added by default (tokenizer.ggml.add_bos_token). */
bool llm_tokenizer_adds_bos(const llm_tokenizer *t);

/* ---- encoding ---- */

/* A growable vector of token ids; zero-initialise, free with llm_tokens_free. */
typedef struct llm_tokens {
    int32_t *ids;
    size_t n, cap;
} llm_tokens;
void llm_tokens_free(llm_tokens *v);

enum {
    LLM_TOK_ADD_SPECIAL = 1,    /* add BOS/EOS as the metadata says */
    LLM_TOK_PARSE_SPECIAL = 2,  /* control tokens written in the text ("<s>") are tokens */
};

/* Tokenize text[0..len) and APPEND the ids to out, exactly as llama.cpp's
 * llama_tokenize(add_special, parse_special) does. Any bytes are accepted
 * (invalid UTF-8 is handled as llama.cpp does). Returns 0 or -1 (out of
 * memory). */
int llm_tokenize(const llm_tokenizer *t, const char *text, size_t len, int flags,
                 llm_tokens *out, llm_err *e);

/* ---- decoding ---- */

/* The text of one token as llama.cpp's llama_token_to_piece: control and
 * unknown tokens give "" unless special; byte tokens give their byte; SPM's
 * "▁" becomes a space; lstrip drops one leading space. Writes at most cap
 * bytes (no NUL; buf may be NULL when cap is 0) and returns the full
 * length, or -1 if id is out of range. */
int llm_token_to_piece(const llm_tokenizer *t, int32_t id, bool special, bool lstrip,
                       char *buf, size_t cap);

enum {
    LLM_DETOK_SPECIAL = 1,        /* render control tokens ("<s>") */
    LLM_DETOK_REMOVE_SPECIAL = 2, /* drop a leading BOS / trailing EOS the metadata adds */
    LLM_DETOK_CONTINUE = 4,       /* not the start of a text: keep the leading space */
    LLM_DETOK_NO_CLEAN = 8,       /* skip the GPT-2 " ," / " 's" space cleaning */
};

/* Text of ids[0..n) as llama.cpp's llama_detokenize: SPM's leading space is
 * removed (unless the first token is BOS, or CONTINUE), byte tokens are
 * concatenated so UTF-8 split across tokens comes back whole, and vocabs
 * with clean_spaces (gpt-2) get llama.cpp's space cleaning. Returns a
 * malloc'd buffer (NUL-terminated, *len without it) or NULL (id out of
 * range: the message names its index). */
char *llm_detokenize(const llm_tokenizer *t, const int32_t *ids, size_t n, int flags,
                     size_t *len, llm_err *e);

#endif
