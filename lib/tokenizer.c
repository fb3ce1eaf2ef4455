/* tokenizer.c: the vocabulary (texts, scores, types, merges, special ids)
 * and what SPM and BPE share: loading from GGUF, splitting out special
 * tokens, BOS/EOS, and decoding. The algorithms are in tok_spm.c and
 * tok_bpe.c, the pre-tokenizers in pretok.c. */
#include "tok_internal.h"
#include "unicode.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- hashing ---- */
#define FNV_INIT 2166136261u
static uint32_t fnv(uint32_t h, const void *p, size_t n)
{
    const unsigned char *s = p;
    for (size_t i = 0; i < n; i++) {
        h ^= s[i];
        h *= 16777619u;
    }
    return h;
}

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb93fe53a87ebULL;
    x ^= x >> 33;
    return x;
}

/* ---- building ---- */

llm_tokenizer *tok_alloc(int kind, int32_t n, llm_err *e)
{
    if (n <= 0 || n > (1 << 24)) {
        llm_fail(e, "vocabulary size %ld out of range", (long)n);
        return NULL;
    }
    llm_tokenizer *t = calloc(1, sizeof *t);
    if (!t)
        goto oom;
    t->kind = kind;
    snprintf(t->model, sizeof t->model, "%s", kind == KIND_SPM ? "llama" : "gpt2");
    t->n = n;
    t->off = calloc((size_t)n, sizeof *t->off);
    t->len = calloc((size_t)n, sizeof *t->len);
    t->score = calloc((size_t)n, sizeof *t->score);
    t->type = calloc((size_t)n, sizeof *t->type);
    t->eog = calloc((size_t)n, 1);
    if (!t->off || !t->len || !t->score || !t->type || !t->eog)
        goto oom;
    t->bos = t->eos = t->unk = t->pad = t->eot = t->eom = -1;
    /* an empty text at offset 0 for ids never set */
    t->blob_cap = 1 << 16;
    t->blob = malloc(t->blob_cap);
    if (!t->blob)
        goto oom;
    t->blob[0] = 0;
    t->blob_len = 1;
    return t;
oom:
    llm_tokenizer_free(t);
    llm_fail(e, "out of memory for a vocabulary of %ld tokens", (long)n);
    return NULL;
}

int tok_set(llm_tokenizer *t, int32_t id, const char *text, size_t len, float score, int type, llm_err *e)
{
    if (id < 0 || id >= t->n)
        return llm_fail(e, "token id %ld out of range", (long)id);
    if (len > (1u << 20))
        return llm_fail(e, "token %ld: text of %zu bytes is too long", (long)id, len);
    if (t->blob_len + len + 1 > t->blob_cap) {
        size_t cap = t->blob_cap;
        while (cap < t->blob_len + len + 1)
            cap *= 2;
        char *b = realloc(t->blob, cap);
        if (!b)
            return llm_fail(e, "out of memory");
        t->blob = b;
        t->blob_cap = cap;
    }
    memcpy(t->blob + t->blob_len, text, len);
    t->blob[t->blob_len + len] = 0;
    t->off[id] = (uint32_t)t->blob_len;
    t->len[id] = (uint32_t)len;
    t->blob_len += len + 1;
    t->score[id] = score;
    t->type[id] = (uint8_t)(type < 0 || type > TT_BYTE ? TT_UNDEFINED : type);
    return 0;
}

int tok_index(llm_tokenizer *t, llm_err *e)
{
    uint32_t size = 1;
    while (size < 2u * (uint32_t)t->n)
        size <<= 1;
    t->hslot = calloc(size, sizeof *t->hslot);
    if (!t->hslot)
        return llm_fail(e, "out of memory");
    t->hmask = size - 1;
    for (int32_t id = 0; id < t->n; id++) {
        uint32_t h = fnv(FNV_INIT, tok_text(t, id), t->len[id]) & t->hmask;
        for (;; h = (h + 1) & t->hmask) {
            uint32_t s = t->hslot[h];
            if (s == 0) {
                t->hslot[h] = (uint32_t)id + 1;
                break;
            }
            /* a repeated text: the later id wins, as std::map assignment */
            if (t->len[s - 1] == t->len[id] && memcmp(tok_text(t, s - 1), tok_text(t, id), t->len[id]) == 0) {
                t->hslot[h] = (uint32_t)id + 1;
                break;
            }
        }
    }
    /* fingerprint: the model name, then every token's text and type */
    uint32_t fp = fnv(FNV_INIT, t->model, strlen(t->model) + 1);
    for (int32_t id = 0; id < t->n; id++) {
        fp = fnv(fp, tok_text(t, id), t->len[id] + 1);
        fp = fnv(fp, &t->type[id], 1);
    }
    t->fp = fp;
    return 0;
}

