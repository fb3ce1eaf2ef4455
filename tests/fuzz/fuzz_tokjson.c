/* fuzz_tokjson.c: tokenizer.json loading on arbitrary input. The input is
 * tokenizer.json, then optionally a NUL and the tokenizer_config.json
 * beside it (JSON cannot hold a raw NUL). Both readers of these files run:
 * llm_tokenizer_from_json (llm-tokenize --vocab) and llm_convert_vocab
 * (llm-quantize's vocabulary-only GGUF). A tokenizer that loads encodes
 * and decodes a fixed text, and every id. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "convert.h"
#include "files.h"
#include "tokenizer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *tj, *tc;
    size_t ntj, ntc;
    char path[512], cpath[512];
    const uint8_t *nul = memchr(data, 0, size);
    tj = data; ntj = nul ? (size_t)(nul - data) : size;
    tc = nul ? nul + 1 : NULL; ntc = nul ? size - ntj - 1 : (size_t)-1;
    fz_put("tokenizer.json", tj, ntj, path, sizeof path);
    fz_put("tokenizer_config.json", tc, ntc, cpath, sizeof cpath);
    llm_err e;
    llm_tokenizer *t = llm_tokenizer_from_json(path, &e);
    if (t) {
        static const char text[] = "Hello world, the <|endoftext|> caf\xc3\xa9 \xe6\x97\xa5\n\n  'll 123";
        llm_tokens v = { 0 };
        for (int flags = 0; flags < 4; flags++)
            if (llm_tokenize(t, text, sizeof text - 1, flags, &v, &e)) break;
        int32_t n = llm_tokenizer_n_vocab(t);
        size_t len;
        char *s = llm_detokenize(t, v.ids, v.n, LLM_DETOK_SPECIAL, &len, &e);
        free(s);
        char piece[16];
        for (int32_t id = 0; id < n && id < 4096; id++) llm_token_to_piece(t, id, true, false, piece, sizeof piece);
        (void)llm_tokenizer_fingerprint(t);
        (void)llm_tokenizer_chat_template(t);
        llm_tokens_free(&v);
        llm_tokenizer_free(t);
    }
    gguf_writer *w = gguf_writer_new();
    if (w) {
        llm_convert *cv = llm_convert_vocab(path, w, &e);
        llm_convert_free(cv);
        gguf_writer_free(w);
    }
    return 0;
}
