/* convert_vocab.c: a Hugging Face tokenizer (tokenizer.json, or a
 * SentencePiece tokenizer.model, with tokenizer_config.json and
 * config.json) to the tokenizer.* key-values of a GGUF file, as llama.cpp's
 * convert_hf_to_gguf.py writes them:
 *   tokenizer.model present        "llama" (SPM): pieces, scores, types
 *   byte-level BPE tokenizer.json  "gpt2": tokens, types, merges; the
 *                                  pre-tokenizer named after the model
 *                                  ("qwen2"; "llama-bpe" for Llama 3)
 * plus the special token ids, add_bos/add_eos and the chat template. */
#include "convert.h"
#include "json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { TT_NORMAL = 1, TT_UNKNOWN = 2, TT_CONTROL = 3, TT_USER_DEFINED = 4, TT_UNUSED = 5, TT_BYTE = 6 };

/* A token list being built. */
typedef struct vocab {
    int64_t n;
    gguf_str *tok;
    float *score;
    int32_t *type;
} vocab;

static int vocab_alloc(llm_convert *cv, vocab *v, int64_t n, llm_err *e)
{
    v->n = n;
    v->tok = llm_convert_keep(cv, calloc((size_t)n + 1, sizeof *v->tok));
    v->score = llm_convert_keep(cv, calloc((size_t)n + 1, sizeof *v->score));
    v->type = llm_convert_keep(cv, calloc((size_t)n + 1, sizeof *v->type));
    return v->tok && v->score && v->type ? 0 : llm_fail(e, "out of memory");
}

/* "[PAD<i>]" for ids nothing names, as llama.cpp pads to vocab_size. */
static int pad_unnamed(llm_convert *cv, vocab *v, llm_err *e)
{
    for (int64_t i = 0; i < v->n; i++) {
        if (v->tok[i].ptr) continue;
        char *s = llm_convert_keep(cv, malloc(32));
        if (!s) return llm_fail(e, "out of memory");
        v->tok[i] = (gguf_str){ s, (uint64_t)snprintf(s, 32, "[PAD%lld]", (long long)i) };
        v->score[i] = -1000.0f;
        v->type[i] = TT_UNUSED;
    }
    return 0;
}

/* Keep a copy of s[0..n) (json docs are freed before the file is written). */
static const char *keep_str(llm_convert *cv, const char *s, size_t n)
{
    char *c = llm_convert_keep(cv, malloc(n + 1));
    if (c) { memcpy(c, s, n); c[n] = 0; }
    return c;
}

/* Whether an added token looks like a control token though not marked
 * special (llama.cpp's does_token_look_special). */
static int looks_special(const char *t, size_t n)
{
    if ((n == 5 && !memcmp(t, "<pad>", 5)) || (n == 6 && !memcmp(t, "<mask>", 6))) return 1;
    if (n >= 4 && !memcmp(t, "<|", 2) && !memcmp(t + n - 2, "|>", 2)) return 1;
    return n >= 8 && !memcmp(t, "<unused", 7) && t[n - 1] == '>';
}

/* ---- SentencePiece tokenizer.model (protobuf) -------------------------- */

static int pb_varint(const uint8_t *p, size_t n, size_t *i, uint64_t *v)
{
    *v = 0;
    for (int s = 0; s < 64 && *i < n; s += 7) {
        uint8_t b = p[(*i)++];
        *v |= (uint64_t)(b & 0x7f) << s;
        if (!(b & 0x80)) return 0;
    }
    return -1;
}

/* Skip a field of wire type wt; -1 if it runs past n. */
static int pb_skip(const uint8_t *p, size_t n, size_t *i, unsigned wt)
{
    uint64_t v;
    switch (wt) {
    case 0: return pb_varint(p, n, i, &v);
    case 1: if (n - *i < 8) return -1; *i += 8; return 0;
    case 5: if (n - *i < 4) return -1; *i += 4; return 0;
    case 2: if (pb_varint(p, n, i, &v) < 0 || v > n - *i) return -1; *i += (size_t)v; return 0;
    default: return -1;
    }
}