int32_t tok_lookup(const llm_tokenizer *t, const char *text, size_t len)
{
    uint32_t h = fnv(FNV_INIT, text, len) & t->hmask;
    for (;; h = (h + 1) & t->hmask) {
        uint32_t s = t->hslot[h];
        if (s == 0)
            return -1;
        if (t->len[s - 1] == len && memcmp(tok_text(t, s - 1), text, len) == 0)
            return (int32_t)s - 1;
    }
}

int tok_reserve_merges(llm_tokenizer *t, size_t n, llm_err *e)
{
    uint32_t size = 16;
    while (size < 2 * n + 16)
        size <<= 1;
    free(t->merges);
    t->merges = calloc(size, sizeof *t->merges);
    if (!t->merges)
        return llm_fail(e, "out of memory for %zu merges", n);
    t->mmask = size - 1;
    t->n_merges = 0;
    return 0;
}

int tok_add_merge(llm_tokenizer *t, const char *a, size_t alen, const char *b, size_t blen, llm_err *e)
{
    int32_t rank = t->n_merges++;
    t->fp = fnv(t->fp, a, alen);
    t->fp = fnv(t->fp, " ", 1);
    t->fp = fnv(t->fp, b, blen + 0);
    t->fp = fnv(t->fp, "", 1);
    if ((uint32_t)t->n_merges * 2 > t->mmask)
        return llm_fail(e, "merge %ld: more merges than reserved", (long)rank);
    int32_t ia = tok_lookup(t, a, alen), ib = tok_lookup(t, b, blen);
    if (ia < 0 || ib < 0)
        return 0;   /* a merge of non-tokens can never apply to our symbols */
    uint64_t key = (((uint64_t)(uint32_t)ia << 32) | (uint32_t)ib) + 1;
    uint32_t h = (uint32_t)mix64(key) & t->mmask;
    for (;; h = (h + 1) & t->mmask) {
        merge_slot *m = &t->merges[h];
        if (m->key == key)
            return 0;   /* repeated: the first rank wins (map emplace) */
        if (m->key == 0) {
            m->key = key;
            m->rank = rank;
            /* the merged text's token */
            char stackbuf[256];
            char *buf = alen + blen <= sizeof stackbuf ? stackbuf : malloc(alen + blen);
            if (!buf)
                return llm_fail(e, "out of memory");
            memcpy(buf, a, alen);
            memcpy(buf + alen, b, blen);
            m->result = tok_lookup(t, buf, alen + blen);
            if (buf != stackbuf)
                free(buf);
            return 0;
        }
    }
}

const merge_slot *tok_merge(const llm_tokenizer *t, int32_t a, int32_t b)
{
    if (!t->merges)
        return NULL;
    uint64_t key = (((uint64_t)(uint32_t)a << 32) | (uint32_t)b) + 1;
    uint32_t h = (uint32_t)mix64(key) & t->mmask;
    for (;; h = (h + 1) & t->mmask) {
        const merge_slot *m = &t->merges[h];
        if (m->key == key)
            return m;
        if (m->key == 0)
            return NULL;
    }
}

/* Sort specials longest first, then by id (insertion sort: few of them,
 * and no global state for a qsort comparator). */
