/* fuzz_tokenizer.c: the tokenizers on arbitrary input. Byte 0 is the mode
 * and flags, byte 1 picks the vocabulary (vocabs.h). Encode: the rest is
 * text, tokenized with the flags of bits 0-1, then decoded back (flags of
 * bits 2-5).
 * Decode (bit 6): the rest is little-endian int32 ids, folded into
 * [-8, n_vocab + 8) so out-of-range ids are common; every id also goes
 * through llm_token_to_piece with a small buffer. Any id the encoder
 * returns must be in range and decode. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vocabs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    llm_tokenizer **v;
    int nv = fz_vocabs(&v);
    if (size < 2) return 0;
    uint8_t b0 = data[0];
    llm_tokenizer *t = v[data[1] % nv];
    data += 2;
    size -= 2;
    int32_t n_vocab = llm_tokenizer_n_vocab(t);
    llm_err e;
    size_t len;
    char piece[8];
    if (b0 & 0x40) {
        /* decode */
        size_t n = size / 4;
        int32_t *ids = malloc((n ? n : 1) * sizeof *ids);
        if (!ids) return 0;
        for (size_t i = 0; i < n; i++) {
            uint32_t u;
            memcpy(&u, data + 4 * i, 4);
            ids[i] = (int32_t)(u % (uint32_t)(n_vocab + 16)) - 8;
            int r = llm_token_to_piece(t, ids[i], u >> 31, (u >> 30) & 1, piece, sizeof piece);
            if ((r < 0) != (ids[i] < 0 || ids[i] >= n_vocab)) __builtin_trap();
            (void)llm_tokenizer_piece(t, ids[i], &len);
            (void)llm_tokenizer_type(t, ids[i]);
            (void)llm_tokenizer_is_eog(t, ids[i]);
        }
        char *s = llm_detokenize(t, ids, n, (int)(n ? (uint32_t)ids[0] & 15 : 0), &len, &e);
        free(s);
        free(ids);
        return 0;
    }
    llm_tokens out = { 0 };
    if (llm_tokenize(t, (const char *)data, size, b0 & 3, &out, &e) == 0) {
        for (size_t i = 0; i < out.n; i++) {
            if (out.ids[i] < 0 || out.ids[i] >= n_vocab) __builtin_trap();
            if (llm_token_to_piece(t, out.ids[i], true, false, piece, sizeof piece) < 0) __builtin_trap();
        }
        char *s = llm_detokenize(t, out.ids, out.n, (b0 >> 2) & 15, &len, &e);
        if (!s) __builtin_trap();   /* every id is in range: decoding cannot fail */
        free(s);
    }
    llm_tokens_free(&out);
    return 0;
}
