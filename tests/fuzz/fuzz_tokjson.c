/* fuzz_tokjson.c: Hugging Face tokenizer files on arbitrary input. The
 * input is tokenizer.json, then optionally a NUL and the
 * tokenizer_config.json beside it, then optionally another NUL and a
 * SentencePiece tokenizer.model (JSON cannot hold a raw NUL). Every reader
 * of these files runs: llm_tokenizer_from_json (llm-tokenize --vocab) and
 * llm_convert_vocab on the file and, with a tokenizer.model, on the folder
 * (llm-quantize --from vocab). A tokenizer that loads encodes a fixed
 * text with every flag and decodes it and every id.
 *
 * Inputs whose largest token id lies in [2^20, 2^24) are skipped: legal,
 * but padding millions of ids takes a second and starves the fuzzer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "convert.h"
#include "files.h"
#include "json.h"
#include "tokenizer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The largest integer among model.vocab's values and added_tokens' ids. */
static int64_t max_id(const uint8_t *data, size_t size)
{
    llm_err e;
    json_doc *d = json_parse((const char *)data, size, "fuzz", &e);
    if (!d) return -1;
    int64_t m = -1;
    const json_val *r = json_root(d), *v = json_get(json_get(r, "model"), "vocab"), *a = json_get(r, "added_tokens");
    for (size_t i = 0; v && v->type == JSON_OBJECT && i < v->arr.n; i++)
        if (v->arr.items[i].type == JSON_NUMBER && v->arr.items[i].num.i > m) m = v->arr.items[i].num.i;
    for (size_t i = 0; a && a->type == JSON_ARRAY && i < a->arr.n; i++)
        if (json_get_int(&a->arr.items[i], "id", -1) > m) m = json_get_int(&a->arr.items[i], "id", -1);
    json_free(d);
    return m;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, 0, size);
    size_t ntj = nul ? (size_t)(nul - data) : size;
    const uint8_t *tc = nul ? nul + 1 : data + size;
    const uint8_t *nul2 = nul ? memchr(tc, 0, size - ntj - 1) : NULL;
    size_t ntc = !nul ? (size_t)-1 : nul2 ? (size_t)(nul2 - tc) : size - ntj - 1;
    int64_t m = max_id(data, ntj);
    if (m >= (1 << 20) && m < (1 << 24)) return 0;
    char path[512], cpath[512], spath[512];
    fz_put("tokenizer.json", data, ntj, path, sizeof path);
    fz_put("tokenizer_config.json", tc, ntc, cpath, sizeof cpath);
    fz_put("tokenizer.model", nul2 ? nul2 + 1 : NULL, nul2 ? size - (size_t)(nul2 + 1 - data) : (size_t)-1, spath,
           sizeof spath);
    llm_err e;
    llm_tokenizer *t = llm_tokenizer_from_json(path, &e);
    if (t) {
        static const char text[] = "Hello world, the <|endoftext|> caf\xc3\xa9 \xe6\x97\xa5\n\n  'll 123";
        llm_tokens v = { 0 };
        for (int flags = 0; flags < 4; flags++)
            if (llm_tokenize(t, text, sizeof text - 1, flags, &v, &e)) break;
        size_t len;
        char *s = llm_detokenize(t, v.ids, v.n, LLM_DETOK_SPECIAL, &len, &e);
        free(s);
        char piece[16];
        int32_t n = llm_tokenizer_n_vocab(t);
        for (int32_t id = 0; id < n && id < 4096; id++) llm_token_to_piece(t, id, true, false, piece, sizeof piece);
        (void)llm_tokenizer_fingerprint(t);
        (void)llm_tokenizer_chat_template(t);
        llm_tokens_free(&v);
        llm_tokenizer_free(t);
    }
    for (int folder = 0; folder < 1 + (nul2 != NULL); folder++) {
        gguf_writer *w = gguf_writer_new();
        if (!w) break;
        llm_convert *cv = llm_convert_vocab(folder ? fz_scratch() : path, w, &e);
        llm_convert_free(cv);
        gguf_writer_free(w);
    }
    return 0;
}