static void sort_specials(llm_tokenizer *t)
{
    for (int32_t i = 1; i < t->n_specials; i++) {
        int32_t id = t->specials[i], j = i;
        while (j > 0) {
            int32_t p = t->specials[j - 1];
            if (t->len[p] > t->len[id] || (t->len[p] == t->len[id] && p < id))
                break;
            t->specials[j] = p;
            j--;
        }
        t->specials[j] = id;
    }
}

/* Texts that end generation when they are control tokens (llama.cpp's list). */
static const char *const eog_texts[] = {
    "<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>",
    "<EOT>", "_<EOT>", "<|end▁of▁sentence|>", "<|return|>", "<|call|>", "<|eom_id|>",
};

int tok_finish(llm_tokenizer *t, llm_err *e)
{
    /* special tokens: control, user-defined and unknown, longest first */
    int32_t ns = 0;
    for (int32_t id = 0; id < t->n; id++) {
        int ty = t->type[id];
        if ((ty == TT_CONTROL || ty == TT_USER || ty == TT_UNKNOWN) && t->len[id] > 0)
            ns++;
    }
    t->specials = malloc(((size_t)ns + 1) * sizeof *t->specials);
    if (!t->specials)
        return llm_fail(e, "out of memory");
    t->n_specials = 0;
    for (int32_t id = 0; id < t->n; id++) {
        int ty = t->type[id];
        if ((ty == TT_CONTROL || ty == TT_USER || ty == TT_UNKNOWN) && t->len[id] > 0)
            t->specials[t->n_specials++] = id;
    }
    sort_specials(t);

    /* byte tokens */
    for (int b = 0; b < 256; b++) {
        char buf[8];
        size_t k;
        if (t->kind == KIND_SPM) {
            k = (size_t)snprintf(buf, sizeof buf, "<0x%02X>", b);
            t->byte_tok[b] = tok_lookup(t, buf, k);
            if (t->byte_tok[b] < 0) {   /* llama.cpp falls back to the byte itself */
                buf[0] = (char)b;
                t->byte_tok[b] = tok_lookup(t, buf, 1);
            }
        } else {
            k = llm_utf8_encode(llm_byte_to_cp((unsigned char)b), (unsigned char *)buf);
            t->byte_tok[b] = tok_lookup(t, buf, k);
        }
    }

    /* SPM: which byte pairs occur inside tokens (tok_spm.c splits the
     * text where no token can span) */
    for (int32_t id = 0; id < t->n; id++) {
        const unsigned char *s = (const unsigned char *)tok_text(t, id);
        for (uint32_t i = 1; i < t->len[id]; i++) {
            unsigned k = (unsigned)s[i - 1] << 8 | s[i];
            t->pairs[k >> 3] |= (uint8_t)(1u << (k & 7));
        }
    }

    /* end of generation: eos, eot, eom, and control tokens with known texts */
    int32_t ids[3] = { t->eos, t->eot, t->eom };
    for (int i = 0; i < 3; i++)
        if (ids[i] >= 0 && ids[i] < t->n)
            t->eog[ids[i]] = 1;
    for (size_t i = 0; i < sizeof eog_texts / sizeof *eog_texts; i++) {
        int32_t id = tok_lookup(t, eog_texts[i], strlen(eog_texts[i]));
        if (id >= 0 && (t->type[id] == TT_CONTROL || t->type[id] == TT_USER))
            t->eog[id] = 1;
    }
    return 0;
}

void llm_tokenizer_free(llm_tokenizer *t)
{
    if (!t)
        return;
    free(t->blob);
    free(t->off);
    free(t->len);
    free(t->score);
    free(t->type);
    free(t->hslot);
    free(t->merges);
    free(t->specials);
    free(t->eog);
    free(t->chat_template);
    free(t);
}

/* ---- GGUF ---- */

static int get_id(const gguf_file *f, const char *key, int32_t n, int32_t *out, llm_err *e)
{
    if (!gguf_find(f, key))
        return 0;
    int64_t v;
    if (gguf_get_i64(f, key, &v, e))
        return -1;
    if (v < -1 || v >= n) {
        /* llama.cpp ignores an out-of-range special id with a warning */
        *out = -1;
        return 0;
    }
    *out = (int32_t)v;
    return 0;
}