/* Pieces of a SentencePiece model: piece (1), score (2), type (3). */
static int read_spm(llm_convert *cv, const char *path, vocab *v, int64_t vocab_size, llm_err *e)
{
    size_t n;
    const uint8_t *p = llm_convert_map(cv, path, &n, e);
    if (!p) return -1;
    int64_t count = 0;
    for (int pass = 0; pass < 2; pass++) {
        size_t i = 0;
        int64_t k = 0;
        while (i < n) {
            size_t at = i;
            uint64_t tag, len;
            if (pb_varint(p, n, &i, &tag) < 0) return llm_fail(e, "%s: offset %zu: bad protobuf tag", path, at);
            if (tag >> 3 != 1 || (tag & 7) != 2) {
                if (pb_skip(p, n, &i, tag & 7) < 0) return llm_fail(e, "%s: offset %zu: truncated field", path, at);
                continue;
            }
            if (pb_varint(p, n, &i, &len) < 0 || len > n - i)
                return llm_fail(e, "%s: offset %zu: truncated piece", path, at);
            size_t end = i + (size_t)len;
            if (pass == 1) {
                const char *piece = "";
                uint64_t plen = 0;
                float score = 0;
                uint64_t type = 1;
                while (i < end) {
                    uint64_t t2, x;
                    if (pb_varint(p, end, &i, &t2) < 0) return llm_fail(e, "%s: offset %zu: bad piece", path, i);
                    if (t2 == (1 << 3 | 2)) {
                        if (pb_varint(p, end, &i, &plen) < 0 || plen > end - i)
                            return llm_fail(e, "%s: offset %zu: bad piece text", path, i);
                        piece = (const char *)p + i;
                        i += (size_t)plen;
                    } else if (t2 == (2 << 3 | 5) && end - i >= 4) {
                        memcpy(&score, p + i, 4);
                        i += 4;
                    } else if (t2 == (3 << 3 | 0)) {
                        if (pb_varint(p, end, &i, &x) < 0) return llm_fail(e, "%s: offset %zu: bad type", path, i);
                        type = x;
                    } else if (pb_skip(p, end, &i, t2 & 7) < 0) {
                        return llm_fail(e, "%s: offset %zu: bad piece field", path, i);
                    }
                }
                if (k < v->n) {
                    v->tok[k] = (gguf_str){ piece, plen };
                    v->score[k] = score;
                    /* llama.cpp: unknown, control, unused and byte keep their
                     * kind; everything else (user-defined too) is normal */
                    v->type[k] = type == 2 ? TT_UNKNOWN : type == 3 ? TT_CONTROL : type == 5 ? TT_UNUSED :
                                 type == 6 ? TT_BYTE : TT_NORMAL;
                }
            }
            i = end;
            k++;
        }
        if (pass == 0) {
            count = k;
            if (count == 0) return llm_fail(e, "%s: no pieces: not a SentencePiece model", path);
            if (vocab_alloc(cv, v, vocab_size > count ? vocab_size : count, e) < 0) return -1;
        }
    }
    return 0;
}

/* ---- tokenizer.json ---------------------------------------------------- */

/* The id of an added token whose content is s, or -1. */
static int64_t added_id(const json_val *added, const char *s)
{
    if (!added || added->type != JSON_ARRAY || !s) return -1;
    for (size_t i = 0; i < added->arr.n; i++) {
        const json_val *a = &added->arr.items[i];
        const char *c = json_get_str(a, "content", NULL);
        if (c && !strcmp(c, s)) return json_get_int(a, "id", -1);
    }
    return -1;
}

/* A special token's text from tokenizer_config.json: "x" or {"content": "x"}. */
static const char *cfg_token(const json_val *cfg, const char *key)
{
    const json_val *t = json_get(cfg, key);
    if (t && t->type == JSON_STRING) return t->str.s;
    if (t && t->type == JSON_OBJECT) return json_get_str(t, "content", NULL);
    return NULL;
}

