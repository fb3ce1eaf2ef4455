/* tok_spm.c: SentencePiece-style BPE by scores (tokenizer.ggml.model =
 * llama), as llama.cpp's llm_tokenizer_spm: spaces become "▁", the text
 * is split into UTF-8 characters, and the adjacent pair whose joined text
 * is the token with the highest score is merged first (leftmost on ties),
 * until no pair joins into a token. Characters left that are not tokens
 * fall back to byte tokens <0xXX>. */
#include "tok_internal.h"
#include "unicode.h"

#include <stdlib.h>
#include <string.h>

static int try_bigram(const llm_tokenizer *t, const char *s, tok_sym *sym, int32_t l, int32_t r, tok_heap *h)
{
    if (l < 0 || r < 0)
        return 0;
    uint32_t size = sym[l].n + sym[r].n;
    int32_t id = tok_lookup(t, s + sym[l].start, size);
    if (id < 0)
        return 0;
    tok_bigram b = { .key = t->score[id], .left = l, .right = r, .size = size, .result = id };
    return tok_heap_push(h, b);
}

/* Output the token of a finished symbol, or its bytes. */
static int emit(const llm_tokenizer *t, const char *s, const tok_sym *y, llm_tokens *out)
{
    int32_t id = tok_lookup(t, s + y->start, y->n);
    if (id >= 0)
        return tok_push(out, id);
    for (uint32_t i = 0; i < y->n; i++) {
        int32_t b = t->byte_tok[(unsigned char)s[y->start + i]];
        if (b < 0)
            b = t->unk;   /* llama.cpp would throw here; unk is the closest */
        if (b >= 0 && tok_push(out, b))
            return -1;
    }
    return 0;
}

int tok_spm_encode(const llm_tokenizer *t, const char *text, size_t len, bool prefix_space,
                   llm_tokens *out, llm_err *e)
{
    /* escape: optional leading space, every ' ' as "▁" (3 bytes) */
    size_t spaces = prefix_space;
    for (size_t i = 0; i < len; i++)
        spaces += text[i] == ' ';
    size_t n = len + prefix_space + spaces * 2;
    if (n == 0)
        return 0;
    if (n > UINT32_MAX / 2)
        return llm_fail(e, "text of %zu bytes is too long", len);
    char *s = malloc(n);
    tok_sym *sym = malloc(n * sizeof *sym);
    tok_heap h = { 0 };
    int rc = -1;
    if (!s || !sym)
        goto oom;
    size_t k = 0;
    if (prefix_space) {
        memcpy(s, "\xE2\x96\x81", 3);
        k = 3;
    }
    for (size_t i = 0; i < len; i++) {
        if (text[i] == ' ') {
            memcpy(s + k, "\xE2\x96\x81", 3);
            k += 3;
        } else {
            s[k++] = text[i];
        }
    }
    /* symbols: one per UTF-8 character (lead byte's length, clamped) */
    int32_t ns = 0;
    for (size_t off = 0; off < n; ) {
        size_t cl = llm_utf8_len((unsigned char)s[off]);
        if (cl > n - off)
            cl = n - off;
        sym[ns] = (tok_sym){ (uint32_t)off, (uint32_t)cl, ns - 1, -1, -1 };
        if (ns > 0)
            sym[ns - 1].next = ns;
        ns++;
        off += cl;
    }
    /* The merges run on chunks cut where the two bytes around a symbol
     * boundary never stand side by side in any token: no merged symbol can
     * span such a cut, so the result is the same as on the whole text,
     * while the queue stays small (cache-friendly on long texts). */
    for (int32_t c0 = 0; c0 < ns; ) {
        int32_t c1 = c0 + 1;
        while (c1 < ns) {
            unsigned pk = (unsigned)(unsigned char)s[sym[c1].start - 1] << 8 | (unsigned char)s[sym[c1].start];
            if (!(t->pairs[pk >> 3] & (1u << (pk & 7))))
                break;
            c1++;
        }
        sym[c0].prev = -1;
        sym[c1 - 1].next = -1;
        h.n = 0;
        for (int32_t i = c0 + 1; i < c1; i++)
            if (try_bigram(t, s, sym, i - 1, i, &h))
                goto oom;
        while (h.n) {
            tok_bigram b = tok_heap_pop(&h);
            tok_sym *l = &sym[b.left], *r = &sym[b.right];
            if (l->n == 0 || r->n == 0 || l->n + r->n != b.size)
                continue;   /* one side was merged away since */
            l->n += r->n;
            r->n = 0;
            l->next = r->next;
            if (r->next >= 0)
                sym[r->next].prev = b.left;
            if (try_bigram(t, s, sym, l->prev, b.left, &h) || try_bigram(t, s, sym, b.left, l->next, &h))
                goto oom;
        }
        for (int32_t i = c0; i != -1; i = sym[i].next)
            if (emit(t, s, &sym[i], out))
                goto oom;
        c0 = c1;
    }
    rc = 0;
    goto done;
oom:
    llm_fail(e, "out of memory");
done:
    free(s);
    free(sym);
    free(h.v);
    return rc;
}
