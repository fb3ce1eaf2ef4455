/* unicode.h: what the tokenizer needs of Unicode: the category class of a
 * code point (as the pre-tokenizer regexes' \p{L}, \p{N}, \s see it),
 * UTF-8 decoding exactly as llama.cpp does it (invalid bytes become
 * U+FFFD one byte at a time), and GPT-2's byte <-> code point map. */
#ifndef LLM_UNICODE_H
#define LLM_UNICODE_H

#include <stddef.h>
#include <stdint.h>

/* Flag bits of a code point (the general category's class, plus the
 * White_Space property). Generated tables: lib/unicode_tables.c. */
enum {
    LLM_U_UNDEFINED = 1,    /* Cn: unassigned */
    LLM_U_NUMBER = 2,       /* \p{N} */
    LLM_U_LETTER = 4,       /* \p{L} */
    LLM_U_SEPARATOR = 8,    /* \p{Z} */
    LLM_U_MARK = 16,        /* \p{M} */
    LLM_U_PUNCT = 32,       /* \p{P} */
    LLM_U_SYMBOL = 64,      /* \p{S} */
    LLM_U_CONTROL = 128,    /* \p{C} */
    LLM_U_WHITESPACE = 256, /* \s (White_Space) */
};

typedef struct llm_urange {
    uint32_t start;         /* first code point of a run with these flags */
    uint16_t flags;
} llm_urange;

extern const char llm_unicode_version[];
extern const uint32_t llm_unicode_nranges;
extern const llm_urange llm_unicode_ranges[];

/* Flags of code point cp; code points past U+10FFFF are UNDEFINED. */
unsigned llm_unicode_flags(uint32_t cp);

/* Byte length of the UTF-8 sequence a lead byte announces, by its high
 * nibble (continuation bytes count as 1), as llama.cpp's unicode_len_utf8. */
static inline size_t llm_utf8_len(unsigned char c)
{
    static const unsigned char lens[16] = { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 4 };
    return lens[c >> 4];
}

/* Decode one code point at s[*off] (n bytes in all) and advance *off. An
 * invalid or truncated sequence gives 0xFFFD and advances one byte; like
 * llama.cpp, overlong forms and surrogates are not rejected. */
uint32_t llm_utf8_decode(const unsigned char *s, size_t n, size_t *off);

/* Encode cp as UTF-8 into out (4 bytes room); returns the length. Code
 * points past U+10FFFF are written as U+FFFD. */
size_t llm_utf8_encode(uint32_t cp, unsigned char *out);

/* GPT-2 byte-level encoding: byte b as a code point (printable bytes map to
 * themselves, the others to U+0100 + n), and the inverse (-1 if cp is not
 * the image of a byte). */
uint32_t llm_byte_to_cp(unsigned char b);
int llm_cp_to_byte(uint32_t cp);

#endif