/* Byte-level BPE: tokens in id order, types, and the merges. */
static int read_bpe(llm_convert *cv, const char *path, const json_val *root, vocab *v, int64_t vocab_size,
                    gguf_str **merges_out, uint64_t *nm_out, llm_err *e)
{
    const json_val *model = json_get(root, "model"), *vj = json_get(model, "vocab");
    const json_val *added = json_get(root, "added_tokens");
    if (!vj || vj->type != JSON_OBJECT) return llm_fail(e, "%s: model.vocab missing", path);
    int64_t max_id = -1;
    for (size_t i = 0; i < vj->arr.n; i++)
        if (vj->arr.items[i].type == JSON_NUMBER && vj->arr.items[i].num.i > max_id) max_id = vj->arr.items[i].num.i;
    for (size_t i = 0; added && added->type == JSON_ARRAY && i < added->arr.n; i++)
        max_id = json_get_int(&added->arr.items[i], "id", -1) > max_id ? json_get_int(&added->arr.items[i], "id", -1) : max_id;
    /* as llm_tokenizer_from_json: a larger id is no vocabulary, and would
     * have us allocate (and pad) up to 2^63 entries */
    if (max_id >= (1 << 24))
        return llm_fail(e, "%s: token id %lld is out of range (at most %d)", path, (long long)max_id, (1 << 24) - 1);
    if (vocab_size <= 0) vocab_size = max_id + 1;
    if (max_id >= vocab_size)
        return llm_fail(e, "%s: token id %lld is beyond the vocabulary size %lld", path, (long long)max_id,
                        (long long)vocab_size);
    if (vocab_alloc(cv, v, vocab_size, e) < 0) return -1;
    for (size_t i = 0; i < vj->arr.n; i++) {
        const json_val *t = &vj->arr.items[i];
        if (t->type != JSON_NUMBER || !t->num.is_int || t->num.i < 0)
            return llm_fail(e, "%s: offset %llu: bad id for a token", path, (unsigned long long)t->offset);
        const char *s = keep_str(cv, t->key, t->key_len);
        if (!s) return llm_fail(e, "out of memory");
        v->tok[t->num.i] = (gguf_str){ s, t->key_len };
        v->type[t->num.i] = TT_NORMAL;
    }
    for (size_t i = 0; added && added->type == JSON_ARRAY && i < added->arr.n; i++) {
        const json_val *a = &added->arr.items[i];
        int64_t id = json_get_int(a, "id", -1);
        const json_val *c = json_get(a, "content");
        if (id < 0 || !c || c->type != JSON_STRING) return llm_fail(e, "%s: bad added token", path);
        if (json_get_bool(a, "special", false) || looks_special(c->str.s, c->str.len)) {
            v->type[id] = TT_CONTROL;
            v->tok[id] = (gguf_str){ keep_str(cv, c->str.s, c->str.len), c->str.len };
        } else {
            /* user-defined tokens are stored pre-normalized: U+2581 as a space */
            char *s = llm_convert_keep(cv, malloc(c->str.len + 1));
            if (!s) return llm_fail(e, "out of memory");
            size_t k = 0;
            for (size_t j = 0; j < c->str.len; j++) {
                if (j + 2 < c->str.len && !memcmp(c->str.s + j, "\xe2\x96\x81", 3)) { s[k++] = ' '; j += 2; }
                else s[k++] = c->str.s[j];
            }
            s[k] = 0;
            v->type[id] = TT_USER_DEFINED;
            v->tok[id] = (gguf_str){ s, k };
        }
        if (!v->tok[id].ptr) return llm_fail(e, "out of memory");
    }
    if (pad_unnamed(cv, v, e) < 0) return -1;

    const json_val *mj = json_get(model, "merges");
    uint64_t nm = mj && mj->type == JSON_ARRAY ? mj->arr.n : 0;
    gguf_str *merges = llm_convert_keep(cv, calloc(nm + 1, sizeof *merges));
    if (!merges) return llm_fail(e, "out of memory");
    for (uint64_t i = 0; i < nm; i++) {
        const json_val *m = &mj->arr.items[i];
        if (m->type == JSON_STRING) {
            merges[i] = (gguf_str){ keep_str(cv, m->str.s, m->str.len), m->str.len };
        } else if (m->type == JSON_ARRAY && m->arr.n == 2 && m->arr.items[0].type == JSON_STRING &&
                   m->arr.items[1].type == JSON_STRING) {
            /* the newer [a, b] form: spaces inside a part become U+0120, as llama.cpp stores them */
            const json_val *a = &m->arr.items[0], *b = &m->arr.items[1];
            char *s = llm_convert_keep(cv, malloc(2 * (a->str.len + b->str.len) + 2));
            if (!s) return llm_fail(e, "out of memory");
            size_t k = 0;
            for (int part = 0; part < 2; part++) {
                const json_val *x = part ? b : a;
                if (part) s[k++] = ' ';
                for (size_t j = 0; j < x->str.len; j++) {
                    if (x->str.s[j] == ' ') { s[k++] = (char)0xc4; s[k++] = (char)0xa0; }
                    else s[k++] = x->str.s[j];
                }
            }
            s[k] = 0;
            merges[i] = (gguf_str){ s, k };
        } else {
            return llm_fail(e, "%s: offset %llu: a merge is neither \"a b\" nor [a, b]", path,
                            (unsigned long long)m->offset);
        }
        if (!merges[i].ptr) return llm_fail(e, "out of memory");
    }
    *merges_out = merges;
    *nm_out = nm;
    return 0;
}

