/* tok_bpe.c: byte-level BPE (tokenizer.ggml.model = gpt2), as llama.cpp's
 * llm_tokenizer_bpe: the pre-tokenizer splits the text into words; each
 * word's UTF-8 bytes start as one symbol each (GPT-2's byte-to-character
 * map), and the adjacent pair with the lowest merge rank is merged first
 * (leftmost on ties) until no listed merge applies. */
#include "tok_internal.h"
#include "unicode.h"

#include <stdlib.h>
#include <string.h>

static int try_merge(const llm_tokenizer *t, tok_sym *sym, int32_t l, int32_t r, tok_heap *h)
{
    if (l < 0 || r < 0 || sym[l].id < 0 || sym[r].id < 0)
        return 0;
    const merge_slot *m = tok_merge(t, sym[l].id, sym[r].id);
    if (!m)
        return 0;
    tok_bigram b = { .key = -(double)m->rank, .left = l, .right = r,
                     .size = sym[l].n + sym[r].n, .result = m->result };
    return tok_heap_push(h, b);
}

/* The byte-level text of raw bytes (each byte as its GPT-2 character). */
static size_t byte_encode(const unsigned char *b, size_t n, char *out)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += llm_utf8_encode(llm_byte_to_cp(b[i]), (unsigned char *)out + k);
    return k;
}

/* A symbol whose text is not a token: llama.cpp looks up each single byte
 * of its byte-level text and keeps those that are tokens. */
static int emit_fallback(const llm_tokenizer *t, const unsigned char *b, size_t n, llm_tokens *out)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char u[4];
        size_t k = llm_utf8_encode(llm_byte_to_cp(b[i]), u);
        for (size_t j = 0; j < k; j++) {
            int32_t id = tok_lookup(t, (const char *)&u[j], 1);
            if (id >= 0 && tok_push(out, id))
                return -1;
        }
    }
    return 0;
}

/* Merge one word's bytes wb[0..m) and append its tokens. */
static int bpe_word(const llm_tokenizer *t, const unsigned char *wb, size_t m, tok_sym *sym, tok_heap *h,
                    llm_tokens *out)
{
    for (size_t i = 0; i < m; i++)
        sym[i] = (tok_sym){ (uint32_t)i, 1, (int32_t)i - 1, i + 1 < m ? (int32_t)i + 1 : -1, t->byte_tok[wb[i]] };
    h->n = 0;
    for (size_t i = 1; i < m; i++)
        if (try_merge(t, sym, (int32_t)i - 1, (int32_t)i, h))
            return -1;
    while (h->n) {
        tok_bigram b = tok_heap_pop(h);
        tok_sym *l = &sym[b.left], *r = &sym[b.right];
        if (l->n == 0 || r->n == 0 || l->n + r->n != b.size)
            continue;   /* one side was merged away since */
        l->n += r->n;
        l->id = b.result;
        r->n = 0;
        l->next = r->next;
        if (r->next >= 0)
            sym[r->next].prev = b.left;
        if (try_merge(t, sym, l->prev, b.left, h) || try_merge(t, sym, b.left, l->next, h))
            return -1;
    }
    for (int32_t i = 0; i != -1; i = sym[i].next) {
        if (sym[i].id >= 0) {
            if (tok_push(out, sym[i].id))
                return -1;
        } else if (emit_fallback(t, wb + sym[i].start, sym[i].n, out)) {
            return -1;
        }
    }
    return 0;
}

/* ---- a word cache for one call: text repeats its words, and a word
 * always gives the same tokens. Bounded; when full, new words are not kept. */
#define CACHE_WORDS 65536
typedef struct wc_slot {
    uint32_t hash, key, klen, ids, nids;   /* key/ids: offsets into the pools */
} wc_slot;
typedef struct wcache {
    wc_slot *slots;        /* 2 * CACHE_WORDS, klen 0 = empty */
    unsigned char *keys;
    size_t nkeys, capkeys;
    int32_t *ids;
    size_t nids, capids;
    size_t used;
} wcache;

static uint32_t word_hash(const unsigned char *w, size_t m)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < m; i++)
        h = (h ^ w[i]) * 16777619u;
    return h;
}

static const int32_t *cache_get(const wcache *c, const unsigned char *w, size_t m, size_t *n)
{
    if (!c->slots)
        return NULL;
    uint32_t h = word_hash(w, m), mask = 2 * CACHE_WORDS - 1;
    for (uint32_t i = h & mask;; i = (i + 1) & mask) {
        const wc_slot *s = &c->slots[i];
        if (s->klen == 0)
            return NULL;
        if (s->hash == h && s->klen == m && memcmp(c->keys + s->key, w, m) == 0) {
            *n = s->nids;
            return c->ids + s->ids;
        }
    }
}

