/* unicode.c: code point flags, UTF-8 as llama.cpp reads it, and GPT-2's
 * byte map. */
#include "unicode.h"

#include <pthread.h>
#include <stdlib.h>

/* The Basic Multilingual Plane is looked up in a table built once from
 * the ranges (128 KiB): the pre-tokenizer asks for every code point. */
static uint16_t *bmp;
static pthread_once_t bmp_once = PTHREAD_ONCE_INIT;

static unsigned range_flags(uint32_t cp)
{
    uint32_t lo = 0, hi = llm_unicode_nranges;   /* find the last start <= cp */
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (llm_unicode_ranges[mid].start <= cp)
            lo = mid;
        else
            hi = mid;
    }
    return llm_unicode_ranges[lo].flags;
}

static void build_bmp(void)
{
    uint16_t *t = malloc(0x10000 * sizeof *t);
    if (!t)
        return;   /* fall back to the binary search */
    uint32_t r = 0;
    for (uint32_t cp = 0; cp < 0x10000; cp++) {
        while (r + 1 < llm_unicode_nranges && llm_unicode_ranges[r + 1].start <= cp)
            r++;
        t[cp] = llm_unicode_ranges[r].flags;
    }
    bmp = t;
}

unsigned llm_unicode_flags(uint32_t cp)
{
    if (cp > 0x10FFFF)
        return LLM_U_UNDEFINED;
    if (cp < 0x10000) {
        pthread_once(&bmp_once, build_bmp);
        if (bmp)
            return bmp[cp];
    }
    return range_flags(cp);
}

uint32_t llm_utf8_decode(const unsigned char *s, size_t n, size_t *off)
{
    size_t i = *off;
    unsigned c = s[i];
    if (c < 0x80) {
        *off = i + 1;
        return c;
    }
    size_t len = (c & 0x40) == 0 ? 0 : (c & 0x20) == 0 ? 2 : (c & 0x10) == 0 ? 3 : (c & 0x08) == 0 ? 4 : 0;
    if (len == 0 || i + len > n)
        goto bad;
    uint32_t cp = c & (0x7F >> len);
    for (size_t k = 1; k < len; k++) {
        if ((s[i + k] & 0xC0) != 0x80)
            goto bad;
        cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    *off = i + len;
    return cp;
bad:
    *off = i + 1;
    return 0xFFFD;
}

size_t llm_utf8_encode(uint32_t cp, unsigned char *out)
{
    if (cp < 0x80) {
        out[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (unsigned char)(0xC0 | (cp >> 6));
        out[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (unsigned char)(0xE0 | (cp >> 12));
        out[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    if (cp > 0x10FFFF)
        cp = 0xFFFD;
    if (cp < 0x10000)
        return llm_utf8_encode(cp, out);
    out[0] = (unsigned char)(0xF0 | (cp >> 18));
    out[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

/* GPT-2's printable bytes: '!'..'~', U+00A1..U+00AC, U+00AE..U+00FF map to
 * themselves; the other 68 bytes, in order, to U+0100, U+0101, ... */
static int printable(unsigned b)
{
    return (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE);
}

/* The 68 others: 0x00..0x20 -> U+0100.., 0x7F..0xA0 -> U+0121.., 0xAD -> U+0143. */
uint32_t llm_byte_to_cp(unsigned char b)
{
    if (printable(b))
        return b;
    if (b <= 0x20)
        return 0x100 + b;
    if (b >= 0x7F && b <= 0xA0)
        return 0x100 + 33 + (b - 0x7F);
    return 0x100 + 67;   /* 0xAD */
}

int llm_cp_to_byte(uint32_t cp)
{
    if (cp < 0x100)
        return printable(cp) ? (int)cp : -1;
    uint32_t n = cp - 0x100;
    if (n <= 32)
        return (int)n;
    if (n <= 66)
        return (int)(0x7F + n - 33);
    if (n == 67)
        return 0xAD;
    return -1;
}
