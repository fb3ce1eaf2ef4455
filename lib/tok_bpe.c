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
        for (size_t i = 0; i < m; i++)
            sym[i] = (tok_sym){ (uint32_t)i, 1, (int32_t)i - 1, i + 1 < m ? (int32_t)i + 1 : -1, t->byte_tok[wb[i]] };
        h.n = 0;
        for (size_t i = 1; i < m; i++)
            if (try_merge(t, sym, (int32_t)i - 1, (int32_t)i, &h))
                goto oom;
        while (h.n) {
            tok_bigram b = tok_heap_pop(&h);
            tok_sym *l = &sym[b.left], *r = &sym[b.right];
            if (l->n == 0 || r->n == 0 || l->n + r->n != b.size)
                continue;
            l->n += r->n;
            l->id = b.result;
            r->n = 0;
            l->next = r->next;
            if (r->next >= 0)
                sym[r->next].prev = b.left;
            if (try_merge(t, sym, l->prev, b.left, &h) || try_merge(t, sym, b.left, l->next, &h))
                goto oom;
        }
        for (int32_t i = 0; i != -1; i = sym[i].next) {
            if (sym[i].id >= 0) {
                if (tok_push(out, sym[i].id))
                    goto oom;
            } else if (emit_fallback(t, wb + sym[i].start, sym[i].n, out)) {
                goto oom;
            }
        }
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
    return rc;
}