static int get_flag(const gguf_file *f, const char *key, bool *out, llm_err *e)
{
    if (!gguf_find(f, key))
        return 0;
    return gguf_get_bool(f, key, out, e);
}

llm_tokenizer *llm_tokenizer_from_gguf(const gguf_file *f, llm_err *e)
{
    gguf_str model, pre = { "", 0 };
    if (!gguf_find(f, "tokenizer.ggml.model") || !gguf_find(f, "tokenizer.ggml.tokens")) {
        llm_fail(e, "%s: no tokenizer in this file (tokenizer.ggml.model / tokenizer.ggml.tokens missing)", f->path);
        return NULL;
    }
    if (gguf_get_str(f, "tokenizer.ggml.model", &model, e))
        return NULL;
    int kind;
    if (gguf_str_eq(model, "llama"))
        kind = KIND_SPM;
    else if (gguf_str_eq(model, "gpt2"))
        kind = KIND_BPE;
    else {
        llm_fail(e, "%s: tokenizer.ggml.model '%.*s' is not supported (known: llama, gpt2)",
                 f->path, (int)(model.len > 64 ? 64 : model.len), model.ptr);
        return NULL;
    }
    int pre_kind = PRE_NONE;
    if (kind == KIND_BPE) {
        if (gguf_find(f, "tokenizer.ggml.pre") && gguf_get_str(f, "tokenizer.ggml.pre", &pre, e))
            return NULL;
        char name[48];
        snprintf(name, sizeof name, "%.*s", (int)(pre.len > 47 ? 47 : pre.len), pre.ptr);
        pre_kind = pre.len ? pretok_kind(name) : PRE_DEFAULT;
        if (pre_kind == PRE_NONE || pre.len > 47) {
            llm_fail(e, "%s: unknown pre-tokenizer tokenizer.ggml.pre='%.*s' (known: %s)", f->path,
                     (int)(pre.len > 64 ? 64 : pre.len), pre.ptr, pretok_known);
            return NULL;
        }
    }
    const gguf_value *toks, *scores = NULL, *types = NULL, *merges = NULL;
    if (gguf_get_arr(f, "tokenizer.ggml.tokens", GGUF_STRING, &toks, e))
        return NULL;
    if (gguf_find(f, "tokenizer.ggml.scores") && gguf_get_arr(f, "tokenizer.ggml.scores", GGUF_FLOAT32, &scores, e))
        return NULL;
    if (gguf_find(f, "tokenizer.ggml.token_type") && gguf_get_arr(f, "tokenizer.ggml.token_type", GGUF_INT64, &types, e))
        return NULL;
    if (kind == KIND_BPE) {
        if (!gguf_find(f, "tokenizer.ggml.merges")) {
            llm_fail(e, "%s: BPE tokenizer without tokenizer.ggml.merges", f->path);
            return NULL;
        }
        if (gguf_get_arr(f, "tokenizer.ggml.merges", GGUF_STRING, &merges, e))
            return NULL;
    }
    if (toks->arr.n == 0 || toks->arr.n > (1u << 24)) {
        llm_fail(e, "%s: tokenizer.ggml.tokens has %llu entries", f->path, (unsigned long long)toks->arr.n);
        return NULL;
    }
    int32_t n = (int32_t)toks->arr.n;
    if ((scores && scores->arr.n != toks->arr.n) || (types && types->arr.n != toks->arr.n)) {
        llm_fail(e, "%s: tokenizer.ggml.scores/token_type length differs from tokenizer.ggml.tokens (%ld)",
                 f->path, (long)n);
        return NULL;
    }
    llm_tokenizer *t = tok_alloc(kind, n, e);
    if (!t)
        return NULL;
    snprintf(t->pre, sizeof t->pre, "%.*s", (int)pre.len, pre.ptr);
    t->pre_kind = pre_kind;
    for (int32_t i = 0; i < n; i++) {
        float sc = scores ? (float)gguf_arr_f64(scores, (uint64_t)i) : 0.0f;
        int ty = types ? (int)gguf_arr_i64(types, (uint64_t)i) : TT_NORMAL;
        if (tok_set(t, i, toks->arr.strs[i].ptr, toks->arr.strs[i].len, sc, ty, e))
            goto fail;
    }
    if (tok_index(t, e))
        goto fail;
    if (merges) {
        if (tok_reserve_merges(t, merges->arr.n, e))
            goto fail;
        for (uint64_t i = 0; i < merges->arr.n; i++) {
            gguf_str m = merges->arr.strs[i];
            size_t sp = 1;
            while (sp < m.len && m.ptr[sp] != ' ')
                sp++;
            if (m.len < 3 || sp >= m.len) {
                llm_fail(e, "%s: tokenizer.ggml.merges[%llu] is not \"a b\"", f->path, (unsigned long long)i);
                goto fail;
            }
            if (tok_add_merge(t, m.ptr, sp, m.ptr + sp + 1, m.len - sp - 1, e))
                goto fail;
        }
    }

    /* defaults as llama.cpp's, then the metadata */
    if (kind == KIND_SPM) {
        t->bos = 1; t->eos = 2; t->unk = 0;
        t->add_bos = true; t->add_eos = false; t->add_space_prefix = true; t->clean_spaces = false;
    } else {
        t->bos = 11; t->eos = 11;
        t->add_bos = false; t->add_eos = false; t->add_space_prefix = false; t->clean_spaces = true;
        if (pre_kind == PRE_LLAMA3) { t->ignore_merges = true; t->add_bos = true; t->clean_spaces = false; }
        if (pre_kind == PRE_QWEN2 || pre_kind == PRE_SMOLLM) t->clean_spaces = false;
    }
    if (t->bos >= n) t->bos = -1;
    if (t->eos >= n) t->eos = -1;
    if (get_id(f, "tokenizer.ggml.bos_token_id", n, &t->bos, e) ||
        get_id(f, "tokenizer.ggml.eos_token_id", n, &t->eos, e) ||
        get_id(f, "tokenizer.ggml.unknown_token_id", n, &t->unk, e) ||
        get_id(f, "tokenizer.ggml.padding_token_id", n, &t->pad, e) ||
        get_id(f, "tokenizer.ggml.eot_token_id", n, &t->eot, e) ||
        get_id(f, "tokenizer.ggml.eom_token_id", n, &t->eom, e) ||
        get_flag(f, "tokenizer.ggml.add_bos_token", &t->add_bos, e) ||
        get_flag(f, "tokenizer.ggml.add_eos_token", &t->add_eos, e))
        goto fail;
    if (kind == KIND_SPM && get_flag(f, "tokenizer.ggml.add_space_prefix", &t->add_space_prefix, e))
        goto fail;
    if (gguf_find(f, "tokenizer.chat_template")) {
        gguf_str ct;
        if (gguf_get_str(f, "tokenizer.chat_template", &ct, e))
            goto fail;
        t->chat_template = malloc(ct.len + 1);
        if (!t->chat_template) {
            llm_fail(e, "out of memory");
            goto fail;
        }
        memcpy(t->chat_template, ct.ptr, ct.len);
        t->chat_template[ct.len] = 0;
    }
    if (tok_finish(t, e))
        goto fail;
    return t;
fail:
    llm_wrap(e, "%s", f->path);
    llm_tokenizer_free(t);
    return NULL;
}

