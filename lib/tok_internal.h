/* tok_internal.h: the tokenizer's inside, shared by tokenizer.c (loading,
 * special tokens, decoding), tok_spm.c, tok_bpe.c and pretok.c. Not part
 * of the public API. */
#ifndef LLM_TOK_INTERNAL_H
#define LLM_TOK_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <stdlib.h>

#include "tokenizer.h"

/* GGUF tokenizer.ggml.token_type values. */
enum { TT_UNDEFINED = 0, TT_NORMAL = 1, TT_UNKNOWN = 2, TT_CONTROL = 3,
       TT_USER = 4, TT_UNUSED = 5, TT_BYTE = 6 };

enum { KIND_SPM = 1, KIND_BPE = 2 };

/* Pre-tokenizers (llama.cpp's LLAMA_VOCAB_PRE_TYPE_*). */
enum { PRE_NONE = 0, PRE_DEFAULT, PRE_GPT2, PRE_LLAMA3, PRE_QWEN2, PRE_SMOLLM };

typedef struct merge_slot {
    uint64_t key;          /* (left id << 32) | right id, +1 so 0 is empty */
    int32_t rank;
    int32_t result;        /* id of the merged text, -1 if not a token */
} merge_slot;

struct llm_tokenizer {
    int kind;              /* KIND_SPM / KIND_BPE */
    char model[16];        /* "llama" / "gpt2" */
    char pre[48];          /* tokenizer.ggml.pre as given */
    int pre_kind;
    int32_t n;             /* tokens */
    char *blob;            /* all token texts, each NUL-terminated */
    size_t blob_len, blob_cap;
    uint32_t *off, *len;   /* token id -> text in blob */
    float *score;
    uint8_t *type;
    uint32_t *hslot;       /* text hash table: id + 1, 0 = empty */
    uint32_t hmask;
    merge_slot *merges;    /* open addressing on key */
    uint32_t mmask;
    int32_t n_merges;
    int32_t bos, eos, unk, pad, eot, eom;   /* -1 if none */
    bool add_bos, add_eos, add_space_prefix, clean_spaces, ignore_merges;
    int32_t *specials;     /* tokens matched in raw text, longest first */
    int32_t n_specials;
    int32_t byte_tok[256]; /* SPM: <0xXX>; BPE: the byte's one-char token; -1 none */
    uint8_t *eog;          /* per token: ends generation */
    uint32_t fp;           /* fingerprint (FNV-1a 32) */
    char *chat_template;   /* tokenizer.chat_template, or NULL */
    uint8_t pairs[8192];   /* SPM: bit (a << 8 | b) set if bytes a, b are adjacent in some token */
};

/* Token id of text[0..len), or -1 (the last token with that text wins,
 * as in llama.cpp's map). */
int32_t tok_lookup(const llm_tokenizer *t, const char *text, size_t len);
static inline const char *tok_text(const llm_tokenizer *t, int32_t id) { return t->blob + t->off[id]; }
/* Merge (rank and result) of tokens a and b, or NULL. */
const merge_slot *tok_merge(const llm_tokenizer *t, int32_t a, int32_t b);

/* A growable id vector (llm_tokens) push; -1 on out of memory. */
int tok_push(llm_tokens *out, int32_t id);

/* Encode one raw-text fragment (no special tokens in it). */
int tok_spm_encode(const llm_tokenizer *t, const char *text, size_t len, bool prefix_space,
                   llm_tokens *out, llm_err *e);
int tok_bpe_encode(const llm_tokenizer *t, const char *text, size_t len, llm_tokens *out, llm_err *e);

/* Pre-tokenize: split cps[0..n) (flags fl) into words; writes the end
 * offset of each word into ends (room for n) and returns their count. */
size_t pretok_split(int pre_kind, const uint32_t *cps, const uint16_t *fl, size_t n, uint32_t *ends,
                    uint32_t *scratch);
/* The pre-tokenizer kind for a tokenizer.ggml.pre name, or PRE_NONE. */
int pretok_kind(const char *name);
/* Names accepted, for messages. */
extern const char pretok_known[];

/* ---- building (tokenizer.c), used by the GGUF and tokenizer.json loaders ---- */
llm_tokenizer *tok_alloc(int kind, int32_t n, llm_err *e);
int tok_set(llm_tokenizer *t, int32_t id, const char *text, size_t len, float score, int type, llm_err *e);
/* Add merge "a b" (rank = order of calls); merges naming non-tokens are skipped. */
int tok_add_merge(llm_tokenizer *t, const char *a, size_t alen, const char *b, size_t blen, llm_err *e);
int tok_reserve_merges(llm_tokenizer *t, size_t n, llm_err *e);
/* Index the texts (after every tok_set, before merges). */
int tok_index(llm_tokenizer *t, llm_err *e);
/* Finish: specials, byte tokens, end-of-generation set, fingerprint. */
int tok_finish(llm_tokenizer *t, llm_err *e);

/* ---- the merge queue shared by SPM and BPE ----
 * A binary max-heap of candidate merges of adjacent symbols: the largest
 * key first (SPM: score; BPE: -rank), ties to the leftmost pair, which is
 * the order of llama.cpp's priority queues. */
typedef struct tok_sym {
    uint32_t start, n;     /* bytes of the text */
    int32_t prev, next;    /* neighbours, -1 at the ends */
    int32_t id;            /* BPE: token of the text, -1 if none */
} tok_sym;

typedef struct tok_bigram {
    double key;
    int32_t left, right;
    uint32_t size;         /* left.n + right.n when queued: stale if changed */
    int32_t result;        /* BPE: token of the merged text */
} tok_bigram;

typedef struct tok_heap {
    tok_bigram *v;
    size_t n, cap;
} tok_heap;

static inline int tok_bigram_before(const tok_bigram *a, const tok_bigram *b)
{
    return a->key > b->key || (a->key == b->key && a->left < b->left);
}

static inline int tok_heap_push(tok_heap *h, tok_bigram b)
{
    if (h->n == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 64;
        tok_bigram *v = (tok_bigram *)realloc(h->v, cap * sizeof *v);
        if (!v)
            return -1;
        h->v = v;
        h->cap = cap;
    }
    size_t i = h->n++;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!tok_bigram_before(&b, &h->v[p]))
            break;
        h->v[i] = h->v[p];
        i = p;
    }
    h->v[i] = b;
    return 0;
}

static inline tok_bigram tok_heap_pop(tok_heap *h)
{
    tok_bigram top = h->v[0], last = h->v[--h->n];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= h->n)
            break;
        if (c + 1 < h->n && tok_bigram_before(&h->v[c + 1], &h->v[c]))
            c++;
        if (!tok_bigram_before(&h->v[c], &last))
            break;
        h->v[i] = h->v[c];
        i = c;
    }
    if (h->n)
        h->v[i] = last;
    return top;
}

#endif