static void cache_put(wcache *c, const unsigned char *w, size_t m, const int32_t *ids, size_t n)
{
    if (!c->slots || c->used >= CACHE_WORDS || m > 256)
        return;
    if (c->nkeys + m > c->capkeys) {
        size_t cap = c->capkeys ? c->capkeys * 2 : 1 << 16;
        unsigned char *k = realloc(c->keys, cap);
        if (!k)
            return;   /* the cache is only an optimisation */
        c->keys = k;
        c->capkeys = cap;
    }
    if (c->nids + n > c->capids) {
        size_t cap = c->capids ? c->capids * 2 : 1 << 14;
        while (cap < c->nids + n)
            cap *= 2;
        int32_t *p = realloc(c->ids, cap * sizeof *p);
        if (!p)
            return;
        c->ids = p;
        c->capids = cap;
    }
    uint32_t h = word_hash(w, m), mask = 2 * CACHE_WORDS - 1, i = h & mask;
    while (c->slots[i].klen)
        i = (i + 1) & mask;
    c->slots[i] = (wc_slot){ h, (uint32_t)c->nkeys, (uint32_t)m, (uint32_t)c->nids, (uint32_t)n };
    memcpy(c->keys + c->nkeys, w, m);
    c->nkeys += m;
    if (n)   /* a word may give no ids (a vocabulary without its bytes): ids is NULL then */
        memcpy(c->ids + c->nids, ids, n * sizeof *ids);
    c->nids += n;
    c->used++;
}

int tok_bpe_encode(const llm_tokenizer *t, const char *text, size_t len, llm_tokens *out, llm_err *e)
{
    if (len == 0)
        return 0;
    if (len > UINT32_MAX / 4)
        return llm_fail(e, "text of %zu bytes is too long", len);
    const unsigned char *s = (const unsigned char *)text;
    uint32_t *cps = malloc(len * sizeof *cps);
    uint16_t *fl = malloc(len * sizeof *fl);
    uint32_t *ends = malloc(len * sizeof *ends);
    uint32_t *scratch = malloc(len * sizeof *scratch);
    unsigned char *wb = NULL;
    char *enc = NULL;
    tok_sym *sym = NULL;
    tok_heap h = { 0 };
    wcache wc = { 0 };
    int rc = -1;
    if (!cps || !fl || !ends || !scratch)
        goto oom;
    size_t n = 0;
    for (size_t off = 0; off < len; n++) {
        cps[n] = llm_utf8_decode(s, len, &off);
        fl[n] = (uint16_t)llm_unicode_flags(cps[n]);
    }
    size_t nw = pretok_split(t->pre_kind, cps, fl, n, ends, scratch);
    /* a word's bytes: at most 4 per code point (U+FFFD replaces bad bytes) */
    size_t maxw = 0;
    for (size_t w = 0, st = 0; w < nw; st = ends[w++])
        if (ends[w] - st > maxw)
            maxw = ends[w] - st;
    wb = malloc(maxw * 4 + 4);
    sym = malloc((maxw * 4 + 4) * sizeof *sym);
    if (t->ignore_merges)
        enc = malloc(maxw * 8 + 8);
    if (!wb || !sym || (t->ignore_merges && !enc))
        goto oom;
    if (nw >= 256)   /* worth it only for longer texts */
        wc.slots = calloc(2 * CACHE_WORDS, sizeof *wc.slots);
    for (size_t w = 0, st = 0; w < nw; st = ends[w++]) {
        size_t m = 0;
        for (size_t i = st; i < ends[w]; i++)
            m += llm_utf8_encode(cps[i], wb + m);
        if (m == 0)
            continue;
        if (t->ignore_merges) {
            /* Llama 3: a word that is a token as a whole is taken as is */
            int32_t id = tok_lookup(t, enc, byte_encode(wb, m, enc));
            if (id >= 0) {
                if (tok_push(out, id))
                    goto oom;
                continue;
            }
        }
        size_t n0 = out->n;
        const int32_t *hit = cache_get(&wc, wb, m, &n0);
        if (hit) {
            for (size_t i = 0; i < n0; i++)
                if (tok_push(out, hit[i]))
                    goto oom;
            continue;
        }
        if (bpe_word(t, wb, m, sym, &h, out))
            goto oom;
        cache_put(&wc, wb, m, out->n > n0 ? out->ids + n0 : NULL, out->n - n0);
    }
    rc = 0;
    goto done;
oom:
    llm_fail(e, "out of memory");
done:
    free(cps);
    free(fl);
    free(ends);
    free(scratch);
    free(wb);
    free(enc);
    free(sym);
    free(h.v);
    free(wc.slots);
    free(wc.keys);
    free(wc.ids);
    return rc;
}