/* ---- queries ---- */

int32_t llm_tokenizer_n_vocab(const llm_tokenizer *t) { return t->n; }
const char *llm_tokenizer_model(const llm_tokenizer *t) { return t->model; }
const char *llm_tokenizer_pre(const llm_tokenizer *t) { return t->pre; }
uint32_t llm_tokenizer_fingerprint(const llm_tokenizer *t) { return t->fp; }
int32_t llm_tokenizer_bos(const llm_tokenizer *t) { return t->bos; }
int32_t llm_tokenizer_eos(const llm_tokenizer *t) { return t->eos; }
bool llm_tokenizer_adds_bos(const llm_tokenizer *t) { return t->add_bos && t->bos >= 0; }
const char *llm_tokenizer_chat_template(const llm_tokenizer *t) { return t->chat_template; }

bool llm_tokenizer_is_eog(const llm_tokenizer *t, int32_t id)
{
    return id >= 0 && id < t->n && t->eog[id];
}

const char *llm_tokenizer_piece(const llm_tokenizer *t, int32_t id, size_t *len)
{
    if (id < 0 || id >= t->n)
        return NULL;
    if (len)
        *len = t->len[id];
    return tok_text(t, id);
}

int32_t llm_tokenizer_find(const llm_tokenizer *t, const char *text, size_t len)
{
    return tok_lookup(t, text, len);
}