/* Read the JSON file at path if it exists (NULL and no error if not). */
static json_doc *maybe_json(const char *path, int *failed, llm_err *e)
{
    *failed = 0;
    if (!path || access(path, F_OK) != 0) return NULL;
    json_doc *d = json_parse_file(path, e);
    if (!d) *failed = 1;
    return d;
}

/* Special token ids (tokenizer_config.json's texts looked up among the
 * added tokens, then config.json's *_token_id), add_bos/add_eos, and the
 * chat template, as llama.cpp's SpecialVocab. */
static int special_tokens(llm_convert *cv, const json_val *tok, const json_val *cfg, const json_val *config,
                          int64_t n_vocab, gguf_writer *w, llm_err *e)
{
    static const struct { const char *typ, *key; } kinds[] = {
        { "bos", "tokenizer.ggml.bos_token_id" }, { "eos", "tokenizer.ggml.eos_token_id" },
        { "unk", "tokenizer.ggml.unknown_token_id" }, { "sep", "tokenizer.ggml.seperator_token_id" },
        { "pad", "tokenizer.ggml.padding_token_id" }, { "cls", "tokenizer.ggml.cls_token_id" },
        { "mask", "tokenizer.ggml.mask_token_id" },
    };
    const json_val *added = json_get(tok, "added_tokens");
    int add_bos = -1, add_eos = -1;
    /* a TemplateProcessing post-processor that starts with the BOS token adds it */
    const json_val *pp = json_get(tok, "post_processor");
    const json_val *procs = json_get(pp, "processors");
    size_t np = procs && procs->type == JSON_ARRAY ? procs->arr.n : pp ? 1 : 0;
    const char *bos_text = cfg_token(cfg, "bos_token");
    for (size_t i = 0; i < np; i++) {
        const json_val *p = procs && procs->type == JSON_ARRAY ? &procs->arr.items[i] : pp;
        if (strcmp(json_get_str(p, "type", ""), "TemplateProcessing") != 0) continue;
        const json_val *single = json_get(p, "single");
        if (!single || single->type != JSON_ARRAY || single->arr.n < 2) continue;
        const char *first = json_get_str(json_get(&single->arr.items[0], "SpecialToken"), "id", NULL);
        if (first) add_bos = bos_text && !strcmp(first, bos_text);
    }
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        char key[32];
        snprintf(key, sizeof key, "add_%s_token", kinds[k].typ);
        const json_val *ab = json_get(cfg, key);
        if (ab && ab->type == JSON_BOOL) {
            if (k == 0) add_bos = ab->b;
            if (k == 1) add_eos = ab->b;
        }
        snprintf(key, sizeof key, "%s_token", kinds[k].typ);
        int64_t id = added_id(added, cfg_token(cfg, key));
        if (id < 0) {
            snprintf(key, sizeof key, "%s_token_id", kinds[k].typ);
            const json_val *c = json_get(config, key);
            if (c && c->type == JSON_NUMBER && c->num.is_int) id = c->num.i;
        }
        if (id >= 0 && id < n_vocab && gguf_set_u32(w, kinds[k].key, (uint32_t)id) < 0)
            return llm_fail(e, "out of memory");
    }
    if ((add_bos >= 0 && gguf_set_bool(w, "tokenizer.ggml.add_bos_token", add_bos) < 0) ||
        (add_eos >= 0 && gguf_set_bool(w, "tokenizer.ggml.add_eos_token", add_eos) < 0))
        return llm_fail(e, "out of memory");
    const json_val *ap = json_get(cfg, "add_prefix_space");
    if (ap && ap->type == JSON_BOOL && gguf_set_bool(w, "tokenizer.ggml.add_space_prefix", ap->b) < 0)
        return llm_fail(e, "out of memory");
    const json_val *ct = json_get(cfg, "chat_template");
    if (ct && ct->type == JSON_STRING && gguf_set_str(w, "tokenizer.chat_template", ct->str.s, ct->str.len) < 0)
        return llm_fail(e, "out of memory");
    (void)cv;
    return 0;
}

