/* pretok.c: the pre-tokenizers of byte-level BPE, i.e. the regexes that
 * split text into words before merging, written as hand matchers over code
 * points (no regex library). Each matcher returns the length of the regex
 * match starting at pos within a piece [.., end), 0 if none; a pass splits
 * every piece into matches and the unmatched runs between them, as
 * llama.cpp's unicode_regex_split does for each regex in turn. */
#include "tok_internal.h"
#include "unicode.h"

#include <string.h>

enum { WS = LLM_U_WHITESPACE, LET = LLM_U_LETTER, NUM = LLM_U_NUMBER };

typedef size_t (*matcher)(const uint32_t *cp, const uint16_t *fl, size_t pos, size_t end);

static uint32_t lower_ascii(uint32_t c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

/* 's|'t|'re|'ve|'m|'ll|'d (optionally case-insensitive): length or 0. */
static size_t contraction(const uint32_t *cp, size_t pos, size_t end, bool icase)
{
    if (cp[pos] != '\'' || pos + 1 >= end)
        return 0;
    uint32_t a = icase ? lower_ascii(cp[pos + 1]) : cp[pos + 1];
    if (a == 's' || a == 't' || a == 'm' || a == 'd')
        return 2;
    if (pos + 2 < end) {
        uint32_t b = icase ? lower_ascii(cp[pos + 2]) : cp[pos + 2];
        if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l'))
            return 3;
    }
    return 0;
}

/* GPT-2: 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+ */
static size_t m_gpt2(const uint32_t *cp, const uint16_t *fl, size_t pos, size_t end)
{
    size_t k = contraction(cp, pos, end, false);
    if (k)
        return k;
    bool sp = cp[pos] == ' ';
    unsigned f2 = sp ? (pos + 1 < end ? fl[pos + 1] : 0) : fl[pos];
    size_t p = pos + sp;
    if (f2 & LET) {
        while (p < end && (fl[p] & LET))
            p++;
        return p - pos;
    }
    if (f2 & NUM) {
        while (p < end && (fl[p] & NUM))
            p++;
        return p - pos;
    }
    if (f2 && !(f2 & (WS | LET | NUM))) {
        while (p < end && !(fl[p] & (WS | LET | NUM)))
            p++;
        return p - pos;
    }
    size_t nws = 0;
    while (pos + nws < end && (fl[pos + nws] & WS))
        nws++;
    if (nws > 1 && pos + nws < end)
        return nws - 1;   /* \s+(?!\S): leave the last space to the next word */
    return nws ? nws : 1;
}

/* Llama 3 (digits = 3) and Qwen2 (digits = 1):
 * (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|
 *  ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+ */
static size_t m_llama3_n(const uint32_t *cp, const uint16_t *fl, size_t pos, size_t end, size_t digits)
{
    size_t k = contraction(cp, pos, end, true);
    if (k)
        return k;
    uint32_t c = cp[pos];
    unsigned f = fl[pos];
    size_t p;
    if (!(c == '\r' || c == '\n' || (f & NUM))) {
        if ((f & LET) || (pos + 1 < end && (fl[pos + 1] & LET))) {
            p = pos + 1;
            while (p < end && (fl[p] & LET))
                p++;
            return p - pos;
        }
    }
    if (f & NUM) {
        p = pos;
        while (p < end && (fl[p] & NUM) && p - pos < digits)
            p++;
        return p - pos;
    }
    bool sp = c == ' ';
    unsigned f2 = sp ? (pos + 1 < end ? fl[pos + 1] : 0) : f;
    if (!(f2 & (WS | LET | NUM))) {
        p = pos + sp;
        while (p < end && !(fl[p] & (WS | LET | NUM)))
            p++;
        while (p < end && (cp[p] == '\r' || cp[p] == '\n'))
            p++;
        return p - pos;
    }
    size_t nws = 0, last_rn = 0;
    while (pos + nws < end && (fl[pos + nws] & WS)) {
        if (cp[pos + nws] == '\r' || cp[pos + nws] == '\n')
            last_rn = pos + nws + 1;
        nws++;
    }
    if (last_rn)
        return last_rn - pos;   /* \s*[\r\n]+ */
    if (nws > 1 && pos + nws < end)
        return nws - 1;
    return nws ? nws : 1;
}

static size_t m_llama3(const uint32_t *cp, const uint16_t *fl, size_t pos, size_t end)
{
    return m_llama3_n(cp, fl, pos, end, 3);
}

static size_t m_qwen2(const uint32_t *cp, const uint16_t *fl, size_t pos, size_t end)
{
    return m_llama3_n(cp, fl, pos, end, 1);
}

/* [\p{P}\$\+<=>\^~\|]+ */
static size_t m_punct(const uint32_t *cp, const uint16_t *fl, size_t pos, size_t end)
{
    size_t p = pos;
    while (p < end && ((fl[p] & LLM_U_PUNCT) || (cp[p] < 128 && strchr("$+<=>^~|", (int)cp[p]) && cp[p])))
        p++;
    return p - pos;
}

/* \p{N}+ */
static size_t m_numbers(const uint32_t *cp, const uint16_t *fl, size_t pos, size_t end)
{
    (void)cp;
    size_t p = pos;
    while (p < end && (fl[p] & NUM))
        p++;
    return p - pos;
}

/* \p{N} */
static size_t m_number(const uint32_t *cp, const uint16_t *fl, size_t pos, size_t end)
{
    (void)cp;
    (void)end;
    return (fl[pos] & NUM) ? 1 : 0;
}

/* [0-9][0-9][0-9] */
static size_t m_digits3(const uint32_t *cp, const uint16_t *fl, size_t pos, size_t end)
{
    (void)fl;
    if (end - pos < 3)
        return 0;
    for (size_t i = 0; i < 3; i++)
        if (cp[pos + i] < '0' || cp[pos + i] > '9')
            return 0;
    return 3;
}

/* One regex pass: split the pieces ending at in[0..nin) into matches and
 * the unmatched runs between them; returns the count of ends in out. */
static size_t pass(matcher m, const uint32_t *cp, const uint16_t *fl, const uint32_t *in, size_t nin, uint32_t *out)
{
    size_t nout = 0, start = 0;
    for (size_t i = 0; i < nin; i++) {
        size_t end = in[i], pos = start, gap = start;
        while (pos < end) {
            size_t k = m(cp, fl, pos, end);
            if (k == 0) {
                pos++;
                continue;
            }
            if (gap < pos)
                out[nout++] = (uint32_t)pos;
            pos += k;
            out[nout++] = (uint32_t)pos;
            gap = pos;
        }
        if (gap < end)
            out[nout++] = (uint32_t)end;
        start = end;
    }
    return nout;
}

size_t pretok_split(int pre_kind, const uint32_t *cps, const uint16_t *fl, size_t n, uint32_t *ends, uint32_t *scratch)
{
    static const matcher m_default[] = { m_punct, m_gpt2, m_numbers, m_digits3 };
    static const matcher m_smollm[] = { m_number, m_gpt2 };
    const matcher *chain;
    size_t nchain;
    matcher one;
    switch (pre_kind) {
    case PRE_DEFAULT: chain = m_default; nchain = 4; break;
    case PRE_SMOLLM: chain = m_smollm; nchain = 2; break;
    case PRE_LLAMA3: one = m_llama3; chain = &one; nchain = 1; break;
    case PRE_QWEN2: one = m_qwen2; chain = &one; nchain = 1; break;
    default: one = m_gpt2; chain = &one; nchain = 1; break;
    }
    if (n == 0)
        return 0;
    /* ping-pong between the two buffers so the result lands in ends */
    uint32_t *bufs[2] = { (nchain % 2) ? scratch : ends, (nchain % 2) ? ends : scratch };
    bufs[0][0] = (uint32_t)n;
    size_t cnt = 1;
    for (size_t i = 0; i < nchain; i++)
        cnt = pass(chain[i], cps, fl, bufs[i % 2], cnt, bufs[(i + 1) % 2]);
    return cnt;
}

const char pretok_known[] = "default, gpt-2, llama-bpe (llama3, llama-v3), qwen2, smollm";

int pretok_kind(const char *name)
{
    static const struct { const char *name; int kind; } names[] = {
        { "default", PRE_DEFAULT }, { "gpt-2", PRE_GPT2 }, { "gpt2", PRE_GPT2 },
        { "llama-bpe", PRE_LLAMA3 }, { "llama3", PRE_LLAMA3 }, { "llama-v3", PRE_LLAMA3 },
        { "qwen2", PRE_QWEN2 }, { "deepseek-r1-qwen", PRE_QWEN2 }, { "smollm", PRE_SMOLLM },
    };
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (strcmp(name, names[i].name) == 0)
            return names[i].kind;
    return PRE_NONE;
}