int llm_tokenizer_type(const llm_tokenizer *t, int32_t id)
{
    return id >= 0 && id < t->n ? t->type[id] : 0;
}

/* ---- encoding ---- */

void llm_tokens_free(llm_tokens *v)
{
    free(v->ids);
    v->ids = NULL;
    v->n = v->cap = 0;
}

int tok_push(llm_tokens *out, int32_t id)
{
    if (out->n == out->cap) {
        size_t cap = out->cap ? out->cap * 2 : 64;
        int32_t *p = realloc(out->ids, cap * sizeof *p);
        if (!p)
            return -1;
        out->ids = p;
        out->cap = cap;
    }
    out->ids[out->n++] = id;
    return 0;
}

typedef struct frag {
    size_t off, len;
    int32_t tok;          /* -1: raw text */
} frag;

typedef struct frags {
    frag *v;
    size_t n, cap;
} frags;

static int frag_add(frags *f, size_t off, size_t len, int32_t tok)
{
    if (f->n == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 16;
        frag *p = realloc(f->v, cap * sizeof *p);
        if (!p)
            return -1;
        f->v = p;
        f->cap = cap;
    }
    f->v[f->n++] = (frag){ off, len, tok };
    return 0;
}

/* First occurrence of needle (nl >= 1 bytes) in hay[0..n), or NULL. */
static const char *find(const char *hay, size_t n, const char *needle, size_t nl)
{
    while (n >= nl) {
        const char *p = memchr(hay, needle[0], n - nl + 1);
        if (!p)
            return NULL;
        if (memcmp(p, needle, nl) == 0)
            return p;
        n -= (size_t)(p - hay) + 1;
        hay = p + 1;
    }
    return NULL;
}

/* Split raw fragments at each occurrence of special tokens, longest token
 * first, leftmost occurrence first (llama.cpp's tokenizer_st_partition).
 * Without parse_special only user-defined tokens are split out. */
static int partition(const llm_tokenizer *t, const char *text, size_t len, bool parse_special, frags *out)
{
    frags cur = { 0 }, next = { 0 };
    int rc = -1;
    if (frag_add(&cur, 0, len, -1))
        goto done;
    for (int32_t s = 0; s < t->n_specials; s++) {
        int32_t id = t->specials[s];
        if (!parse_special && t->type[id] != TT_USER)
            continue;
        const char *needle = tok_text(t, id);
        size_t nl = t->len[id];
        next.n = 0;
        for (size_t i = 0; i < cur.n; i++) {
            frag fr = cur.v[i];
            if (fr.tok >= 0 || fr.len < nl) {
                if (frag_add(&next, fr.off, fr.len, fr.tok))
                    goto done;
                continue;
            }
            size_t pos = fr.off, end = fr.off + fr.len;
            while (pos < end) {
                const char *hit = find(text + pos, end - pos, needle, nl);
                if (!hit)
                    break;
                size_t at = (size_t)(hit - text);
                if (at > pos && frag_add(&next, pos, at - pos, -1))
                    goto done;
                if (frag_add(&next, at, nl, id))
                    goto done;
                pos = at + nl;
            }
            if (pos < end && frag_add(&next, pos, end - pos, -1))
                goto done;
        }
        frags tmp = cur;
        cur = next;
        next = tmp;
    }
    *out = cur;
    cur.v = NULL;
    rc = 0;
done:
    free(cur.v);
    free(next.v);
    return rc;
}