int llm_convert_hf_vocab(llm_convert *cv, const char *tok_json, const char *tok_cfg, const char *cfg_json,
                         const char *sp_model, const char *arch, int64_t vocab_size, gguf_writer *w, llm_err *e)
{
    int failed, rc = -1;
    json_doc *tj = NULL, *tc = NULL, *cj = NULL;
    if (!(tj = maybe_json(tok_json, &failed, e)) && failed) goto out;
    if (!(tc = maybe_json(tok_cfg, &failed, e)) && failed) goto out;
    if (!(cj = maybe_json(cfg_json, &failed, e)) && failed) goto out;
    const json_val *troot = tj ? json_root(tj) : NULL, *cfg = tc ? json_root(tc) : NULL;
    const json_val *model = json_get(troot, "model"), *added = json_get(troot, "added_tokens");
    vocab v = { 0 };
    int spm = sp_model && access(sp_model, R_OK) == 0;
    if (spm) {
        if (read_spm(cv, sp_model, &v, vocab_size, e) < 0) goto out;
        /* tokens added beyond the SentencePiece pieces */
        for (size_t i = 0; added && added->type == JSON_ARRAY && i < added->arr.n; i++) {
            const json_val *a = &added->arr.items[i];
            int64_t id = json_get_int(a, "id", -1);
            const json_val *c = json_get(a, "content");
            if (id < 0 || id >= v.n || v.tok[id].ptr || !c || c->type != JSON_STRING) continue;
            v.tok[id] = (gguf_str){ keep_str(cv, c->str.s, c->str.len), c->str.len };
            v.score[id] = -1000.0f;
            v.type[id] = json_get_bool(a, "special", false) ? TT_CONTROL : TT_USER_DEFINED;
        }
        if (pad_unnamed(cv, &v, e) < 0) goto out;
        if (gguf_set_str(w, "tokenizer.ggml.model", "llama", 5) < 0 ||
            gguf_set_str(w, "tokenizer.ggml.pre", "default", 7) < 0 ||
            gguf_set_arr_str(w, "tokenizer.ggml.tokens", v.tok, (uint64_t)v.n) < 0 ||
            gguf_set_arr(w, "tokenizer.ggml.scores", GGUF_FLOAT32, v.score, (uint64_t)v.n) < 0 ||
            gguf_set_arr(w, "tokenizer.ggml.token_type", GGUF_INT32, v.type, (uint64_t)v.n) < 0) {
            llm_fail(e, "out of memory");
            goto out;
        }
    } else {
        if (!tj) { llm_fail(e, "%s: missing (and no tokenizer.model): no tokenizer to convert", tok_json); goto out; }
        const char *type = json_get_str(model, "type", "");
        if (strcmp(type, "BPE") != 0) {
            llm_fail(e, "%s: tokenizer model '%s' is not supported (byte-level BPE, or SentencePiece via tokenizer.model)",
                     tok_json, type);
            goto out;
        }
        if (json_get_bool(model, "byte_fallback", false)) {
            llm_fail(e, "%s: a SentencePiece-style BPE (byte_fallback): put its tokenizer.model beside it", tok_json);
            goto out;
        }
        const char *pre = !strcmp(arch, "qwen2") ? "qwen2" : "llama-bpe";
        gguf_str *merges = NULL;
        uint64_t nm = 0;
        if (read_bpe(cv, tok_json, troot, &v, vocab_size, &merges, &nm, e) < 0) goto out;
        if (gguf_set_str(w, "tokenizer.ggml.model", "gpt2", 4) < 0 ||
            gguf_set_str(w, "tokenizer.ggml.pre", pre, strlen(pre)) < 0 ||
            gguf_set_arr_str(w, "tokenizer.ggml.tokens", v.tok, (uint64_t)v.n) < 0 ||
            gguf_set_arr(w, "tokenizer.ggml.token_type", GGUF_INT32, v.type, (uint64_t)v.n) < 0 ||
            (nm && gguf_set_arr_str(w, "tokenizer.ggml.merges", merges, nm) < 0)) {
            llm_fail(e, "out of memory");
            goto out;
        }
    }
    if (special_tokens(cv, troot, cfg, cj ? json_root(cj) : NULL, v.n, w, e) < 0) goto out;
    rc = 0;
out:
    json_free(tj);
    json_free(tc);
    json_free(cj);
    return rc;
}