int llm_tokenize(const llm_tokenizer *t, const char *text, size_t len, int flags,
                 llm_tokens *out, llm_err *e)
{
    bool add_special = flags & LLM_TOK_ADD_SPECIAL;
    frags fr = { 0 };
    if (len > 0 && partition(t, text, len, flags & LLM_TOK_PARSE_SPECIAL, &fr))
        return llm_fail(e, "out of memory");
    int rc = -1;
    if (add_special && t->add_bos && t->bos >= 0 && tok_push(out, t->bos))
        goto oom;
    bool prev_special = true;   /* SPM: a text starts as if after a special token */
    for (size_t i = 0; i < fr.n; i++) {
        const frag *f = &fr.v[i];
        if (f->tok >= 0) {
            if (tok_push(out, f->tok))
                goto oom;
            prev_special = true;
            continue;
        }
        if (t->kind == KIND_SPM) {
            if (tok_spm_encode(t, text + f->off, f->len, t->add_space_prefix && prev_special, out, e))
                goto done;
        } else {
            if (tok_bpe_encode(t, text + f->off, f->len, out, e))
                goto done;
        }
        prev_special = false;
    }
    if (add_special && t->add_eos && t->eos >= 0 && tok_push(out, t->eos))
        goto oom;
    rc = 0;
    goto done;
oom:
    llm_fail(e, "out of memory");
done:
    free(fr.v);
    return rc;
}

/* ---- decoding ---- */

/* BPE token text back to bytes: each code point is the image of one byte. */
static size_t bpe_decode_text(const char *s, size_t n, char *buf, size_t cap)
{
    size_t off = 0, k = 0;
    while (off < n) {
        size_t at = off;
        uint32_t cp = llm_utf8_decode((const unsigned char *)s, n, &off);
        int b = llm_cp_to_byte(cp);
        if (b >= 0) {
            if (k < cap)
                buf[k] = (char)b;
            k++;
            continue;
        }
        /* not a byte image: llama.cpp writes [UNK_BYTE_0x<hex>TEXT] */
        char tmp[32];
        unsigned char u[4];
        size_t ul = llm_utf8_encode(cp, u);
        (void)at;
        int m = snprintf(tmp, sizeof tmp, "[UNK_BYTE_0x");
        for (size_t j = 0; j < ul; j++)
            m += snprintf(tmp + m, sizeof tmp - (size_t)m, "%02x", u[j]);
        for (int j = 0; j < m; j++, k++)
            if (k < cap) buf[k] = tmp[j];
        for (size_t j = 0; j < n; j++, k++)
            if (k < cap) buf[k] = s[j];
        if (k < cap) buf[k] = ']';
        k++;
    }
    return k;
}

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int llm_token_to_piece(const llm_tokenizer *t, int32_t id, bool special, bool lstrip, char *buf, size_t cap)
{
    if (id < 0 || id >= t->n)
        return -1;
    int ty = t->type[id];
    const char *s = tok_text(t, id);
    size_t n = t->len[id];
    char one;
    size_t k = 0;
    if (ty == TT_UNKNOWN || ty == TT_CONTROL) {
        if (!special)
            return 0;
        /* raw text */
    } else if (ty == TT_USER) {
        /* raw text */
    } else if (ty == TT_NORMAL) {
        if (t->kind == KIND_BPE) {
            size_t need = bpe_decode_text(s, n, NULL, 0);
            char stackbuf[512];
            char *tmp = need <= sizeof stackbuf ? stackbuf : malloc(need);
            if (!tmp)
                return 0;
            bpe_decode_text(s, n, tmp, need);
            size_t skip = lstrip && need > 0 && tmp[0] == ' ';
            k = need - skip;
            if (k && cap)
                memcpy(buf, tmp + skip, k < cap ? k : cap);
            if (tmp != stackbuf)
                free(tmp);
            return (int)k;
        }
        /* SPM: "▁" (E2 96 81) is a space */
        bool first = true;
        for (size_t i = 0; i < n; ) {
            char c;
            if (i + 2 < n && (unsigned char)s[i] == 0xE2 && (unsigned char)s[i + 1] == 0x96 && (unsigned char)s[i + 2] == 0x81) {
                c = ' ';
                i += 3;
            } else {
                c = s[i++];
            }
            if (first && lstrip && c == ' ') {
                first = false;
                continue;
            }
            first = false;
            if (k < cap)
                buf[k] = c;
            k++;
        }
        return (int)k;
    } else if (ty == TT_BYTE && t->kind == KIND_SPM) {
        /* "<0xXX>" */
        if (n == 6 && s[0] == '<' && s[1] == '0' && s[2] == 'x' && s[5] == '>' && hexval(s[3]) >= 0 && hexval(s[4]) >= 0) {
            one = (char)(hexval(s[3]) * 16 + hexval(s[4]));
            s = &one;
            n = 1;
        }
    } else {
        return 0;   /* unused, undefined: nothing, as llama.cpp */
    }
    size_t skip = lstrip && n > 0 && s[0] == ' ';
    k = n - skip;
    if (k && cap)
        memcpy(buf, s + skip, k < cap ? k : cap);
    return (int)k;
}

/* llama.cpp's clean_spaces passes over the decoded text, in place. */
static size_t clean_spaces(char *text, size_t total)
{
    size_t t1 = total, n = total ? 1 : 0;
    for (size_t i = 1; i < t1; i++) {
        char x = text[i];
        if (text[i - 1] == ' ' && (x == '?' || x == '!' || x == '.' || x == ','))
            n--;
        text[n++] = x;
    }
    size_t t2 = n;
    n = t2 ? 1 : 0;
    for (size_t i = 1; i < t2; i++) {
        char x = text[i];
        if (x == '\'' && i + 1 < t2 && text[i - 1] == ' ' && text[i + 1] == ' ') {
            n--;
            text[++i] = '\0';
        }
        text[n++] = x;
    }
    size_t t3 = n;
    n = t3 ? 1 : 0;
    for (size_t i = 1; i < t3; i++) {
        char x = text[i];
        if (text[i - 1] == ' ' && x == '\'' && i + 1 < t3) {
            char x1 = text[i + 1];
            if (x1 == 's' || x1 == 'm')
                n--;
            else if (i + 2 < t3 && ((x1 == 'r' && text[i + 2] == 'e') || (x1 == 'v' && text[i + 2] == 'e')))
                n--;
        }
        text[n++] = x;
    }
    return n;
}

char *llm_detokenize(const llm_tokenizer *t, const int32_t *ids, size_t n, int flags,
                     size_t *len, llm_err *e)
{
    bool special = flags & LLM_DETOK_SPECIAL;
    bool remove_space = t->add_space_prefix && !(flags & LLM_DETOK_CONTINUE);
    size_t base = 0;
    if ((flags & LLM_DETOK_REMOVE_SPECIAL) && t->add_bos && n > 0 && ids[0] == t->bos) {
        remove_space = false;
        n--;
        ids++;
        base = 1;
    }
    if ((flags & LLM_DETOK_REMOVE_SPECIAL) && t->add_eos && n > 0 && ids[n - 1] == t->eos)
        n--;
    size_t cap = 64 + n * 8, k = 0;
    char *buf = malloc(cap);
    if (!buf) {
        llm_fail(e, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        int m = llm_token_to_piece(t, ids[i], special, remove_space, buf + k, cap - k - 1);
        if (m < 0) {
            free(buf);
            llm_fail(e, "token %zu: id %ld out of range (vocabulary of %ld)", i + base, (long)ids[i], (long)t->n);
            return NULL;
        }
        if ((size_t)m > cap - k - 1) {
            while ((size_t)m > cap - k - 1)
                cap *= 2;
            char *nb = realloc(buf, cap);
            if (!nb) {
                free(buf);
                llm_fail(e, "out of memory");
                return NULL;
            }
            buf = nb;
            m = llm_token_to_piece(t, ids[i], special, remove_space, buf + k, cap - k - 1);
        }
        remove_space = false;
        k += (size_t)m;
    }
    if (t->clean_spaces && !(flags & LLM_DETOK_NO_CLEAN))
        k = clean_spaces(buf, k);
    buf[k] = 0;
    *len = k;
    return buf;
}
